"""The UK public-sector financial year: 1 April to 31 March.

A financial year is named by the calendar year it starts in: 2024 means 1 April 2024 to
31 March 2025, shown as "2024/25".
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractYear


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the financial year starting in April of `year`."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_expression(field: str) -> Combinable:
    """SQL expression giving the financial year of a date column, for GROUP BY."""
    return Case(
        When(**{f"{field}__month__gte": 4}, then=ExtractYear(field)),
        default=ExtractYear(field) - Value(1),
        output_field=IntegerField(),
    )
