"""Social value charts: pure functions from selector output to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import COLOURS, base_layout
from core.financial_year import financial_year_label
from socialvalue.models import Measure
from socialvalue.selectors import Total, TrendPoint

LABEL_LENGTH = 45


def short(name: str, length: int = LABEL_LENGTH) -> str:
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


def _pounds(value: Decimal | None) -> float:
    return float(value or 0)


def value_figure(totals: Sequence[Total], *, title: str, limit: int | None = None) -> go.Figure:
    """Verified pound value per group as horizontal bars, in the order given (largest first)."""
    rows = list(totals)[:limit] if limit else list(totals)
    ordered = rows[::-1]  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(
            y=[short(total.name) for total in ordered],
            x=[_pounds(total.value) for total in ordered],
            customdata=[total.name for total in ordered],
            orientation="h",
            marker_color=COLOURS[0],
            hovertemplate="%{customdata}: £%{x:,.0f}<extra></extra>",
        )
    )
    figure.update_layout(
        **base_layout(
            title=title,
            height=max(260, 90 + 40 * len(rows)),
            xaxis={"title": {"text": "Social value (£)"}, "rangemode": "tozero", "tickprefix": "£"},
            yaxis={"automargin": True},
        )
    )
    return figure


def measure_figure(totals: Sequence[Total], *, title: str) -> go.Figure:
    """Quantity delivered per measure, one panel per unit so unlike units never share an axis."""
    units = [unit for unit in Measure.Unit if any(total.unit == unit for total in totals)]
    if not units:
        figure = go.Figure()
        figure.update_layout(**base_layout(title=title, height=260))
        return figure
    counts = [sum(1 for total in totals if total.unit == unit) for unit in units]
    figure = make_subplots(
        rows=len(units),
        cols=1,
        subplot_titles=[f"{Measure.Unit(unit).label}" for unit in units],
        row_heights=[max(count, 1) for count in counts],
        vertical_spacing=min(0.12, 0.6 / len(units)),
    )
    for row, unit in enumerate(units, start=1):
        rows = [total for total in totals if total.unit == unit][::-1]
        prefix = "£" if unit == Measure.Unit.POUNDS else ""
        figure.add_trace(
            go.Bar(
                y=[f"{total.code} {short(total.name, 35)}" for total in rows],
                x=[float(total.quantity) for total in rows],
                customdata=[total.name for total in rows],
                orientation="h",
                name=Measure.Unit(unit).label,
                marker_color=COLOURS[(row - 1) % len(COLOURS)],
                hovertemplate=f"%{{customdata}}: {prefix}%{{x:,}}<extra></extra>",
                showlegend=False,
            ),
            row=row,
            col=1,
        )
        figure.update_xaxes(rangemode="tozero", tickprefix=prefix, row=row, col=1)
        figure.update_yaxes(automargin=True, row=row, col=1)
    figure.update_layout(**base_layout(title=title, height=max(300, 120 + 45 * sum(counts))))
    return figure


def trend_figure(points: Sequence[TrendPoint], *, title: str) -> go.Figure:
    """Verified pound value per financial year, stacked by goal."""
    years = sorted({point.year for point in points})
    goals: list[str] = []
    for point in points:
        if point.goal not in goals:
            goals.append(point.goal)
    values = {(point.year, point.goal): _pounds(point.value) for point in points}
    figure = go.Figure(
        [
            go.Bar(
                name=short(goal, 40),
                x=[financial_year_label(year) for year in years],
                y=[values.get((year, goal), 0.0) for year in years],
                hovertemplate=f"{short(goal, 60)}<br>%{{x}}: £%{{y:,.0f}}<extra></extra>",
            )
            for goal in goals
        ]
    )
    figure.update_layout(
        **base_layout(
            title=title,
            barmode="stack",
            xaxis={"title": {"text": "Financial year"}, "type": "category"},
            yaxis={"title": {"text": "Social value (£)"}, "rangemode": "tozero", "tickprefix": "£"},
        )
    )
    return figure


def trend_table(points: Sequence[TrendPoint]) -> tuple[list[str], list[list]]:
    """The trend as a table: one row per year, one column per goal, and the total."""
    years = sorted({point.year for point in points})
    goals: list[str] = []
    for point in points:
        if point.goal not in goals:
            goals.append(point.goal)
    values = {(point.year, point.goal): point.value for point in points}
    rows = []
    for year in years:
        cells = [values.get((year, goal)) for goal in goals]
        known = [cell for cell in cells if cell is not None]
        rows.append([financial_year_label(year), *cells, sum(known, Decimal(0)) if known else None])
    return goals, rows
