"""The UK public-sector financial year: 1 April to 31 March.

A financial year is named by the calendar year it starts in: 2024 means 1 April 2024 to
31 March 2025, shown as "2024/25".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.apps import apps
from django.core.cache import cache
from django.db.models import Case, F, IntegerField, Model, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractYear
from django.utils import timezone


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


# -- the one rule every page and form uses: the range, the list and the default ------------------

FIRST_YEAR = 1990
LAST_YEAR = 2200

# (model, field, is a date) for everything that belongs to a financial year. Models are named
# as strings so that core imports nothing of ours; a year list is one UNION query over them.
YEAR_SOURCES: tuple[tuple[str, str, bool], ...] = (
    ("procurement.SpendYearSummary", "financial_year", False),
    ("procurement.Saving", "financial_year", False),
    ("socialvalue.SocialValueReturn", "financial_year", False),
    ("maturity.Assessment", "assessed_on", True),
    ("maturity.Target", "due_by", True),
    ("maturity.Action", "due_on", True),
)


def is_financial_year(year: int) -> bool:
    """The range of years any page, form or command accepts."""
    return FIRST_YEAR <= year <= LAST_YEAR


def financial_year_end(year: int) -> dt.date:
    """31 March at the end of the financial year starting in April of `year`."""
    return financial_year_bounds(year)[1]


def current_financial_year(today: dt.date | None = None) -> int:
    return financial_year_of(today or timezone.localdate())


def default_financial_year(*, today: dt.date | None = None, review: bool = False) -> int:
    """The year a page opens on: the annual review the last complete financial year, every
    other page the current one."""
    current = current_financial_year(today)
    return current - 1 if review else current


def financial_years_with_data(*, today: dt.date | None = None) -> list[int]:
    """Every year up to the current one with any spend, savings, returns, assessments,
    targets or actions, and the current and last complete years, newest first. The years found
    are one query (a UNION) kept in the cache by the sources' data version, so a page pays
    only the version's index look-ups until a source changes."""
    from core.data_version import PAGE_CACHE_SECONDS, models_version

    key = f"financial-years:{models_version(year_source_models())}"
    found: list[int] | None = cache.get(key)
    if found is None:
        found = _years_found()
        cache.set(key, found, PAGE_CACHE_SECONDS)
    current = current_financial_year(today)
    years = {year for year in found if FIRST_YEAR <= year <= current}
    return sorted({*years, current, current - 1}, reverse=True)


def year_source_models() -> list[type[Model]]:
    """The models of YEAR_SOURCES: their data version moves with the years with data."""
    return [apps.get_model(label) for label, _, _ in YEAR_SOURCES]


def _years_found() -> list[int]:
    """The financial years of every row of YEAR_SOURCES: one query (a UNION)."""
    queries = []
    for label, field, is_date in YEAR_SOURCES:
        model = apps.get_model(label)
        expression = financial_year_expression(field) if is_date else F(field)
        queries.append(
            model._base_manager.order_by().annotate(fy=expression).values_list("fy", flat=True)
        )
    first, *rest = queries
    # A target or action due in a later year does not make that year one to report on (the
    # caller drops it). PostgreSQL's EXTRACT gives numeric, so the UNION's column can come back
    # as Decimal.
    return sorted({int(year) for year in first.union(*rest) if year is not None})


def financial_year_choices(years: Iterable[int]) -> list[tuple[int, str]]:
    return [(year, financial_year_label(year)) for year in sorted(set(years), reverse=True)]


class FinancialYearField(forms.TypedChoiceField):
    """A select of financial years ("2024/25"), the value the April start year (2024)."""

    def __init__(self, *, years: Iterable[int] = (), **kwargs: Any) -> None:
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("error_messages", {"invalid_choice": "Select a financial year listed"})
        super().__init__(choices=financial_year_choices(years), **kwargs)

    def set_years(self, years: Iterable[int], *, blank: str | None = None) -> None:
        choices: list[tuple[Any, str]] = financial_year_choices(years)
        self.choices = [("", blank), *choices] if blank is not None else choices
