"""Spend dashboard charts: pure functions from spend selector output to plotly figures.

Each chart comes with the one sentence that sums it up; the page uses it as the chart's text
alternative and prints it above the table that holds the same numbers. Layouts are given to the
Figure constructor: update_layout takes about seven times as long to validate the same dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go

from core.charts import COLOURS, base_layout, escape_label, horizontal_bars
from core.money import POUNDS_X, POUNDS_Y, money_axis, whole_pounds
from procurement.selectors.spend import (
    ContractSplit,
    GroupSpend,
    Headline,
    SpendDashboard,
    SupplierSpend,
    YearSpend,
)

MONEY_AXIS = money_axis("Spend")
SHARE_AXIS = {"title": {"text": "Share of spend with named suppliers (%)"}, "ticksuffix": "%"}


@dataclass(frozen=True)
class Chart:
    figure: go.Figure
    summary: str


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "no share"


def _bars(
    names: Sequence[str], values: Sequence[Decimal], *, title: str, colour: str = COLOURS[0]
) -> go.Figure:
    """Horizontal bars of pounds, largest at the top."""
    return horizontal_bars(
        [escape_label(name) for name in names],
        values,
        title=title,
        colour=colour,
        hover=POUNDS_X,
        height=max(260, 90 + 32 * len(names)),
        xaxis=MONEY_AXIS,
    )


def by_year_chart(rows: Sequence[YearSpend]) -> Chart:
    figure = go.Figure(
        go.Bar(
            x=[row.label for row in rows],
            y=[row.total for row in rows],
            marker_color=COLOURS[0],
            hovertemplate="%{x}: " + POUNDS_Y + "<extra></extra>",
        ),
        layout=base_layout(
            title="Spend by financial year", xaxis={"type": "category"}, yaxis=MONEY_AXIS
        ),
    )
    if not rows:
        summary = "There is no spend to show."
    elif len(rows) == 1:
        summary = (
            f"Spend was {whole_pounds(rows[0].total)} in {rows[0].label}, the only year imported."
        )
    else:
        last, before = rows[-1], rows[-2]
        change = last.total - before.total
        direction = "up" if change >= 0 else "down"
        summary = (
            f"Spend was {whole_pounds(last.total)} in {last.label}, {direction} "
            f"{whole_pounds(abs(change))} on {before.label}."
        )
    return Chart(figure, summary)


SHARES = (("SME", "sme_share"), ("VCSE", "vcse_share"), ("Local", "local_share"))


def shares_chart(rows: Sequence[YearSpend]) -> Chart:
    figure = go.Figure(
        [
            go.Scatter(
                name=name,
                x=[row.label for row in rows],
                y=[getattr(row, share) for row in rows],
                mode="lines+markers",
                line={"color": colour},
                hovertemplate="%{x}: %{y}%<extra>" + name + "</extra>",
            )
            for (name, share), colour in zip(SHARES, COLOURS, strict=False)
        ],
        layout=base_layout(
            title="SME, VCSE and local share of spend",
            xaxis={"type": "category"},
            yaxis={**SHARE_AXIS, "range": [0, 100]},
        ),
    )
    if not rows:
        return Chart(figure, "There is no spend to show.")
    last = rows[-1]
    summary = (
        f"In {last.label}, {last.sme_share or 0}% of spend with named suppliers went to SMEs, "
        f"{last.vcse_share or 0}% to VCSEs and {last.local_share or 0}% to local suppliers."
    )
    return Chart(figure, summary)


def group_chart(rows: Sequence[GroupSpend], *, title: str, year_label: str, noun: str) -> Chart:
    figure = _bars([row.name for row in rows], [row.total for row in rows], title=title)
    if not rows:
        return Chart(figure, f"There is no spend in {year_label}.")
    whole = sum((row.total for row in rows), Decimal(0))
    top = rows[0]
    summary = (
        f"The largest {noun} in {year_label} was {top.name}, with {whole_pounds(top.total)} "
        f"({_percent(top.total, whole)} of spend)."
    )
    return Chart(figure, summary)


def top_suppliers_chart(rows: Sequence[SupplierSpend], *, headline: Headline) -> Chart:
    figure = _bars(
        [row.name for row in rows],
        [row.total for row in rows],
        title=f"Top {len(rows)} suppliers by spend",
        colour=COLOURS[4],
    )
    year = headline.current
    taken = sum((row.total for row in rows), Decimal(0))
    summary = (
        f"The {len(rows)} largest suppliers were paid {whole_pounds(taken)}, "
        f"{_percent(taken, year.total)} of spend in {year.label}."
    )
    return Chart(figure, summary)


def on_off_contract_chart(rows: Sequence[ContractSplit], *, headline: Headline) -> Chart:
    figure = go.Figure(
        go.Bar(
            x=[row.name for row in rows],
            y=[row.total for row in rows],
            marker_color=[COLOURS[1], COLOURS[2], COLOURS[5]][: len(rows)],
            hovertemplate="%{x}: " + POUNDS_Y + "<extra></extra>",
        ),
        layout=base_layout(
            title="On-contract and off-contract spend",
            xaxis={"type": "category"},
            yaxis=MONEY_AXIS,
        ),
    )
    parts = ", ".join(f"{row.share or 0}% {row.name.lower()}" for row in rows)
    return Chart(figure, f"Of spend in {headline.current.label}: {parts}.")


def spend_charts(dashboard: SpendDashboard) -> dict[str, Chart]:
    """Every chart on the dashboard, by name (its CSV download's slug with underscores)."""
    label = dashboard.headline.current.label
    return {
        "by_year": by_year_chart(dashboard.by_year),
        "shares": shares_chart(dashboard.by_year),
        "by_category": group_chart(
            dashboard.by_category,
            title="Spend by category",
            year_label=label,
            noun="category",
        ),
        "by_sub_team": group_chart(
            dashboard.by_sub_team,
            title="Spend by commercial sub-team",
            year_label=label,
            noun="sub-team",
        ),
        "top_suppliers": top_suppliers_chart(dashboard.top_suppliers, headline=dashboard.headline),
        "on_off_contract": on_off_contract_chart(
            dashboard.on_off_contract, headline=dashboard.headline
        ),
    }
