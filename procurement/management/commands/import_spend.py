"""Import a "spend over £500" CSV: `manage.py import_spend FILE [--skip-bad-rows] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.text import counted
from procurement.importers.spend import (
    ALREADY_IMPORTED,
    DRY_RUN,
    REJECTED,
    format_pounds,
    import_spend_file,
)


class Command(BaseCommand):
    help = "Import a council's published spend over £500 CSV file. Safe to run twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file to import.")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows and report the bad ones, instead of rejecting the file.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file: Path, skip_bad_rows: bool, dry_run: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        result = import_spend_file(file, skip_bad_rows=skip_bad_rows, dry_run=dry_run)
        if result.status == ALREADY_IMPORTED:
            when = timezone.localtime(result.spend_import.imported_at)
            self.stdout.write(f"Already imported on {date_format(when, 'j F Y')}: nothing to do")
            return
        for error in result.errors:
            self.stderr.write(str(error))
        if result.error_count > len(result.errors):
            self.stderr.write(f"…and {result.error_count - len(result.errors)} more")
        if result.status == REJECTED:
            if result.file_error:
                self.stderr.write(f"{file.name}: {result.file_error}")
            raise CommandError("Rejected: nothing was written")
        rows = counted(result.rows_imported, "row")
        counts = f"{rows} ({format_pounds(result.total_amount)}) from {file}"
        if result.status == DRY_RUN:
            self.stdout.write(
                f"Dry run: would import {counts}; {counted(result.suppliers_created, 'supplier')}"
                " would be created. Nothing was written"
            )
        else:
            self.stdout.write(
                f"Imported {counts}; {counted(result.suppliers_created, 'supplier')} created",
                style_func=self.style.SUCCESS,
            )
        if result.rows_skipped:
            self.stdout.write(f"Skipped {counted(result.rows_skipped, 'bad row')} (listed above)")
        for conflict in result.supplier_conflicts:  # procurement.identity kept these apart
            self.stdout.write(conflict)
