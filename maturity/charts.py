"""Maturity charts: pure functions from selector output to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from core.charts import COLOURS, bars_height, base_layout, escape_label, horizontal_bars
from maturity.models import Level
from maturity.selectors import AreaSummary

LEVEL_AXIS = {
    # The scale starts at 1 Minimum: a bar's length is how far above the minimum it is.
    "range": [1, 5.2],
    "tickvals": [n for n, _ in Level.Number.choices],
    "ticktext": [f"{n} {label}" for n, label in Level.Number.choices],
    "gridcolor": "#b1b4b6",
}


def where_we_are_figure(
    rows: Sequence[AreaSummary], *, title: str, baseline: str = "Baseline (2022)"
) -> go.Figure:
    """Baseline, current and target average level for each area, as grouped horizontal bars.

    The layout goes to the constructor: validating it through update_layout costs several times
    more, and the annual review draws two of these on every request."""
    names = [escape_label(row.name) for row in rows][::-1]
    series = (
        (baseline, [row.baseline for row in rows][::-1], COLOURS[5]),
        ("Where we are", [row.current for row in rows][::-1], COLOURS[0]),
        ("Where we want to be", [row.target for row in rows][::-1], COLOURS[1]),
    )
    return go.Figure(
        [
            go.Bar(
                name=name,
                y=names,
                x=values,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: %{x:.2f}<extra>" + name + "</extra>",
            )
            for name, values, colour in series
        ],
        layout=base_layout(
            title=title,
            height=bars_height(len(rows)),
            barmode="group",
            xaxis=LEVEL_AXIS,
            yaxis={"automargin": True},
        ),
    )


def gap_figure(rows: Sequence[AreaSummary], *, title: str) -> go.Figure:
    """Average gap (target minus current level) per area, largest average gap at the top."""
    by_gap = sorted(rows, key=lambda row: (-row.gap, row.name))
    return horizontal_bars(
        [escape_label(row.name) for row in by_gap],
        [row.gap for row in by_gap],
        title=title,
        colour=COLOURS[2],
        hover="%{x:.2f} levels",
        height=bars_height(len(rows), per_row=34),
        xaxis={"title": {"text": "Average levels to go"}, "rangemode": "tozero"},
    )
