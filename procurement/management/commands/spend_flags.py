"""Print a financial year's red flags in spend, and write them to a CSV file."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.csv_export import safe_cell
from core.financial_year import financial_year_label
from core.money import format_pounds
from procurement.selectors.flags import FLAGS_HEADER, flag_rows, spend_flags


class Command(BaseCommand):
    help = (
        "List the red flags (duplicates, split purchases, payments outside contracts) of a "
        "financial year, largest score first; --csv writes one row per flag with its lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="Financial year by its April start."
        )
        parser.add_argument("--csv", dest="csv_path", help="Write the flags to this CSV file.")

    def handle(self, *args: Any, year: int, csv_path: str | None = None, **options: Any) -> None:
        flags = spend_flags(year=year)
        for item in flags.flags:
            flag = item.flag
            self.stdout.write(
                f"{flag.score:>12,}  {flag.label}: {flag.supplier}, {format_pounds(flag.amount)}, "
                f"{flag.first_paid_on:%d %b %Y} to {flag.last_paid_on:%d %b %Y} "
                f"[{item.status}] {'; '.join(flag.signs)}"
            )
        self.stdout.write(
            f"{len(flags.flags)} flags in {financial_year_label(year)}; "
            f"{len(flags.recurring)} recurring payments left out"
        )
        if csv_path:
            with open(csv_path, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(FLAGS_HEADER)
                for row in flag_rows(flags.flags):
                    writer.writerow([safe_cell(value) for value in row])
            self.stdout.write(f"Wrote {csv_path}")
