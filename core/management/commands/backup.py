"""Back up the database to one file: `manage.py backup [--output FILE]` (`make backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, backup_create, size_text


class Command(BaseCommand):
    help = (
        "Back up the database to one file: pg_dump's custom format on PostgreSQL, a copy made "
        "with SQLite's online backup API on SQLite. Prints the file's path and size."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The file to write (default: backups/<database>-<UTC time>.dump or .sqlite3).",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to back up."
        )

    def handle(self, *args: Any, output: Path | None, database: str, **options: Any) -> None:
        try:
            backup = backup_create(path=output, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up to {_shown(backup.path)} ({size_text(backup.size)})",
            style_func=self.style.SUCCESS,
        )


def _shown(path: Path) -> Path:
    """The path relative to the working directory when it is inside it, as people typed it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path
