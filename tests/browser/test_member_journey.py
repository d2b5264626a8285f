"""Journey 5: a member opens the annual review, changes the year, follows a headline figure to
the list behind it, downloads the CSV, and finds no way to change anything.

Also: the main dashboards read in a sensible order with the styles switched off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from core.financial_year import default_financial_year, financial_year_label
from maturity.models import Assessment
from procurement.models import Saving, SubTeam
from procurement.services.payment_matching import transactions_match_contracts
from tests.browser.conftest import axe_violations, make_user, screenshot, sign_in
from tests.browser.keyboard import assert_focus_visible, start_from_the_top, tab_to
from tests.factories import AssessmentFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SavingFactory,
    SpendImportFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__"),
]

# Financial years with spend; the review opens on the later one, the last complete year.
LATER = default_financial_year(review=True)
EARLIER = LATER - 1
LATER_LABEL, EARLIER_LABEL = financial_year_label(LATER), financial_year_label(EARLIER)
EARLIER_SLUG = EARLIER_LABEL.replace("/", "-")
SAVINGS_EARLIER = [("12000.00", "cashable"), ("3500.50", "non_cashable")]  # £15,500.50
SPEND_EARLIER = ["12500.00", "830.50", "4199.50"]  # £17,530
WORKBOOK_BUTTON = re.compile(r"Prepare the \d{4}/\d{2} review as an Excel workbook")
WRITE_URL = re.compile(r"/(new|edit|import|assess|target|evidence|reject|submit|verify|delete)/")
# Pages that change something, with a plausible form: each must refuse a member.
WRITE_POSTS = [
    (
        "/procurement/savings/new/",
        {"financial_year": str(EARLIER), "kind": "cashable", "amount": "1"},
    ),
    ("/procurement/contracts/new/", {"reference": "X-1", "title": "Member's contract"}),
    ("/procurement/spend/import/", {}),
    ("/maturity/indicators/3/assess/", {"level": "5", "evidence": "None"}),
]


@pytest.fixture
def review_data(live_server):
    call_command("loaddata", "framework", verbosity=0)
    make_user("cllr", roles.MEMBERS, first_name="Chris", last_name="Councillor")
    today = timezone.localdate()
    care = CategoryFactory(name="Adult social care", sub_team=SubTeam.PEOPLE)
    supplier = SupplierFactory(name="Severn Care Ltd", is_local=True)
    contract = ContractFactory(
        supplier=supplier,
        category=care,
        reference="WCC-CARE-01",
        start_date=dt.date(EARLIER, 4, 1),
        end_date=today + dt.timedelta(days=100),
    )
    for amount, kind in SAVINGS_EARLIER:
        SavingFactory(contract=contract, financial_year=EARLIER, kind=kind, amount=amount)
    SavingFactory(contract=contract, financial_year=LATER, amount=Decimal("8000"))
    spend_file = SpendImportFactory()
    payees = [supplier, SupplierFactory(), SupplierFactory(size="large")]
    for day, (amount, payee) in enumerate(zip(SPEND_EARLIER, payees, strict=True), start=1):
        SpendTransactionFactory(
            spend_import=spend_file, supplier=payee, paid_on=dt.date(EARLIER, 5, day), amount=amount
        )
    SpendTransactionFactory(spend_import=spend_file, paid_on=dt.date(LATER, 6, 1), amount=999)
    transactions_match_contracts()
    return {"savings": sum(Decimal(amount) for amount, _ in SAVINGS_EARLIER)}


def pounds(text: str) -> Decimal:
    return Decimal(re.sub(r"[£,\s]", "", text))


def _headline(page, name: str):
    return page.locator("#headline-figures .govuk-summary-list__row", has_text=name).locator("dd")


def _nothing_to_change(page) -> None:
    """No button but the filters and preparing the review's workbook (a download, made in the
    background, that changes no data), no link to a page that adds or changes something, and no
    form that posts but signing out and that workbook."""
    main = page.locator("main")
    buttons = [text.strip() for text in main.get_by_role("button").all_inner_texts()]
    workbook = {button for button in buttons if WORKBOOK_BUTTON.fullmatch(button)}
    assert set(buttons) - workbook <= {"Show year", "Apply filter", "Filter"}, buttons
    links = main.locator("a[href]").evaluate_all("links => links.map(a => a.pathname)")
    assert [link for link in links if WRITE_URL.search(link)] == []
    forms = page.eval_on_selector_all(
        "form", "forms => forms.map(f => (f.method + ' ' + f.getAttribute('action')))"
    )
    posts = [form for form in forms if form.startswith("post")]
    assert set(posts) <= {"post /logout/", f"post {reverse('dashboards:annual-review-workbook')}"}
    assert "post /logout/" in posts


def _posts_are_refused(page) -> None:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path, data in WRITE_POSTS:
        response = page.request.post(
            path, form=data, headers={"X-CSRFToken": token}, max_redirects=0
        )
        assert response.status == 403, path
        # The role check refused it, not the CSRF check, which the token passed.
        assert "You do not have permission to do that" in response.text(), path


def test_a_member_reads_the_annual_review_follows_a_figure_and_downloads_it(page, review_data):
    sign_in(page, "cllr")
    page.get_by_role("link", name="Annual review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {LATER_LABEL}")
    _nothing_to_change(page)

    page.get_by_label("Financial year", exact=True).select_option(label=EARLIER_LABEL)
    page.get_by_role("button", name="Show year").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {EARLIER_LABEL}")
    expect(_headline(page, "Third-party spend").get_by_role("link")).to_have_text("£17,530")
    savings = _headline(page, "Savings delivered").get_by_role("link")
    expect(savings).to_have_text("£15,501")  # whole pounds in the headline, half up
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the headline figures as CSV").click()
    assert download.value.suggested_filename == f"annual-review-headline-{EARLIER_SLUG}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert rows[0] == ["Figure", "Value", "Unit", "Change on the year before (pp)"]
    values = {row[0]: row[1] for row in rows[1:]}
    assert Decimal(values["Third-party spend"]) == Decimal("17530")
    assert Decimal(values["Savings delivered"]) == review_data["savings"]

    savings.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Savings, {EARLIER_LABEL}")
    recorded = page.get_by_role(
        "table", name=f"Savings recorded, {EARLIER_LABEL}, latest year first"
    )
    amounts = recorded.locator("tbody tr td:last-child").all_inner_texts()
    assert sorted(pounds(amount) for amount in amounts) == [Decimal("3500.50"), Decimal("12000")]
    assert sum(pounds(amount) for amount in amounts) == review_data["savings"]
    _nothing_to_change(page)
    _posts_are_refused(page)
    assert Saving.objects.count() == 3
    screenshot(page, "journey-5-savings-from-the-review")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {EARLIER_LABEL}")
    screenshot(page, "journey-5-annual-review")


@pytest.fixture
def maturity_history(review_data):
    """Two indicators at the 2022 baseline's Developing: one reaches Leader in the earlier year,
    the other drops to Minimum in the later one."""
    officer = make_user("olivia", roles.OFFICERS)
    baseline = Assessment.objects.filter(level_id=2).order_by("indicator_id")
    rising, falling = (row.indicator for row in baseline.select_related("indicator")[:2])
    for indicator, level, year in ((rising, 4, EARLIER), (falling, 1, LATER)):
        AssessmentFactory(
            indicator=indicator, level_id=level, assessed_on=dt.date(year, 9, 30), assessor=officer
        )
    return {"rising": rising, "falling": falling}


def _maturity_row(page, indicator):
    table = page.locator("#maturity-table")
    return table.locator("tr", has=page.get_by_role("rowheader", name=indicator.name)).first


def test_a_councillor_sees_the_maturity_headline_first_and_the_change_since_last_year(
    page, maturity_history, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in(page, "cllr")
    page.get_by_role("link", name="Annual review").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {LATER_LABEL}")
    headline = page.locator("#headline ~ p").first
    expect(headline).to_have_id("maturity-headline")
    expect(headline).to_contain_text(
        f"of 65 indicators at or above target on 31 March {LATER + 1}; 0 moved up and 1 moved "
        f"down since 31 March {LATER};"
    )
    # The theme chart comes next, before the other headline figures.
    order = page.evaluate(
        """() => ['maturity-headline', 'chart-maturity-themes', 'headline-figures']
            .map(id => document.getElementById(id))
            .every((el, i, all) => i === 0 ||
                   Boolean(all[i - 1].compareDocumentPosition(el)
                           & Node.DOCUMENT_POSITION_FOLLOWING))"""
    )
    assert order
    expect(_maturity_row(page, maturity_history["falling"]).locator("td").nth(2)).to_have_text(
        "Down 1 level"
    )
    violations, rules = axe_violations(page)
    assert rules > 50 and violations == [], violations

    page.get_by_label("Financial year", exact=True).select_option(label=EARLIER_LABEL)
    page.get_by_role("button", name="Show year").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {EARLIER_LABEL}")
    expect(page.locator("#maturity-headline")).to_contain_text(
        f"of 65 indicators at or above target on 31 March {EARLIER + 1}; 1 moved up and 0 moved "
        f"down since 31 March {EARLIER};"
    )
    rising = _maturity_row(page, maturity_history["rising"]).locator("td")
    expect(rising.nth(0)).to_have_text("2")
    expect(rising.nth(1)).to_have_text("4 Leader")
    expect(rising.nth(2)).to_have_text("Up 2 levels")
    falling = _maturity_row(page, maturity_history["falling"]).locator("td")
    expect(falling.nth(1)).to_have_text("2 Developing")  # its drop came the year after
    violations, _ = axe_violations(page)
    assert violations == [], violations
    screenshot(page, "journey-5-maturity-headline")
    # The workbook is prepared in the background; its job's page offers it when it is ready.
    page.get_by_role(
        "button", name=f"Prepare the {EARLIER_LABEL} review as an Excel workbook"
    ).click()
    worker.set()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download annual-review-{EARLIER_SLUG}.xlsx").click(
            timeout=30_000
        )
    assert download.value.suggested_filename == f"annual-review-{EARLIER_SLUG}.xlsx"


def test_a_member_uses_the_annual_review_with_the_keyboard_alone(page, review_data):
    sign_in(page, "cllr")
    page.goto("/maturity/")
    start_from_the_top(page)
    stops = tab_to(page, "Annual review")
    assert stops[:3] == ["Worcestershire County Council", "Framework", "Gap dashboard"]
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/")

    start_from_the_top(page)
    page.keyboard.press("Enter")  # the skip link moves the focus to the main content
    tab_to(page, "Financial year")
    page.keyboard.press("ArrowDown")  # the last complete year to the one before
    tab_to(page, "Show year")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/review/?year={EARLIER}*")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual review: {EARLIER_LABEL}")

    # The form kept the skip link's #main-content, so Tab carries on from the main content.
    stops = tab_to(page, "Headline figures")  # the page's contents, after the year selector
    workbook = f"Prepare the {EARLIER_LABEL} review as an Excel workbook"
    assert stops == ["Financial year", "Show year", workbook, "Headline figures"]
    page.keyboard.press("Enter")  # jumps to the headline figures
    tab_to(page, "£15,501")  # the savings figure, as a link
    assert_focus_visible(page)
    tab_to(page, "Download the headline figures as CSV")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"annual-review-headline-{EARLIER_SLUG}.csv"
    tab_to(page, "£15,501", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/procurement/savings/\?year={EARLIER}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Savings, {EARLIER_LABEL}")
    _nothing_to_change(page)
    screenshot(page, "journey-5-savings-keyboard")


DASHBOARDS = [
    ("annual-review", "/review/"),
    ("spend-dashboard", f"/procurement/spend/?year={LATER}"),  # it opens on the current year
    ("social-value-dashboard", "/social-value/dashboard/"),
    ("gap-dashboard", "/maturity/gaps/"),
]


@pytest.mark.parametrize("name,path", DASHBOARDS, ids=[d[0] for d in DASHBOARDS])
def test_the_dashboard_reads_in_a_sensible_order_with_styles_off(page, review_data, name, path):
    sign_in(page, "cllr")
    page.goto(path)
    # Charts load their script after the page and add a style sheet when they draw.
    page.wait_for_load_state("networkidle")

    order = page.evaluate(
        """() => {
            // Switched off and read in one step: a chart drawn a moment later adds a sheet.
            for (const s of document.styleSheets) s.disabled = true;
            const after = (a, b) => Boolean(a.compareDocumentPosition(b)
                                            & Node.DOCUMENT_POSITION_FOLLOWING);
            const main = document.querySelector('main');
            const h1 = main.querySelector('h1');
            const tables = [...main.querySelectorAll('table')];
            const headings = [...main.querySelectorAll('h1, h2, h3')];
            return {
                styles: [...document.styleSheets].filter(s => !s.disabled).length,
                first_text: document.body.innerText.trim().split('\\n')[0],
                first_link: document.querySelector('a[href]').textContent.trim(),
                h1s: main.querySelectorAll('h1').length,
                h1_in_main_first: headings[0] === h1,
                tables: tables.length,
                tables_after_h1: tables.every(t => after(h1, t)),
                captions: tables.filter(t => t.caption && t.caption.textContent.trim()).length,
                nav_before_main: after(document.querySelector('nav'), main),
                footer_after_main: after(main, document.querySelector('footer')),
                hidden_tables: tables.filter(t => !t.offsetParent).length,
            };
        }"""
    )

    assert order["styles"] == 0
    assert order["first_text"] == "Skip to main content"
    assert order["first_link"] == "Skip to main content"
    assert order["h1s"] == 1 and order["h1_in_main_first"]
    assert order["tables"] >= 2, order
    assert order["tables_after_h1"] and order["captions"] == order["tables"], order
    assert order["nav_before_main"] and order["footer_after_main"]
    assert order["hidden_tables"] == 0
    screenshot(page, f"styles-off-{name}")
