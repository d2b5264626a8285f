"""What django-simple-history records with a record's next save: who made it and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model

_Record = TypeVar("_Record", bound=Model)


def history_note(
    instance: Model,
    *,
    user: User | None,
    reason: str | None = None,
) -> None:
    """Have the history row of `instance`'s next save name `user` (and `reason`, when given).

    simple-history reads these from attributes of the instance that the models do not declare,
    hence setattr.
    """
    setattr(instance, "_history_user", user)  # noqa: B010
    if reason is not None:
        setattr(instance, "_change_reason", reason)  # noqa: B010


def history_save(
    instance: _Record,
    *,
    user: User | None,
    exclude: Collection[str] | None = None,
    validate_constraints: bool = True,
) -> _Record:
    """Validate `instance` (`full_clean`, with its `exclude` and `validate_constraints`) and save
    it, its history row naming `user`: how a service writes a record it has built or changed."""
    instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    history_note(instance, user=user)
    instance.save()
    return instance


def history_dated(instance: Model, when: dt.datetime) -> None:
    """Date the history row of `instance`'s next save (or `bulk_create_with_history`) `when`
    rather than now: demo data that happened in the past. An undeclared attribute, as above."""
    setattr(instance, "_history_date", when)  # noqa: B010
