"""Reads for the Procurement Act 2023: the compliance calendar, a contract's KPIs and notices,
and whether a variation needs a contract change notice (rules in procurement/act.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from core.percent import share
from procurement import act
from procurement import act as act_rules
from procurement.models import Contract, Kpi, KpiRating, Notice, PipelineItem, Route, Variation
from procurement.selectors.council_notices import pipeline_notice_items
from procurement.selectors.payments_compliance import PaymentsCompliance, payments_compliance

ZERO = Decimal("0")


class _Status(TypedDict):
    status: str  # NoticeStatus


class _KpiCount(TypedDict):
    kpi_count: int


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict only in type checking
    StatusNotice = WithAnnotations[Notice, _Status]
    KpiCountContract = WithAnnotations[Contract, _KpiCount]


class NoticeStatus:
    DUE = "due"
    OVERDUE = "overdue"
    PUBLISHED = "published"
    PUBLISHED_LATE = "published_late"
    CHOICES = [
        (DUE, "Due"),
        (OVERDUE, "Overdue"),
        (PUBLISHED, "Published on time"),
        (PUBLISHED_LATE, "Published late"),
    ]
    LABELS = dict(CHOICES)


def _with_status(queryset: QuerySet[Notice], *, today: dt.date) -> QuerySet[StatusNotice]:
    return queryset.annotate(
        status=Case(
            When(
                published_on__isnull=False,
                published_on__gt=F("due_on"),
                then=Value(NoticeStatus.PUBLISHED_LATE),
            ),
            When(published_on__isnull=False, then=Value(NoticeStatus.PUBLISHED)),
            When(due_on__lt=today, then=Value(NoticeStatus.OVERDUE)),
            default=Value(NoticeStatus.DUE),
            output_field=CharField(),
        )
    )


def notice_list(
    *,
    today: dt.date,
    kind: str = "",
    status: str = "",
    search: str = "",
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    contract_id: int | None = None,
) -> QuerySet[StatusNotice]:
    """The compliance calendar: every notice due, soonest deadline first, one query."""
    queryset = _with_status(
        Notice.objects.select_related("contract", "contract__owner", "published_by"), today=today
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if search.strip():
        text = search.strip()
        queryset = queryset.filter(
            Q(contract__reference__icontains=text)
            | Q(contract__title__icontains=text)
            | Q(reason__icontains=text)
        )
    if due_from:
        queryset = queryset.filter(due_on__gte=due_from)
    if due_to:
        queryset = queryset.filter(due_on__lte=due_to)
    if contract_id is not None:
        queryset = queryset.filter(contract_id=contract_id)
    return queryset.order_by("due_on", "id")


def notice_counts(*, today: dt.date) -> dict[str, int]:
    """How many notices are in each status, one query."""
    rows = _with_status(Notice.objects.all(), today=today).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(NoticeStatus.LABELS, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


@dataclass
class KpiRow:
    kpi: Kpi
    rating: str | None  # the latest rating's label, None if never rated
    rated_on: dt.date | None
    explanation: str


@dataclass
class ContractAct:
    """What the Act asks of one contract, for its page."""

    notifiable: bool
    under_act: bool
    needs_kpis: bool
    kpi_count: int
    kpis: list[KpiRow] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    last_rated_on: dt.date | None = None

    @property
    def kpis_missing(self) -> int:
        return max(act.MIN_KPIS - self.kpi_count, 0) if self.needs_kpis else 0

    @property
    def next_rating_due(self) -> dt.date | None:
        if not self.kpi_count:
            return None
        return act.next_rating_due(self.last_rated_on) if self.last_rated_on else None


def contract_needs_kpis(contract: Contract) -> bool:
    return act.needs_kpis(
        value_including_vat=contract.value_including_vat,
        total_value=contract.total_value,
        is_light_touch=contract.route == Route.LIGHT_TOUCH,
        is_framework=contract.is_framework,
    )


def contract_act(*, contract: Contract, today: dt.date) -> ContractAct:
    """The contract's KPIs with their latest ratings, and its notices: two queries."""
    latest = KpiRating.objects.filter(kpi=OuterRef("pk")).order_by("-rated_on", "-id")
    kpis = list(
        Kpi.objects.filter(contract=contract)
        .annotate(
            latest_rating=Subquery(latest.values("rating")[:1]),
            latest_rated_on=Subquery(latest.values("rated_on")[:1]),
            latest_explanation=Subquery(latest.values("explanation")[:1]),
        )
        .order_by("id")
    )
    labels = dict(KpiRating.Rating.choices)
    rated = [kpi.latest_rated_on for kpi in kpis if kpi.latest_rated_on]
    return ContractAct(
        notifiable=act.is_notifiable(
            value_including_vat=contract.value_including_vat, total_value=contract.total_value
        ),
        under_act=act.under_act(
            procedure=contract.procedure,
            signed_on=contract.signed_on,
            start_date=contract.start_date,
        ),
        needs_kpis=contract_needs_kpis(contract),
        kpi_count=len(kpis),
        kpis=[
            KpiRow(
                kpi,
                labels.get(kpi.latest_rating) if kpi.latest_rating else None,
                kpi.latest_rated_on,
                kpi.latest_explanation or "",
            )
            for kpi in kpis
        ],
        notices=list(notice_list(today=today, contract_id=contract.pk)),
        last_rated_on=min(rated) if rated else None,
    )


