"""Renewal alerts: warn a contract's owner ahead of its end date.

Each lead time (9, 6 and 3 months by default) is sent once per end date: a ContractAlert row
records it. A contract first seen inside several lead times gets one email, and every passed
threshold is recorded, so the owner is not sent three warnings on the same day. When a variation
moves the end date, the rows no longer match the new date and the warnings start again.

Months are calendar months: 31 May minus three months is 28 (or 29) February.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as format_date

from core.dates import add_months, months_left
from procurement.models import Contract, ContractAlert

DEFAULT_ALERT_MONTHS = (9, 6, 3)


def alert_months() -> tuple[int, ...]:
    """The lead times from settings, largest first."""
    months = getattr(settings, "CONTRACT_ALERT_MONTHS", DEFAULT_ALERT_MONTHS)
    return tuple(sorted({int(m) for m in months}, reverse=True))


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def latest_end_date_due(*, today: date, months: int) -> date:
    """The last end date whose `months`-before warning is due by `today`.

    Clamping makes 29, 30 and 31 May all fall back to 28 February, so on the last day of a month
    every end date in the month `months` ahead is due.
    """
    ahead = add_months(today, months)
    if _is_month_end(today):
        return ahead.replace(day=calendar.monthrange(ahead.year, ahead.month)[1])
    return ahead


def thresholds_due(*, today: date, end_date: date, months: Sequence[int]) -> list[int]:
    """The lead times whose warning date has passed, for a contract not yet ended."""
    if today > end_date:
        return []
    return sorted((m for m in months if add_months(end_date, -m) <= today), reverse=True)


@dataclass
class RenewalAlert:
    """One email to one contract owner, covering every threshold newly passed."""

    contract: Contract
    recipient: str
    end_date: date
    months_before: list[int]
    months_left: int
    subject: str
    body: str
    sent: bool = field(default=False)


def _due_contracts(*, today: date, months: Sequence[int]) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(
            status=Contract.Status.LIVE,
            end_date__gte=today,
            end_date__lte=latest_end_date_due(today=today, months=max(months)),
            owner__isnull=False,
        )
        .exclude(owner__email="")
        .select_related("owner", "supplier")
        .order_by("end_date", "reference")
    )


def contract_path(contract: Contract) -> str:
    return reverse("procurement:contract-detail", args=[contract.pk])


def _build(contract: Contract, *, today: date, new: list[int]) -> RenewalAlert:
    # _due_contracts chose contracts with an end date and an owner.
    assert contract.end_date is not None and contract.owner is not None
    end_text = format_date(contract.end_date, "j F Y")
    left = months_left(today=today, end_date=contract.end_date)
    subject = f"Contract {contract.reference} ends on {end_text}: renewal decision needed"
    body = render_to_string(
        "email/contract_alert.txt",
        {
            "contract": contract,
            "end_text": end_text,
            "months_left": left,
            "threshold": min(new),
            "url": settings.SITE_URL + contract_path(contract),
            "council_name": getattr(settings, "COUNCIL_NAME", ""),
        },
    ).strip()
    return RenewalAlert(
        contract=contract,
        recipient=contract.owner.email,
        end_date=contract.end_date,
        months_before=new,
        months_left=left,
        subject=subject,
        body=body,
    )


def contract_alerts_due(*, today: date, months: Sequence[int]) -> list[RenewalAlert]:
    """The alerts that would go out today, in two queries whatever the number of contracts."""
    if not months:
        return []
    candidates = list(_due_contracts(today=today, months=months))
    already_sent = set(
        ContractAlert.objects.filter(contract__in=[c.pk for c in candidates]).values_list(
            "contract_id", "months_before", "end_date"
        )
    )
    alerts = []
    for contract in candidates:
        assert contract.end_date is not None  # _due_contracts chose it by its end date
        due = thresholds_due(today=today, end_date=contract.end_date, months=months)
        new = [m for m in due if (contract.pk, m, contract.end_date) not in already_sent]
        if new:
            alerts.append(_build(contract, today=today, new=new))
    return alerts


def contract_alerts_send(
    *, today: date, months: Sequence[int], dry_run: bool = False
) -> list[RenewalAlert]:
    """Send the renewal alerts due today and record them; with `dry_run`, only list them.

    Each email is recorded once it has gone, so if the mail server fails part-way the alerts
    already sent are kept and the rest go on the next run.
    """
    alerts = contract_alerts_due(today=today, months=months)
    if dry_run or not alerts:
        return alerts
    sent: list[ContractAlert] = []
    try:
        with get_connection() as connection:
            for alert in alerts:
                EmailMessage(
                    alert.subject, alert.body, to=[alert.recipient], connection=connection
                ).send()
                alert.sent = True
                sent.extend(
                    ContractAlert(
                        contract=alert.contract,
                        months_before=m,
                        end_date=alert.end_date,
                        recipient=alert.recipient,
                    )
                    for m in alert.months_before
                )
    finally:
        with transaction.atomic():
            # ignore_conflicts: a second run at the same moment must not fail the whole batch.
            ContractAlert.objects.bulk_create(sent, ignore_conflicts=True)
    return alerts
