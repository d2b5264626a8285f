"""Journey 2: an officer uploads a spend file with a bad row, reads the error by its line number,
fixes the file, uploads it again, and the spend dashboard shows the new total."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts import roles
from core.financial_year import default_financial_year, financial_year_label
from tests.browser.conftest import make_user, screenshot, sign_in
from tests.browser.keyboard import assert_focus_visible, focus_state, start_from_the_top, tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADER = (
    "Body Name,Body,Date,Transaction Number,Invoice Number,Amount,Supplier Name,Supplier ID,"
    "VAT Registration Number,Expense Area,Expense Type,Expense Code"
)
BODY = "Worcestershire County Council,E1801"
ROWS = [  # (date, transaction, amount, supplier, expense area, expense type)
    ("02/05/2025", "7100001", '"£12,500.00"', "Severn Care Ltd", "Adult Services", "Home care"),
    ("09/05/2025", "7100002", '"1,250.50"', "Malvern Print Ltd", "Corporate", "Printing"),
    ("{bad}", "7100003", "3000.00", "Wyre Forest Buses Ltd", "Highways", "Transport"),
    ("30/05/2025", "7100004", "749.99", "Severn Care Ltd", "Adult Services", "Home care"),
]
CURRENT = financial_year_label(default_financial_year())  # the year the dashboard opens on
TOTAL = "£14,500.49"  # 12,500 + 1,250.50 + 3,000 + 749.99 - 3,000 credit note below
CREDIT_NOTE = ("31/05/2025", "7100005", "(3000.00)", "Wyre Forest Buses Ltd", "Highways", "Credit")


def _write_spend_file(path, *, bad_date: str) -> None:
    """A transparency-format file: header on line 1, so the third payment is on line 4."""
    lines = [HEADER]
    for day, number, amount, supplier, area, kind in [*ROWS, CREDIT_NOTE]:
        day = day.format(bad=bad_date)
        lines.append(f"{BODY},{day},{number},INV-{number},{amount},{supplier},,,{area},{kind},4100")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def officer(live_server):
    return make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")


@pytest.fixture
def spend_file(tmp_path):
    path = tmp_path / "spend-may-2025.csv"
    _write_spend_file(path, bad_date="31/02/2025")
    return path


def _upload(page, path) -> None:
    page.get_by_label("Upload a spend file").set_input_files(str(path))
    page.get_by_role("button", name="Import file").click()


def test_an_officer_fixes_a_bad_row_and_the_dashboard_shows_the_new_total(
    page, officer, spend_file
):
    sign_in(page, "olivia")
    page.get_by_role("link", name="Spend", exact=True).click()
    expect(page.get_by_text("No spend has been imported yet.")).to_be_visible()
    page.get_by_role("link", name="Import a spend file").click()

    _upload(page, spend_file)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("spend-may-2025.csv was not imported because 1 row has errors")
    expect(summary).to_contain_text('Line 4: date "31/02/2025" is not a real date')
    expect(page).to_have_title(
        "Error: Import a spend file – Procurement maturity – Worcestershire County Council"
    )

    _write_spend_file(spend_file, bad_date="16/05/2025")
    _upload(page, spend_file)

    expect(page.get_by_role("alert")).to_contain_text(
        f"Imported 5 rows totalling {TOTAL} from spend-may-2025.csv; 3 new suppliers added"
    )
    imports = page.get_by_role("table", name="Imported spend files")
    expect(imports.get_by_role("row", name="spend-may-2025.csv")).to_contain_text("Olivia Officer")
    page.get_by_role("link", name="Spend", exact=True).click()
    # The dashboard opens on the current financial year; the file's year is offered.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Spend dashboard: {CURRENT}")
    page.get_by_label("Financial year", exact=True).select_option(label="2025/26")
    page.get_by_role("button", name="Show year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend dashboard: 2025/26")
    total = page.locator(".govuk-summary-list__row", has_text="Total spend")
    expect(total.locator("dd")).to_contain_text("£14,500 net of credit notes")
    by_year = page.get_by_role("table", name="Spend by financial year")
    expect(by_year.get_by_role("row", name="2025/26")).to_contain_text(TOTAL)
    expect(
        page.locator(".govuk-summary-list__row", has_text="Payments").locator("dd")
    ).to_have_text("4 and 1 credit note")
    screenshot(page, "journey-2-spend-dashboard")


def test_the_spend_upload_can_be_done_with_the_keyboard_alone(page, officer, spend_file):
    # Listening from the start turns on Playwright's file chooser interception before any key
    # opens one; turned on only by expect_file_chooser, it can miss the first.
    page.on("filechooser", lambda chooser: None)
    sign_in(page, "olivia")
    page.goto("/procurement/spend/")
    start_from_the_top(page)
    tab_to(page, "Spend files imported")
    page.keyboard.press("Enter")
    page.wait_for_url("**/spend/imports/")

    start_from_the_top(page)
    stops = tab_to(page, "Import a spend file")
    assert stops[-2:] == ["Sign out", "Import a spend file"]  # header, menu, then the page
    page.keyboard.press("Enter")
    page.wait_for_url("**/spend/import/")
    tab_to(page, "What the file must look like")
    page.keyboard.press("Enter")  # opens the details
    expect(page.get_by_text("date paid, day first")).to_be_visible()
    tab_to(page, "Upload a spend file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(spend_file))
    assert tab_to(page, "Skip bad rows") == ["Skip bad rows"]
    page.keyboard.press("Tab")
    assert focus_state(page)["name"] == "Import file"
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text('Line 4: date "31/02/2025" is not a real date')
    page.keyboard.press("Tab")  # each error links to the field that needs changing
    assert focus_state(page)["name"].startswith("spend-may-2025.csv was not imported")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focus_state(page)["name"].startswith("Upload a spend file")

    _write_spend_file(spend_file, bad_date="16/05/2025")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(spend_file))
    tab_to(page, "Import file")
    page.keyboard.press("Enter")

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"totalling {TOTAL}")
    expect(banner).to_be_focused()  # so a screen reader reads it out
    tab_to(page, re.compile("^Spend$"), key="Shift+Tab")  # back up to the menu
    page.keyboard.press("Enter")
    page.wait_for_url("**/procurement/spend/")
    expect(page.get_by_text(f"No spend is recorded for {CURRENT}")).to_be_visible()
    tab_to(page, "Financial year")
    page.keyboard.press("ArrowDown")  # the current year, then the last complete one, 2025/26
    tab_to(page, "Show year")
    page.keyboard.press("Enter")
    page.wait_for_url("**/procurement/spend/?year=2025*")
    total = page.locator(".govuk-summary-list__row", has_text="Total spend").locator("dd")
    expect(total).to_contain_text("£14,500")
    screenshot(page, "journey-2-spend-dashboard-keyboard")
