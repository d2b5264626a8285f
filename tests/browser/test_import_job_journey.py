"""An officer uploads a spend file that is imported in the background, watches the progress
page move without a reload, and reads the report there; the job stays in their list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts import roles
from jobs.models import Job
from tests.browser.conftest import axe_violations, make_user, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__"),
]

CONTENT = (
    "Supplier Name,Amount,Date,Transaction Number\n"
    "Severn Care Ltd,12500.00,02/05/2025,7100001\n"
    "Malvern Print Ltd,1250.50,09/05/2025,7100002\n"
    "Severn Care Ltd,749.99,30/05/2025,7100004\n"
)


@pytest.fixture
def officer(live_server, settings, tmp_path):
    settings.SPEND_IMPORT_IN_REQUEST_BYTES = 0  # this small file goes to the queue too
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")


def _no_violations(page) -> None:
    violations, rules = axe_violations(page)
    assert rules > 20
    assert violations == [], violations


def test_an_officer_watches_a_spend_import_job_reach_its_report(page, officer, worker, tmp_path):
    spend_file = tmp_path / "spend-may-2025.csv"
    spend_file.write_text(CONTENT, encoding="utf-8")
    sign_in(page, "olivia")
    page.goto("/procurement/spend/import/")
    page.get_by_label("Upload a spend file").set_input_files(str(spend_file))
    page.get_by_role("button", name="Import file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("spend-may-2025.csv")
    expect(page.locator("#job-status-label")).to_have_text("Waiting to start")
    expect(page.get_by_label("Progress")).to_be_visible()
    _no_violations(page)
    screenshot(page, "job-waiting")

    # The page's script shows progress as the job reports it, without reloading the page.
    page.evaluate("window.notReloaded = true")
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, rows_read=2, bad_rows=0)
    expect(page.locator("#job-status-label")).to_have_text("Running")
    expect(page.locator("#job-rows-read")).to_have_text("2")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "66")
    assert page.evaluate("window.notReloaded") is True

    worker.set()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(
        "Imported 3 rows totalling £14,500.49 from spend-may-2025.csv; 2 new suppliers added",
        timeout=30_000,
    )
    expect(page.locator("#job-status-label")).to_have_text("Finished")
    _no_violations(page)
    screenshot(page, "job-finished")

    page.get_by_role("link", name="See the spend imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend imports")
    page.goto("/jobs/")
    row = page.get_by_role("row", name="spend-may-2025.csv")
    expect(row).to_contain_text("Finished")
    _no_violations(page)
