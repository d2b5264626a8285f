"""Import contracts from OCDS files (Find a Tender, Contracts Finder): packages, JSON Lines."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.text import counted
from procurement.importers.ocds import DRY_RUN, REJECTED, OcdsImportResult, import_ocds_file


class Command(BaseCommand):
    help = (
        "Import contracts and suppliers from an OCDS 1.1 file, as published by Find a Tender "
        "and Contracts Finder: a release or record package, several packages one after "
        "another, or JSON Lines. Only the council's own releases are imported (the settings "
        "OCDS_BUYER_NAMES and OCDS_BUYER_IDS, or --buyer); a release the council cannot use is "
        "skipped and named. Safe to run twice: contracts are matched by ocid and only changed "
        "fields are saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The OCDS JSON file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Import nothing if any release has to be skipped (a supplier with no name, "
            "a value not in pounds).",
        )
        parser.add_argument(
            "--buyer",
            action="append",
            metavar="NAME",
            help="Import only releases whose buyer has this name (case and punctuation do not "
            "matter). Repeat for several names. Instead of the setting OCDS_BUYER_NAMES.",
        )
        parser.add_argument(
            "--buyer-id",
            action="append",
            metavar="ID",
            help="Import only releases whose buyer has this identifier (as the file gives it, "
            "or scheme-id, e.g. GB-FTS-2140). Repeatable. Instead of OCDS_BUYER_IDS.",
        )
        parser.add_argument(
            "--all-buyers",
            action="store_true",
            help="Import every buyer's releases (to compare with other councils' contracts).",
        )

    def handle(
        self,
        *args,
        file: Path,
        dry_run: bool,
        strict: bool,
        buyer: list[str] | None,
        buyer_id: list[str] | None,
        all_buyers: bool,
        **options,
    ) -> None:
        if all_buyers and (buyer or buyer_id):
            raise CommandError("Give --all-buyers or --buyer / --buyer-id, not both.")
        buyers = buyer_ids = None
        if all_buyers:
            buyers = buyer_ids = []
        elif buyer or buyer_id:
            buyers, buyer_ids = buyer or [], buyer_id or []
        result = import_ocds_file(
            file, dry_run=dry_run, strict=strict, buyers=buyers, buyer_ids=buyer_ids
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        for skipped in result.skipped:
            self.stdout.write(self.style.WARNING(skipped.message))
        if result.status == REJECTED:
            for error in [result.file_error, *result.errors]:
                if error:
                    self.stderr.write(error)
            problems = len(result.errors) or 1
            raise CommandError(
                f"{file}: {counted(problems, 'problem')} found, so nothing was imported."
            )
        counts = summary(result)
        if result.status == DRY_RUN:
            self.stdout.write(f"Dry run of {file}: {counts}. Nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}: {counts}."))


def summary(result: OcdsImportResult) -> str:
    """The report's one line: releases imported, skipped by reason, left out; the rows."""
    parts = [
        f"{_releases(result.releases_imported)} imported "
        f"({counted(result.contracts_created, 'contract')} created, "
        f"{result.contracts_updated:,} updated, {counted(result.suppliers_created, 'supplier')} "
        f"created, {counted(result.frameworks, 'framework agreement')})"
    ]
    if result.skipped:
        reasons = ", ".join(f"{reason}: {n}" for reason, n in result.skipped_by_reason().items())
        parts.append(f"{_releases(len(result.skipped))} skipped ({reasons})")
    if result.left_out:
        parts.append(f"{_releases(result.left_out)} from other buyers left out")
    return "; ".join(parts)


def _releases(count: int) -> str:
    return counted(count, "release")
