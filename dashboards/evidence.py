"""Evidence beside the self-assessment: what the data measures for the indicators it can speak to.

For each rule in dashboards/evidence_rules.py this module measures a share in SQL, and the rule
turns it into the level the data supports, to set beside the indicator's latest self-assessed
level. Shares are rounded to one decimal place before the rule reads them, so the level matches
the figure on the page. A signal with nothing to measure (no variations in the year, no target
set) suggests no level and is not compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.db.models.functions import Length, Trim

from core.financial_year import financial_year_bounds, financial_year_label
from core.money import whole_pounds
from core.percent import share
from core.text import counted
from dashboards.evidence_rules import RULES, EvidenceRule, comparison
from maturity import selectors as maturity
from maturity.models import Framework, Indicator, Level
from procurement.models import (
    SOCIAL_VALUE_MIN_WEIGHTING,
    SOCIAL_VALUE_THRESHOLD,
    Contract,
    Risk,
    Variation,
)
from procurement.selectors import notices, payments_compliance, planning, register
from procurement.selectors.spend import Headline
from socialvalue.models import Commitment, SocialValueReturn
from socialvalue.periods import ended_quarters
from socialvalue.selectors.overdue import active_in

# -- what is measured --------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveContractCounts:
    """Counts over live contracts: register completeness, risk and the compliance checks."""

    live: int
    complete: int
    high_risk: int
    slavery_assessed: int
    personal_data: int

    @property
    def complete_share(self) -> Decimal | None:
        return share(self.complete, self.live)

    @property
    def slavery_share(self) -> Decimal | None:
        return share(self.slavery_assessed, self.live)

    @property
    def personal_data_share(self) -> Decimal | None:
        return share(self.personal_data, self.live)


COMPLETE_RECORD = Q(
    owner__isnull=False,
    start_date__isnull=False,
    end_date__isnull=False,
    total_value__isnull=False,
    category__isnull=False,
    supplier__isnull=False,
)


def live_contract_counts() -> LiveContractCounts:
    """One aggregate over the live contracts on the register."""
    counts = (
        register.contracts()
        .live()
        .aggregate(
            live=Count("pk"),
            complete=Count("pk", filter=COMPLETE_RECORD),
            high_risk=Count("pk", filter=Q(risk_rating=Risk.HIGH)),
            slavery_assessed=Count("pk", filter=~Q(modern_slavery_risk=Risk.UNKNOWN)),
            personal_data=Count("pk", filter=Q(processes_personal_data=True)),
        )
    )
    return LiveContractCounts(**counts)


def variation_counts(*, year: int) -> dict[str, int]:
    """Variations dated in the year, and those recording both a reason and who approved them
    (text that is more than spaces)."""
    return (
        Variation.objects.filter(varied_on__range=financial_year_bounds(year))
        .annotate(reason_length=Length(Trim("reason")), approver_length=Length(Trim("approved_by")))
        .aggregate(
            total=Count("pk"),
            controlled=Count("pk", filter=Q(reason_length__gt=0, approver_length__gt=0)),
        )
    )


def return_counts(*, year: int, today: dt.date) -> dict[str, int] | None:
    """Contracts with social value commitments that were running in an ended quarter of the
    year, and those with a verified return covering every ended quarter they ran in: one
    query, counting each contract's covering returns per quarter over one join. None when no
    quarter of the year has ended yet."""
    quarters = ended_quarters(year=year, today=today)
    if not quarters:
        return None
    first, last = quarters[0], quarters[-1]
    # Only verified returns overlapping the ended quarters are joined, so the join stays small.
    verified = FilteredRelation(
        "social_value_returns",
        condition=Q(
            social_value_returns__status=SocialValueReturn.Status.VERIFIED,
            social_value_returns__period_start__lte=last.end,
            social_value_returns__period_end__gte=first.start,
        ),
    )
    covering = {}
    late = Q()
    for number, quarter in enumerate(quarters):
        name = f"covering_{number}"
        covering[name] = Count(
            "verified__pk",
            filter=Q(
                verified__period_start__lte=quarter.start, verified__period_end__gte=quarter.end
            ),
        )
        late |= active_in(quarter.start, quarter.end) & Q(**{name: 0})
    counts = (
        Contract.objects.exclude(status=Contract.Status.DRAFT)
        .filter(Exists(Commitment.objects.filter(contract=OuterRef("pk"))))
        .filter(active_in(first.start, last.end))
        .annotate(verified=verified)
        .annotate(**covering)
        .aggregate(total=Count("pk"), late=Count("pk", filter=late))
    )
    return {
        "total": counts["total"],
        "up_to_date": counts["total"] - counts["late"],
        "quarters": len(quarters),
    }


def rule_indicators(*, framework: Framework | None) -> dict[tuple[str, str], Indicator]:
    """The rules' indicators with their positions (latest assessment, target): one query."""
    names = Q()
    for rule in RULES:
        names |= Q(key_area__name=rule.key_area, name=rule.indicator)
    positions = maturity.indicator_positions(framework=framework).filter(names)
    return {(indicator.key_area.name, indicator.name): indicator for indicator in positions}


