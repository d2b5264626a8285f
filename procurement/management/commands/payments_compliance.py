"""Print the payments compliance figures for a six-month period (Procurement Act 2023 s.69)."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procurement.selectors.payments_compliance import MEASURES, payments_compliance


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Average days to pay, shares paid within 30, 31 to 60 and over 60 days, and invoices due "
        "but not paid in the period, for all suppliers and SMEs, from the spend's invoice dates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="First day, e.g. 2025-04-01.")
        parser.add_argument("--end", required=True, help="Last day, e.g. 2025-09-30.")
        parser.add_argument("--csv", dest="csv_path", help="Also write measure,all,sme rows here.")

    def handle(
        self, *args: Any, start: str, end: str, csv_path: str | None, **options: Any
    ) -> None:
        try:
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError as error:
            raise CommandError(
                f"--start and --end must be dates like 2025-04-01: {error}"
            ) from error
        if last < first:
            raise CommandError("--end must be on or after --start")
        report = payments_compliance(start=first, end=last)
        rows = [
            (measure, _cell(report.all.measure(measure)), _cell(report.sme.measure(measure)))
            for measure in MEASURES
        ]
        self.stdout.write(
            f"Payments compliance {first} to {last}; notice due by {report.notice_due}"
        )
        if report.all.without_invoice_date:
            self.stdout.write(
                f"{report.all.without_invoice_date} payments in the period have no invoice date "
                "in the spend file and are not counted: their days to pay are not known."
            )
        if not report.all.payments:
            self.stdout.write("No payment in the period carries an invoice date: no figures.")
        self.stdout.write(f"{'measure':<18}{'all':>10}{'sme':>10}")
        for measure, every, sme in rows:
            self.stdout.write(f"{measure:<18}{every:>10}{sme:>10}")
        if csv_path:
            with open(csv_path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["measure", "all", "sme"])
                writer.writerows(rows)
