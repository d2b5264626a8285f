"""Demo social value data: commitments on most contracts over £100,000 and recent returns.

Returns cover the last six quarters that have ended: mostly verified, some submitted and waiting,
some drafts, some rejected with a reason, and some missing (overdue). Proxy values are made up
for the demonstration and say so in their source: the product ships no licensed measure set.

Everything is written with bulk inserts; commitments and returns carry the history change reason
``DEMO_REASON`` so `social_value_demo_delete` removes exactly what was made here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.demo import DEMO_REASON
from core.history import history_dated
from procurement.models import SOCIAL_VALUE_THRESHOLD, Contract
from socialvalue.models import (
    Commitment,
    EvidenceFile,
    Measure,
    ProxyValue,
    ReturnLine,
    SocialValueReturn,
)
from socialvalue.periods import Period, quarter_of

Status = SocialValueReturn.Status
DEMO_SOURCE = "Made-up demonstration value (not from a licensed measure set)"
BATCH = 1000
QUARTERS = 6

# £ per unit in the first demo year, rising 3% a year. Invented for the demonstration.
PROXY_BASE = {
    "WCC-1.1": Decimal("750"),
    "WCC-1.2": Decimal("250"),
    "WCC-1.3": Decimal("1"),
    "WCC-1.4": Decimal("16.00"),
    "WCC-2.1": Decimal("2900"),
    "WCC-3.1": Decimal("1800"),
    "WCC-4.1": Decimal("0.20"),
    "WCC-5.1": Decimal("5000"),
}
# Quantity promised per £1m of contract value over its life (environmental: per contract).
PER_MILLION = {
    "WCC-1.1": 4,
    "WCC-1.2": 2,
    "WCC-1.3": 1500,
    "WCC-1.4": 450,
    "WCC-2.1": 8,
    "WCC-3.1": 6,
    "WCC-4.1": 150000,
}
REJECTION_REASONS = (
    "The volunteering hours have no timesheets or sign-in sheets attached.",
    "The apprentices listed are not Worcestershire residents: check the addresses.",
    "The local spend figure includes the council's own payments: report subcontracts only.",
    "The quantities are for the whole year, not this quarter. Please split them.",
    "The evidence link does not open. Upload the document instead.",
)
# Outcome shares for the latest quarter and for older ones: (status or None = missing, weight).
EVIDENCE: dict[str, str] = {
    Measure.Unit.HOURS: "Timesheets signed by the host organisations.",
    Measure.Unit.POUNDS: "Subcontractor invoices, with postcodes, for the quarter.",
}
Shares = tuple[tuple[str | None, int], ...]
LATEST: Shares = ((Status.VERIFIED, 30), (Status.SUBMITTED, 30), (Status.DRAFT, 12))
LATEST += ((Status.REJECTED, 6), (None, 22))
OLDER: Shares = ((Status.VERIFIED, 72), (Status.SUBMITTED, 4), (Status.DRAFT, 3))
OLDER += ((Status.REJECTED, 6), (None, 15))


def _ended_quarters(today: dt.date, count: int) -> list[Period]:
    periods = [quarter_of(quarter_of(today).start - dt.timedelta(days=1))]
    while len(periods) < count:
        periods.append(quarter_of(periods[-1].start - dt.timedelta(days=1)))
    return periods[::-1]


def _pick(rng: random.Random, shares: Shares) -> str | None:
    options, weights = zip(*shares, strict=True)
    return rng.choices(options, weights=weights)[0]


def _proxy_values(measures: list[Measure], years: Iterable[int]) -> list[ProxyValue]:
    rows = []
    for measure in measures:
        base = PROXY_BASE.get(measure.code)
        if base is None:
            continue
        for offset, year in enumerate(sorted(years)):
            value = (base * Decimal("1.03") ** offset).quantize(Decimal("0.01"))
            rows.append(
                ProxyValue(
                    measure=measure, financial_year=year, value_per_unit=value, source=DEMO_SOURCE
                )
            )
    return rows


def _promised(rng: random.Random, measure: Measure, value: Decimal) -> Decimal:
    if measure.is_environmental:
        return Decimal(1)
    amount = float(value) / 1_000_000 * PER_MILLION.get(measure.code, 5) * rng.uniform(0.6, 1.5)
    if measure.unit == Measure.Unit.POUNDS:
        return Decimal(round(max(amount, 500), -2))
    return Decimal(max(1, round(amount)))


def _delivered(rng: random.Random, measure: Measure, promised: Decimal, quarters: int) -> Decimal:
    if measure.is_environmental:
        return Decimal(1 if rng.random() < 0.6 else 0)
    share = float(promised) / max(quarters, 1) * rng.uniform(0.3, 1.7)
    if measure.unit == Measure.Unit.POUNDS:
        return Decimal(str(round(share, 2)))
    return Decimal(round(share))


def _runs_in(contract: Contract, period: Period) -> bool:
    starts_ok = contract.start_date is None or contract.start_date <= period.end
    ends_ok = contract.end_date is None or contract.end_date >= period.start
    return starts_ok and ends_ok and contract.status != Contract.Status.DRAFT


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def generate_social_value_demo(
    *, rng: random.Random, contracts: QuerySet | list, today: dt.date
) -> dict[str, int]:
    """Create commitments and a realistic mix of returns; returns counts by kind."""
    if not Measure.objects.exists():
        call_command("loaddata", "socialvalue", verbosity=0)
    measures = list(Measure.objects.filter(code__in=PROXY_BASE).order_by("code"))
    by_code = {measure.code: measure for measure in measures}
    periods = _ended_quarters(today, QUARTERS)
    years = range(periods[0].financial_year - 1, quarter_of(today).financial_year + 1)
    proxies_before = ProxyValue.objects.count()
    ProxyValue.objects.bulk_create(
        _proxy_values(measures, years), batch_size=BATCH, ignore_conflicts=True
    )

    committed_already = set(Commitment.objects.values_list("contract_id", flat=True))
    eligible = [
        contract
        for contract in contracts
        if (contract.total_value or 0) > SOCIAL_VALUE_THRESHOLD
        and contract.pk not in committed_already
        and contract.status != Contract.Status.DRAFT
    ]
    chosen = [contract for contract in eligible if rng.random() < 0.85]
    commitments: list[Commitment] = []
    promised: dict[int, list[tuple[Measure, Decimal]]] = {}
    general = [code for code in PER_MILLION if code != "WCC-4.1"]
    for contract in chosen:
        codes = rng.sample(general, k=rng.randint(1, 3))
        if rng.random() < 0.5:
            codes.append("WCC-4.1")
        if contract.carbon_commitment or rng.random() < 0.2:
            codes.append("WCC-5.1")
        due_by = contract.end_date or today.replace(year=today.year + 2)
        for code in codes:
            measure = by_code[code]
            quantity = _promised(rng, measure, contract.total_value)
            promised.setdefault(contract.pk, []).append((measure, quantity))
            commitments.append(
                Commitment(
                    contract=contract,
                    measure=measure,
                    quantity=quantity,
                    due_by=due_by,
                    recorded_by_id=contract.owner_id,
                )
            )
    bulk_create_with_history(
        commitments, Commitment, batch_size=BATCH, default_change_reason=DEMO_REASON
    )

    returns: list[SocialValueReturn] = []
    planned_lines: list[list[tuple[Measure, Decimal]]] = []
    counts = {"verified": 0, "submitted": 0, "draft": 0, "rejected": 0, "missing": 0}
    for contract in chosen:
        life = 12
        if contract.start_date and contract.end_date:
            life = max(1, round((contract.end_date - contract.start_date).days / 91))
        for index, period in enumerate(periods):
            if not _runs_in(contract, period):
                continue
            status = _pick(rng, LATEST if index == len(periods) - 1 else OLDER)
            if status is None:
                counts["missing"] += 1
                continue
            counts[status] += 1
            returns.append(_return(rng, contract, period, status, today))
            lines = [
                (measure, _delivered(rng, measure, quantity, life))
                for measure, quantity in promised[contract.pk]
            ]
            if rng.random() < 0.1:
                extra = by_code[rng.choice(general)]
                if all(extra != measure for measure, _ in lines):
                    lines.append((extra, Decimal(rng.randint(1, 20))))
            planned_lines.append(lines)
    created = bulk_create_with_history(
        returns, SocialValueReturn, batch_size=BATCH, default_change_reason=DEMO_REASON
    )
    if any(r.pk is None for r in created):  # databases that return no primary keys
        keyed = {
            (r.contract_id, r.period_start): r.pk
            for r in SocialValueReturn.objects.filter(contract__in=chosen)
        }
        for r in created:
            r.pk = keyed[(r.contract_id, r.period_start)]
    return_lines = [
        ReturnLine(
            social_value_return_id=social_value_return.pk,
            measure=measure,
            quantity=quantity,
            evidence=_evidence_text(rng, measure, social_value_return.status),
        )
        for social_value_return, planned in zip(created, planned_lines, strict=True)
        for measure, quantity in planned
    ]
    ReturnLine.objects.bulk_create(return_lines, batch_size=BATCH)
    return {
        "proxy values": ProxyValue.objects.count() - proxies_before,
        "commitments": len(commitments),
        "returns": len(created),
        "return lines": len(return_lines),
        **{f"returns {name}": number for name, number in counts.items()},
    }


def _return(
    rng: random.Random, contract: Contract, period: Period, status: str, today: dt.date
) -> SocialValueReturn:
    social_value_return = SocialValueReturn(
        contract=contract,
        period_start=period.start,
        period_end=period.end,
        financial_year=period.financial_year,
        status=status,
        created_by=None,
    )
    # The history record is dated when the return reached its status, not when this ran.
    history_dated(social_value_return, _at(min(period.end + dt.timedelta(days=3), today), 9))
    if status == Status.DRAFT:
        return social_value_return
    submitted = min(period.end + dt.timedelta(days=rng.randint(5, 40)), today)
    social_value_return.submitted_at = _at(submitted)
    history_dated(social_value_return, social_value_return.submitted_at)
    if status in (Status.VERIFIED, Status.REJECTED):
        reviewed = min(submitted + dt.timedelta(days=rng.randint(2, 25)), today)
        social_value_return.reviewed_at = _at(reviewed, 15)
        social_value_return.reviewed_by_id = contract.owner_id
        history_dated(social_value_return, social_value_return.reviewed_at)
    if status == Status.REJECTED:
        social_value_return.rejection_reason = rng.choice(REJECTION_REASONS)
    return social_value_return


def _evidence_text(rng: random.Random, measure: Measure, status: str) -> str:
    if status == Status.DRAFT and rng.random() < 0.5:
        return ""
    return EVIDENCE.get(
        measure.unit, "List of names, dates and places, kept by the contract manager."
    )


@transaction.atomic
def social_value_demo_delete() -> dict[str, int]:
    """Remove the demo returns and commitments (and the demo proxy values)."""
    returns = SocialValueReturn.objects.filter(
        pk__in=SocialValueReturn.history.filter(
            history_type="+", history_change_reason=DEMO_REASON
        ).values("id")
    )
    commitments = Commitment.objects.filter(
        pk__in=Commitment.history.filter(
            history_type="+", history_change_reason=DEMO_REASON
        ).values("id")
    )
    removed = {
        "evidence files": EvidenceFile.objects.filter(social_value_return__in=returns).count(),
        "returns": returns.count(),
        "commitments": commitments.count(),
    }
    returns.delete()
    commitments.delete()
    removed["proxy values"] = ProxyValue.objects.filter(source=DEMO_SOURCE).delete()[0]
    return removed
