"""Keys for cached page parts: one query that reads a few per-table aggregates."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def data_version(aggregates: Iterable[tuple[str, str]]) -> str:
    """The values of `aggregates` ((table, SQL aggregate) pairs, e.g. ("x", "max(id)")), joined
    into one string, read in one query of index lookups. It changes whenever a row is added,
    saved (where the aggregate is of a history or timestamp column) or deleted."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT {aggregate} FROM {quote(table)})" for table, aggregate in aggregates
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return ":".join(str(value) for value in cursor.fetchone())
