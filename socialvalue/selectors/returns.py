"""Reads behind the pages of contracts and their returns: one contract's progress, the lists,
one return, the measures and the supplier portal. Each uses a fixed number of queries whatever
the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.contrib.auth import models as auth
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.money import to_penny, to_penny_or_none
from core.percent import share
from procurement.models import SOCIAL_VALUE_THRESHOLD, Contract
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
    recent_periods,
    returns_overdue,
)
from socialvalue.selectors.values import (
    VALUE_FIELD,
    lines_valued,
    verified_lines,
)

User = auth.User | auth.AnonymousUser
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
        return share(self.delivered, self.committed)


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
                delivered=to_penny(done["quantity"]) if done else Decimal(0),
                value=to_penny_or_none(done["total"]) if done else None,
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
                delivered=to_penny(done["quantity"]),
                value=to_penny_or_none(done["total"]),
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


class ContractPosition(TypedDict):
    commitments: int
    returns: int
    verified: int  # returns verified


class LineCount(TypedDict):
    line_count: int


# -- lists -------------------------------------------------------------------------------------


def contract_list(*, query: str = "") -> QuerySet[Contract]:
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
    return contracts


def return_list(*, status: str = "", year: int | None = None) -> QuerySet[SocialValueReturn]:
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
    return returns


def return_detail(*, social_value_return: SocialValueReturn) -> dict[str, Any]:
    lines = list(
        lines_valued(ReturnLine.objects.filter(social_value_return=social_value_return))
        .select_related("measure")
        .order_by("measure__goal__position", "measure__position", "measure__code")
    )
    for line in lines:
        line.value = to_penny_or_none(line.value)
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
