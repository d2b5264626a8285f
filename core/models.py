"""The one table of our own that `core` keeps: edit counts for tables without history."""

from __future__ import annotations

from django.db import models


class DataStamp(models.Model):
    """How many times rows of a table whose edits leave no trace (no history, no timestamp:
    reference data such as proxy values and the framework's names) were saved or deleted.
    `core.data_version.models_version` reads it, so an edit in place moves a page's version."""

    table = models.CharField(max_length=100, unique=True, help_text="The database table.")
    changes = models.PositiveBigIntegerField(default=0, help_text="Saves and deletes counted.")

    def __str__(self) -> str:
        return f"{self.table}: {self.changes}"
