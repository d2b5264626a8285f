"""The maturity pages' tables as CSV rows: the gap dashboard's and the framework's.

The annual review's workbook uses the same area rows, so a table reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from maturity.models import Level
from maturity.selectors import AreaSummary

if TYPE_CHECKING:
    from maturity.selectors import PositionedIndicator, PositionedKeyArea

Rows = Iterable[Sequence[Any]]

AREA_HEADER = (
    "Indicators",
    "Baseline (average level)",
    "Where we are (average level)",
    "Where we want to be (average level)",
    "Average gap",
    "Indicators below target",
    "Progress since baseline",
)
GAPS_HEADER = ("Indicator", "Key area", "Where we are", "Where we want to be", "Gap (levels)")
FRAMEWORK_HEADER = (
    "Theme",
    "Key area",
    "Indicator",
    "Where we are",
    "Assessed on",
    "Where we want to be",
    "Target date",
    "Gap (levels)",
)


def level_text(number: int | None) -> str:
    return f"{number} {Level.label_for(number)}" if number else "Not assessed"


def area_rows(rows: Sequence[AreaSummary]) -> Rows:
    return [
        (
            row.name,
            row.indicators,
            row.baseline,
            row.current,
            row.target,
            row.gap,
            row.indicators_below_target,
            row.progress,
        )
        for row in rows
    ]


def gap_rows(indicators: Iterable[PositionedIndicator]) -> Rows:
    return [
        (
            i.name,
            i.key_area.name,
            level_text(i.current_level),
            level_text(i.target_level),
            i.gap,
        )
        for i in indicators
    ]


def framework_rows(key_areas: Iterable[PositionedKeyArea]) -> Rows:
    return [
        (
            area.theme.name,
            area.name,
            i.name,
            level_text(i.current_level),
            i.current_assessed_on,
            level_text(i.target_level) if i.target_level else "No target",
            i.target_due_by,
            i.gap,
        )
        for area in key_areas
        for i in area.positions
    ]
