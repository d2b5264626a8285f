"""The gap dashboard's charts: bars sorted by what their title says, the level axis from 1."""

from __future__ import annotations

from maturity import charts
from maturity.selectors import AreaSummary


def _area(name: str, *, indicators: int, current: float, target: float) -> AreaSummary:
    return AreaSummary(
        pk=len(name),
        name=name,
        theme_name="Theme",
        indicators=indicators,
        baseline=1.0,
        current=current,
        target=target,
        gap=round(target - current, 2),
        progress=0.0,
        indicators_below_target=indicators,
    )


# Largest total gap first, as the selectors give them: total gap 10 x 0.5, 2 x 2.0, 4 x 1.0.
AREAS = [
    _area("Wide, shallow", indicators=10, current=3.0, target=3.5),
    _area("Narrow, deep", indicators=2, current=1.5, target=3.5),
    _area("Middling", indicators=4, current=2.0, target=3.0),
]


def test_the_average_gap_chart_is_sorted_by_average_gap_largest_at_the_top():
    figure = charts.gap_figure(AREAS, title="Average gap by key area")

    bar = figure.data[0]
    # plotly draws the first bar at the bottom: the top bar is the last.
    assert list(bar.y)[::-1] == ["Narrow, deep", "Middling", "Wide, shallow"]
    assert list(bar.x)[::-1] == [2.0, 1.0, 0.5]


def test_the_level_bars_start_at_level_1_minimum():
    figure = charts.where_we_are_figure(AREAS, title="By key area")

    axis = figure.layout.xaxis
    assert tuple(axis.range) == (1, 5.2)
    assert axis.tickvals[0] == 1
    assert axis.ticktext[0] == "1 Minimum"
