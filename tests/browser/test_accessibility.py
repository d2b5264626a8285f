"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every main page, as the role that uses it.

Also checks the things axe cannot: no horizontal scrolling at 320 CSS pixels (400% zoom) and
the footer link to the accessibility statement on every page.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts import roles
from tests.browser.conftest import axe_violations, make_user, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# (page name, role, path). Paths with {indicator} are filled in from the loaded framework.
PAGES = [
    ("sign-in", None, "/login/"),
    ("accessibility-statement", None, "/accessibility/"),
    ("framework-overview", "member", "/maturity/"),
    ("gap-dashboard", "member", "/maturity/gaps/"),
    ("indicator", "member", "/maturity/indicators/3/"),
    ("record-assessment", "officer", "/maturity/indicators/3/assess/"),
    ("set-target", "officer", "/maturity/indicators/3/target/"),
    ("add-action", "officer", "/maturity/indicators/3/actions/new/"),
]


@pytest.fixture
def people(live_server):
    call_command("loaddata", "framework", verbosity=0)
    return {
        "officer": make_user("a11y-officer", roles.OFFICERS),
        "member": make_user("a11y-member", roles.MEMBERS),
    }


@pytest.mark.parametrize("name,role,path", PAGES, ids=[p[0] for p in PAGES])
def test_the_page_has_no_wcag_violations(page, people, name, role, path):
    if role:
        sign_in(page, people[role].username)
    page.goto(path)

    violations, rules = axe_violations(page)

    assert rules > 50, f"axe ran only {rules} rules on {path}"
    assert violations == [], f"{name}: {violations}"
    assert page.get_by_role("link", name="Accessibility statement").count() == 1


@pytest.mark.parametrize("name,role,path", PAGES, ids=[p[0] for p in PAGES])
def test_the_page_reflows_at_320_pixels_wide(page, people, name, role, path):
    if role:
        sign_in(page, people[role].username)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px wide"


def test_an_error_page_after_a_bad_form_has_no_violations(page, people):
    sign_in(page, people["officer"].username)
    page.goto("/maturity/indicators/3/assess/")
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Save assessment").click()

    violations, _ = axe_violations(page)

    assert page.get_by_text("There is a problem").is_visible()
    assert violations == []


def test_charts_draw_under_the_content_security_policy_and_stay_out_of_the_tab_order(page, people):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, people["member"].username)

    page.goto("/maturity/gaps/")
    page.wait_for_selector("#chart-key-areas svg.main-svg")

    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []
    charts = page.locator(".app-chart")
    assert charts.count() == 3
    focusable_in_charts = page.evaluate(
        "[...document.querySelectorAll('.app-chart *')].filter(e => e.tabIndex >= 0).length"
    )
    assert focusable_in_charts == 0
