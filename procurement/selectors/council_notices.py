"""Reads for the council's own Procurement Act notices, which belong to no one contract: the
pipeline notice (s.93) and the payments compliance notice (s.69). Rules in procurement/act.py.

The pipeline notice reads the procurement pipeline (`PipelineItem`): the amount the council
expects to pay under contracts in the coming financial year is taken as the pipeline's own total
for the year (every procurement planned to start in it that is not cancelled), compared with
the £100 million of s.93(1); the notice lists the procurements over £2 million planned to start
in the 18 months from 1 April.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from core.financial_year import financial_year_bounds
from core.money import ZERO
from procurement import act
from procurement.models import PipelineItem, SpendTransaction

FIRST_PIPELINE_YEAR = 2025  # the first financial year to begin under the Act (1 April 2025)


def _live_pipeline() -> QuerySet[PipelineItem]:
    return PipelineItem.objects.exclude(status=PipelineItem.Status.CANCELLED)


def pipeline_notice_items(*, financial_year: int) -> QuerySet[PipelineItem]:
    """s.93(2), (4): the procurements over £2 million (a setting) planned to start in the 18
    months beginning with 1 April of the year, soonest first; one query."""
    first, last = act.pipeline_reporting_period(financial_year)
    return (
        _live_pipeline()
        .filter(
            planned_start__range=(first, last),
            estimated_value__gt=act.pipeline_item_threshold(),
        )
        .select_related("category", "owner", "replaces")
        .order_by("planned_start", "title", "pk")
    )


@dataclass(frozen=True)
class PipelineYear:
    financial_year: int
    expected: Decimal  # the pipeline's total planned to start in the year
    items: int  # procurements over £2 million in the 18 months
    items_value: Decimal

    @property
    def needs_notice(self) -> bool:
        return act.needs_pipeline_notice(self.expected)


def pipeline_years(*, first: int, last: int) -> list[PipelineYear]:
    """For each financial year from `first` to `last`: the pipeline's total for the year and its
    procurements over £2 million in the 18 months from 1 April. One query whatever the span."""
    aggregates: dict[str, Sum | Count] = {}
    threshold = act.pipeline_item_threshold()
    for year in range(first, last + 1):
        start, end = financial_year_bounds(year)
        period_start, period_end = act.pipeline_reporting_period(year)
        within = Q(planned_start__range=(start, end))
        listed = Q(planned_start__range=(period_start, period_end), estimated_value__gt=threshold)
        aggregates[f"expected_{year}"] = Sum("estimated_value", filter=within)
        aggregates[f"items_{year}"] = Count("pk", filter=listed)
        aggregates[f"value_{year}"] = Sum("estimated_value", filter=listed)
    if not aggregates:
        return []
    row = _live_pipeline().aggregate(**aggregates)
    return [
        PipelineYear(
            financial_year=year,
            expected=row[f"expected_{year}"] or ZERO,
            items=row[f"items_{year}"],
            items_value=row[f"value_{year}"] or ZERO,
        )
        for year in range(first, last + 1)
    ]


def payments_in_periods(*, periods: list[tuple[dt.date, dt.date]]) -> dict[dt.date, int]:
    """How many of the council's own payments were made in each reporting period (s.69(1): a
    notice is owed for a period in which the council paid under a contract), keyed by the
    period's first day. One query."""
    if not periods:
        return {}
    payments = SpendTransaction.objects.filter(spend_import__is_own=True, amount__gt=0)
    row = payments.aggregate(
        **{
            f"p{index}": Count("pk", filter=Q(paid_on__range=period))
            for index, period in enumerate(periods)
        }
    )
    return {start: row[f"p{index}"] for index, (start, _end) in enumerate(periods)}
