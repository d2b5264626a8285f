"""Optimistic locking: an edit form carries the version it was opened at.

If the row has moved on since, the save is refused with a message instead of silently
overwriting someone else's change. The row is locked while it is checked and written, so two
saves at the same moment cannot both pass.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.history import history_note

M = TypeVar("M", bound="VersionedModel")

STALE_MESSAGE = (
    "Someone else changed this {noun} after you opened it, so your changes have not been "
    "saved. Their version is shown below: check it and make your changes again."
)


class StaleEdit(ValidationError):
    pass


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


@transaction.atomic
def update_versioned(
    instance: M,
    *,
    expected_version: int,
    changes: dict[str, Any],
    user: User | None,
) -> M:
    """Apply `changes` to `instance` if nobody has saved it since `expected_version`."""
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEdit(STALE_MESSAGE.format(noun=model._meta.verbose_name))
    for field, value in changes.items():
        setattr(current, field, value)
    current.version += 1
    current.full_clean()
    if user is not None:
        history_note(current, user=user)
    current.save()
    return current


def save_new(instance: models.Model, *, user: User | None) -> None:
    """Validate and save a new row, its history recording `user` as who created it."""
    instance.full_clean()
    if user is not None:
        history_note(instance, user=user)
    instance.save()
