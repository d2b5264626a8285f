"""`make bench`: import speed and memory, demo data generation and page times on PostgreSQL,
and Lighthouse scores of the pages in the navigation (bench/lighthouse.py).

Prints figures in plain text tables; it asserts nothing. Needs a PostgreSQL server already
running on 127.0.0.1:5432 that user postgres can reach without a prompt (PGPASSWORD is passed
through); it starts nothing. It creates its own databases (bench_procurement*), drops them at
the end, and writes the generated spend file to bench/out/ (git-ignored), removed afterwards.

Each Django task runs in a separate `python -m bench.worker` process with DATABASE_URL set, so
this process needs no Django settings. Smaller runs while developing:
BENCH_LINES=20000 BENCH_SCALES=0.1 .venv/bin/python bench/run.py
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST, PORT, USER = "127.0.0.1", "5432", "postgres"
IMPORT_DB = "bench_procurement"
LINES = int(os.environ.get("BENCH_LINES", "1000000"))
SUPPLIERS = 5_000
SCALES = tuple(os.environ.get("BENCH_SCALES", "1,10").split(","))
RATIO_TARGET, MEMORY_TARGET_MB = 2.5, 400
RESULT_PREFIX = "BENCH-RESULT "  # as bench/worker.py prints it


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ImportError(f"{name} is not installed", name=name)
    return Path(spec.origin).parent


# The chart pages once loaded the Python plotly package's full plotly.min.js; they now load the
# bundle frontend/build.mjs makes with only the trace types we draw.
FULL_PLOTLY = _package_dir("plotly") / "package_data" / "plotly.min.js"
CHART_BUNDLE = ROOT / "static" / "dist" / "js" / "plotly-charts.min.js"


def _sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9))


def chart_bundle_report(*, full: Path = FULL_PLOTLY, bundle: Path = CHART_BUNDLE) -> list[str]:
    """The plotly.js a chart page loads, before (the full library) and after (our bundle), raw
    and gzipped (whitenoise serves the compressed copy collectstatic writes)."""
    lines = ["Chart bundle (plotly.js a chart page loads; gzip -9, as whitenoise stores it)"]
    raw, packed = _sizes(full)
    lines.append(f"  before  {full.name:<22} {raw:>11,} bytes  {packed:>9,} gzipped")
    if not bundle.exists():
        return lines + [f"  after   {bundle.name}: not built (make assets)"]
    small, small_packed = _sizes(bundle)
    return lines + [
        f"  after   {bundle.name:<22} {small:>11,} bytes  {small_packed:>9,} gzipped",
        f"  the bundle is {100 * small / raw:.0f}% of the full size "
        f"({100 * small_packed / packed:.0f}% gzipped)",
    ]


JS_TARGET_BYTES = 1_000_000  # issue 17: at most 1 MB of JavaScript for a session's first chart page
FIRST_CHART_PAGE = "maturity/gap_dashboard.html"


def chart_page_js_report(*, template: str = FIRST_CHART_PAGE) -> list[str]:
    """The JavaScript a session's first chart page transfers once its charts are drawn: every
    script base.html, the page and its chart include load from our static files, and the plotly
    bundle charts.js fetches (`data-plotly-src`), gzipped as whitenoise serves them."""
    templates = ROOT / "templates"
    scripts: list[str] = []
    for name in ("base.html", template, "includes/chart_scripts.html"):
        text = (templates / name).read_text()
        found = re.findall(r"(?:src|data-plotly-src)=\"{% static '([^']+\.js)' %}\"", text)
        scripts += [script for script in found if script not in scripts]
    lines = [f"JavaScript of the first chart page ({template}; gzip -9, as whitenoise serves it)"]
    total = packed_total = 0
    for script in scripts:
        path = ROOT / "static" / script
        if not path.exists():
            return lines + [f"  {script}: not built (make assets)"]
        raw, packed = _sizes(path)
        total, packed_total = total + raw, packed_total + packed
        lines.append(f"  {script:<32} {raw:>11,} bytes  {packed:>9,} gzipped")
    met = "met" if packed_total <= JS_TARGET_BYTES else "NOT MET"
    lines.append(f"  {'total':<32} {total:>11,} bytes  {packed_total:>9,} gzipped")
    lines.append(f"  target at most {JS_TARGET_BYTES:,} bytes transferred: {met}")
    return lines


def pages_db(scale: str) -> str:
    return f"bench_procurement_scale_{scale.replace('.', '_')}"


def postgres_problem() -> str | None:
    for program in ("pg_isready", "psql"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install postgresql-client)"
    ready = subprocess.run(
        ["pg_isready", "-h", HOST, "-p", PORT, "-U", USER], capture_output=True, text=True
    )
    if ready.returncode != 0:
        return (ready.stdout + ready.stderr).strip() or "pg_isready failed"
    login = subprocess.run(
        ["psql", "-h", HOST, "-p", PORT, "-U", USER, "-d", "postgres", "-w", "-tAc", "SELECT 1"],
        capture_output=True,
        text=True,
    )
    if login.returncode != 0:
        return login.stderr.strip()
    return None


def psql(database: str, command: str) -> float:
    """Run one psql command; returns its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(
        ["psql", "-h", HOST, "-p", PORT, "-U", USER, "-d", database, "-w", "-q"]
        + ["-v", "ON_ERROR_STOP=1", "-c", command],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )
    return time.perf_counter() - started


