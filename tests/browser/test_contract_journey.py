"""Journey 3: an officer adds a contract and records a variation on it; the contract page's
history shows both changes, each with the officer's full name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts import roles
from procurement.models import SubTeam
from tests.browser.conftest import make_user, screenshot, sign_in
from tests.browser.keyboard import start_from_the_top, tab_to
from tests.procurement.factories import CategoryFactory, SupplierFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFERENCE = "WCC-2025-0107"


@pytest.fixture
def register(live_server):
    make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")
    SupplierFactory(name="Severn Care Ltd", company_number="07654321", is_local=True)
    CategoryFactory(name="Adult social care", sub_team=SubTeam.PEOPLE)


def _fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def _history_rows(page):
    return page.get_by_role("table", name="Change history").locator("tbody tr")


def _check_the_history(page) -> None:
    """Newest first: the variation's change to the contract, then the contract being added."""
    rows = _history_rows(page)
    expect(rows).to_have_count(2)
    changed, created = rows.nth(0).locator("td"), rows.nth(1).locator("td")
    expect(changed.nth(1)).to_have_text("Olivia Officer")
    # The arrow is hidden from screen readers, which hear "changed to" instead.
    expect(changed.nth(2)).to_contain_text(
        re.compile(r"Total value: £450,000\.00 → changed to £475,000\.00")
    )
    expect(changed.nth(2)).to_contain_text(
        re.compile(r"End date: 31 March 2028 → changed to 31 March 2029")
    )
    expect(created.nth(1)).to_have_text("Olivia Officer")
    expect(created.nth(2)).to_have_text("Created")
    variation = page.get_by_role("table", name="Variations").locator("tbody tr")
    expect(variation).to_have_count(1)
    expect(variation).to_contain_text("Extra night visits in Wyre Forest")
    expect(variation.locator("td").last).to_contain_text("Olivia Officer")


def test_an_officer_adds_a_contract_and_a_variation_and_the_history_shows_both(page, register):
    sign_in(page, "olivia")
    page.get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_role("link", name="Add a contract").click()

    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Title").fill("Home care north")
    page.get_by_label("Supplier", exact=True).fill("Severn Care Ltd")
    page.get_by_label("Category").select_option(label="Adult social care")
    page.get_by_label("Owner").select_option(label="Olivia Officer")
    _fill_date(page, "Start date", "1", "4", "2025")
    _fill_date(page, "End date", "31", "3", "2028")
    page.get_by_label("Total value (£)").fill("£450,000")
    page.get_by_label("Social value weighting (%)").fill("10")
    page.get_by_role("button", name="Save contract").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Contract {REFERENCE} added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home care north")
    expect(_history_rows(page)).to_have_count(1)
    page.get_by_role("link", name="Record a variation").click()
    _fill_date(page, "Date of variation", "1", "10", "2025")
    page.get_by_label("Reason").fill("Extra night visits in Wyre Forest")
    page.get_by_label("Change to the total value (£)").fill("25,000")
    _fill_date(page, "New end date", "31", "3", "2029")
    page.get_by_label("Approved by").fill("Head of Commercial, People")
    page.get_by_role("button", name="Record variation").click()
    # A year more on a three-year term is a change the Procurement Act 2023 (s.75) makes the
    # council publish first: the form says so before saving, and the officer confirms.
    expect(page.get_by_role("alert")).to_contain_text("contract change notice")
    page.get_by_label("I understand a contract change notice").check()
    page.get_by_role("button", name="Record variation").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Variation recorded on {REFERENCE}.")
    details = page.locator(".govuk-summary-list").first
    expect(details).to_contain_text("£475,000.00")
    _check_the_history(page)
    screenshot(page, "journey-3-contract-history")


def _type_date(page, day: str, month: str, year: str) -> None:
    """Fill the Day, Month and Year boxes of a date, the next Tab stops in turn."""
    for label, value in (("Day", day), ("Month", month), ("Year", year)):
        tab_to(page, label)
        page.keyboard.type(value)


def test_a_contract_and_its_variation_can_be_recorded_with_the_keyboard_alone(page, register):
    sign_in(page, "olivia")
    page.goto("/procurement/contracts/")
    start_from_the_top(page)
    tab_to(page, "Add a contract")
    page.keyboard.press("Enter")
    page.wait_for_url("**/contracts/new/")

    start_from_the_top(page)
    tab_to(page, "Reference")
    page.keyboard.type(REFERENCE)
    tab_to(page, "Title")
    page.keyboard.type("Home care north")
    tab_to(page, "Supplier")
    page.keyboard.type("Severn Care Ltd")
    tab_to(page, "Category")
    page.keyboard.press("ArrowDown")  # the first category after "Not categorised"
    tab_to(page, "Owner")
    page.keyboard.press("ArrowDown")  # the only officer
    _type_date(page, "1", "4", "2025")  # start date
    _type_date(page, "31", "3", "2028")  # end date
    tab_to(page, "Total value (£)")
    page.keyboard.type("450000")
    tab_to(page, "Social value weighting (%)")
    page.keyboard.type("10")
    tab_to(page, "The contract has a carbon reduction commitment")
    page.keyboard.press("Space")
    tab_to(page, "Save contract")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text(f"Contract {REFERENCE} added.")
    expect(page.get_by_role("alert")).to_be_focused()
    summary = page.locator(".govuk-summary-list").first
    expect(summary.locator(".govuk-summary-list__row", has_text="Category")).to_contain_text(
        "Adult social care (People sub-team)"
    )
    expect(summary.locator(".govuk-summary-list__row", has_text="Owner")).to_contain_text(
        "Olivia Officer"
    )
    expect(summary.locator(".govuk-summary-list__row", has_text="Carbon")).to_contain_text("Yes")
    tab_to(page, "Record a variation")
    page.keyboard.press("Enter")
    page.wait_for_url("**/variations/new/")

    start_from_the_top(page)
    _type_date(page, "1", "10", "2025")
    tab_to(page, "Reason")
    page.keyboard.type("Extra night visits in Wyre Forest")
    tab_to(page, "Change to the total value (£)")
    page.keyboard.type("25,000")
    _type_date(page, "31", "3", "2029")
    tab_to(page, "Approved by")
    page.keyboard.type("Head of Commercial, People")
    tab_to(page, re.compile("^Record variation$"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("contract change notice")
    tab_to(page, re.compile("^I understand a contract change notice"))
    page.keyboard.press("Space")
    tab_to(page, re.compile("^Record variation$"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text(f"Variation recorded on {REFERENCE}.")
    _check_the_history(page)
    screenshot(page, "journey-3-contract-history-keyboard")
