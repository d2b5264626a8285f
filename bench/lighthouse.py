"""Lighthouse 12 scores of every page in the navigation, signed in, as `make bench` prints them.

Builds a throwaway PostgreSQL database (fixtures, demo users, demo data at BENCH_LIGHTHOUSE_SCALE,
1 by default), collects the static files and starts gunicorn with the production settings, as
bench/loadtest.py does. It signs in as the demo officer and the demo member, reads the pages the
officer's navigation links to, and runs Lighthouse from node_modules (pinned in package.json)
against Chromium (CHROME_PATH, /usr/bin/chromium by default) with its default mobile settings on
each of them, and on the member's annual review. It prints the performance and accessibility
scores and the total blocking time of each page, and the JavaScript the first chart page
transfers (compressed). It asserts nothing; if Lighthouse cannot run it says why.

Alone: `.venv/bin/python -m bench.lighthouse`; BENCH_LIGHTHOUSE_PAGES=Spend,Gap runs only pages
whose navigation label contains one of those words; BENCH_LIGHTHOUSE_RUNS (3) runs per page.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

from bench.loadtest import (
    HOST,
    PROXY_HEADERS,
    cookie_header,
    demo_database,
    free_port,
    get,
    gunicorn_start,
    gunicorn_stop,
    production_env,
    sign_in,
)
from bench.run import postgres_problem, psql

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
DATABASE = "bench_lighthouse"
SCALE = os.environ.get("BENCH_LIGHTHOUSE_SCALE", "1")
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))  # each page's median run is printed
PERFORMANCE_TARGET, ACCESSIBILITY_TARGET = 90, 100
JS_TARGET_BYTES = 1_000_000
NAVIGATION_LINK = re.compile(
    r'<a class="govuk-service-navigation__link" href="([^"]+)"[^>]*>([^<]+)</a>'
)
SCRIPT_SRC = re.compile(r'<script[^>]* src="([^"]+)"')
# Every script a chart page may load: its own <script src> and the plotly bundle that
# static/js/charts.js inserts when a chart comes near the viewport (named on the chart element).
LAZY_SCRIPT = re.compile(r'data-plotly-src="([^"]+)"')


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str


@dataclass(frozen=True)
class Score:
    page: Page
    performance: float | None = None
    accessibility: float | None = None
    blocking_ms: float | None = None
    script_bytes: int | None = None
    problem: str | None = None


def lighthouse_problem(lighthouse: Path = LIGHTHOUSE, chrome: Path | None = None) -> str | None:
    """Why Lighthouse cannot run here, or None."""
    chrome = chrome or Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    if shutil.which("node") is None:
        return "node is not installed"
    if not lighthouse.exists():
        return f"{lighthouse} is missing (npm ci)"
    if not chrome.exists():
        return f"no Chromium at {chrome} (apt-get install chromium, or set CHROME_PATH)"
    return None


def navigation(body: str) -> list[tuple[str, str]]:
    """(label, path) of each link in the service navigation, in order, without the admin."""
    return [
        (unescape(label).strip(), unescape(href))
        for href, label in NAVIGATION_LINK.findall(body)
        if not href.startswith("/admin")
    ]


def scores_from(report: dict[str, Any], page: Page) -> Score:
    """The figures we print, from one Lighthouse JSON report (lhr)."""
    categories, audits = report.get("categories", {}), report.get("audits", {})

    def percent(name: str) -> float | None:
        score = categories.get(name, {}).get("score")
        return None if score is None else round(score * 100)

    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    scripts = sum(
        int(item.get("transferSize") or 0)
        for item in requests
        if item.get("resourceType") == "Script"
    )
    problem = report.get("runtimeError", {}).get("message")
    return Score(
        page=page,
        performance=percent("performance"),
        accessibility=percent("accessibility"),
        blocking_ms=audits.get("total-blocking-time", {}).get("numericValue"),
        script_bytes=scripts,
        problem=problem,
    )


def run_lighthouse(url: str, cookies: dict[str, str], output: Path) -> dict[str, Any]:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    headers = {**PROXY_HEADERS, "Cookie": cookie_header(cookies)}
    done = subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}"]
        + ["--only-categories=performance,accessibility", f"--extra-headers={json.dumps(headers)}"]
        + ["--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic"],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": chrome},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not output.exists():
        raise RuntimeError(done.stderr.strip()[-500:] or f"lighthouse exited {done.returncode}")
    return json.loads(output.read_text())


def compressed_size(port: int, path: str) -> int:
    """Bytes on the wire for one static file, asked for as a browser asks (gzip or brotli)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "GET", path, headers={**PROXY_HEADERS, "Accept-Encoding": "gzip, deflate, br"}
        )
        response = connection.getresponse()
        return len(response.read())
    finally:
        connection.close()


def chart_page_scripts(port: int, body: str) -> list[tuple[str, int]]:
    """Each script a chart page loads once its charts are drawn, with its compressed size."""
    paths = dict.fromkeys(SCRIPT_SRC.findall(body) + LAZY_SCRIPT.findall(body))
    return [(path, compressed_size(port, unescape(path))) for path in paths]