def worker(database: str, *arguments: str) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{USER}@{HOST}:{PORT}/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {arguments[0]} failed:\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def children_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def bench_import(path: Path) -> list[str]:
    file = worker(IMPORT_DB, "spend-file", str(path), str(LINES), str(SUPPLIERS))
    columns = ", ".join(f'"{name}" text' for name in file["header"])
    psql(IMPORT_DB, f"CREATE TABLE bench_raw ({columns})")  # the same columns, all text
    raw = psql(IMPORT_DB, f"\\copy bench_raw FROM '{path}' CSV HEADER")
    raw_cpu = worker(IMPORT_DB, "raw-copy", str(path))["database_cpu"]
    before = children_maxrss_mb()
    imported = worker(IMPORT_DB, "import", str(path))
    after = children_maxrss_mb()
    lines = [
        f"Spend import: {LINES:,} lines, {SUPPLIERS:,} suppliers, "
        f"{file['bytes'] / 1e6:.1f} MB file (PostgreSQL)",
        f"  psql \\copy into unindexed bench_raw  {raw:8.2f} s",
    ]
    if "skipped" in imported:
        return lines + [f"  import_spend_file: skipped: {imported['skipped']}"]
    # RUSAGE_CHILDREN keeps the largest child so far; earlier children were small, so a rise
    # is exactly the import's peak. If it did not rise, the import used no more than before.
    peak = f"{after:.1f} MB" if after > before else f"at most {before:.1f} MB"
    ratio = imported["seconds"] / raw
    lines += [
        f"  import_spend_file                   {imported['seconds']:8.2f} s   "
        f"status {imported['status']}, {imported['rows_imported']:,} rows",
        f"  ratio import / raw copy             {ratio:8.2f}     target <= {RATIO_TARGET}",
    ]
    # Wall time counts what the machine's other work takes from us; CPU seconds do not.
    if imported["database_cpu"] is not None and raw_cpu:
        cpu = imported["python_cpu"] + imported["database_cpu"]
        lines += [
            f"  CPU: raw copy {raw_cpu:.2f} s (PostgreSQL); import {cpu:.2f} s "
            f"({imported['python_cpu']:.2f} Python, {imported['database_cpu']:.2f} PostgreSQL), "
            f"ratio {cpu / raw_cpu:.2f}",
        ]
    return lines + [
        f"  peak memory of the import           {peak:>10}   target <= {MEMORY_TARGET_MB} MB "
        f"(RUSAGE_CHILDREN ru_maxrss; the worker's own: {imported['self_maxrss_mb']} MB)",
    ]


