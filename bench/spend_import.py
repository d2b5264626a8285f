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


def spend_file_import(path: Path) -> dict[str, Any]:
    """Time import_spend_file on the file; skipped (with the reason) if it cannot be imported."""
    target = os.environ.get("BENCH_IMPORTER", IMPORTER)
    module_name, _, function_name = target.partition(":")
    try:
        import_spend_file = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        return {"skipped": f"{target} is not available ({error})"}
    started = time.perf_counter()
    result = import_spend_file(path)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "status": str(result.status),
        "rows_imported": result.rows_imported,
        "self_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
