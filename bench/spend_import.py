"""Benchmark (a) and (b): a transparency-format spend file, and importing it.

Runs inside a bench worker, where Django is set up against the bench database.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import os
import random
import resource
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path
from typing import Any

from django.db import connection

from bench.cpu import process_cpu
from procurement.demo import demo_supplier_names
from procurement.demo_data import CATEGORIES, COUNCIL, REDACTED_TYPES
from procurement.models import SpendTransaction

HEADER = (
    "Body Name",
    "Date",
    "Transaction Number",
    "Supplier Name",
    "Amount",
    "Expense Area",
    "Expense Type",
)
IMPORTER = "procurement.importers.spend:import_spend_file"


def spend_file_write(path: Path, *, lines: int, suppliers: int, seed: int = 2022) -> dict:
    """Write a "spend over £500" file: day-first dates, £ amounts with thousands separators."""
    rng = random.Random(f"{seed}:bench-file")
    names = demo_supplier_names(count=suppliers, seed=seed)
    # Pareto-like: a few suppliers get most of the lines, most get a handful.
    cumulative = list(accumulate(rank**-0.9 for rank in range(1, len(names) + 1)))
    first, last = dt.date(2022, 4, 1), dt.date(2025, 3, 31)
    days = [
        day.strftime("%d/%m/%Y")
        for day in (first + dt.timedelta(n) for n in range((last - first).days + 1))
        if day.weekday() < 5
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for number in range(lines):
            if rng.random() < 0.02:
                name = SpendTransaction.REDACTED
                area, expense_type = rng.choice(REDACTED_TYPES)
            else:
                name, key = names[bisect(cumulative, rng.random() * cumulative[-1])]
                profile = CATEGORIES[key]
                area, expense_type = rng.choice(profile.areas), rng.choice(profile.types)
            pence = max(50_001, round(rng.lognormvariate(8.5, 1.6) * 100))
            sign = "-" if rng.random() < 0.01 else ""
            writer.writerow(
                (
                    COUNCIL,
                    rng.choice(days),
                    5_100_000_000 + number,
                    name,
                    f"{sign}£{pence // 100:,}.{pence % 100:02d}",
                    area,
                    expense_type,
                )
            )
    return {"lines": lines, "bytes": path.stat().st_size, "header": HEADER}


def backend_cpu_seconds() -> tuple[int, float]:
    """This connection's PostgreSQL backend and the CPU seconds it has used so far (make bench
    needs the server on this machine, so its processes are in /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return pid, process_cpu(pid)[1]


def raw_copy(path: Path) -> dict[str, Any]:
    """COPY the file as it is into an unindexed temporary table of text columns, as `psql
    \\copy` does (COPY FROM STDIN), for the database's CPU seconds the copy takes."""
    with path.open("rb") as stream, connection.cursor() as cursor:
        columns = ", ".join(f"c{number} text" for number in range(len(HEADER)))
        cursor.execute(f"CREATE TEMPORARY TABLE bench_raw_cpu ({columns})")
        pid, before = backend_cpu_seconds()
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY bench_raw_cpu FROM STDIN WITH (FORMAT csv, HEADER)", stream)
        seconds = time.perf_counter() - started
        database_cpu = process_cpu(pid)[1] - before
    return {"seconds": round(seconds, 2), "database_cpu": round(database_cpu, 2)}


def spend_file_import(path: Path) -> dict[str, Any]:
    """Time import_spend_file on the file; skipped (with the reason) if it cannot be imported."""
    target = os.environ.get("BENCH_IMPORTER", IMPORTER)
    module_name, _, function_name = target.partition(":")
    try:
        import_spend_file = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        return {"skipped": f"{target} is not available ({error})"}
    pid, database_before = backend_cpu_seconds()
    python_before, started = time.process_time(), time.perf_counter()
    result = import_spend_file(path)
    seconds = time.perf_counter() - started
    python_cpu = time.process_time() - python_before
    same, database_after = backend_cpu_seconds()
    return {
        "seconds": round(seconds, 2),
        "python_cpu": round(python_cpu, 2),
        # None if the import's connection was replaced, so its backend's time is not known.
        "database_cpu": round(database_after - database_before, 2) if same == pid else None,
        "status": str(result.status),
        "rows_imported": result.rows_imported,
        "self_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
