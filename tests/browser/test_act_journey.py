"""The Procurement Act journey: an officer adds a £6m contract and is told it needs three KPIs,
adds and rates them, sees the notices on the compliance calendar, and a 12% variation is flagged
before it is saved; a pipeline over £100m makes the council's pipeline notice due. axe checks
each page on the way."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts import roles
from procurement.models import SubTeam
from tests.browser.conftest import axe_violations, fill_date, make_user, screenshot, sign_in
from tests.procurement.factories import CategoryFactory, PipelineItemFactory, SupplierFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFERENCE = "WCC-2025-0600"


@pytest.fixture
def register(live_server):
    make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")
    SupplierFactory(name="Malvern Highways Ltd", company_number="07111111")
    CategoryFactory(name="Highways", sub_team=SubTeam.PLACE)


def _no_axe_violations(page) -> None:
    violations, rules = axe_violations(page)
    assert rules > 0
    assert violations == [], violations


def test_a_6m_contract_from_kpis_to_the_compliance_calendar(page, register) -> None:
    sign_in(page, "olivia")
    page.goto("/procurement/contracts/new/")
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Title").fill("Highways maintenance")
    page.get_by_label("Supplier", exact=True).fill("Malvern Highways Ltd")
    page.get_by_label("Category").select_option(label="Highways")
    page.get_by_label("Owner").select_option(label="Olivia Officer")
    fill_date(page, "Start date", "1", "5", "2025")
    fill_date(page, "End date", "30", "4", "2028")
    page.get_by_label("Total value (£)").fill("5,000,000")
    page.get_by_label("Procedure (Procurement Act 2023)").select_option(label="Open procedure")
    fill_date(page, "Signature date", "20", "4", "2025")
    page.get_by_label("Total value including VAT (£)").fill("6,000,000")
    page.get_by_role("button", name="Save contract").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Contract {REFERENCE} added.")
    expect(page.locator("#kpis-needed")).to_contain_text("at least three KPIs")
    expect(page.locator("#kpis-needed")).to_contain_text("add 3 more")
    notices = page.get_by_role("table", name="Notices due under the Act")
    expect(notices).to_contain_text("Contract details notice")
    expect(notices).to_contain_text("19 May 2025")
    _no_axe_violations(page)

    for name in ("Response to emergencies", "Potholes repaired", "Complaints answered"):
        page.get_by_role("link", name="Add a KPI").click()
        page.get_by_label("KPI").fill(name)
        page.get_by_label("What good looks like").fill("95% on time")
        page.get_by_label("How it is measured").fill("Monthly report")
        page.get_by_role("button", name="Add KPI").click()
        expect(page.get_by_role("alert")).to_contain_text("KPI added")
    expect(page.locator("#kpis-needed")).to_have_count(0)

    page.get_by_role("link", name="Rate the KPIs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate the KPIs")
    _no_axe_violations(page)
    fill_date(page, "Date of the assessment", "30", "4", "2026")
    fill_date(page, "Start of the period assessed", "1", "5", "2025")
    for group in page.get_by_role("group", name="Rating").all():
        group.get_by_label("Good").check()
    page.get_by_role("button", name="Record ratings").click()
    expect(page.get_by_role("alert")).to_contain_text("contract performance notice")
    expect(notices).to_contain_text("Contract performance notice")
    expect(notices).to_contain_text("30 May 2026")

    page.get_by_role("link", name="Record a variation").click()
    fill_date(page, "Date of variation", "1", "9", "2025")
    page.get_by_label("Reason").fill("Storm damage repairs")
    page.get_by_label("Change to the total value (£)").fill("600,000")
    page.get_by_role("button", name="Record variation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("12.0%")
    _no_axe_violations(page)
    page.get_by_label("I understand a contract change notice").check()
    page.get_by_role("button", name="Record variation").click()
    expect(page.get_by_role("alert")).to_contain_text("Variation recorded")
    expect(notices).to_contain_text("Contract change notice")

    page.goto("/procurement/notices/")
    expect(page.get_by_role("table", name="3 notices")).to_be_visible()
    _no_axe_violations(page)
    # The earliest deadline comes first: the contract details notice.
    page.locator("#notices").get_by_role("link", name="Mark published").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("contract details notice")
    fill_date(page, "Date published", "15", "5", "2025")
    page.get_by_label("Notice identifier").fill("UK7-2025-000123")
    page.get_by_role("button", name="Mark published").click()
    expect(page.get_by_role("alert")).to_contain_text("marked published")
    expect(page.locator("#notices")).to_contain_text("UK7-2025-000123")
    screenshot(page, "journey-act-calendar")


def test_a_pipeline_over_100m_makes_a_pipeline_notice_on_the_calendar(page, register) -> None:
    """The head of procurement finds the pipeline notice (s.93) the daily run made due, reads the
    procurements it lists and marks it published."""
    year = dt.date.today().year if dt.date.today().month >= 4 else dt.date.today().year - 1
    PipelineItemFactory(
        title="Waste collection and recycling",
        estimated_value=Decimal("95000000"),
        planned_start=dt.date(year, 6, 1),
    )
    PipelineItemFactory(
        title="Home to school transport",
        estimated_value=Decimal("12000000"),
        planned_start=dt.date(year, 9, 1),
    )
    call_command("notice_alerts", "--today", f"{year}-04-02", stdout=io.StringIO())

    sign_in(page, "olivia")
    page.goto("/procurement/notices/")
    page.get_by_label("Notice", exact=True).select_option(label="Pipeline notice")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table", name="1 notice")).to_contain_text("The council")
    page.locator("#notices").get_by_role("link", name=re.compile(r"^Pipeline notice")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline notice")
    items = page.get_by_role("table", name="2 procurements, £107,000,000 in all")
    expect(items).to_contain_text("Waste collection and recycling")
    expect(items).to_contain_text("Home to school transport")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"26 May {year}")
    _no_axe_violations(page)
    screenshot(page, "journey-act-pipeline-notice")

    page.get_by_role("link", name="Mark this notice published").click()
    fill_date(page, "Date published", "20", "5", str(year))
    page.get_by_label("Notice identifier").fill(f"UK1-{year}-000042")
    page.get_by_role("button", name="Mark published").click()
    expect(page.locator("#notices")).to_contain_text(f"UK1-{year}-000042")
