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
    why: str  # why the thresholds stand where they do; `rule` adds them
    thresholds: tuple[int, int, int, int] = DEFAULT_THRESHOLDS

    @property
    def rule(self) -> str:
        """How the data is read: `why`, then the share each level needs, the highest first."""
        developing, mature, leader, innovator = self.thresholds
        return (
            f"{self.why}: {innovator}% or more supports Innovator, {leader}% Leader, "
            f"{mature}% Mature, {developing}% Developing."
        )

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
        why="Leader asks for complete, accurate records on all contracts, so each 20 "
        "percentage points of complete records supports one level",
    ),
    EvidenceRule(
        key="change-control",
        key_area="Managing contracts and relationships",
        indicator="Change control",
        measures="Share of recorded variations with both a reason and an approver.",
        why="Leader asks for all changes to go through change control on the register",
        thresholds=(25, 50, 75, 90),
    ),
    EvidenceRule(
        key="social-value-weighting",
        key_area="Obtaining social value",
        indicator="Procurement",
        measures="Share of contracts over £100,000 with a social value weighting of at least 10%.",
        why="Leader asks for a weighting of at least 10% in all tenders",
        thresholds=(20, 50, 80, 95),
    ),
    EvidenceRule(
        key="social-value-returns",
        key_area="Obtaining social value",
        indicator="Contract management",
        measures="Share of contracts with social value commitments whose returns are up to "
        "date (every ended quarter of the year has a return) and verified.",
        why="Leader asks for regular monitoring of social value delivery",
        thresholds=(15, 40, 70, 90),
    ),
    EvidenceRule(
        key="sme-spend",
        key_area="Engaging local SMEs and micro-businesses",
        indicator="Governance, accountability, and reporting",
        measures="Share of the year's spend with SMEs (micro, small and medium suppliers), "
        "with its change from the year before.",
        why="The council reports SME spend; a larger share shows engagement working",
        thresholds=(15, 30, 40, 50),
    ),
    EvidenceRule(
        key="savings",
        key_area="Managing contracts and relationships",
        indicator="Savings & benefits delivery",
        measures="Savings recorded in the year as a share of the year's savings target.",
        why="Savings as a share of the year's target",
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
        why="The Act requires it of every such contract",
        thresholds=(40, 70, 90, 100),
    ),
    EvidenceRule(
        key="act-notices",
        key_area="Working with partners",
        indicator="Governance and processes",
        measures="Share of the Act's notices due in the year that were published by their "
        "deadline (contract details, performance, change, termination).",
        why="Transparency under the Act, by the share published on time",
        thresholds=(50, 70, 85, 95),
    ),
    EvidenceRule(
        key="sme-payments",
        key_area="Engaging local SMEs and micro-businesses",
        indicator="Contract management",
        measures="Share of the year's payments to SMEs made within 30 days of the invoice "
        "(Procurement Act 2023 s.68-s.69), from the spend file's invoice dates.",
        why="Prompt payment keeps SMEs in the supply chain",
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
