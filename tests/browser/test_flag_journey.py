"""Journey: an officer finds a possible duplicate payment on the spend dashboard, opens it,
reads its payments by file and line, marks it explained with a reason and a note, and the
review stays after the same period is imported again. Every page passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts import roles
from tests.browser.conftest import axe_violations, make_user, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADER = "Body Name,Body,Date,Transaction Number,Amount,Supplier Name,Expense Area,Expense Type"
BODY = "Worcestershire County Council,E1801"
ROWS = [  # (date, transaction, amount, supplier, expense area, expense type)
    ("09/05/2025", "7100002", "1250.50", "Malvern Print Ltd", "Corporate", "Printing"),
    ("14/05/2025", "7100006", "1250.50", "Malvern Print Ltd", "Corporate", "Printing"),
    ("12/05/2025", "7100003", "900.00", "Wyre Forest Buses Ltd", "Highways", "Transport"),
]
LATE = ("30/05/2025", "7100009", "640.00", "Severn Signs Ltd", "Highways", "Signs")


def _write(path, rows) -> None:
    lines = [HEADER] + [f"{BODY},{','.join(row)}" for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _import(page, path) -> None:
    page.goto("/procurement/spend/import/")
    page.get_by_label("Upload a spend file").set_input_files(str(path))
    page.get_by_role("button", name="Import file").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Imported")


def _assert_accessible(page) -> None:
    violations, rules = axe_violations(page)
    assert rules > 0
    assert violations == [], violations


@pytest.fixture
def officer(live_server):
    return make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")


def test_an_officer_explains_a_flag_and_it_stays_explained_after_a_reimport(
    page, officer, tmp_path
):
    first = tmp_path / "spend-may-2025.csv"
    _write(first, ROWS)
    sign_in(page, "olivia")
    _import(page, first)

    page.goto("/procurement/spend/?year=2025")
    flags = page.get_by_role("table", name="The highest-scoring flags to check in 2025/26")
    expect(flags).to_contain_text("Malvern Print Ltd")
    _assert_accessible(page)
    flags.get_by_role("link", name="Possible duplicate payment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Possible duplicate payment: Malvern Print Ltd"
    )
    payments = page.get_by_role("table", name="The flag’s payments")
    expect(payments).to_contain_text("spend-may-2025.csv:2")
    expect(payments).to_contain_text("spend-may-2025.csv:3")
    _assert_accessible(page)

    page.get_by_label("Explained").check()
    page.get_by_label("Reason").select_option(
        label="Separate invoices for separate goods or services"
    )
    page.get_by_label("Note").fill("Two print runs: leaflets and posters.")
    page.get_by_role("button", name="Save review").click()

    expect(page.get_by_role("alert")).to_contain_text("Review saved.")
    history = page.get_by_role("table", name="Review history")
    expect(history).to_contain_text("Explained")
    expect(history).to_contain_text("olivia")
    _assert_accessible(page)
    screenshot(page, "journey-flag-explained")

    republished = tmp_path / "spend-may-2025-republished.csv"
    _write(republished, [*ROWS, LATE])
    _import(page, republished)
    page.goto("/procurement/spend/flags/?year=2025")

    table = page.get_by_role("table", name="Flags in 2025/26")
    expect(table.get_by_role("row", name="Malvern Print Ltd")).to_contain_text("Explained")
    _assert_accessible(page)
    page.goto("/procurement/spend/?year=2025")
    expect(page.get_by_text("No flags to check.")).to_be_visible()
