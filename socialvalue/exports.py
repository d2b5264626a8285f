"""Tables behind the dashboard and the annual review, for CSV and XLSX downloads.

Every text cell goes through `core.csv_export.safe_cell`, in CSV and in XLSX alike, so a
supplier name or contract title starting with "=" is shown as text, never run as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.financial_year import financial_year_label
from core.xlsx import Sheet, SheetTable, workbook_bytes
from socialvalue.charts import trend_table
from socialvalue.models import Measure
from socialvalue.selectors import AnnualReview, Dashboard, Total

Table = tuple[list[str], list[list[Any]]]
UNIT_HEADERS = [f"{label} delivered" for label in ("Number", "Hours", "£", "Tonnes")]


def group_table(totals: Sequence[Total], *, label: str) -> Table:
    header = [label, *UNIT_HEADERS, "Social value (£)"]
    rows = [
        [total.name, *(total.quantity_in(unit) for unit in Measure.Unit), total.value]
        for total in totals
    ]
    return header, rows


def measure_table(totals: Sequence[Total]) -> Table:
    header = ["Code", "Measure", "Unit", "Quantity delivered", "Social value (£)"]
    rows = [
        [total.code, total.name, total.unit_label, total.quantity, total.value] for total in totals
    ]
    return header, rows


def overdue_table(overdue: Sequence[dict]) -> Table:
    header = ["Contract", "Title", "Supplier", "Period", "Period end", "Return"]
    rows = [
        [
            row["reference"],
            row["title"],
            row["supplier__name"],
            row["period"].label,
            row["period"].end.isoformat(),
            row["status_label"],
        ]
        for row in overdue
    ]
    return header, rows


def without_commitments_table(contracts: Sequence) -> Table:
    header = ["Contract", "Title", "Supplier", "Total value (£)", "Social value weighting (%)"]
    rows = [
        [c.reference, c.title, c.supplier.name, c.total_value, c.social_value_weighting]
        for c in contracts
    ]
    return header, rows


def dashboard_tables(dashboard: Dashboard) -> dict[str, tuple[str, Table]]:
    """Every table on the dashboard by its download key: (title, (header, rows))."""
    goals, trend_rows = trend_table(dashboard.trend)
    return {
        "goal": ("By goal", group_table(dashboard.by_goal, label="Goal")),
        "measure": ("By measure", measure_table(dashboard.by_measure)),
        "category": ("By category", group_table(dashboard.by_category, label="Category")),
        "sub-team": ("By sub-team", group_table(dashboard.by_sub_team, label="Sub-team")),
        "supplier": ("By supplier", group_table(dashboard.by_supplier, label="Supplier")),
        "trend": ("Trend", (["Financial year", *goals, "Total (£)"], trend_rows)),
        "overdue": ("Overdue returns", overdue_table(dashboard.overdue)),
        "no-commitments": (
            "Contracts with no commitments",
            without_commitments_table(dashboard.without_commitments),
        ),
    }


def review_sections(review: AnnualReview) -> dict[str, Table]:
    """The annual review as named tables (one XLSX sheet each)."""
    year = financial_year_label(review.year)
    local_rows: list[list[Any]] = [
        ["Spend with all suppliers (£)", review.spend_total],
        ["Spend with local suppliers (£)", review.spend_local],
        ["Local share of spend (%)", review.local_share],
        ["Second-tier local spend reported in verified returns (£)", review.second_tier_local],
        ["Spend retained locally (£)", review.local_retained],
    ]
    environment_rows: list[list[Any]] = [
        ["Contracts with a verified positive environmental impact", review.environmental_contracts],
        ["Contracts with a carbon reduction commitment", review.carbon_contracts],
        ["Contracts with either", review.environmental_or_carbon],
    ]
    contracts = [
        [row.reference, row.title, row.supplier, row.returns, row.value] for row in review.contracts
    ]
    return {
        "By goal": group_table(review.by_goal, label="Goal"),
        "By measure": measure_table(review.by_measure),
        "Local spend": ([f"Local spend {year}", "Value"], local_rows),
        "Environment": ([f"Environment {year}", "Contracts"], environment_rows),
        "Contracts": (
            ["Contract", "Title", "Supplier", "Verified returns", "Social value (£)"],
            contracts,
        ),
    }


def review_csv_rows(review: AnnualReview) -> Table:
    """The review as one flat table: section, reference, item, supplier, unit, quantity, value."""
    header = ["Section", "Reference", "Item", "Supplier", "Unit", "Quantity", "Value (£)"]
    rows: list[list[Any]] = [
        ["By goal", "", total.name, "", "", "", total.value] for total in review.by_goal
    ]
    rows += [
        ["By measure", t.code, t.name, "", t.unit_label, t.quantity, t.value]
        for t in review.by_measure
    ]
    local = "Local spend"
    rows += [
        [local, "", "Spend with all suppliers", "", "£", "", review.spend_total],
        [local, "", "Spend with local suppliers", "", "£", "", review.spend_local],
        [local, "", "Local share of spend", "", "%", review.local_share, ""],
        [
            local,
            "",
            "Second-tier local spend (verified returns)",
            "",
            "£",
            "",
            review.second_tier_local,
        ],
        [local, "", "Spend retained locally", "", "£", "", review.local_retained],
    ]
    environment = [
        ("Contracts with a verified positive environmental impact", review.environmental_contracts),
        ("Contracts with a carbon reduction commitment", review.carbon_contracts),
        ("Contracts with either", review.environmental_or_carbon),
    ]
    rows += [["Environment", "", item, "", "contracts", count, ""] for item, count in environment]
    rows += [
        ["Contracts", row.reference, row.title, row.supplier, "returns", row.returns, row.value]
        for row in review.contracts
    ]
    return header, rows


def review_workbook(review: AnnualReview) -> bytes:
    """The annual review, one sheet a table."""
    label = financial_year_label(review.year)
    sheets = [
        Sheet(name=name, tables=[SheetTable(header=header, rows=rows)])
        for name, (header, rows) in review_sections(review).items()
    ]
    return workbook_bytes(sheets, title=f"Social value review {label}")
