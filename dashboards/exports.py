"""The annual review's tables for CSV downloads and the XLSX report.

Every table the page shows is here by its download slug, as (rows from the review, header), so
the page, the CSV and the workbook hold the same numbers. A CSV reads only the parts of the
review its table needs. Text cells go through `core.csv_export.safe_cell` in CSV and XLSX alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from core.percent import share
from core.xlsx import Sheet, SheetTable, workbook_bytes
from dashboards.selectors import AnnualReview
from maturity.exports import AREA_HEADER, GAPS_HEADER, area_rows, gap_rows, level_text
from procurement.models import SubTeam
from procurement.spend_tables import SHARES_HEADER, share_cells
from socialvalue.models import Measure

Rows = Iterable[Sequence[Any]]
UNITS = [(unit, label) for unit, label in Measure.Unit.choices]
SUB_TEAMS = dict(SubTeam.choices)


_level = level_text


def maturity_headline_rows(review: AnnualReview) -> Rows:
    headline = review.maturity_headline
    theme = headline.largest_gap_theme
    on, before = review.as_at.isoformat(), review.previous_as_at.isoformat()
    return [
        [f"Indicators at or above target on {on}", headline.at_target, "indicators", ""],
        [f"Indicators assessed on {on}", headline.indicators, "indicators", ""],
        [f"Indicators that moved up since {before}", headline.moved_up, "indicators", ""],
        [f"Indicators that moved down since {before}", headline.moved_down, "indicators", ""],
        ["Theme with the largest gap", theme.name if theme else "None", "", ""],
        [f"Improvement actions overdue on {on}", review.actions_overdue, "actions", ""],
    ]


MATURITY_TABLE_HEADER = (
    "theme",
    "key_area",
    "indicator",
    "level_at_year_end",
    "previous_level",
    "target_at_year_end",
    "target_date",
)


def maturity_table_rows(review: AnnualReview) -> Rows:
    """Every indicator's level and target at the year end and its level a year before, as
    level numbers (blank where none was recorded by then)."""
    return [
        (
            i.key_area.theme.name,
            i.key_area.name,
            i.name,
            i.current_level,
            i.previous_level,
            i.target_level,
            i.target_due_by,
        )
        for i in review.maturity_table
    ]


def headline_rows(review: AnnualReview) -> Rows:
    spend = review.spend
    year = spend.current if spend else None
    ending = f"Contracts ending in the 12 months from {review.as_at.isoformat()}"
    rows: list[Sequence[Any]] = [
        *maturity_headline_rows(review),
        ["Third-party spend", year.total if year else None, "£", ""],
        ["Share of spend with SMEs", year.sme_share if year else None, "%", _pp(spend, "sme")],
        ["Share of spend with VCSEs", year.vcse_share if year else None, "%", _pp(spend, "vcse")],
        [
            "Share of spend with local suppliers",
            year.local_share if year else None,
            "%",
            _pp(spend, "local"),
        ],
        [
            "Social value delivered (verified, with a proxy value)",
            review.social_value.value,
            "£",
            "",
        ],
    ]
    rows += [
        [
            f"Social value delivered (verified), {label}",
            review.social_value.quantities[unit],
            label,
            "",
        ]
        for unit, label in UNITS
    ]
    rows += [[f"{row.label} savings", row.total, "£", ""] for row in review.savings_by_kind]
    rows += [
        ["Savings delivered", review.savings_total, "£", ""],
        ["Savings target", review.savings_target or "No target set", "£", ""],
        ["Savings as a share of target", review.savings_share_of_target, "%", ""],
        [ending, review.ending_count, "contracts", ""],
        [f"Value of {ending[0].lower()}{ending[1:]}", review.ending_value, "£", ""],
    ]
    return rows


def _pp(spend, name: str) -> Decimal | str:
    change = getattr(spend, f"{name}_change") if spend else None
    return change if change is not None else ""


_areas = area_rows


def evidence_rows(review: AnnualReview) -> Rows:
    return [
        (
            signal.rule.indicator,
            signal.rule.key_area,
            _level(signal.self_assessed),
            signal.measured,
            signal.detail,
            _level(signal.suggested) if signal.suggested else "No level: nothing to measure",
            signal.comparison_label,
            signal.rule.rule,
        )
        for signal in review.evidence
    ]


def checks_rows(review: AnnualReview) -> Rows:
    counts = review.live_counts
    return [
        ("Live contracts", counts.live, counts.live, None),
        (
            "Modern slavery risk assessed",
            counts.slavery_assessed,
            counts.live,
            counts.slavery_share,
        ),
        (
            "Supplier processes personal data",
            counts.personal_data,
            counts.live,
            counts.personal_data_share,
        ),
        ("Rated high risk", counts.high_risk, counts.live, share(counts.high_risk, counts.live)),
    ]


# slug -> (rows from the review, header). The page's tables read the same review parts.
CSV_TABLES: dict[str, tuple[Callable[[AnnualReview], Rows], Sequence[str]]] = {
    "headline": (headline_rows, ("Figure", "Value", "Unit", "Change on the year before (pp)")),
    "maturity-themes": (lambda r: _areas(r.themes), ("Theme", *AREA_HEADER)),
    "maturity-key-areas": (lambda r: _areas(r.key_areas), ("Key area", *AREA_HEADER)),
    "largest-gaps": (lambda r: gap_rows(r.largest_gaps), GAPS_HEADER),
    "maturity-table": (maturity_table_rows, MATURITY_TABLE_HEADER),
    "maturity-changes": (
        lambda r: [
            (c.assessed_on, c.indicator, c.key_area, _level(c.before), _level(c.after), c.assessor)
            for c in r.changes
        ],
        ("Date assessed", "Indicator", "Key area", "Level before", "Level after", "Assessed by"),
    ),
    "social-value": (
        lambda r: [
            (
                g.name,
                g.previous_value,
                g.value,
                g.change,
                *(g.quantity_in(unit) for unit, _ in UNITS),
            )
            for g in r.social_value_by_goal
        ],
        (
            "Goal",
            "Social value the year before (£)",
            "Social value (£)",
            "Change (£)",
            *(f"{label} delivered" for _, label in UNITS),
        ),
    ),
    "spend-shares": (
        lambda r: [(y.label, y.total, *share_cells(y)) for y in r.spend_years],
        ("Financial year", "Total spend (£)", *SHARES_HEADER),
    ),
    "savings": (
        lambda r: [
            (s.label, s.cashable, s.non_cashable, s.total, s.target, s.share_of_target)
            for s in r.savings_years
        ],
        (
            "Financial year",
            "Cashable (£)",
            "Non-cashable (£)",
            "Total (£)",
            "Target (£)",
            "Share of target (%)",
        ),
    ),
    "ending-by-sub-team": (
        lambda r: [(e.label, e.contracts, e.value) for e in r.ending],
        ("Sub-team", "Contracts ending in the 12 months from the year end", "Total value (£)"),
    ),
    "high-risk-suppliers": (
        lambda r: [
            (s.name, s.live_contracts, s.live_value, s.year_spend) for s in r.high_risk_suppliers
        ],
        ("Supplier", "Live contracts", "Value of live contracts (£)", "Spend in the year (£)"),
    ),
    "high-risk-contracts": (
        lambda r: [
            (
                c.reference,
                c.title,
                c.supplier.name,
                SUB_TEAMS.get(c.category.sub_team, "") if c.category else "",
                c.end_date,
                c.total_value,
            )
            for c in r.high_risk_contracts
        ],
        ("Reference", "Title", "Supplier", "Sub-team", "End date", "Total value (£)"),
    ),
    "checks": (checks_rows, ("Check", "Contracts", "Of live contracts", "Share (%)")),
    "notices": (
        lambda r: [
            (n.label, n.due, n.on_time, n.late, n.unpublished, n.on_time_share)
            for n in r.notice_timeliness
        ],
        (
            "Notice",
            "Deadlines passed in the year",
            "Published on time",
            "Published late",
            "Not yet published",
            "On time (%)",
        ),
    ),
    "evidence": (
        evidence_rows,
        (
            "Indicator",
            "Key area",
            "Self-assessed level",
            "Measured (%)",
            "What was measured",
            "Level the data suggests",
            "Self-assessment against the data",
            "How the data is read",
        ),
    ),
}

# XLSX: one sheet per section of the page, its tables one below another.
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Headline figures": (("headline", "Headline figures"),),
    "Maturity": (
        ("maturity-themes", "By theme"),
        ("maturity-key-areas", "By key area"),
        ("largest-gaps", "Largest gaps"),
        ("maturity-table", "Every indicator at the year end and the year before"),
        ("maturity-changes", "What changed this year"),
    ),
    "Social value": (("social-value", "Verified social value by goal"),),
    "Spend": (("spend-shares", "SME, VCSE and local share of spend"),),
    "Savings": (("savings", "Savings against target"),),
    "Contracts and risk": (
        ("ending-by-sub-team", "Contracts ending in the 12 months from the year end"),
        ("high-risk-suppliers", "High-risk suppliers"),
        ("high-risk-contracts", "High-risk contracts"),
        ("checks", "Modern slavery and personal data checks"),
    ),
    "Procurement Act notices": (("notices", "Notices on time against late"),),
    "Evidence": (("evidence", "Evidence beside the self-assessment"),),
}


def review_workbook(review: AnnualReview) -> bytes:
    """The review as an XLSX workbook: one sheet per section, its tables one below another."""
    sheets = [
        Sheet(
            name=section,
            heading=f"{section}, {review.label}",
            tables=[
                SheetTable(
                    title=title, header=CSV_TABLES[slug][1], rows=CSV_TABLES[slug][0](review)
                )
                for slug, title in tables
            ],
        )
        for section, tables in SECTIONS.items()
    ]
    return workbook_bytes(sheets, title=f"Annual review {review.label}")
