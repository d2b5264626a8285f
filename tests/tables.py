"""Row counts of every table, to show that something wrote nothing."""

from __future__ import annotations

from django.apps import apps
from django.db import connection


def table_counts() -> dict[str, int]:
    """The number of rows in every table, history and many-to-many tables included.

    One statement of a COUNT(*) a table rather than a query a model: the property tests take
    these counts twice an example, and 70-odd ORM queries each time were most of their cost."""
    models = apps.get_models(include_auto_created=True)
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, row, strict=True)}
