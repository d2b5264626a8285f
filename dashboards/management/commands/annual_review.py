"""Write the members' annual review to a file: the page's tables as HTML, or an XLSX workbook."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from core.csv_export import safe_cell
from core.financial_year import financial_year_label, is_financial_year
from dashboards import charts, selectors
from dashboards.exports import MATURITY_TABLE_HEADER, maturity_table_rows, review_workbook


class Command(BaseCommand):
    help = (
        "Write the annual review of a financial year (2024 means 2024/25) to a file: HTML (the "
        "page's summaries and tables in one file that links to nothing), XLSX (one sheet per "
        "section) or CSV (every indicator's level and target at the year end, and its level a "
        "year before)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="2024 means 2024/25.")
        parser.add_argument("--format", choices=("html", "xlsx", "csv"), default="html")
        parser.add_argument(
            "--output", help="The file to write; annual-review-2024-25.<format> if not given."
        )

    def handle(self, *args, year: int, format: str, output: str | None, **options) -> None:
        if not is_financial_year(year):
            raise CommandError("--year must be a financial year such as 2024.")
        review = selectors.annual_review(year=year, today=timezone.localdate())
        slug = financial_year_label(year).replace("/", "-")
        path = Path(output or f"annual-review-{slug}.{format}")
        if format == "xlsx":
            path.write_bytes(review_workbook(review))
        elif format == "csv":
            with path.open("w", newline="", encoding="utf-8") as file:
                writer = csv.writer(file)
                writer.writerow(MATURITY_TABLE_HEADER)
                writer.writerows([safe_cell(v) for v in row] for row in maturity_table_rows(review))
        else:
            html = render_to_string(
                "dashboards/annual_review_report.html",
                {
                    "review": review,
                    "charts": charts.review_charts(review),
                    "standalone": True,
                    "council_name": settings.COUNCIL_NAME,
                },
            )
            path.write_text(html, encoding="utf-8")
        self.stdout.write(f"Wrote the {financial_year_label(year)} annual review to {path}.")
