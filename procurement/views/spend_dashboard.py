"""The spend dashboard (replacing the Power BI report) and its CSV downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import can_edit, reader_required
from core.csv_export import csv_response
from core.data_version import PAGE_CACHE_SECONDS, lazy, page_key
from core.financial_year import financial_year_label, financial_years_with_data
from procurement.charts import spend as charts
from procurement.forms.spend_filters import SpendYearForm
from procurement.selectors import spend
from procurement.spend_tables import SHARES_HEADER, share_cells


@reader_required
def spend_dashboard(request: HttpRequest) -> HttpResponse:
    years = financial_years_with_data()
    form = SpendYearForm(request.GET or None, years=years)
    year = form.selected_year()
    # The page below the title is the same for every reader with the same role: read and drawn
    # only when the cached body is (once per spend data version, day and query string).
    by_year = lazy(spend.spend_by_year)
    dashboard = lazy(lambda: spend.spend_dashboard(year=year, by_year=by_year))
    editor = can_edit(request.user)
    context = {
        "form": form,
        "year_label": financial_year_label(year),
        "any_spend": lazy(lambda: bool(by_year)),
        "dashboard": dashboard,
        "charts": lazy(lambda: charts.spend_charts(dashboard) if dashboard else {}),
        "summary_missing": lazy(lambda: spend.spend_summary_missing(by_year=by_year)),
        "can_edit": editor,
        "page_key": page_key(request, spend.spend_version(), editor, *years),
        "page_seconds": PAGE_CACHE_SECONDS,
    }
    return render(request, "procurement/spend/dashboard.html", context)


def _tags(row: spend.SupplierSpend) -> tuple[bool, bool, bool]:
    return row.is_sme, row.is_vcse, row.is_local


def _by_year(year: int) -> Iterable[Sequence[Any]]:
    for row in spend.spend_by_year():
        yield (
            row.label,
            row.total,
            row.payments,
            row.credit_notes,
            row.suppliers,
            row.on_contract,
            row.off_contract,
            row.redacted,
        )


def _shares(year: int) -> Iterable[Sequence[Any]]:
    for row in spend.spend_by_year():
        yield (row.label, *share_cells(row))


def _on_off_contract(year: int) -> Iterable[Sequence[Any]]:
    headline = spend.spend_headline(year=year, by_year=spend.spend_by_year())
    if headline is None:  # no spend in the year: the table has no rows
        return []
    return [
        (row.name, row.total, row.share) for row in spend.spend_on_off_contract(headline=headline)
    ]


SUPPLIER_HEADER = ("Supplier", "Spend (£)", "Payments", "SME", "VCSE", "Local")
GROUP_HEADER = ("Spend (£)", "Payments")

# slug -> (rows for a financial year, header); the dashboard's tables use the same selectors.
CSV_TABLES: dict[str, tuple[Callable[[int], Iterable[Sequence[Any]]], Sequence[str]]] = {
    "by-year": (
        _by_year,
        (
            "Financial year",
            "Total spend (£)",
            "Payments",
            "Credit notes",
            "Suppliers paid",
            "On-contract (£)",
            "Off-contract (£)",
            "Redacted (£)",
        ),
    ),
    "shares": (_shares, ("Financial year", *SHARES_HEADER)),
    "by-category": (
        lambda year: [(r.name, r.total, r.payments) for r in spend.spend_by_category(year=year)],
        ("Category", *GROUP_HEADER),
    ),
    "by-sub-team": (
        lambda year: [(r.name, r.total, r.payments) for r in spend.spend_by_sub_team(year=year)],
        ("Sub-team", *GROUP_HEADER),
    ),
    "top-suppliers": (
        lambda year: [
            (r.name, r.total, r.payments, *_tags(r)) for r in spend.spend_top_suppliers(year=year)
        ],
        SUPPLIER_HEADER,
    ),
    "on-off-contract": (_on_off_contract, ("Spend", "Amount (£)", "Share of spend (%)")),
    "off-contract-suppliers": (
        lambda year: [
            (r.name, r.total, r.payments, *_tags(r))
            for r in spend.spend_off_contract_suppliers(year=year)
        ],
        SUPPLIER_HEADER,
    ),
}


@reader_required
def spend_csv(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in CSV_TABLES:
        raise Http404("No such download")
    rows_for, header = CSV_TABLES[slug]
    year = SpendYearForm(request.GET or None, years=financial_years_with_data()).selected_year()
    rows = rows_for(year)
    label = financial_year_label(year).replace("/", "-")
    return csv_response(f"spend-{slug}-{label}.csv", header, rows)