def contracts_over_kpi_threshold() -> QuerySet[KpiCountContract]:
    """Contracts that need KPIs (s.52(1)), each with its `kpi_count`."""
    threshold = act.kpi_threshold()
    over = Q(value_including_vat__gt=threshold) | Q(
        value_including_vat__isnull=True, total_value__gt=threshold
    )
    return (
        Contract.objects.filter(over, is_framework=False)
        .exclude(route=Route.LIGHT_TOUCH)
        .exclude(status=Contract.Status.DRAFT)
        .annotate(kpi_count=Count("kpis"))
    )


def contracts_needing_kpis() -> QuerySet[KpiCountContract]:
    """Contracts over the KPI threshold with fewer than three KPIs (s.52(1)), one query."""
    return contracts_over_kpi_threshold().filter(kpi_count__lt=act.MIN_KPIS)


def owes_change_notices(contract: Contract) -> bool:
    """s.75 applies to a public contract (above Schedule 1's threshold) procured under the Act;
    s.75(6)(b): not to a light touch contract."""
    return (
        contract.route != Route.LIGHT_TOUCH
        and act.under_act(
            procedure=contract.procedure,
            signed_on=contract.signed_on,
            start_date=contract.start_date,
        )
        and act.is_public_contract(
            kind=contract.kind,
            value_including_vat=contract.value_including_vat,
            total_value=contract.total_value,
        )
    )


def contract_change_test(
    *,
    contract: Contract,
    value_change: Decimal,
    new_end_date: dt.date | None,
    variations: list[Variation] | None = None,
) -> act.ChangeTest:
    """Would a variation of `value_change` and `new_end_date` need a change notice (s.75)?

    `variations` are the contract's earlier ones, oldest first (read here if not given).
    """
    if variations is None:
        variations = list(Variation.objects.filter(contract=contract).order_by("varied_on", "id"))
    earlier = sum((v.value_change for v in variations), ZERO)
    value_on_award = variations[0].value_before if variations else None
    if value_on_award is None and contract.total_value is not None:
        value_on_award = contract.total_value - earlier
    end_on_award = next(
        (v.end_date_before for v in variations if v.end_date_before is not None),
        contract.end_date,
    )
    return act.change_test(
        kind=contract.kind,
        value_on_award=value_on_award,
        earlier_value_changes=earlier,
        value_change=value_change,
        start_date=contract.start_date,
        end_on_award=end_on_award,
        new_end_date=new_end_date,
    )


def act_filter(
    queryset: QuerySet[Contract],
    *,
    procedure: str = "",
    act: str = "",
    supplier_types: list[str] | tuple[str, ...] = (),
    today: dt.date,
) -> QuerySet[Contract]:
    """The contracts list's Procurement Act filters, as conditions on one query."""
    if procedure:
        queryset = queryset.filter(procedure=procedure)
    if act == "notifiable":
        threshold = act_rules.notifiable_threshold()
        queryset = queryset.filter(
            Q(value_including_vat__gte=threshold)
            | Q(value_including_vat__isnull=True, total_value__gte=threshold)
        )
    elif act == "needs_kpis":
        queryset = queryset.filter(pk__in=contracts_needing_kpis().values("pk"))
    elif act == "notice_overdue":
        overdue = Notice.objects.filter(
            contract=OuterRef("pk"), published_on__isnull=True, due_on__lt=today
        )
        queryset = queryset.filter(Exists(overdue))
    if "supported_employment" in supplier_types:
        queryset = queryset.filter(supplier__is_supported_employment=True)
    if "mutual" in supplier_types:
        queryset = queryset.filter(supplier__is_public_service_mutual=True)
    return queryset


