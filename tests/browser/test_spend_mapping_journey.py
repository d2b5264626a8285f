"""Journey: an officer uploads a spend file whose layout the app does not know, matches its
columns in the browser, imports it, and the next file of that layout imports with no mapping
step. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts import roles
from procurement.importers.spend import SPEND_FIELDS
from tests.browser.conftest import axe_violations, make_user, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LABELS = {field: label for field, label, _required in SPEND_FIELDS}
# "Updated" is the date the payment was made; nothing in the heading says so.
MAY = (
    "Updated,Payee,Value\n"
    '02/05/2025,Severn Care Ltd,"12,500.00"\n'
    "09/05/2025,Malvern Print Ltd,1250.50\n"
    "30/05/2025,Severn Care Ltd,749.99\n"
)
JUNE = "Updated,Payee,Value\n03/06/2025,Malvern Print Ltd,100.00\n"


@pytest.fixture
def officer(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")


def _upload(page, path) -> None:
    page.goto("/procurement/spend/import/")
    page.get_by_label("Upload a spend file").set_input_files(str(path))
    page.get_by_role("button", name="Import file").click()


def test_an_officer_maps_an_unknown_layout_once_and_its_next_file_imports_directly(
    page, officer, tmp_path
):
    may, june = tmp_path / "payments-may.csv", tmp_path / "payments-june.csv"
    may.write_text(MAY, encoding="utf-8")
    june.write_text(JUNE, encoding="utf-8")
    sign_in(page, "olivia")

    _upload(page, may)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Match the columns of payments-may.csv"
    )
    columns = page.get_by_role("table", name="Columns in the file and its first rows")
    expect(columns.get_by_role("row", name="Payee")).to_contain_text("Malvern Print Ltd")
    expect(columns.get_by_role("row", name="Updated")).to_contain_text("02/05/2025")
    expect(page.get_by_label(LABELS["amount"], exact=True)).to_have_value("Value")
    violations, rules = axe_violations(page)
    assert rules > 50 and violations == [], violations
    screenshot(page, "spend-mapping-step")

    page.get_by_label(LABELS["date"], exact=True).select_option("Updated")
    page.get_by_label(LABELS["supplier"], exact=True).select_option("Payee")
    page.get_by_role("button", name="Import file").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(
        "Imported 3 rows totalling £14,500.49 from payments-may.csv; 2 new suppliers added"
    )
    page.wait_for_url("**/spend/imports/")

    _upload(page, june)

    page.wait_for_url("**/spend/imports/")  # no mapping step
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Imported 1 row totalling £100.00 from payments-june.csv"
    )
    imports = page.get_by_role("table", name="Imported spend files")
    expect(imports.get_by_role("row", name="payments-june.csv")).to_contain_text("Olivia Officer")

    page.get_by_role("link", name="Remembered file layouts").click()
    page.get_by_role("link", name="Updated, Payee, Value").click()
    mapping = page.get_by_role("table", name="Which column holds each field")
    expect(mapping.get_by_role("row", name=LABELS["date"])).to_contain_text("Updated")
    expect(page.get_by_role("table", name="Change history")).to_contain_text("Olivia Officer")


def test_the_mapping_step_reflows_at_320_pixels_wide(page, officer, tmp_path):
    may = tmp_path / "payments-may.csv"
    may.write_text(MAY, encoding="utf-8")
    sign_in(page, "olivia")
    page.set_viewport_size({"width": 320, "height": 640})

    _upload(page, may)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Match the columns")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the mapping step scrolls sideways by {overflow}px at 320px wide"