# -- the signals -------------------------------------------------------------------------------

COMPARISON_TAGS = {
    "above": ("red", "Self-assessment above the data"),
    "below": ("orange", "Self-assessment below the data"),
    "matches": ("green", "Matches the data"),
    "": ("grey", "Cannot compare"),
}


@dataclass(frozen=True)
class EvidenceSignal:
    rule: EvidenceRule
    indicator: Indicator | None
    measured: Decimal | None
    detail: str
    change: Decimal | None = None

    @property
    def self_assessed(self) -> int | None:
        return getattr(self.indicator, "current_level", None)

    @property
    def self_assessed_name(self) -> str:
        return Level.label_for(self.self_assessed)

    @property
    def suggested(self) -> int | None:
        return self.rule.suggested_level(self.measured)

    @property
    def suggested_name(self) -> str:
        return Level.label_for(self.suggested)

    @property
    def comparison(self) -> str:
        return comparison(self_assessed=self.self_assessed, suggested=self.suggested)

    @property
    def disagrees(self) -> bool:
        return self.comparison in {"above", "below"}

    @property
    def tag_colour(self) -> str:
        return COMPARISON_TAGS[self.comparison][0]

    @property
    def comparison_label(self) -> str:
        return COMPARISON_TAGS[self.comparison][1]


def _counted(
    part: int, whole: int, sentence: str, *, none: str | None = None
) -> tuple[Decimal | None, str]:
    """The share and the sentence that explains it; with `none`, no share and that sentence
    where there is nothing to count."""
    if not whole and none is not None:
        return None, none
    return share(part, whole), sentence.format(part=f"{part:,}", whole=f"{whole:,}")


def act_evidence(*, year: int, today: dt.date) -> dict[str, tuple[Decimal | None, str]]:
    """The Procurement Act's signals (rules act-kpis, act-notices, sme-payments): three
    queries."""
    label = financial_year_label(year)
    start, end = financial_year_bounds(year)
    kpis = notices.kpi_coverage(today=min(end, today))
    timeliness = notices.notice_timeliness(start=start, end=end, today=today)
    paid = payments_compliance.sme_payment_times(start=start, end=end)
    return {
        "act-kpis": _counted(
            kpis["covered"],
            kpis["total"],
            "{part} of {whole} live contracts over £5 million have three KPIs and a rating "
            "in the last 12 months.",
            none="No live contract is worth over £5 million.",
        ),
        "act-notices": _counted(
            timeliness["on_time"],
            timeliness["total"],
            f"{{part}} of {{whole}} notices due in {label} were published on time; "
            f"{timeliness['late']} late and {timeliness['unpublished']} not yet published.",
            none=f"No notice under the Act fell due in {label}.",
        ),
        "sme-payments": _counted(
            paid["within_30"],
            paid["payments"],
            f"{{part}} of {{whole}} payments to SMEs in {label} with an invoice date were "
            "made within 30 days.",
            none=f"No payment to an SME in {label} carries an invoice date.",
        ),
    }