def kpi_coverage(*, today: dt.date) -> dict[str, int]:
    """Live contracts that need KPIs (s.52): how many, and how many have three with a rating in
    the last 12 months (s.71(2)). One query."""
    recent = today - dt.timedelta(days=act_rules.RATING_INTERVAL_DAYS)
    rated = KpiRating.objects.filter(kpi__contract=OuterRef("pk"), rated_on__gte=recent)
    kpis = (
        Kpi.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(n=Count("pk"))
        .values("n")
    )
    over = contracts_over_kpi_threshold().values("pk")
    counts = (
        Contract.objects.filter(pk__in=over, status=Contract.Status.LIVE)
        .annotate(
            kpi_total=Coalesce(Subquery(kpis, output_field=IntegerField()), 0),
            rated=Exists(rated),
        )
        .aggregate(
            total=Count("pk"),
            covered=Count("pk", filter=Q(kpi_total__gte=act_rules.MIN_KPIS, rated=True)),
        )
    )
    return {"total": counts["total"], "covered": counts["covered"]}


def notice_timeliness(*, start: dt.date, end: dt.date, today: dt.date) -> dict[str, int]:
    """Notices whose deadline fell between `start` and `end` (and has passed): published on
    time, late, or not yet. One query."""
    counts = Notice.objects.filter(due_on__gte=start, due_on__lte=min(end, today)).aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(published_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(published_on__gt=F("due_on"))),
    )
    counts["unpublished"] = counts["total"] - counts["on_time"] - counts["late"]
    return counts


@dataclass
class NoticeReport:
    """What the council's own notice reports: the pipeline's procurements (s.93(2)) or the
    payments compliance figures (s.69, reg. 38). Empty for a contract's notice."""

    pipeline: list[PipelineItem] = field(default_factory=list)
    pipeline_total: Decimal = ZERO
    payments: PaymentsCompliance | None = None


def notice_report(*, notice: Notice) -> NoticeReport:
    """One query for a pipeline notice, four for payments compliance, none otherwise."""
    if notice.kind == Notice.Kind.PIPELINE and notice.period_start:
        items = list(pipeline_notice_items(financial_year=notice.period_start.year))
        total = sum((item.estimated_value for item in items), ZERO)
        return NoticeReport(pipeline=items, pipeline_total=total)
    if notice.kind == Notice.Kind.PAYMENTS_COMPLIANCE and notice.period_start and notice.period_end:
        return NoticeReport(
            payments=payments_compliance(start=notice.period_start, end=notice.period_end)
        )
    return NoticeReport()


@dataclass(frozen=True)
class KindTimeliness:
    """One kind of notice whose deadline fell in a period: published on time, late, or not."""

    kind: str
    label: str
    due: int
    on_time: int
    late: int
    unpublished: int

    @property
    def on_time_share(self) -> Decimal | None:
        return share(self.on_time, self.due)


def notice_timeliness_by_kind(
    *, start: dt.date, end: dt.date, today: dt.date
) -> list[KindTimeliness]:
    """For each kind of notice (every kind, zeros included, in the calendar's order), the
    notices whose deadline fell between `start` and `end` and has passed by `today`: how many,
    and how many were published by the deadline, after it, or not yet. One query."""
    rows = {
        row["kind"]: row
        for row in Notice.objects.filter(due_on__gte=start, due_on__lte=min(end, today))
        .order_by()
        .values("kind")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(published_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(published_on__gt=F("due_on"))),
        )
    }
    result = []
    for kind, label in Notice.Kind.choices:
        row = rows.get(kind, {"due": 0, "on_time": 0, "late": 0})
        result.append(
            KindTimeliness(
                kind=kind,
                label=label,
                due=row["due"],
                on_time=row["on_time"],
                late=row["late"],
                unpublished=row["due"] - row["on_time"] - row["late"],
            )
        )
    return result
