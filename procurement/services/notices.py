"""Writes for the Procurement Act 2023: which notices are due, KPIs and their ratings, marking a
notice published, and the owners' emails. The rules are in procurement/act.py.

`notices_sync` works out every notice the register makes due and brings the Notice rows into
line: new ones are added, an unpublished one whose event moved (a new end date) is replaced,
a published one is never touched. The register's services call it for the contracts they
change; `notice_alerts` (cron, daily) calls it for all, so an end date passing makes its
termination notice due without anyone editing the contract, and for the council's own notices
(`council_notices_sync`: the pipeline notice, s.93, and payments compliance, s.69).

Emails: a contract's notice goes to the contract's owner; the council's own notices have no
owner, so they go to ACT_COUNCIL_NOTICE_EMAILS (the head of procurement; for payments the
finance director approves the notice, reg. 38(2)(e)), or, where that is empty, to every active
administrator with an email address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATORS
from core.dates import day_month_year
from core.financial_year import current_financial_year, financial_year_label
from core.history import history_save
from core.text import counted
from procurement import act
from procurement.models import Contract, Kpi, KpiRating, Notice, Route, Variation
from procurement.selectors import council_notices
from procurement.selectors.notices import contract_change_test, owes_change_notices

Kind = Notice.Kind
ENDED = (Contract.Status.EXPIRED, Contract.Status.TERMINATED)


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    contract_id: int | None
    reason: str
    due_on: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None


def _long(day: dt.date) -> str:
    return day_month_year(day, long=True)


def _contract_notices(contract: Contract, *, today: dt.date) -> list[Due]:
    """The details and termination notices one contract owes."""
    if contract.status == Contract.Status.DRAFT or not act.under_act(
        procedure=contract.procedure, signed_on=contract.signed_on, start_date=contract.start_date
    ):
        return []
    values = {
        "value_including_vat": contract.value_including_vat,
        "total_value": contract.total_value,
    }
    due = []
    entered_into = contract.signed_on or contract.start_date
    if entered_into and act.is_notifiable(**values):
        due.append(
            Due(
                f"details:{contract.pk}",
                Kind.CONTRACT_DETAILS,
                contract.pk,
                f"Contract entered into on {_long(entered_into)} (s.53, s.87)",
                act.details_deadline(
                    entered_into, is_light_touch=contract.route == Route.LIGHT_TOUCH
                ),
            )
        )
    ended_on = contract.end_date
    if (
        ended_on is not None
        and (contract.status in ENDED or ended_on < today)
        and act.is_public_contract(kind=contract.kind, **values)
    ):
        due.append(
            Due(
                f"termination:{contract.pk}:{ended_on.isoformat()}",
                Kind.CONTRACT_TERMINATION,
                contract.pk,
                f"Contract ended on {_long(ended_on)} (s.80)",
                act.termination_deadline(ended_on),
            )
        )
    return due


def _change_notices(contract: Contract, variations: list[Variation]) -> list[Due]:
    """s.75: each variation that, with the earlier ones, crosses the lines."""
    if not owes_change_notices(contract):
        return []
    due = []
    for index, variation in enumerate(variations):
        test = contract_change_test(
            contract=contract,
            value_change=variation.value_change,
            new_end_date=variation.new_end_date,
            variations=variations[:index],
        )
        if test.needs_notice:
            due.append(
                Due(
                    f"change:{variation.pk}",
                    Kind.CONTRACT_CHANGE,
                    contract.pk,
                    f"Variation of {_long(variation.varied_on)}: {test.reason} (s.75)"[:255],
                    variation.varied_on,
                )
            )
    return due


def notices_due(*, contracts: Iterable[Contract], today: dt.date) -> list[Due]:
    """Every notice these contracts owe, in three queries whatever their number."""
    contracts = list(contracts)
    ids = [contract.pk for contract in contracts]
    variations: dict[int, list[Variation]] = {}
    for variation in Variation.objects.filter(contract_id__in=ids).order_by("varied_on", "id"):
        variations.setdefault(variation.contract_id, []).append(variation)
    due: list[Due] = []
    for contract in contracts:
        due += _contract_notices(contract, today=today)
        due += _change_notices(contract, variations.get(contract.pk, []))
    rated = (
        KpiRating.objects.filter(kpi__contract_id__in=ids)
        .values_list("kpi__contract_id", "rated_on")
        .distinct()
        .order_by("kpi__contract_id", "rated_on")
    )
    for contract_id, rated_on in rated:
        if not act.performance_notice_owed(rated_on):
            continue
        due.append(
            Due(
                f"performance:{contract_id}:{rated_on.isoformat()}",
                Kind.CONTRACT_PERFORMANCE,
                contract_id,
                f"KPIs rated on {_long(rated_on)} (s.71(2), reg. 39)",
                act.performance_deadline(rated_on),
            )
        )
    return due


def _bring_into_line(due: dict[str, Due], existing: QuerySet[Notice]) -> int:
    """Make the `existing` notices match `due`: drop the unpublished ones no longer due, move
    the unpublished ones whose deadline or reason changed, add the new ones. Returns how many
    were added."""
    existing.filter(published_on__isnull=True).exclude(key__in=list(due)).delete()
    kept = {n.key: n for n in Notice.objects.filter(key__in=list(due))}
    changed = []
    fields = ("due_on", "reason", "period_start", "period_end")
    for key, notice in kept.items():
        row = due[key]
        if notice.published_on is None and any(
            getattr(notice, name) != getattr(row, name) for name in fields
        ):
            for name in fields:
                setattr(notice, name, getattr(row, name))
            changed.append(notice)
    Notice.objects.bulk_update(changed, list(fields))
    new = [
        Notice(
            key=row.key,
            kind=row.kind,
            contract_id=row.contract_id,
            reason=row.reason,
            due_on=row.due_on,
            period_start=row.period_start,
            period_end=row.period_end,
        )
        for key, row in due.items()
        if key not in kept
    ]
    Notice.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def notices_sync(*, contract_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """Bring the notices of these contracts (all, and the council's own, if None) into line
    with the rules; returns how many were added."""
    today = today or timezone.localdate()
    contracts = Contract.objects.all()
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=list(contract_ids))
    contracts = contracts.order_by("pk")
    due = {row.key: row for row in notices_due(contracts=contracts, today=today)}
    added = _bring_into_line(due, Notice.objects.filter(contract__in=contracts))
    if contract_ids is None:
        added += council_notices_sync(today=today)
    return added


def _money(amount: Decimal) -> str:
    return f"£{amount:,.0f}"


def council_notices_due(*, today: dt.date) -> list[Due]:
    """The council's own notices: a pipeline notice for each financial year from 2025/26 to
    the next whose pipeline total is over £100 million (s.93), and a payments compliance notice
    for each reporting period since s.69 came into force in which the council paid a supplier
    (s.69(1)). Two queries."""
    due = []
    next_year = current_financial_year(today) + 1
    first = council_notices.FIRST_PIPELINE_YEAR
    for year in council_notices.pipeline_years(first=first, last=next_year):
        if not year.needs_notice:
            continue
        period_start, period_end = act.pipeline_reporting_period(year.financial_year)
        label = financial_year_label(year.financial_year)
        due.append(
            Due(
                f"pipeline:{year.financial_year}",
                Kind.PIPELINE,
                None,
                f"The pipeline's total for {label} is {_money(year.expected)}, over "
                f"{_money(act.pipeline_threshold())}: {counted(year.items, 'procurement')}"
                f" over {_money(act.pipeline_item_threshold())} "
                f"planned by {_long(period_end)} (s.93)",
                act.pipeline_deadline(year.financial_year),
                period_start,
                period_end,
            )
        )
    periods = act.payments_reporting_periods(today=today)
    paid = council_notices.payments_in_periods(periods=periods)
    for start, end in periods:
        if not paid.get(start):
            continue
        due.append(
            Due(
                f"payments:{start.isoformat()}",
                Kind.PAYMENTS_COMPLIANCE,
                None,
                f"Reporting period {_long(start)} to {_long(end)}: "
                f"{counted(paid[start], 'payment')} to suppliers (s.69, reg. 38)",
                act.payments_compliance_deadline(end),
                start,
                end,
            )
        )
    return due


@transaction.atomic
def council_notices_sync(*, today: dt.date | None = None) -> int:
    """Bring the pipeline and payments compliance notices into line; returns how many were
    added."""
    today = today or timezone.localdate()
    due = {row.key: row for row in council_notices_due(today=today)}
    return _bring_into_line(due, Notice.objects.filter(kind__in=Notice.COUNCIL_KINDS))


@transaction.atomic
def notice_publish(
    *,
    notice: Notice,
    published_on: dt.date,
    identifier: str,
    user: User | None,
) -> Notice:
    """Record that the notice is out on the central digital platform."""
    current = Notice.objects.select_for_update().get(pk=notice.pk)
    if current.published_on is not None:
        raise ValidationError("This notice has already been marked published.")
    current.published_on = published_on
    current.identifier = identifier.strip()
    current.published_by = user
    return history_save(current, user=user)


@transaction.atomic
def kpi_create(
    *, contract: Contract, name: str, good_looks_like: str, measured_by: str, user: User | None
) -> Kpi:
    kpi = Kpi(
        contract=contract, name=name, good_looks_like=good_looks_like, measured_by=measured_by
    )
    return history_save(kpi, user=user)


@transaction.atomic
def kpi_ratings_record(
    *,
    contract: Contract,
    rated_on: dt.date,
    period_start: dt.date,
    ratings: dict[int, tuple[str, str]],
    user: User | None,
) -> list[KpiRating]:
    """Rate the contract's KPIs (id -> (rating, explanation)); the contract performance notice
    for the day becomes due (s.71(2))."""
    if period_start > rated_on:
        raise ValidationError({"period_start": "The period must start on or before the rating."})
    kpi_ids = set(Kpi.objects.filter(contract=contract).values_list("pk", flat=True))
    rows = []
    for kpi_id, (rating, explanation) in ratings.items():
        if kpi_id not in kpi_ids:
            raise ValidationError("A KPI of another contract cannot be rated here.")
        row = KpiRating(
            kpi_id=kpi_id,
            rated_on=rated_on,
            period_start=period_start,
            rating=rating,
            explanation=explanation.strip(),
            rated_by=user,
        )
        if row.rating == KpiRating.Rating.OTHER and not row.explanation:
            raise ValidationError({"explanation": "Explain a rating of Other (reg. 39(5))."})
        row.full_clean()
        rows.append(row)
    KpiRating.objects.bulk_create(rows)
    notices_sync(contract_ids=[contract.pk])
    return rows


# -- emails ------------------------------------------------------------------------------------


@dataclass
class NoticeAlert:
    notice: Notice
    recipients: list[str]
    overdue: bool
    subject: str
    body: str


def reminder_days() -> int:
    return int(getattr(settings, "ACT_NOTICE_REMINDER_DAYS", 7))


def council_notice_recipients() -> list[str]:
    """Who is emailed about the council's own notices: ACT_COUNCIL_NOTICE_EMAILS, else every
    active administrator with an email address. One query at most."""
    configured = [email for email in getattr(settings, "ACT_COUNCIL_NOTICE_EMAILS", []) if email]
    if configured:
        return configured
    administrators = User.objects.filter(is_active=True).exclude(email="")
    administrators = administrators.filter(
        Q(is_superuser=True) | Q(groups__name=ADMINISTRATORS)
    ).distinct()
    return sorted(administrators.values_list("email", flat=True))


def notice_alerts_due(*, today: dt.date) -> list[NoticeAlert]:
    """Each unpublished notice's owner (the council's own notices: council_notice_recipients)
    is emailed once when its deadline is near and once when it has passed; two queries."""
    soon = today + dt.timedelta(days=reminder_days())
    owned = Q(contract__owner__isnull=False) & ~Q(contract__owner__email="")
    notices = (
        Notice.objects.filter(published_on__isnull=True)
        .filter(owned | Q(contract__isnull=True))
        .filter(
            Q(due_on__lte=soon, due_on__gte=today, reminder_sent_at__isnull=True)
            | Q(due_on__lt=today, overdue_sent_at__isnull=True)
        )
        .select_related("contract", "contract__owner")
        .order_by("due_on", "id")
    )
    alerts = []
    council: list[str] | None = None
    for notice in notices:
        overdue = notice.due_on < today
        contract = notice.contract
        if contract is None:
            if council is None:
                council = council_notice_recipients()
            recipients, search, whose = council, "", "the council"
        else:
            if contract.owner is None:  # the query leaves these out
                continue
            recipients = [contract.owner.email]
            search = whose = contract.reference
        if not recipients:
            continue
        state = "was due" if overdue else "is due"
        subject = f"{notice.get_kind_display()} for {whose} {state} by {_long(notice.due_on)}"
        query = f"?search={search}" if search else f"?kind={notice.kind}"
        url = settings.SITE_URL + reverse("procurement:notice-list") + query
        body = (
            f"{subject}.\n\nWhy: {notice.reason}.\n\n"
            f"Publish it on the central digital platform, then mark it published in the "
            f"compliance calendar: {url}\n"
        )
        alerts.append(NoticeAlert(notice, list(recipients), overdue, subject, body))
    return alerts


def notice_alerts_send(*, today: dt.date, dry_run: bool = False) -> list[NoticeAlert]:
    """Send the emails due today and record each as it goes, so none is sent twice."""
    alerts = notice_alerts_due(today=today)
    if dry_run or not alerts:
        return alerts
    now = timezone.now()
    with get_connection() as connection:
        for alert in alerts:
            EmailMessage(
                alert.subject, alert.body, to=alert.recipients, connection=connection
            ).send()
            column = "overdue_sent_at" if alert.overdue else "reminder_sent_at"
            Notice.objects.filter(pk=alert.notice.pk).update(**{column: now})
    return alerts
