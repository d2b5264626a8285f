"""Writes for the Procurement Act 2023: which notices are due, KPIs and their ratings, marking a
notice published, and the owners' emails. The rules are in procurement/act.py.

`notices_sync` works out every notice the register makes due and brings the Notice rows into
line: new ones are added, an unpublished one whose event moved (a new end date) is replaced,
a published one is never touched. The register's services call it for the contracts they
change; `notice_alerts` (cron, daily) calls it for all, so an end date passing makes its
termination notice due without anyone editing the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from procurement import act
from procurement.models import Contract, Kpi, KpiRating, Notice, Variation
from procurement.selectors.notices import contract_change_test, owes_change_notices

Kind = Notice.Kind
ENDED = (Contract.Status.EXPIRED, Contract.Status.TERMINATED)


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    contract_id: int
    reason: str
    due_on: dt.date


def _long(day: dt.date) -> str:
    return format_date(day, "j F Y")


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
                act.details_deadline(entered_into),
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


@transaction.atomic
def notices_sync(*, contract_ids: Iterable[int] | None = None, today: dt.date | None = None) -> int:
    """Bring the notices of these contracts (all if None) into line with the rules; returns
    how many were added."""
    today = today or timezone.localdate()
    contracts = Contract.objects.all()
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=list(contract_ids))
    contracts = contracts.order_by("pk")
    due = {row.key: row for row in notices_due(contracts=contracts, today=today)}
    existing = Notice.objects.filter(contract__in=contracts)
    stale = existing.filter(published_on__isnull=True).exclude(key__in=list(due))
    stale.delete()
    kept = {n.key: n for n in Notice.objects.filter(key__in=list(due))}
    changed = []
    for key, notice in kept.items():
        row = due[key]
        if notice.published_on is None and (notice.due_on, notice.reason) != (
            row.due_on,
            row.reason,
        ):
            notice.due_on, notice.reason = row.due_on, row.reason
            changed.append(notice)
    Notice.objects.bulk_update(changed, ["due_on", "reason"])
    new = [
        Notice(
            key=row.key,
            kind=row.kind,
            contract_id=row.contract_id,
            reason=row.reason,
            due_on=row.due_on,
        )
        for key, row in due.items()
        if key not in kept
    ]
    Notice.objects.bulk_create(new)
    return len(new)


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
    current.full_clean()
    current._history_user = user  # type: ignore[attr-defined]
    current.save()
    return current


@transaction.atomic
def kpi_create(
    *, contract: Contract, name: str, good_looks_like: str, measured_by: str, user: Any
) -> Kpi:
    kpi = Kpi(
        contract=contract, name=name, good_looks_like=good_looks_like, measured_by=measured_by
    )
    kpi.full_clean()
    kpi._history_user = user  # type: ignore[attr-defined]
    kpi.save()
    return kpi


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
    recipient: str
    overdue: bool
    subject: str
    body: str


def reminder_days() -> int:
    return int(getattr(settings, "ACT_NOTICE_REMINDER_DAYS", 7))


def notice_alerts_due(*, today: dt.date) -> list[NoticeAlert]:
    """Each unpublished notice's owner is emailed once when its deadline is near and once when
    it has passed; one query."""
    soon = today + dt.timedelta(days=reminder_days())
    notices = (
        Notice.objects.filter(published_on__isnull=True, contract__owner__isnull=False)
        .exclude(contract__owner__email="")
        .filter(
            Q(due_on__lte=soon, due_on__gte=today, reminder_sent_at__isnull=True)
            | Q(due_on__lt=today, overdue_sent_at__isnull=True)
        )
        .select_related("contract", "contract__owner")
        .order_by("due_on", "id")
    )
    alerts = []
    for notice in notices:
        overdue = notice.due_on < today
        contract = notice.contract
        owner = contract.owner
        if owner is None:  # the query leaves these out
            continue
        state = "was due" if overdue else "is due"
        subject = (
            f"{notice.get_kind_display()} for {contract.reference} {state} by "
            f"{_long(notice.due_on)}"
        )
        url = (
            settings.SITE_URL + reverse("procurement:notice-list") + f"?search={contract.reference}"
        )
        body = (
            f"{subject}.\n\nWhy: {notice.reason}.\n\n"
            f"Publish it on the central digital platform, then mark it published in the "
            f"compliance calendar: {url}\n"
        )
        alerts.append(NoticeAlert(notice, owner.email, overdue, subject, body))
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
                alert.subject, alert.body, to=[alert.recipient], connection=connection
            ).send()
            column = "overdue_sent_at" if alert.overdue else "reminder_sent_at"
            Notice.objects.filter(pk=alert.notice.pk).update(**{column: now})
    return alerts
