"""Benchmark (c): server time and query count of the main pages, as an officer sees them.

Runs inside a bench worker against a database filled by generate_demo_data. Each page gets a
warm-up request, then `RUNS` timed ones; the median time is reported.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

PAGES = (
    ("procurement:contract-list", 300),
    ("procurement:spend-dashboard", 300),
    ("maturity:gap-dashboard", 300),
    ("socialvalue:dashboard", 300),
    ("dashboards:annual-review", 250),
)
RUNS = 5


def pages_measure(*, username: str = "officer01") -> list[dict[str, Any]]:
    """One row per page: its time (ms), queries and target, or why it was skipped."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=username))
    rows: list[dict[str, Any]] = []
    for name, target_ms in PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            rows.append({"page": name, "skipped": "URL name does not resolve (not built yet)"})
            continue
        client.get(url)  # warm-up: template loading, first connection, caches
        timings, database, queries, status = [], [], 0, 0
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured), response.status_code
            database.append(sum(float(query["time"]) for query in captured) * 1000)
        rows.append(
            {
                "page": name,
                "ms": round(statistics.median(timings), 1),
                "db_ms": round(statistics.median(database), 1),
                "queries": queries,
                "status": status,
                "target_ms": target_ms,
            }
        )
    return rows