def report_lines(
    scores: list[Score], chart_scripts: list[tuple[str, int]], label: str
) -> list[str]:
    lines = [
        f"  {'page':<34} {'user':<8} {'perf':>5} {'a11y':>5} {'TBT ms':>7} {'JS KB':>7}  targets "
        f"perf >= {PERFORMANCE_TARGET}, a11y {ACCESSIBILITY_TARGET}"
    ]
    for score in scores:
        name = f"{score.page.label} ({score.page.path})"[:34]
        if score.problem:
            lines.append(f"  {name:<34} {score.page.user:<8} not measured: {score.problem}")
            continue
        met = (score.performance or 0) >= PERFORMANCE_TARGET and (
            score.accessibility or 0
        ) >= ACCESSIBILITY_TARGET
        lines.append(
            f"  {name:<34} {score.page.user:<8} {score.performance or 0:5.0f} "
            f"{score.accessibility or 0:5.0f} {score.blocking_ms or 0:7.0f} "
            f"{(score.script_bytes or 0) / 1000:7.0f}  {'met' if met else 'NOT MET'}"
        )
    if chart_scripts:
        total = sum(size for _, size in chart_scripts)
        lines += ["", f"  JavaScript the first chart page ({label}) transfers, charts drawn:"]
        lines += [f"    {path:<60} {size:>11,} bytes" for path, size in chart_scripts]
        verdict = "met" if total <= JS_TARGET_BYTES else "NOT MET"
        lines.append(
            f"    {'total (compressed, as served)':<60} {total:>11,} bytes  "
            f"target <= {JS_TARGET_BYTES:,}: {verdict}"
        )
    return lines


def pages_to_measure(port: int, sessions: dict[str, dict[str, str]]) -> list[Page]:
    status, body, _ = get(port, "/review/", sessions["officer"])  # any page shows the navigation
    if status != 200:
        raise RuntimeError(f"/review/ as officer gave {status}")
    wanted = [
        word.lower() for word in os.environ.get("BENCH_LIGHTHOUSE_PAGES", "").split(",") if word
    ]
    pages = [
        Page(label, path, "officer")
        for label, path in navigation(body)
        if not wanted or any(word in label.lower() for word in wanted)
    ]
    review = next((page.path for page in pages if "review" in page.label.lower()), "/review/")
    if not wanted or any(word in "annual review" for word in wanted):
        pages.append(Page("Annual review", review, "member"))
    return pages


def measure(port: int, sessions: dict[str, dict[str, str]], scratch: Path) -> list[str]:
    scores: list[Score] = []
    chart_scripts: list[tuple[str, int]] = []
    first_chart = ""
    for number, page in enumerate(pages_to_measure(port, sessions)):
        cookies = sessions[page.user]
        status, body, _ = get(port, page.path, cookies)
        if status != 200:
            scores.append(Score(page=page, problem=f"GET gave {status}"))
            continue
        if not first_chart and "data-figure=" in body:
            first_chart, chart_scripts = page.label, chart_page_scripts(port, body)
        runs: list[Score] = []
        for run in range(RUNS):
            output = scratch / f"lighthouse-{number}-{run}.json"
            try:
                report = run_lighthouse(f"http://{HOST}:{port}{page.path}", cookies, output)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                runs.append(Score(page=page, problem=str(error).splitlines()[-1][:200]))
                continue
            runs.append(scores_from(report, page))
        scores.append(median_run(runs))
    return report_lines(scores, chart_scripts, first_chart)


def median_run(runs: list[Score]) -> Score:
    """The run with the median performance score (Lighthouse's advice for noisy machines), or
    the last problem if no run gave scores."""
    measured = sorted(
        (run for run in runs if run.problem is None), key=lambda run: run.performance or 0
    )
    if not measured:
        return runs[-1]
    return measured[len(measured) // 2]


def bench_lighthouse() -> list[str]:
    """The lines `make bench` prints: a title, then the table or why it could not run."""
    title = (
        f"Lighthouse {lighthouse_version()} (default mobile settings, simulated throttling; "
        f"median of {RUNS} runs), production settings, gunicorn, demo data at scale {SCALE}, "
        "signed in"
    )
    problem = lighthouse_problem() or postgres_problem()
    if problem:
        return [title, f"  not run: {problem}"]
    server = None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        scratch = Path(folder)
        env = production_env(DATABASE, scratch)
        try:
            passwords, _ = demo_database(env, DATABASE, SCALE)
            port = free_port()
            server = gunicorn_start(env, port, scratch / "gunicorn.log")
            sessions = {
                user: sign_in(port, user, passwords[user]) for user in ("officer", "member")
            }
            lines = measure(port, sessions, scratch)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            return [title, f"  not run: {str(error).strip()[:500]}"]
        finally:
            if server is not None:
                gunicorn_stop(server)
            psql("postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return [title, *lines, f"  (took {time.perf_counter() - started:.0f} s)"]


def lighthouse_version() -> str:
    package = ROOT / "node_modules" / "lighthouse" / "package.json"
    if not package.exists():
        return "12"
    return str(json.loads(package.read_text())["version"])


if __name__ == "__main__":
    if isinstance(sys.stdout, io.TextIOWrapper):  # a terminal or a pipe, not a test's capture
        sys.stdout.reconfigure(line_buffering=True)
    print("\n".join(bench_lighthouse()))
