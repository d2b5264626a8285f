"""Shared chart helpers: how every app's plotly figures look and reach the page.

Figures are built by each app's charts.py as pure functions. The page gets the figure as JSON
through `json_script` and a static script draws it with the plotly.js we serve ourselves.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

# GOV.UK palette colours with enough contrast on white.
COLOURS = ("#1d70b8", "#00703c", "#d4351c", "#f47738", "#4c2c92", "#505a5f", "#912b88")
FONT = "arial, sans-serif"
# plotly.js draws a subset of HTML in every text of a figure (titles, ticks, legends, hover):
# <a href>, <b>, <i>, <br>, <sub>, <sup>, <span style>. Text we did not write goes through
# `escape_label` first; figure_data then escapes any tag but the few our charts.py files write.
OUR_TAGS = re.compile(r"<(?!br>|extra>|/extra>)")


def escape_label(text: object, *, width: int | None = None) -> str:
    """Text for a figure, shown as written: HTML-escaped, then (with `width`) wrapped onto lines
    of at most `width` characters with <br>, so a long name is wrapped rather than cut off."""
    raw = str(text)
    lines = textwrap.wrap(raw, width, break_long_words=False) if width else [raw]
    return "<br>".join(html.escape(line, quote=False) for line in lines or [""])


def line_count(text: str) -> int:
    """How many lines an `escape_label` text takes."""
    return text.count("<br>") + 1


# Bar charts grow with their rows, so ten key areas fit an A4 page and read at 390 px wide.
CHART_BASE, ROW_HEIGHT = 120, 46


def bars_height(rows: int, *, per_row: int = ROW_HEIGHT) -> int:
    """Height in pixels of a horizontal bar chart of `rows` rows (title, axis and legend
    included)."""
    return CHART_BASE + per_row * max(rows, 1)


def base_layout(*, title: str, height: int = 420, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0},
        "font": {"family": FONT, "size": 14, "color": "#0b0c0c"},
        "height": height,
        "margin": {"l": 20, "r": 20, "t": 60, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "colorway": list(COLOURS),
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    layout.update(extra)
    return layout


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[Any],
    *,
    title: str,
    colour: str,
    hover: str,
    height: int,
    xaxis: dict[str, Any],
    yaxis: dict[str, Any] | None = None,
    hover_names: Sequence[str] | None = None,
) -> go.Figure:
    """One series of horizontal bars, `labels[0]` at the top (plotly draws the first bar at the
    bottom, so the rows go in reversed). `hover` follows the label: "%{x} contracts"; where the
    labels are wrapped onto lines, `hover_names` gives the hover each bar's name on one line."""
    return go.Figure(
        go.Bar(
            y=list(labels)[::-1],
            x=list(values)[::-1],
            customdata=list(hover_names)[::-1] if hover_names is not None else None,
            orientation="h",
            marker_color=colour,
            hovertemplate=("%{y}: " if hover_names is None else "%{customdata}: ")
            + hover
            + "<extra></extra>",
        ),
        layout=base_layout(
            title=title, height=height, xaxis=xaxis, yaxis={**(yaxis or {}), "automargin": True}
        ),
    )


def _no_markup(value: Any) -> Any:
    if isinstance(value, str):
        return OUR_TAGS.sub("&lt;", value) if "<" in value else value
    if isinstance(value, list):
        return [_no_markup(item) for item in value]
    if isinstance(value, dict):
        return {key: _no_markup(item) for key, item in value.items()}
    return value


def figure_data(figure: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON-able data (numpy arrays and dates made plain by plotly), with
    every tag plotly would draw escaped except <br> and hover's <extra>: a name that missed
    `label` still cannot become a link or bold text."""
    data: dict[str, Any] = _no_markup(json.loads(figure.to_json()))
    return data
