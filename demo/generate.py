"""Demo data across the apps: each app makes its own part, this module puts them in order.

The officers come first (`accounts.demo`), then procurement's suppliers, contracts, spend,
savings and pipeline (`procurement.demo`), then maturity's follow-up assessments
(`maturity.demo`). Social value (`socialvalue.demo`) and the supplier's demo user follow in the
`generate_demo_data` command. Nothing imports this app.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_officers
from maturity.demo import maturity_demo_assess
from procurement.demo import DemoSummary, procurement_demo_generate


def demo_data_generate(
    *,
    scale: float = 1.0,
    seed: int = 2022,
    replace: bool = False,
    today: dt.date | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Generate demo data, or do nothing if this seed and scale are already loaded."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        officers = demo_officers()
        summary = procurement_demo_generate(
            officers=officers, scale=scale, seed=seed, replace=replace, today=today, log=log
        )
        if not summary.created:
            return summary
        step = time.perf_counter()
        maturity_demo_assess(officers=officers, seed=seed, today=today)
        if log is not None:
            log(f"  maturity assessments: {round(time.perf_counter() - step, 2)} s")
    return dataclasses.replace(summary, seconds=round(time.perf_counter() - started, 2))
