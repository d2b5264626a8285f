"""Import a measure set from CSV: `manage.py import_measures FILE [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from socialvalue.importers import import_measures_file


class Command(BaseCommand):
    help = (
        "Import social value measures and their proxy values (£ per unit, by financial year) "
        "from a CSV with columns code, goal, description, unit, proxy value, source, year. "
        "Nothing is written if any row is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            result = import_measures_file(file, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.errors)} problems found: nothing was imported.")
        self.stdout.write(self.style.SUCCESS(result.summary()))
