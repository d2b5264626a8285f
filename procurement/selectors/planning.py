"""Reads for planning: contracts ending soon, policy checks, savings and the pipeline.

Totals are SQL aggregates; lists fetch their related rows with select_related or one
prefetch, so each page runs the same number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, LPad, Mod

from core.dates import add_months, months_left
from core.financial_year import (
    financial_year_bounds,
    financial_year_expression,
    financial_year_label,
)
from core.money import ZERO, to_penny
from procurement.models import (
    SOCIAL_VALUE_MIN_WEIGHTING,
    SOCIAL_VALUE_THRESHOLD,
    Contract,
    ContractAlert,
    PipelineItem,
    Saving,
    SubTeam,
)

ENDING_SOON_MONTHS = (3, 6, 9, 12, 24)
NO_SUB_TEAM = "Not assigned"

# -- policy checks -----------------------------------------------------------------------------

OVER_THRESHOLD = Q(total_value__gt=SOCIAL_VALUE_THRESHOLD)
MISSING_SOCIAL_VALUE = OVER_THRESHOLD & (
    Q(social_value_weighting__isnull=True)
    | Q(social_value_weighting__lt=SOCIAL_VALUE_MIN_WEIGHTING)
)
LIVE = Q(status=Contract.Status.LIVE)
WITHOUT_OWNER = LIVE & Q(owner__isnull=True)
# Values no contract can have. The database refuses negative ones; a year's value above the
# whole-life value it cannot refuse (it is a pair of fields a typo can set either of).
IMPOSSIBLE_VALUES = (
    Q(total_value__lt=0) | Q(annual_value__lt=0) | Q(annual_value__gt=F("total_value"))
)


def _past_end_still_live(today: date) -> Q:
    return LIVE & Q(end_date__lt=today)


def _register_rows() -> QuerySet[Contract]:
    return Contract.objects.select_related("supplier", "owner", "category")


def contracts_missing_social_value() -> QuerySet[Contract]:
    """Contracts over £100,000 with no social value weighting, or one below 10%."""
    return _register_rows().filter(MISSING_SOCIAL_VALUE).order_by("-total_value", "reference")


def contracts_past_end_still_live(*, today: date) -> QuerySet[Contract]:
    return _register_rows().filter(_past_end_still_live(today)).order_by("end_date", "reference")


def contracts_without_owner() -> QuerySet[Contract]:
    return _register_rows().filter(WITHOUT_OWNER).order_by("end_date", "reference")


def contracts_with_impossible_values() -> QuerySet[Contract]:
    return _register_rows().filter(IMPOSSIBLE_VALUES).order_by("reference")


def policy_summary(*, today: date) -> dict[str, int]:
    """The count of each policy check, and of contracts over the threshold, in one query."""
    return Contract.objects.aggregate(
        over_threshold=Count("pk", filter=OVER_THRESHOLD),
        missing_social_value=Count("pk", filter=MISSING_SOCIAL_VALUE),
        past_end_still_live=Count("pk", filter=_past_end_still_live(today)),
        without_owner=Count("pk", filter=WITHOUT_OWNER),
        impossible_values=Count("pk", filter=IMPOSSIBLE_VALUES),
    )


# -- ending soon -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndingContract:
    contract: Contract
    months_left: int
    alerts_sent: list[int]


ENDING_SOON_ORDER = {
    "end_date": ("end_date", "reference"),
    "value": ("-total_value", "end_date", "reference"),
    "supplier": ("supplier__name", "end_date", "reference"),
}


def _end_date(contract: Contract) -> date:
    """The end date of a contract chosen by its end date."""
    assert contract.end_date is not None
    return contract.end_date


def contracts_ending(
    *, today: date, months: int = 12, order: str = "end_date"
) -> QuerySet[Contract]:
    """Live contracts ending between today and `months` from now, with their supplier, owner,
    category and alerts (two queries however many; the page takes a page of them)."""
    return (
        _register_rows()
        .filter(LIVE, end_date__gte=today, end_date__lte=add_months(today, months))
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=ContractAlert.objects.order_by("-months_before"),
                to_attr="alert_rows",
            )
        )
        .order_by(*ENDING_SOON_ORDER.get(order, ENDING_SOON_ORDER["end_date"]))
    )


def ending_rows(*, contracts: Iterable[Contract], today: date) -> list[EndingContract]:
    """`contracts` (from contracts_ending) with their months left and the alerts sent. Only
    alerts about the current end date count: a variation that moved it makes them stale."""
    return [
        EndingContract(
            contract=contract,
            months_left=months_left(today=today, end_date=_end_date(contract)),
            alerts_sent=[
                a.months_before
                for a in contract.alert_rows  # type: ignore[attr-defined]  # the Prefetch's to_attr
                if a.end_date == contract.end_date
            ],
        )
        for contract in contracts
    ]


def contracts_ending_soon(
    *, today: date, months: int = 12, order: str = "end_date"
) -> list[EndingContract]:
    """Every row of contracts_ending, with the alerts sent: two queries."""
    contracts = contracts_ending(today=today, months=months, order=order)
    return ending_rows(contracts=contracts, today=today)


# -- savings -----------------------------------------------------------------------------------


def _savings(financial_year: int | None) -> QuerySet[Saving]:
    savings = Saving.objects.all()
    if financial_year is not None:
        savings = savings.filter(financial_year=financial_year)
    return savings


def financial_year_label_expression(field: str) -> Concat:
    """SQL giving "2024/25" for a financial-year column holding 2024."""
    return Concat(
        Cast(field, CharField()),
        Value("/"),
        LPad(Cast(Mod(F(field) + 1, 100), CharField()), 2, Value("0")),
        output_field=CharField(),
    )


def saving_list(*, financial_year: int | None = None) -> QuerySet[Saving]:
    """Savings with their contract, latest year first; `year_label` reads like 2024/25."""
    return (
        _savings(financial_year)
        .select_related("contract__category")
        .annotate(year_label=financial_year_label_expression("financial_year"))
    )


def saving_years() -> list[int]:
    return list(
        Saving.objects.order_by("-financial_year")
        .values_list("financial_year", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    total: Decimal


def saving_totals_by_kind(*, financial_year: int | None = None) -> list[KindTotal]:
    """Cashable and non-cashable totals, both always present."""
    totals = dict(
        _savings(financial_year)
        .order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    return [
        KindTotal(kind=kind, label=label, total=to_penny(totals.get(kind)))
        for kind, label in Saving.Kind.choices
    ]


@dataclass(frozen=True)
class SubTeamTotal:
    sub_team: str
    label: str
    cashable: Decimal
    non_cashable: Decimal

    @property
    def total(self) -> Decimal:
        return self.cashable + self.non_cashable


def saving_totals_by_sub_team(*, financial_year: int | None = None) -> list[SubTeamTotal]:
    """Savings per commercial sub-team (through the contract's category), split by kind.

    Every sub-team is listed, with zeros where it has no savings; savings with no contract or
    an uncategorised contract come last as "Not assigned".
    """
    rows = {
        row["contract__category__sub_team"]: row
        for row in _savings(financial_year)
        .order_by()
        .values("contract__category__sub_team")
        .annotate(
            cashable=_kind_sum(Saving.Kind.CASHABLE),
            non_cashable=_kind_sum(Saving.Kind.NON_CASHABLE),
        )
    }
    teams = [*SubTeam.choices] + ([(None, NO_SUB_TEAM)] if None in rows else [])
    empty = {"cashable": ZERO, "non_cashable": ZERO}
    return [
        SubTeamTotal(
            sub_team=value or "",
            label=label,
            cashable=to_penny(rows.get(value, empty)["cashable"]),
            non_cashable=to_penny(rows.get(value, empty)["non_cashable"]),
        )
        for value, label in teams
    ]


def _kind_sum(kind: str) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(kind=kind)), ZERO)


# -- pipeline ----------------------------------------------------------------------------------

QUARTER = Case(
    When(planned_start__month__gte=10, then=Value(3)),
    When(planned_start__month__gte=7, then=Value(2)),
    When(planned_start__month__gte=4, then=Value(1)),
    default=Value(4),
    output_field=IntegerField(),
)


def _pipeline(financial_year: int | None, status: str | None) -> QuerySet[PipelineItem]:
    items = PipelineItem.objects.all()
    if financial_year is not None:
        first, last = financial_year_bounds(financial_year)
        items = items.filter(planned_start__range=(first, last))
    if status:
        items = items.filter(status=status)
    return items


def pipeline_list(
    *, financial_year: int | None = None, status: str | None = None
) -> QuerySet[PipelineItem]:
    return _pipeline(financial_year, status).select_related("category", "owner", "replaces")


def pipeline_years() -> list[int]:
    return list(
        PipelineItem.objects.annotate(year=financial_year_expression("planned_start"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class QuarterTotal:
    financial_year: int
    quarter: int
    items: int
    total: Decimal

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.financial_year)} Q{self.quarter}"


def pipeline_quarter_totals(
    *, financial_year: int | None = None, status: str | None = None
) -> list[QuarterTotal]:
    """Estimated value planned to start in each financial quarter (Q1 is April to June).

    With a financial year chosen, all four quarters are listed, with zeros where nothing starts.
    A cancelled procurement will not start, so it counts only when that status is chosen.
    """
    items = _pipeline(financial_year, status)
    if not status:
        items = items.exclude(status=PipelineItem.Status.CANCELLED)
    rows = (
        items.annotate(year=financial_year_expression("planned_start"), quarter=QUARTER)
        .order_by()
        .values("year", "quarter")
        .annotate(items=Count("id"), total=Sum("estimated_value"))
        .order_by("year", "quarter")
    )
    totals = {
        (row["year"], row["quarter"]): QuarterTotal(
            financial_year=row["year"],
            quarter=row["quarter"],
            items=row["items"],
            total=to_penny(row["total"]),
        )
        for row in rows
    }
    if financial_year is not None:
        for quarter in (1, 2, 3, 4):
            totals.setdefault(
                (financial_year, quarter),
                QuarterTotal(financial_year=financial_year, quarter=quarter, items=0, total=ZERO),
            )
    return [totals[key] for key in sorted(totals)]
