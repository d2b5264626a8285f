"""What to tell a person when the database refuses a write."""

from __future__ import annotations

from django.db import DatabaseError, IntegrityError

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


def is_unique_violation(error: DatabaseError) -> bool:
    """True when `error` is a unique key clash (usually two writers at once), not another
    refusal that running again would meet just the same."""
    if not isinstance(error, IntegrityError):
        return False
    cause = error.__cause__
    return getattr(cause, "pgcode", None) == UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(
        error
    )


def refusal_message(error: DatabaseError) -> str:
    """A message naming the database's reason (its first line) for a write it refused."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    return (
        f"The database refused the import ({reason}). Nothing was imported. If it happens"
        " again, tell the system administrator."
    )
