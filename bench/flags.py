"""Benchmark: the red flags of each year (procurement.selectors.spend_flags_found) computed
afresh, as on the first visit after a rebuild of the spend summary (the page caches them
until the next one).

Runs inside a bench worker against a database filled by generate_demo_data. Each year gets a
warm-up run, then `RUNS` timed ones; the median time is reported, with the part spent in SQL,
the queries, the payments of the year and the flags found.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

RUNS = 3
TARGET_SECONDS = 2.0


def flags_measure() -> list[dict[str, Any]]:
    """One row per financial year with spend."""
    from core.financial_year import financial_year_bounds
    from procurement.models import SpendTransaction, SpendYearSummary
    from procurement.selectors.flags import spend_flags_found

    years = sorted(set(SpendYearSummary.objects.values_list("financial_year", flat=True)))
    rows = []
    for year in years:
        spend_flags_found(year=year)  # warm-up
        timings, database, queries = [], [], 0
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                found = spend_flags_found(year=year)
                timings.append(time.perf_counter() - started)
            queries = len(captured)
            database.append(sum(float(query["time"]) for query in captured))
        start, end = financial_year_bounds(year)
        kinds = Counter(flag.kind for flag in found.flags)
        rows.append(
            {
                "year": year,
                "seconds": round(statistics.median(timings), 3),
                "db_seconds": round(statistics.median(database), 3),
                "queries": queries,
                "payments": SpendTransaction.objects.filter(paid_on__range=(start, end)).count(),
                "flags": len(found.flags),
                "kinds": dict(sorted(kinds.items())),
                "target_seconds": TARGET_SECONDS,
            }
        )
    return rows
