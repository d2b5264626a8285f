"""`make bench`'s Lighthouse table, from tiny fake reports: nothing here runs Lighthouse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.lighthouse import (
    Page,
    Score,
    lighthouse_problem,
    median_run,
    navigation,
    report_lines,
    scores_from,
)

GAPS = Page("Gap dashboard", "/maturity/gaps/", "officer")


def fake_report(performance: float, blocking: float) -> dict[str, Any]:
    """The parts of a Lighthouse JSON report (lhr) the bench reads."""
    return {
        "categories": {"performance": {"score": performance}, "accessibility": {"score": 1}},
        "audits": {
            "total-blocking-time": {"numericValue": blocking},
            "network-requests": {
                "details": {
                    "items": [
                        {"resourceType": "Script", "transferSize": 1_500},
                        {"resourceType": "Script", "transferSize": 500},
                        {"resourceType": "Stylesheet", "transferSize": 9_000},
                    ]
                }
            },
        },
    }


def test_scores_come_from_the_categories_and_audits() -> None:
    score = scores_from(fake_report(0.914, 120.4), GAPS)

    assert (score.performance, score.accessibility) == (91, 100)
    assert score.blocking_ms == 120.4
    assert score.script_bytes == 2_000  # scripts only
    assert score.problem is None


def test_a_runtime_error_is_a_problem_not_a_score() -> None:
    report: dict[str, Any] = {"categories": {"performance": {"score": None}}, "audits": {}}
    report["runtimeError"] = {"message": "NO_NAVSTART"}

    assert scores_from(report, GAPS).problem == "NO_NAVSTART"


def test_the_median_run_is_printed_and_failed_runs_are_left_out() -> None:
    runs = [
        scores_from(fake_report(0.95, 10), GAPS),
        Score(page=GAPS, problem="NO_NAVSTART"),
        scores_from(fake_report(0.60, 2000), GAPS),
        scores_from(fake_report(0.92, 90), GAPS),
    ]

    assert median_run(runs).performance == 92
    assert median_run([Score(page=GAPS, problem="timed out")]).problem == "timed out"


def test_the_table_gives_each_page_its_scores_and_verdict_and_the_chart_page_its_scripts() -> None:
    member = Page("Annual review", "/review/", "member")
    scores = [
        scores_from(fake_report(0.99, 0), GAPS),
        scores_from(fake_report(0.58, 2_400), member),
        Score(page=Page("Spend", "/procurement/spend/", "officer"), problem="NO_NAVSTART"),
    ]
    scripts = [("/static/js/charts.js", 1_206), ("/static/dist/js/plotly-charts.min.js", 367_753)]

    lines = report_lines(scores, scripts, "Gap dashboard")

    assert "perf >= 90, a11y 100" in lines[0]
    assert lines[1].split() == [
        "Gap", "dashboard", "(/maturity/gaps/)", "officer", "99", "100", "0", "2", "met"
    ]  # fmt: skip
    assert lines[2].split()[-7:] == ["member", "58", "100", "2400", "2", "NOT", "MET"]
    assert "not measured: NO_NAVSTART" in lines[3]
    assert any("first chart page (Gap dashboard)" in line for line in lines)
    assert lines[-1].split()[-6:] == ["368,959", "bytes", "target", "<=", "1,000,000:", "met"]


def test_the_pages_are_the_navigation_links_without_the_administration() -> None:
    body = (
        '<a class="govuk-service-navigation__link" href="/maturity/" aria-current="true">'
        "Framework</a>"
        '<a class="govuk-service-navigation__link" href="/procurement/contracts/">Contracts</a>'
        '<a class="govuk-service-navigation__link" href="/admin/">Administration</a>'
    )

    assert navigation(body) == [
        ("Framework", "/maturity/"),
        ("Contracts", "/procurement/contracts/"),
    ]


def test_without_chromium_the_bench_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    lighthouse = tmp_path / "lighthouse"
    lighthouse.write_text("")

    assert "no Chromium at" in (lighthouse_problem(lighthouse, missing) or "")
    assert "missing (npm ci)" in (lighthouse_problem(tmp_path / "nothing", missing) or "")
