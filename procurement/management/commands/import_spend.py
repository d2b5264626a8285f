"""Import a "spend over £500" file (CSV or .xlsx):
`manage.py import_spend FILE [--map FIELD=HEADING ...] [--sheet NAME] [--publisher NAME]
[--skip-bad-rows] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.money import format_pounds
from core.text import counted
from procurement.importers.spend import (
    ALREADY_IMPORTED,
    DRY_RUN,
    NEEDS_MAPPING,
    REJECTED,
    SPEND_FIELDS,
    SpendImportResult,
    import_spend_file,
)
from procurement.importers.spend_rules import WITHHELD

FIELDS = [name for name, _, _ in SPEND_FIELDS]


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, equals, heading = pair.partition("=")
        name = name.strip()
        if not equals or not heading.strip():
            raise CommandError(f'--map takes FIELD=HEADING, as in --map date=Updated, not "{pair}"')
        if name not in FIELDS:
            fields = ", ".join(FIELDS)
            raise CommandError(f'--map: "{name}" is not a field; the fields are {fields}')
        if name in mapping:
            raise CommandError(f"--map: {name} is given twice")
        mapping[name] = heading.strip()
    return mapping


class Command(BaseCommand):
    help = (
        "Import a council's published spend over £500 file (CSV or Excel .xlsx). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or .xlsx file to import.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADING",
            help=(
                "Say which column holds a field, by its heading as written in the file (repeat"
                f" for each field): {', '.join(FIELDS)}. For example --map date=Updated"
            ),
        )
        parser.add_argument(
            "--sheet", help="The workbook's sheet to read (else the first with a header)."
        )
        parser.add_argument(
            "--publisher",
            help="Who published the file, where it has no organisation column (else the council).",
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows and report the bad ones, instead of rejecting the file.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(
        self,
        *args,
        file: Path,
        map: list[str],
        sheet: str | None,
        publisher: str | None,
        skip_bad_rows: bool,
        dry_run: bool,
        **options,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        result = import_spend_file(
            file,
            skip_bad_rows=skip_bad_rows,
            dry_run=dry_run,
            mapping=_mapping(map),
            sheet=sheet,
            publisher=publisher,
        )
        earlier = result.spend_import  # the import that already holds this file
        if result.status == ALREADY_IMPORTED and earlier is not None:
            when = timezone.localtime(earlier.imported_at)
            self.stdout.write(f"Already imported on {date_format(when, 'j F Y')}: nothing to do")
            return
        for error in result.errors:
            self.stderr.write(str(error))
        more = (result.error_count or 0) - len(result.errors)  # set by __post_init__
        if more > 0:
            self.stderr.write(f"…and {more} more")
        if result.status in (REJECTED, NEEDS_MAPPING):
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
        self._layout(result)
        self._report(result)

    def _layout(self, result: SpendImportResult) -> None:
        """Which heading went to which field, and the headings left out."""
        where = f"sheet {result.sheet!r}, " if result.sheet else ""
        self.stdout.write(f"Header: {where}line {result.header_line}")
        for name, heading in result.mapping.items():
            self.stdout.write(f"  {name}: {heading}")
        if result.ignored:
            self.stdout.write(f"  not imported: {', '.join(result.ignored)}")

    def _report(self, result: SpendImportResult) -> None:
        self.stdout.write(f"Publisher: {result.publisher}{'' if result.is_own else ' (not ours)'}")
        for name, held in result.placeholders.items():
            shown = "a blank supplier (name withheld)" if name == WITHHELD else f'"{name}"'
            self.stdout.write(
                f"No supplier: {shown} on {counted(held.rows, 'row')}"
                f" ({format_pounds(held.total)}), counted as redacted spend"
            )
        if result.republished_rows:
            self.stdout.write(
                f"Already imported: {counted(result.republished_rows, 'line')}"
                f" ({format_pounds(result.republished_total)}) republished from an earlier file,"
                " not added again"
            )
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if result.rows_skipped:
            self.stdout.write(f"Skipped {counted(result.rows_skipped, 'bad row')} (listed above)")
        for conflict in result.supplier_conflicts:  # procurement.identity kept these apart
            self.stdout.write(conflict)
