"""Import contracts from an OCDS release or record package (Find a Tender, Contracts Finder)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.importers.ocds import DRY_RUN, REJECTED, import_ocds_file


class Command(BaseCommand):
    help = (
        "Import contracts and suppliers from an OCDS 1.1 release or record package, as "
        "published by Find a Tender and Contracts Finder. Safe to run twice: contracts are "
        "matched by ocid and only changed fields are saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The OCDS JSON file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        result = import_ocds_file(file, dry_run=dry_run)
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if result.status == REJECTED:
            for error in [result.file_error, *result.errors]:
                if error:
                    self.stderr.write(error)
            problems = len(result.errors) or 1
            raise CommandError(
                f"{file}: {problems} problem{'s' if problems > 1 else ''} found, "
                "so nothing was imported."
            )
        counts = (
            f"{result.contracts_created} contracts created, {result.contracts_updated} "
            f"updated, {result.suppliers_created} suppliers created"
        )
        if result.status == DRY_RUN:
            self.stdout.write(f"Dry run of {file}: {counts}. Nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}: {counts}."))
