"""Maturity's part of the demo data: a year or two of follow-up self-assessments and targets.

The `demo` app asks for it after procurement's part, with the demo officers as assessors.
Assessments and targets are append-only, so they are never removed: they are marked
``DEMO_MARK`` in their commentary or rationale and added only once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from django.contrib.auth.models import User

from core.demo import DEMO_MARK
from maturity import selectors, services
from maturity.models import Assessment

EVIDENCE = (
    "Contract register audit, {year}.",
    "Procurement board minutes, {year}.",
    "Annual procurement report to Cabinet, {year}.",
    "Internal audit review of contract management, {year}.",
    "Commercial skills training records, {year}.",
    "Social value outcomes report, {year}.",
    "Supplier engagement event feedback, {year}.",
)


def maturity_demo_assess(*, officers: Sequence[User], seed: int, today: dt.date) -> None:
    """Reassess 15 indicators in October 2023 and 2024 (not after `today`); move 4 targets."""
    framework = selectors.framework_current()
    if framework is None or Assessment.objects.filter(commentary__contains=DEMO_MARK).exists():
        return
    rng = random.Random(f"{seed}:maturity")
    positions = list(selectors.indicator_positions(framework=framework).order_by("pk"))
    chosen = rng.sample(positions, min(15, len(positions)))
    for number, indicator in enumerate(chosen):
        level = indicator.current_level or 1
        target = indicator.target_level or min(5, level + 1)
        officer = officers[number % len(officers)]
        for year in (2023, 2024):
            if level < min(5, target) and rng.random() < (0.6 if year == 2023 else 0.7):
                level += 1
            assessed_on = dt.date(year, 10, 31)
            if assessed_on > today:
                continue
            services.assessment_record(
                indicator=indicator,
                level=level,
                assessed_on=assessed_on,
                assessor=officer,
                evidence=rng.choice(EVIDENCE).format(year=year),
                commentary=f"Annual self-assessment review {DEMO_MARK}.",
            )
        if number < 4 and target < 5:
            reached = level >= target
            services.target_set(
                indicator=indicator,
                level=target + 1 if reached else target,
                due_by=dt.date(2027, 3, 31),
                set_by=officer,
                rationale=(
                    "Target reached early, so raised for the next strategy"
                    if reached
                    else "Due date moved to the end of the next strategy after the 2024 review"
                )
                + f" {DEMO_MARK}.",
                replaces_target_id=selectors.latest_target_id(indicator=indicator),
            )
