"""The rules that turn a measured signal into the maturity level it suggests.

Each rule names an indicator of the framework (key area and indicator name as loaded from the
strategy), says what is measured, and gives the thresholds: the share (0 to 100 %) at or above
which the data supports each level. A council that reads the rules differently changes the
numbers here; the tests in tests/dashboards/test_evidence_rules.py show what each rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Minimum share (%) for levels 2..5; below the first, the data suggests level 1 (Minimum).
DEFAULT_THRESHOLDS: tuple[int, int, int, int] = (20, 40, 60, 80)


@dataclass(frozen=True)
class EvidenceRule:
    key: str
    key_area: str
    indicator: str
    measures: str
    rule: str
    thresholds: tuple[int, int, int, int] = DEFAULT_THRESHOLDS

    def suggested_level(self, share: Decimal | float | None) -> int | None:
        """The level (1..5) a measured share supports; None when there is nothing to measure."""
        if share is None:
            return None
        level = 1
        for threshold in self.thresholds:
            if share >= threshold:
                level += 1
        return level


RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule(
        key="register-complete",
        key_area="Managing contracts and relationships",
        indicator="Information storage and accessibility",
        measures="Share of live contracts with a complete record: owner, start and end dates, "
        "total value, category and supplier.",
        rule="Leader asks for complete, accurate records on all contracts, so each 20 "
        "percentage points of complete records supports one level: 80% or more Innovator, "
        "60% Leader, 40% Mature, 20% Developing.",
    ),
    EvidenceRule(
        key="change-control",
        key_area="Managing contracts and relationships",
        indicator="Change control",
        measures="Share of recorded variations with both a reason and an approver.",
        rule="Leader asks for all changes to go through change control on the register: "
        "90% or more supports Innovator, 75% Leader, 50% Mature, 25% Developing.",
        thresholds=(25, 50, 75, 90),
    ),
    EvidenceRule(
        key="social-value-weighting",
        key_area="Obtaining social value",
        indicator="Procurement",
        measures="Share of contracts over £100,000 with a social value weighting of at least 10%.",
        rule="Leader asks for a weighting of at least 10% in all tenders: 95% or more "
        "supports Innovator, 80% Leader, 50% Mature, 20% Developing.",
        thresholds=(20, 50, 80, 95),
    ),
    EvidenceRule(
        key="social-value-returns",
        key_area="Obtaining social value",
        indicator="Contract management",
        measures="Share of contracts with social value commitments whose returns are up to "
        "date (every ended quarter of the year has a return) and verified.",
        rule="Leader asks for regular monitoring of social value delivery: 90% or more "
        "supports Innovator, 70% Leader, 40% Mature, 15% Developing.",
        thresholds=(15, 40, 70, 90),
    ),
    EvidenceRule(
        key="sme-spend",
        key_area="Engaging local SMEs and micro-businesses",
        indicator="Governance, accountability, and reporting",
        measures="Share of the year's spend with SMEs (micro, small and medium suppliers), "
        "with its change from the year before.",
        rule="The council reports SME spend; a larger share shows engagement working: 50% or "
        "more supports Innovator, 40% Leader, 30% Mature, 15% Developing.",
        thresholds=(15, 30, 40, 50),
    ),
    EvidenceRule(
        key="savings",
        key_area="Managing contracts and relationships",
        indicator="Savings & benefits delivery",
        measures="Savings recorded in the year as a share of the year's savings target.",
        rule="100% of target or more supports Innovator, 90% Leader, 70% Mature, 40% Developing.",
        thresholds=(40, 70, 90, 100),
    ),
)

# The Procurement Act 2023 (procurement/act.py): what the register's notices and payments show.
RULES += (
    EvidenceRule(
        key="act-kpis",
        key_area="Managing contracts and relationships",
        indicator="High level principle / specific behaviour",
        measures="Share of live contracts over £5 million with three KPIs and a rating in the "
        "last 12 months (Procurement Act 2023 s.52, s.71).",
        rule="The Act requires it of every such contract: 100% supports Innovator, 90% Leader, "
        "70% Mature, 40% Developing.",
        thresholds=(40, 70, 90, 100),
    ),
    EvidenceRule(
        key="act-notices",
        key_area="Working with partners",
        indicator="Governance and processes",
        measures="Share of the Act's notices due in the year that were published by their "
        "deadline (contract details, performance, change, termination).",
        rule="Transparency under the Act: 95% or more on time supports Innovator, 85% Leader, "
        "70% Mature, 50% Developing.",
        thresholds=(50, 70, 85, 95),
    ),
    EvidenceRule(
        key="sme-payments",
        key_area="Engaging local SMEs and micro-businesses",
        indicator="Contract management",
        measures="Share of the year's payments to SMEs made within 30 days of the invoice "
        "(Procurement Act 2023 s.68-s.69), from the spend file's invoice dates.",
        rule="Prompt payment keeps SMEs in the supply chain: 95% or more supports Innovator, "
        "90% Leader, 80% Mature, 60% Developing.",
        thresholds=(60, 80, 90, 95),
    ),
)

RULES_BY_KEY = {rule.key: rule for rule in RULES}


def comparison(*, self_assessed: int | None, suggested: int | None) -> str:
    """How the self-assessment stands against the data: "above", "below", "matches" or ""."""
    if self_assessed is None or suggested is None:
        return ""
    if self_assessed > suggested:
        return "above"
    if self_assessed < suggested:
        return "below"
    return "matches"
