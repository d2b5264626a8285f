"""Every chart page draws its charts with the small plotly.js bundle (core and bar only), under
the content security policy, and names holding markup are drawn as text, never as links."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts import roles
from maturity.models import Framework
from procurement.services.spend_summary import spend_summary_rebuild
from socialvalue.models import Goal
from tests.browser.conftest import bring_charts_into_view, make_user, screenshot, sign_in
from tests.dashboards.conftest import build_review_data

# live_server flushes the database after each test; serialized rollback reloads it as migrated.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAYLOAD = '<a href="https://evil.example/">Verify</a> <b>Bold</b>'


@pytest.fixture
def chart_data(live_server):
    call_command("loaddata", "framework", verbosity=0)
    data = build_review_data(framework=Framework.objects.get(slug="nps-2022-worcestershire"))
    supplier = data.suppliers["S1"]
    supplier.name = f"Alpha {PAYLOAD}"
    supplier.save()
    spend_summary_rebuild()
    Goal.objects.filter(name="Thriving communities").update(
        name="Unlocking community capacity through support for " + PAYLOAD
    )
    make_user("cllr", roles.MEMBERS)
    return data


@pytest.mark.parametrize(
    ("name", "path", "charts"),
    [
        ("spend-dashboard", "/procurement/spend/?year={year}", 6),
        ("social-value-dashboard", "/social-value/dashboard/?year={year}", 6),
        ("annual-review", "/review/?year={year}", 6),
        ("gap-dashboard", "/maturity/gaps/", 3),
    ],
)
def test_every_chart_draws_with_the_bundle_and_no_injected_link(
    page, chart_data, name, path, charts
):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, "cllr")

    page.goto(path.format(year=chart_data.year))
    bring_charts_into_view(page)
    page.wait_for_function(
        "n => document.querySelectorAll('.app-chart svg.main-svg').length >= n", arg=charts
    )

    assert page.evaluate("window.Plotly.version") == page.evaluate(
        "document.querySelector('script[src*=\"plotly-charts\"]') && window.Plotly.version"
    )
    assert page.locator("script[src*='plotly-charts']").count() == 1
    assert page.locator("script[src*='plotly.min.js']").count() == 0
    assert page.locator(".app-chart").count() == charts
    drawn = page.evaluate(
        "[...document.querySelectorAll('.app-chart')].map(c => "
        "c.querySelectorAll('.bars .point path, .scatterlayer .trace').length)"
    )
    assert all(count > 0 for count in drawn), drawn
    assert page.locator(".app-chart a[href*='evil.example']").count() == 0
    assert page.locator(".app-chart a").count() == 0
    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []
    screenshot(page, f"charts-{name}")


def test_plotly_loads_only_when_a_chart_comes_near(browser, live_server, chart_data):
    """The chart bundle is the page's largest script: a reader who never scrolls to a chart
    never downloads or parses it, and the tables are there from the start."""
    context = browser.new_context(viewport={"width": 400, "height": 200}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    sign_in(page, "cllr")
    page.goto("/maturity/gaps/")
    page.wait_for_load_state("networkidle")

    assert page.locator("table.govuk-table").count() >= 3
    assert not [url for url in scripts if "plotly-charts" in url]
    assert page.evaluate("typeof window.Plotly") == "undefined"

    page.locator("#chart-themes").scroll_into_view_if_needed()
    page.wait_for_selector("#chart-themes svg.main-svg")
    assert [url for url in scripts if "plotly-charts" in url]
    context.close()
