"""Restore a backup into an empty database: `manage.py restore FILE [--force]`
(`make restore FILE=...`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a file written by `manage.py backup` into an empty database of the same kind "
        "(PostgreSQL or SQLite). Refuses a database that already has tables unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database has tables, replacing what the backup holds.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to restore into."
        )

    def handle(self, *args: Any, file: Path, force: bool, database: str, **options: Any) -> None:
        try:
            backup_restore(path=file, alias=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {file}", style_func=self.style.SUCCESS)
