"""What is late or missing: overdue returns and contracts over the threshold with no commitments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value

from core.financial_year import financial_year_bounds
from procurement.models import SOCIAL_VALUE_THRESHOLD, Contract
from socialvalue.models import Commitment, SocialValueReturn
from socialvalue.periods import Period, ended_quarters, quarter_of, quarters_between

Status = SocialValueReturn.Status
COUNTED = (Status.SUBMITTED, Status.VERIFIED)  # a period with one of these is not overdue
OVERDUE_LABELS = {
    Status.DRAFT: "Draft (not submitted)",
    Status.REJECTED: "Rejected (not resubmitted)",
}


def active_in(start: dt.date, end: dt.date) -> Q:
    return (Q(start_date__isnull=True) | Q(start_date__lte=end)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )


def returns_overdue(
    *, periods: list[Period], contracts: QuerySet[Contract] | None = None
) -> list[dict[str, Any]]:
    """Quarters that have ended with no submitted or verified return, for contracts with
    commitments that were running in the quarter. One SQL query (a UNION over the periods).
    """
    if not periods:
        return []
    base = (contracts if contracts is not None else Contract.objects.all()).exclude(
        status=Contract.Status.DRAFT
    )
    base = base.filter(Exists(Commitment.objects.filter(contract=OuterRef("pk"))))
    parts = []
    for period in periods:
        covering = SocialValueReturn.objects.filter(
            contract=OuterRef("pk"),
            status__in=COUNTED,
            period_start__lte=period.start,
            period_end__gte=period.end,
        )
        started = SocialValueReturn.objects.filter(
            contract=OuterRef("pk"), period_start=period.start
        )
        parts.append(
            base.filter(active_in(period.start, period.end))
            .filter(~Exists(covering))
            .annotate(
                period_start=Value(period.start, output_field=DateField()),
                period_end=Value(period.end, output_field=DateField()),
                return_id=Subquery(started.values("pk")[:1], output_field=IntegerField()),
                return_status=Subquery(started.values("status")[:1]),
            )
            .order_by()
            .values(
                "pk",
                "reference",
                "title",
                "supplier__name",
                "period_start",
                "period_end",
                "return_id",
                "return_status",
            )
        )
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(union.order_by("period_start", "reference"))
    for row in rows:
        period = Period(_as_date(row["period_start"]), _as_date(row["period_end"]))
        row["period"] = period
        row["status_label"] = OVERDUE_LABELS.get(row["return_status"], "No return")
    return rows


def _as_date(value: Any) -> dt.date:
    # SQLite hands back a date literal selected through UNION as text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def overdue_periods(*, year: int, today: dt.date) -> list[Period]:
    return ended_quarters(year=year, today=today)


def recent_periods(*, today: dt.date, quarters: int = 4) -> list[Period]:
    """The last `quarters` quarters that have ended."""
    last_ended = quarter_of(quarter_of(today).start - dt.timedelta(days=1))
    first = last_ended.start
    for _ in range(quarters - 1):
        first = quarter_of(first - dt.timedelta(days=1)).start
    return quarters_between(first, last_ended.end)


def contracts_without_commitments(*, year: int) -> QuerySet[Contract]:
    """Contracts over the social value threshold, running in the year, with no commitments."""
    start, end = financial_year_bounds(year)
    return (
        Contract.objects.filter(total_value__gt=SOCIAL_VALUE_THRESHOLD)
        .exclude(status=Contract.Status.DRAFT)
        .filter(active_in(start, end))
        .filter(~Exists(Commitment.objects.filter(contract=OuterRef("pk"))))
        .select_related("supplier", "category")
        .order_by("-total_value", "reference")
    )
