"""Reads behind the social value dashboard and the annual review, each a fixed number of queries
whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from core.data_version import models_version
from core.financial_year import financial_year_bounds
from core.money import to_penny, to_penny_or_none
from core.percent import share
from procurement.models import Category, Contract, SpendYearSummary, Supplier
from socialvalue.models import (
    Commitment,
    Goal,
    Measure,
    ProxyValue,
    ReturnLine,
    SocialValueReturn,
)
from socialvalue.selectors.overdue import (
    active_in,
    contracts_without_commitments,
    overdue_periods,
    returns_overdue,
)
from socialvalue.selectors.values import (
    Total,
    TrendPoint,
    measure_totals,
    return_counts,
    social_value_totals,
    social_value_trend,
    verified_lines,
)

Status = SocialValueReturn.Status


# -- dashboard and annual review ---------------------------------------------------------------


@dataclass
class Dashboard:
    year: int
    by_goal: list[Total]
    by_measure: list[Total]
    by_category: list[Total]
    by_sub_team: list[Total]
    by_supplier: list[Total]
    trend: list[TrendPoint]
    counts: dict[str, int]
    overdue: list[dict[str, Any]]
    without_commitments: list[Contract]
    total_value: Decimal | None = field(default=None)


def social_value_version() -> str:
    """A key that moves with any change the dashboard could show: one query."""
    return models_version(
        [Goal, Measure, ProxyValue, Commitment, SocialValueReturn, ReturnLine]
        + [Contract, Supplier, Category]
    )


def social_value_dashboard(*, year: int, today: dt.date) -> Dashboard:
    """Everything on the dashboard in a fixed number of queries, whatever the data size."""
    by_goal = social_value_totals(year=year, by="goal")
    valued = [total.value for total in by_goal if total.value is not None]
    return Dashboard(
        year=year,
        by_goal=by_goal,
        by_measure=measure_totals(year=year),
        by_category=social_value_totals(year=year, by="category"),
        by_sub_team=social_value_totals(year=year, by="sub_team"),
        by_supplier=social_value_totals(year=year, by="supplier"),
        trend=social_value_trend(),
        counts=return_counts(year=year),
        overdue=returns_overdue(periods=overdue_periods(year=year, today=today)),
        without_commitments=list(contracts_without_commitments(year=year)),
        total_value=sum(valued, Decimal(0)) if valued else None,
    )


@dataclass
class ContractDelivery:
    reference: str
    title: str
    supplier: str
    returns: int
    value: Decimal | None


@dataclass
class AnnualReview:
    year: int
    by_goal: list[Total]
    by_measure: list[Total]
    total_value: Decimal | None
    spend_total: Decimal
    spend_local: Decimal
    second_tier_local: Decimal
    environmental_contracts: int
    carbon_contracts: int
    environmental_or_carbon: int
    contracts: list[ContractDelivery]

    @property
    def local_share(self) -> Decimal | None:
        return share(self.spend_local, self.spend_total)

    @property
    def local_retained(self) -> Decimal:
        return self.spend_local + self.second_tier_local


def _local_spend(year: int) -> tuple[Decimal, Decimal]:
    """The year's spend with all suppliers and with local ones, from the per-year summary."""
    spend = SpendYearSummary.objects.filter(financial_year=year).aggregate(
        total=Sum("amount", default=Decimal(0)),
        local=Sum("amount", filter=Q(supplier__is_local=True), default=Decimal(0)),
    )
    return to_penny(spend["total"]), to_penny(spend["local"])


def _environmental_counts(year: int) -> dict[str, int]:
    start, end = financial_year_bounds(year)
    positive = ReturnLine.objects.filter(
        social_value_return__contract=OuterRef("pk"),
        social_value_return__status=Status.VERIFIED,
        social_value_return__financial_year=year,
        measure__is_environmental=True,
        quantity__gt=0,
    )
    carbon = Q(carbon_commitment=True) & active_in(start, end) & ~Q(status=Contract.Status.DRAFT)
    return Contract.objects.annotate(positive=Exists(positive)).aggregate(
        environmental=Count("pk", filter=Q(positive=True)),
        carbon=Count("pk", filter=carbon),
        either=Count("pk", filter=Q(positive=True) | carbon),
    )


def _contract_delivery(year: int) -> list[ContractDelivery]:
    rows = (
        verified_lines(year=year)
        .order_by()
        .values(
            "social_value_return__contract__reference",
            "social_value_return__contract__title",
            "social_value_return__contract__supplier__name",
        )
        .annotate(returns=Count("social_value_return", distinct=True), total=Sum("value"))
        .order_by("social_value_return__contract__reference")
    )
    return [
        ContractDelivery(
            reference=row["social_value_return__contract__reference"],
            title=row["social_value_return__contract__title"],
            supplier=row["social_value_return__contract__supplier__name"],
            returns=row["returns"],
            value=to_penny_or_none(row["total"]),
        )
        for row in rows
    ]


def annual_review(*, year: int) -> AnnualReview:
    """The annual social value review for a financial year: a fixed number of queries."""
    by_goal = social_value_totals(year=year, by="goal")
    by_measure = measure_totals(year=year)
    valued = [total.value for total in by_goal if total.value is not None]
    second_tier = verified_lines(year=year).filter(measure__is_local_spend=True)
    spend_total, spend_local = _local_spend(year)
    environment = _environmental_counts(year)
    return AnnualReview(
        year=year,
        by_goal=by_goal,
        by_measure=by_measure,
        total_value=sum(valued, Decimal(0)) if valued else None,
        spend_total=spend_total,
        spend_local=spend_local,
        second_tier_local=to_penny(
            second_tier.aggregate(total=Sum("quantity", default=Decimal(0)))["total"]
        ),
        environmental_contracts=environment["environmental"],
        carbon_contracts=environment["carbon"],
        environmental_or_carbon=environment["either"],
        contracts=_contract_delivery(year),
    )
