"""Planning charts: pure functions from planning selector output to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from core.charts import COLOURS, base_layout, escape_label
from core.money import POUNDS_Y, money_axis
from procurement.selectors.planning import QuarterTotal, SubTeamTotal


def savings_by_sub_team_figure(rows: Sequence[SubTeamTotal], *, title: str) -> go.Figure:
    """Cashable and non-cashable savings per sub-team, stacked."""
    labels = [escape_label(row.label) for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                x=labels,
                y=[float(getattr(row, attr)) for row in rows],
                marker_color=colour,
                hovertemplate="%{x}: " + POUNDS_Y + "<extra>" + name + "</extra>",
            )
            for name, attr, colour in (
                ("Cashable", "cashable", COLOURS[1]),
                ("Non-cashable", "non_cashable", COLOURS[0]),
            )
        ]
    )
    figure.update_layout(
        **base_layout(
            title=title,
            barmode="stack",
            yaxis=money_axis("Savings"),
            xaxis={"automargin": True},
        )
    )
    return figure


def pipeline_by_quarter_figure(rows: Sequence[QuarterTotal], *, title: str) -> go.Figure:
    """Estimated value of procurements planned to start in each financial quarter."""
    figure = go.Figure(
        go.Bar(
            x=[escape_label(row.label) for row in rows],
            y=[float(row.total) for row in rows],
            marker_color=COLOURS[0],
            hovertemplate="%{x}: " + POUNDS_Y + "<extra></extra>",
        )
    )
    figure.update_layout(
        **base_layout(
            title=title,
            yaxis=money_axis("Estimated value"),
            xaxis={"type": "category", "automargin": True},
        )
    )
    return figure
