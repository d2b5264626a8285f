"""Reads behind whole pages: one contract, the lists, the supplier portal, the dashboard and
the annual review. Each uses a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.data_version import models_version
from core.financial_year import financial_year_bounds
from procurement.models import (
    SOCIAL_VALUE_THRESHOLD,
    Category,
    Contract,
    SpendYearSummary,
    Supplier,
)
from socialvalue.models import (
    Commitment,
    EvidenceFile,
    Goal,
    Measure,
    ProxyValue,
    ReturnLine,
    SocialValueReturn,
)
from socialvalue.selectors.access import contracts_visible_to, supplier_for
from socialvalue.selectors.overdue import (
    active_in,
    contracts_without_commitments,
    overdue_periods,
    recent_periods,
    returns_overdue,
)
from socialvalue.selectors.values import (
    VALUE_FIELD,
    Total,
    TrendPoint,
    as_quantity,
    lines_valued,
    measure_totals,
    pounds,
    return_counts,
    social_value_totals,
    social_value_trend,
    verified_lines,
)

User = AbstractBaseUser | AnonymousUser
Status = SocialValueReturn.Status


# -- one contract ------------------------------------------------------------------------------


@dataclass
class MeasureProgress:
    measure_id: int
    code: str
    description: str
    unit: str
    committed: Decimal | None
    due_by: dt.date | None
    delivered: Decimal
    value: Decimal | None
    commitment_id: int | None = None

    @property
    def unit_label(self) -> str:
        return Measure.Unit(self.unit).label

    @property
    def percent_delivered(self) -> Decimal | None:
        if not self.committed:
            return None
        return (self.delivered / self.committed * 100).quantize(Decimal("0.1"))


def contract_progress(*, contract: Contract) -> list[MeasureProgress]:
    """Committed against delivered (verified) per measure for one contract: two queries."""
    delivered = {
        row["measure_id"]: row
        for row in verified_lines()
        .filter(social_value_return__contract=contract)
        .order_by()
        .values("measure_id", "measure__code", "measure__description", "measure__unit")
        .annotate(quantity=Sum("quantity"), total=Sum("value"))
    }
    rows: list[MeasureProgress] = []
    for commitment in Commitment.objects.filter(contract=contract).select_related("measure"):
        done = delivered.pop(commitment.measure_id, None)
        rows.append(
            MeasureProgress(
                measure_id=commitment.measure_id,
                code=commitment.measure.code,
                description=commitment.measure.description,
                unit=commitment.measure.unit,
                committed=commitment.quantity,
                due_by=commitment.due_by,
                delivered=as_quantity(done["quantity"]) if done else Decimal(0),
                value=pounds(done["total"]) if done else None,
                commitment_id=commitment.pk,
            )
        )
    for measure_id, done in sorted(delivered.items(), key=lambda item: item[1]["measure__code"]):
        rows.append(
            MeasureProgress(
                measure_id=measure_id,
                code=done["measure__code"],
                description=done["measure__description"],
                unit=done["measure__unit"],
                committed=None,
                due_by=None,
                delivered=as_quantity(done["quantity"]),
                value=pounds(done["total"]),
            )
        )
    return rows


def returns_for_contract(*, contract: Contract) -> QuerySet[SocialValueReturn]:
    return (
        SocialValueReturn.objects.filter(contract=contract)
        .select_related("submitted_by", "reviewed_by")
        .annotate(line_count=Count("lines"))
        .order_by("-period_end")
    )


def contract_social_value(*, contract: Contract) -> dict[str, Any]:
    progress = contract_progress(contract=contract)
    valued = [row.value for row in progress if row.value is not None]
    return {
        "contract": contract,
        "progress": progress,
        "total_value": sum(valued, Decimal(0)) if valued else None,
        "returns": list(returns_for_contract(contract=contract)),
        "over_threshold": (contract.total_value or 0) > SOCIAL_VALUE_THRESHOLD,
    }


# -- lists -------------------------------------------------------------------------------------


def contract_list(*, query: str = "", page: int = 1, per_page: int = 50) -> Page:
    """Contracts with their social value position, for officers and members."""
    contracts = (
        Contract.objects.select_related("supplier")
        .annotate(
            commitments=Count("social_value_commitments", distinct=True),
            returns=Count("social_value_returns", distinct=True),
            verified=Count(
                "social_value_returns",
                filter=Q(social_value_returns__status=Status.VERIFIED),
                distinct=True,
            ),
        )
        .order_by("reference")
    )
    if query:
        contracts = contracts.filter(
            Q(reference__icontains=query)
            | Q(title__icontains=query)
            | Q(supplier__name__icontains=query)
        )
    return Paginator(contracts, per_page).get_page(page)


def return_list(*, status: str = "", year: int | None = None, page: int = 1) -> Page:
    """Returns, latest period first; submitted ones (the officers' queue) waiting longest first."""
    order = (
        (F("submitted_at").asc(nulls_last=True), "period_end", "contract__reference")
        if status == SocialValueReturn.Status.SUBMITTED
        else ("-period_end", "contract__reference")
    )
    returns = (
        SocialValueReturn.objects.select_related("contract__supplier", "submitted_by")
        .annotate(line_count=Count("lines"))
        .order_by(*order)
    )
    if status:
        returns = returns.filter(status=status)
    if year is not None:
        returns = returns.filter(financial_year=year)
    return Paginator(returns, 50).get_page(page)


def return_detail(*, social_value_return: SocialValueReturn) -> dict[str, Any]:
    lines = list(
        lines_valued(ReturnLine.objects.filter(social_value_return=social_value_return))
        .select_related("measure")
        .order_by("measure__goal__position", "measure__position", "measure__code")
    )
    for line in lines:
        line.value = pounds(line.value)
    history = (
        social_value_return.history.select_related("history_user")
        .order_by("history_date", "history_id")
        .values(
            "status",
            "history_date",
            "rejection_reason",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
        )
    )
    return {
        "return": social_value_return,
        "lines": lines,
        "evidence_files": list(
            EvidenceFile.objects.filter(social_value_return=social_value_return).select_related(
                "measure"
            )
        ),
        "status_history": status_changes(list(history)),
    }


def status_changes(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history rows where the status changed, oldest first, with who and when."""
    changes: list[dict[str, Any]] = []
    previous = None
    for row in history:
        if row["status"] == previous:
            continue
        previous = row["status"]
        names = (row["history_user__first_name"], row["history_user__last_name"])
        full_name = " ".join(name for name in names if name)
        changes.append(
            {
                "status": Status(row["status"]).label,
                "when": row["history_date"],
                "who": full_name or row["history_user__username"] or "System",
                "reason": row["rejection_reason"] if row["status"] == Status.REJECTED else "",
            }
        )
    return changes


def measures_available(*, social_value_return: SocialValueReturn) -> QuerySet[Measure]:
    """Measures not yet on the return, for adding a line."""
    return (
        Measure.objects.exclude(return_lines__social_value_return=social_value_return)
        .select_related("goal")
        .order_by("goal__position", "position", "code")
    )


def measure_catalogue() -> QuerySet[Goal]:
    """Goals with their measures, each measure with its latest proxy value: two queries."""
    latest = ProxyValue.objects.filter(measure=OuterRef("pk")).order_by("-financial_year")
    measures = Measure.objects.annotate(
        latest_value=Subquery(latest.values("value_per_unit")[:1]),
        latest_year=Subquery(latest.values("financial_year")[:1]),
        latest_source=Subquery(latest.values("source")[:1]),
        years_valued=Count("proxy_values"),
    ).order_by("position", "code")
    return Goal.objects.prefetch_related(
        Prefetch("measures", queryset=measures, to_attr="measure_rows")
    ).order_by("position", "name")


# -- the supplier portal -----------------------------------------------------------------------


def supplier_portal(*, user: User, today: dt.date) -> dict[str, Any]:
    """The supplier's contracts with commitments and returns, and its overdue quarters."""
    contracts = contracts_visible_to(user)
    delivered = (
        ReturnLine.objects.filter(
            social_value_return__contract=OuterRef("contract"),
            social_value_return__status=Status.VERIFIED,
            measure=OuterRef("measure"),
        )
        .order_by()
        .values("measure")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    commitments = Commitment.objects.select_related("measure").annotate(
        delivered=Coalesce(Subquery(delivered[:1]), Value(Decimal(0)), output_field=VALUE_FIELD)
    )
    rows = list(
        contracts.select_related("supplier")
        .prefetch_related(
            Prefetch("social_value_commitments", queryset=commitments, to_attr="commitment_rows"),
            Prefetch(
                "social_value_returns",
                queryset=SocialValueReturn.objects.order_by("-period_end"),
                to_attr="return_rows",
            ),
        )
        .order_by("reference")
    )
    return {
        "supplier": supplier_for(user=user),
        "contracts": rows,
        "overdue": returns_overdue(periods=recent_periods(today=today), contracts=contracts),
    }


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
        if not self.spend_total:
            return None
        return (self.spend_local / self.spend_total * 100).quantize(Decimal("0.1"))

    @property
    def local_retained(self) -> Decimal:
        return self.spend_local + self.second_tier_local


def _local_spend(year: int) -> tuple[Decimal, Decimal]:
    """The year's spend with all suppliers and with local ones, from the per-year summary."""
    spend = SpendYearSummary.objects.filter(financial_year=year).aggregate(
        total=Sum("amount", default=Decimal(0)),
        local=Sum("amount", filter=Q(supplier__is_local=True), default=Decimal(0)),
    )
    return pounds(spend["total"]) or Decimal(0), pounds(spend["local"]) or Decimal(0)


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
            value=pounds(row["total"]),
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
        second_tier_local=as_quantity(
            second_tier.aggregate(total=Sum("quantity", default=Decimal(0)))["total"]
        ),
        environmental_contracts=environment["environmental"],
        carbon_contracts=environment["carbon"],
        environmental_or_carbon=environment["either"],
        contracts=_contract_delivery(year),
    )