def evidence_signals(
    *,
    framework: Framework | None,
    year: int,
    today: dt.date,
    live_counts: LiveContractCounts,
    spend: Headline | None,
    savings_total: Decimal,
    savings_target: Decimal | None,
) -> list[EvidenceSignal]:
    """One signal per rule, in the rules' order: four queries besides the parts passed in."""
    label = financial_year_label(year)
    indicators = rule_indicators(framework=framework)
    measured: dict[str, tuple[Decimal | None, str]] = {}
    change: Decimal | None = None

    measured["register-complete"] = _counted(
        live_counts.complete,
        live_counts.live,
        "{part} of {whole} live contracts have an owner, start and end dates, a total value, "
        "a category and a supplier (the register as it stands today).",
    )

    variations = variation_counts(year=year)
    measured["change-control"] = _counted(
        variations["controlled"],
        variations["total"],
        f"{{part}} of {{whole}} variations dated in {label} record both a reason and who "
        "approved them.",
        none=f"No variations are dated in {label}.",
    )

    policy = planning.policy_summary(today=today)
    weighted = policy["over_threshold"] - policy["missing_social_value"]
    measured["social-value-weighting"] = _counted(
        weighted,
        policy["over_threshold"],
        f"{{part}} of {{whole}} contracts on the register worth over "
        f"{whole_pounds(SOCIAL_VALUE_THRESHOLD)} have a social value weighting of at least "
        f"{SOCIAL_VALUE_MIN_WEIGHTING:g}%.",
        none=f"No contract on the register is worth over {whole_pounds(SOCIAL_VALUE_THRESHOLD)}.",
    )

    returns = return_counts(year=year, today=today)
    if returns is None:
        measured["social-value-returns"] = (None, f"No quarter of {label} has ended yet.")
    elif not returns["total"]:
        measured["social-value-returns"] = (
            None,
            f"No contract with social value commitments was running in {label}.",
        )
    else:
        quarters = returns["quarters"]
        measured["social-value-returns"] = _counted(
            returns["up_to_date"],
            returns["total"],
            f"{{part}} of {{whole}} contracts with social value commitments have a verified "
            f"return for every quarter of {label} they ran in "
            f"({counted(quarters, 'quarter')} ended).",
        )

    if spend is None or spend.current.sme_share is None:
        measured["sme-spend"] = (None, f"No spend with named suppliers is recorded for {label}.")
    else:
        change, previous = spend.sme_change, spend.previous  # a change needs a previous year
        trend = (
            f", {'+' if change > 0 else ''}{change} percentage points on {previous.label}"
            if change is not None and previous is not None
            else ", with no earlier year to compare"
        )
        measured["sme-spend"] = (
            spend.current.sme_share,
            f"{spend.current.sme_share}% of {label} spend with named suppliers went to SMEs "
            f"({whole_pounds(spend.current.sme)} of"
            f" {whole_pounds(spend.current.named_total)}){trend}.",
        )

    if savings_target is None:
        measured["savings"] = (None, f"No savings target is set for {label}.")
    elif not savings_target:
        measured["savings"] = (None, f"The savings target for {label} is £0.")
    else:
        measured["savings"] = (
            share(savings_total, savings_target),
            f"{whole_pounds(savings_total)} of savings recorded in {label} against a target of "
            f"{whole_pounds(savings_target)}.",
        )

    measured.update(act_evidence(year=year, today=today))

    return [
        EvidenceSignal(
            rule=rule,
            indicator=indicators.get((rule.key_area, rule.indicator)),
            measured=measured[rule.key][0],
            detail=measured[rule.key][1],
            change=change if rule.key == "sme-spend" else None,
        )
        for rule in RULES
        if rule.key in measured
    ]
