"""Social value charts: pure functions from selector output to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import COLOURS, base_layout, escape_label, horizontal_bars, line_count
from core.financial_year import financial_year_label
from core.money import POUND_SIGN, POUNDS_X, POUNDS_Y, money_axis
from socialvalue.models import Measure
from socialvalue.selectors import Total, TrendPoint

LABEL_WIDTH = 30  # long names are wrapped onto lines of this many characters, never cut off
LINE_PX, BAR_PX = 18, 40


def _bars_height(labels: Sequence[str], *, minimum: int, fixed: int) -> int:
    """Room for every bar and every line of its wrapped label."""
    rows = sum(max(BAR_PX, LINE_PX * line_count(text) + 12) for text in labels)
    return max(minimum, fixed + rows)


def _pounds(value: Decimal | None) -> float:
    return float(value or 0)


def value_figure(totals: Sequence[Total], *, title: str, limit: int | None = None) -> go.Figure:
    """Verified pound value per group as horizontal bars, in the order given (largest first)."""
    rows = list(totals)[:limit] if limit else list(totals)
    labels = [escape_label(total.name, width=LABEL_WIDTH) for total in rows]
    return horizontal_bars(
        labels,
        [_pounds(total.value) for total in rows],
        hover_names=[escape_label(total.name) for total in rows],
        title=title,
        colour=COLOURS[0],
        hover=POUNDS_X,
        height=_bars_height(labels, minimum=260, fixed=90),
        xaxis=money_axis("Social value"),
    )


def measure_figure(totals: Sequence[Total], *, title: str) -> go.Figure:
    """Quantity delivered per measure, one panel per unit so unlike units never share an axis."""
    units = [unit for unit in Measure.Unit if any(total.unit == unit for total in totals)]
    if not units:
        figure = go.Figure()
        figure.update_layout(**base_layout(title=title, height=260))
        return figure
    counts = [sum(1 for total in totals if total.unit == unit) for unit in units]
    labels = {
        id(total): escape_label(f"{total.code} {total.name}", width=LABEL_WIDTH) for total in totals
    }
    figure = make_subplots(
        rows=len(units),
        cols=1,
        subplot_titles=[f"{Measure.Unit(unit).label}" for unit in units],
        row_heights=[max(count, 1) for count in counts],
        vertical_spacing=min(0.12, 0.6 / len(units)),
    )
    for row, unit in enumerate(units, start=1):
        rows = [total for total in totals if total.unit == unit][::-1]
        prefix = POUND_SIGN if unit == Measure.Unit.POUNDS else ""
        figure.add_trace(
            go.Bar(
                y=[labels[id(total)] for total in rows],
                x=[float(total.quantity) for total in rows],
                customdata=[escape_label(total.name) for total in rows],
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
    height = _bars_height(list(labels.values()), minimum=300, fixed=120) + 5 * sum(counts)
    figure.update_layout(**base_layout(title=title, height=height))
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
                name=escape_label(goal, width=LABEL_WIDTH),
                x=[financial_year_label(year) for year in years],
                y=[values.get((year, goal), 0.0) for year in years],
                customdata=[escape_label(goal)] * len(years),
                hovertemplate="%{customdata}<br>%{x}: " + POUNDS_Y + "<extra></extra>",
            )
            for goal in goals
        ]
    )
    figure.update_layout(
        **base_layout(
            title=title,
            barmode="stack",
            xaxis={"title": {"text": "Financial year"}, "type": "category"},
            yaxis=money_axis("Social value"),
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