def bench_pages() -> tuple[list[str], list[str], list[str]]:
    generation = ["Demo data generation (generate_demo_data, PostgreSQL)"]
    rows: dict[str, dict[str, dict]] = {}
    notes: list[str] = []
    flags: dict[str, list[dict[str, Any]]] = {}
    for scale in SCALES:
        database = pages_db(scale)
        made = worker(database, "generate", scale)
        generation.append(
            f"  scale {scale:>4}  {made['seconds']:8.1f} s   {made['suppliers']:,} suppliers, "
            f"{made['contracts']:,} contracts, {made['spend_lines']:,} spend lines"
        )
        psql(database, "VACUUM ANALYZE")
        for row in worker(database, "pages"):
            if "skipped" in row:
                note = f"  {row['page']}: skipped, {row['skipped']}"
                if note not in notes:
                    notes.append(note)
                continue
            rows.setdefault(row["page"], {})[scale] = row
        flags[scale] = worker(database, "flags")
    table = [
        "Pages as an officer: median ms of 5 runs after a warm-up, and the part spent in SQL",
        "(DEBUG on, as in make run)",
        f"  {'page':<30} {'scale':>5} {'ms':>8} {'in SQL':>8} {'queries':>8} {'status':>6}  target",
    ]
    for page, by_scale in rows.items():
        for scale, row in by_scale.items():
            table.append(
                f"  {page:<30} {scale:>5} {row['ms']:8.1f} {row['db_ms']:8.1f} {row['queries']:8d} "
                f"{row['status']:>6}  {row['target_ms']} ms"
            )
        counts = {row["queries"] for row in by_scale.values()}
        same = "yes" if len(counts) == 1 else "NO"
        table.append(f"  {'':<30} same query count at every scale: {same}")
    return generation, table + notes, flags_report(flags)


def flags_report(by_scale: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rows of flags_measure at each scale as a plain text table."""
    lines = [
        "Red flags computed afresh (spend_flags_found): median of 3 runs after a warm-up",
        f"  {'scale':>5} {'year':>6} {'payments':>9} {'seconds':>8} {'in SQL':>7} "
        f"{'queries':>7} {'flags':>6}  kinds",
    ]
    for scale, rows in by_scale.items():
        for row in rows:
            met = "" if row["seconds"] <= row["target_seconds"] else "  OVER TARGET"
            kinds = ", ".join(f"{kind} {n}" for kind, n in row["kinds"].items())
            lines.append(
                f"  {scale:>5} {row['year']:>6} {row['payments']:>9,} {row['seconds']:8.2f} "
                f"{row['db_seconds']:7.2f} {row['queries']:7d} {row['flags']:6d}  {kinds}{met}"
            )
    lines.append("  target: at most 2 s a year at scale 10")
    return lines


def lighthouse() -> None:
    """Lighthouse scores of the pages (bench/lighthouse.py, its own server and database)."""
    sys.stdout.flush()
    done = subprocess.run([sys.executable, "-m", "bench.lighthouse"], cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"  Lighthouse bench failed (exit {done.returncode}); its error is above.")
    print()


def main() -> int:
    print("\n".join(["", *chart_bundle_report(), "", *chart_page_js_report()]))
    problem = postgres_problem()
    if problem:
        print(f"make bench needs PostgreSQL on {HOST}:{PORT} as user {USER}: {problem}")
        return 1
    databases = [IMPORT_DB] + [pages_db(scale) for scale in SCALES]
    path = OUT / f"spend-{LINES}.csv"
    started = time.perf_counter()
    try:
        for database in databases:
            psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        psql("postgres", f"CREATE DATABASE {IMPORT_DB}")
        worker(IMPORT_DB, "migrate")
        for database in databases[1:]:
            psql("postgres", f"CREATE DATABASE {database} TEMPLATE {IMPORT_DB}")
        report = bench_import(path)
        generation, pages, flags = bench_pages()
        print("\n".join(["", *report, "", *generation, "", *pages, "", *flags, ""]))
        lighthouse()
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"Bench took {time.perf_counter() - started:.0f} s on {os.cpu_count()} CPUs; "
            f"load average at the end {load} (other work on the machine slows every figure)."
        )
    finally:
        path.unlink(missing_ok=True)
        for database in databases:
            psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
