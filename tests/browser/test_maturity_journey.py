"""Journey 1: an officer records a new assessment; the overview and gap dashboard show it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts import roles
from tests.browser.conftest import make_user, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ELECTED = re.compile(r"^Engaging elected members")


@pytest.fixture
def loaded(live_server):
    call_command("loaddata", "framework", verbosity=0)
    make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")
    make_user("cllr", roles.MEMBERS, first_name="Chris", last_name="Councillor")


def _record_reporting_at_leader(page) -> None:
    page.goto("/maturity/")
    elected = page.get_by_role("table", name=ELECTED)
    elected.get_by_role("link", name="Reporting").click()
    page.get_by_role("link", name="Record an assessment").click()
    page.get_by_label("4. Leader").check()
    page.get_by_label("Evidence").fill("Quarterly procurement reports to Cabinet since April 2024")
    page.get_by_role("button", name="Save assessment").click()


def test_an_officer_records_a_level_and_the_dashboards_show_it(page, loaded):
    sign_in(page, "olivia")

    _record_reporting_at_leader(page)

    expect(page.get_by_text("Assessment saved for Reporting")).to_be_visible()
    history = page.locator("table", has_text="Assessed by").first
    assert "Olivia Officer" in history.inner_text()
    page.goto("/maturity/")
    elected = page.get_by_role("table", name=ELECTED)
    reporting_row = elected.locator("tr", has=page.get_by_role("link", name="Reporting"))
    assert "4 Leader" in reporting_row.inner_text()
    assert reporting_row.locator("td").last.inner_text().strip() == "0"
    page.goto("/maturity/gaps/")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Engaging elected members"))
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == "2.25"  # where we are: (2 + 2 + 4 + 1) / 4
    screenshot(page, "journey-1-gap-dashboard")


def test_a_member_sees_the_change_and_cannot_make_one(page, loaded):
    sign_in(page, "olivia")
    _record_reporting_at_leader(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "cllr")
    page.goto("/maturity/gaps/")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Engaging elected members"))
    assert row.locator("td").all_inner_texts()[2] == "2.25"
    page.goto("/maturity/")
    page.get_by_role("link", name="Reporting").first.click()
    assert page.get_by_role("link", name="Record an assessment").count() == 0
    response = page.goto(page.url + "assess/")
    assert response.status == 403


def test_the_assessment_form_can_be_completed_with_the_keyboard_alone(page, loaded):
    sign_in(page, "olivia")
    page.goto("/maturity/")
    page.get_by_role("link", name="Reporting").first.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Record an assessment").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/assess/")

    page.get_by_label("1. Minimum").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.get_by_label("4. Leader").is_checked()
    page.keyboard.press("Tab")  # day
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("id_assessed_on")
    page.get_by_label("Evidence").focus()
    page.keyboard.type("Keyboard-only evidence")
    page.get_by_role("button", name="Save assessment").focus()
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' '"
        " + getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline != "none none"
    page.keyboard.press("Enter")

    expect(page.get_by_text("Assessment saved for Reporting")).to_be_visible()
