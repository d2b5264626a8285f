"""What django-simple-history records with a record's next save: who made it and why."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Model


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


def history_dated(instance: Model, when: dt.datetime) -> None:
    """Date the history row of `instance`'s next save (or `bulk_create_with_history`) `when`
    rather than now: demo data that happened in the past. An undeclared attribute, as above."""
    setattr(instance, "_history_date", when)  # noqa: B010
