"""Verified delivery and what it is worth: proxy values by year and totals, all in SQL.

Totals count verified returns only. The pound value of a delivered quantity uses the measure's
proxy value for the financial year the return period ends in, or the latest earlier year; a
measure with no proxy value has no pound value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from core.financial_year import financial_year_of
from core.money import to_penny, to_penny_or_none
from procurement.models import SubTeam
from socialvalue.models import Measure, ProxyValue, ReturnLine, SocialValueReturn

Status = SocialValueReturn.Status
VALUE_FIELD: DecimalField[Decimal, Decimal] = DecimalField(max_digits=30, decimal_places=6)


class LineValue(TypedDict):
    proxy: Decimal | None  # £ per unit
    value: Decimal | None  # £


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict only in type checking
    ValuedLine = WithAnnotations[ReturnLine, LineValue]


def proxy_value_for(*, measure: Measure, financial_year: int) -> Decimal | None:
    """The year's proxy value, or the latest earlier year's; None if there is none."""
    return (
        ProxyValue.objects.filter(measure=measure, financial_year__lte=financial_year)
        .order_by("-financial_year")
        .values_list("value_per_unit", flat=True)
        .first()
    )


def _proxy_subquery(*, measure_ref: str, year_ref: str) -> Subquery:
    return Subquery(
        ProxyValue.objects.filter(
            measure=OuterRef(measure_ref), financial_year__lte=OuterRef(year_ref)
        )
        .order_by("-financial_year")
        .values("value_per_unit")[:1]
    )


def lines_valued(queryset: QuerySet[ReturnLine] | None = None) -> QuerySet[ValuedLine]:
    """Return lines annotated with `proxy` (£ per unit, by year) and `value` (£, or null)."""
    queryset = ReturnLine.objects.all() if queryset is None else queryset
    return queryset.annotate(
        proxy=_proxy_subquery(measure_ref="measure", year_ref="social_value_return__financial_year")
    ).annotate(value=ExpressionWrapper(F("quantity") * F("proxy"), output_field=VALUE_FIELD))


def verified_lines(*, year: int | None = None) -> QuerySet[ValuedLine]:
    lines = ReturnLine.objects.filter(social_value_return__status=Status.VERIFIED)
    if year is not None:
        lines = lines.filter(social_value_return__financial_year=year)
    return lines_valued(lines)


# -- totals ------------------------------------------------------------------------------------


UNITS = tuple(Measure.Unit)


@dataclass(frozen=True)
class Total:
    """Verified delivery for one group: quantity per unit and the pound value (None if no proxy)."""

    key: Any
    name: str
    quantities: dict[str, Decimal]
    value: Decimal | None
    unit: str = ""  # set when the group is one measure
    code: str = ""

    @property
    def quantity(self) -> Decimal:
        return self.quantities.get(self.unit, Decimal(0)) if self.unit else Decimal(0)

    @property
    def unit_label(self) -> str:
        return Measure.Unit(self.unit).label if self.unit else ""

    def quantity_in(self, unit: str) -> Decimal:
        return self.quantities.get(unit, Decimal(0))


GROUPS: dict[str, tuple[str, str]] = {
    # breakdown -> (key field, name field)
    "goal": ("measure__goal_id", "measure__goal__name"),
    "category": ("social_value_return__contract__category_id", "cat_name"),
    "sub_team": ("sub_team", "sub_team"),
    "supplier": (
        "social_value_return__contract__supplier_id",
        "social_value_return__contract__supplier__name",
    ),
}
SUB_TEAM_NAMES = dict(SubTeam.choices)


def _unit_sums() -> dict[str, Sum]:
    return {
        f"q_{unit}": Sum("quantity", filter=Q(measure__unit=unit), default=Decimal(0))
        for unit in UNITS
    }


def social_value_totals(*, year: int | None, by: str) -> list[Total]:
    """Verified delivery grouped by goal, category, sub-team or supplier: one query."""
    key, name = GROUPS[by]
    lines = verified_lines(year=year).annotate(
        cat_name=Coalesce("social_value_return__contract__category__name", Value("No category")),
        sub_team=Coalesce("social_value_return__contract__category__sub_team", Value("")),
    )
    ordering = ("measure__goal__position",) if by == "goal" else ()
    rows = (
        lines.order_by()
        .values(key, name, *ordering)
        .annotate(total=Sum("value"), **_unit_sums())
        .order_by(*ordering, name)
    )
    totals = [
        Total(
            key=row[key],
            name=SUB_TEAM_NAMES.get(row[name], "No sub-team") if by == "sub_team" else row[name],
            quantities={unit: to_penny(row[f"q_{unit}"]) for unit in UNITS},
            value=to_penny_or_none(row["total"]),
        )
        for row in rows
    ]
    if by != "goal":
        totals.sort(key=lambda total: (-(total.value or 0), total.name))
    return totals


def measure_totals(*, year: int | None) -> list[Total]:
    """Verified delivery per measure, in the measure's unit and in pounds: one query."""
    rows = (
        verified_lines(year=year)
        .order_by()
        .values(
            "measure_id",
            "measure__code",
            "measure__description",
            "measure__unit",
            "measure__goal__position",
            "measure__position",
        )
        .annotate(quantity=Sum("quantity"), total=Sum("value"))
        .order_by("measure__goal__position", "measure__position", "measure__code")
    )
    return [
        Total(
            key=row["measure_id"],
            name=row["measure__description"],
            code=row["measure__code"],
            unit=row["measure__unit"],
            quantities={row["measure__unit"]: to_penny(row["quantity"])},
            value=to_penny_or_none(row["total"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class TrendPoint:
    year: int
    goal: str
    value: Decimal | None
    returns: int


def social_value_trend() -> list[TrendPoint]:
    """Verified pound value per financial year and goal, every year: one query."""
    rows = (
        verified_lines()
        .order_by()
        .values(
            "social_value_return__financial_year", "measure__goal__name", "measure__goal__position"
        )
        .annotate(total=Sum("value"), returns=Count("social_value_return", distinct=True))
        .order_by("social_value_return__financial_year", "measure__goal__position")
    )
    return [
        TrendPoint(
            year=row["social_value_return__financial_year"],
            goal=row["measure__goal__name"],
            value=to_penny_or_none(row["total"]),
            returns=row["returns"],
        )
        for row in rows
    ]


def financial_years(*, today: dt.date) -> list[int]:
    """Years with returns, and the current year, newest first."""
    years = set(
        SocialValueReturn.objects.order_by().values_list("financial_year", flat=True).distinct()
    )
    years.add(financial_year_of(today))
    return sorted(years, reverse=True)


def return_counts(*, year: int | None) -> dict[str, int]:
    """How many returns are in each status for the year (returns ending in it)."""
    queryset = SocialValueReturn.objects.all()
    if year is not None:
        queryset = queryset.filter(financial_year=year)
    counts = queryset.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    return counts
