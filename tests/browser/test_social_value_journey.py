"""Journey 4: a supplier drafts and submits a social value return with an evidence file; an
officer rejects it with a reason; the supplier reads the reason, adds the missing evidence and
submits again; the officer verifies it, and the social value dashboard moves by exactly the
return's value.

The supplier and the officer each have their own browser, as two people would.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts import roles
from core.financial_year import financial_year_label
from socialvalue.models import Measure
from socialvalue.selectors.overdue import recent_periods
from tests.browser.conftest import PASSWORD, make_user, screenshot, sign_in
from tests.browser.keyboard import assert_focus_visible, start_from_the_top, tab_to
from tests.procurement.factories import ContractFactory, SupplierFactory
from tests.socialvalue.factories import (
    CommitmentFactory,
    ProxyValueFactory,
    SupplierContactFactory,
    verified_line,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOURS_CODE = "WCC-1.4"  # hours of volunteering by staff
PROXY = Decimal("16.50")  # £ an hour: a made-up value for the test, not a licensed one
HOURS = 40
REASON = "The timesheet is unsigned: upload the copy signed by the food bank."


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a line of text, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def pounds(text: str) -> Decimal:
    """£1,234.50 (or – for none) as a Decimal."""
    text = text.strip()
    return Decimal(0) if text in {"–", "-", ""} else Decimal(re.sub(r"[£,]", "", text))


@pytest.fixture
def world(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    call_command("loaddata", "socialvalue", verbosity=0)
    today = timezone.localdate()
    period = recent_periods(today=today, quarters=1)[0]  # the quarter that ended last
    hours = Measure.objects.get(code=HOURS_CODE)
    ProxyValueFactory(measure=hours, financial_year=period.financial_year, value_per_unit=PROXY)
    make_user("olivia", roles.OFFICERS, first_name="Olivia", last_name="Officer")
    supplier = SupplierFactory(name="Severn Care Ltd", is_local=True)
    SupplierContactFactory(
        supplier=supplier,
        user__username="sam",
        user__first_name="Sam",
        user__last_name="Supplier",
        user__password=PASSWORD,
    )
    contract = ContractFactory(
        supplier=supplier,
        reference="WCC-SV-0042",
        title="Home care north",
        start_date=dt.date(period.financial_year - 1, 4, 1),
        end_date=dt.date(period.financial_year + 2, 3, 31),
        total_value=Decimal("900000"),
        social_value_weighting=Decimal("10"),
    )
    CommitmentFactory(contract=contract, measure=hours, quantity=400)
    # Another supplier's verified return in the same year, so the total does not start at zero.
    verified_line(
        contract=ContractFactory(reference="WCC-SV-0001"),
        measure=hours,
        quantity=20,
        start=period.start,
        end=period.end,
    )
    return {
        "period": period,
        "year_label": financial_year_label(period.financial_year),
        "hours_label": f"{hours.code} {hours.description} ({hours.get_unit_display()})",
    }


@pytest.fixture
def pdfs(tmp_path):
    unsigned = tmp_path / "volunteering-timesheet.pdf"
    unsigned.write_bytes(minimal_pdf("Volunteering timesheet: 40 hours"))
    signed = tmp_path / "volunteering-timesheet-signed.pdf"
    signed.write_bytes(minimal_pdf("Volunteering timesheet: 40 hours. Signed: Food bank"))
    return unsigned, signed


@pytest.fixture
def supplier_page(browser, live_server):
    """The supplier's own browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _verified_total(page, year_label: str) -> Decimal:
    page.get_by_role("link", name="Social value", exact=True).click()
    page.get_by_label("Financial year", exact=True).select_option(label=year_label)
    page.get_by_role("button", name="Show year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Social value dashboard {year_label}"
    )
    row = page.locator(".govuk-summary-list__row", has_text="Social value delivered (verified)")
    return pounds(row.locator("dd").inner_text())


def _open_the_submitted_return(page) -> None:
    page.get_by_role("link", name="Social value", exact=True).click()
    page.get_by_role("link", name="Returns waiting to be checked").click()
    returns = page.get_by_role("table", name=re.compile(r"^1 return(, longest waiting first)?$"))
    row = returns.get_by_role("row", name=re.compile("WCC-SV-0042"))
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link").click()


def test_a_return_is_rejected_resubmitted_and_verified_and_the_dashboard_moves_by_its_value(
    page, supplier_page, world, pdfs
):
    unsigned, signed = pdfs
    period, year_label = world["period"], world["year_label"]
    sign_in(page, "olivia")
    before = _verified_total(page, year_label)

    supplier = supplier_page
    sign_in(supplier, "sam")
    expect(supplier.get_by_role("heading", level=1)).to_have_text("Your contracts")
    supplier.get_by_role("link", name="Start a return for WCC-SV-0042").click()
    supplier.get_by_label("Which period is the return for?").select_option(label=period.label)
    supplier.get_by_role("button", name="Start the return").click()
    expect(supplier.get_by_role("alert")).to_contain_text("Return started.")
    volunteering = supplier.get_by_role("group", name=re.compile(HOURS_CODE))
    volunteering.get_by_label("Quantity delivered (Hours)").fill(str(HOURS))
    volunteering.get_by_label("Evidence", exact=True).fill(
        "Staff volunteered at Kidderminster food bank"
    )
    supplier.get_by_role("button", name="Save return").click()
    expect(supplier.get_by_role("alert")).to_contain_text("Return saved as a draft.")
    supplier.get_by_role("link", name="Upload evidence").click()
    supplier.get_by_label("Upload a file").set_input_files(str(unsigned))
    supplier.get_by_label("What is it evidence for?").select_option(label=world["hours_label"])
    supplier.get_by_role("button", name="Upload file").click()
    expect(supplier.get_by_role("alert")).to_contain_text("Evidence file uploaded.")
    expect(supplier.get_by_role("link", name=unsigned.name)).to_be_visible()
    supplier.get_by_role("button", name="Submit the return").click()
    expect(supplier.get_by_role("alert")).to_contain_text("Return submitted.")

    _open_the_submitted_return(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=unsigned.name).click()
    assert download.value.suggested_filename == unsigned.name
    assert Path(download.value.path()).read_bytes() == unsigned.read_bytes()
    page.get_by_role("link", name="Reject the return").click()
    page.get_by_label("Why is the return rejected?").fill(REASON)
    page.get_by_role("button", name="Reject the return").click()
    expect(page.get_by_role("alert")).to_contain_text("Return rejected.")

    supplier.get_by_role("link", name="Your contracts").click()
    returns = supplier.get_by_role("table", name="Returns")
    row = returns.locator("tr", has=supplier.get_by_role("link", name=period.label))
    expect(row).to_contain_text(f"Rejected {REASON}")
    returns.get_by_role("link", name=period.label).click()
    reason = supplier.locator(".govuk-summary-list__row", has_text="Why it was rejected")
    expect(reason.locator("dd")).to_have_text(REASON)
    supplier.get_by_role("link", name="Upload evidence").click()
    supplier.get_by_label("Upload a file").set_input_files(str(signed))
    supplier.get_by_role("button", name="Upload file").click()
    expect(supplier.get_by_role("link", name=signed.name)).to_be_visible()
    supplier.get_by_role("button", name="Submit the return").click()
    expect(supplier.get_by_role("alert")).to_contain_text("Return submitted.")

    _open_the_submitted_return(page)
    expect(page.get_by_role("link", name=signed.name)).to_be_visible()
    page.get_by_role("button", name="Verify the return").click()
    expect(page.get_by_role("alert")).to_contain_text("Return verified: it now counts")
    history = page.get_by_role("table", name="Status changes, oldest first")
    expect(history.locator("tbody tr")).to_have_count(5)  # drafted, submitted, rejected, ...
    expect(history).to_contain_text(REASON)

    after = _verified_total(page, year_label)
    assert before == Decimal("330.00")  # the other supplier's 20 hours at £16.50
    assert after - before == HOURS * PROXY == Decimal("660.00")
    screenshot(page, "journey-4-social-value-dashboard")
    supplier.reload()
    expect(supplier.locator(".govuk-tag", has_text="Verified")).to_be_visible()
    screenshot(supplier, "journey-4-supplier-return-verified")


def _follow(page, name: str | re.Pattern, url: str | re.Pattern) -> None:
    """From the top of the page, Tab to a link or button and press Enter on it."""
    start_from_the_top(page)
    tab_to(page, name)
    page.keyboard.press("Enter")
    page.wait_for_url(url)


def _verified_total_by_keyboard(page, year: int) -> Decimal:
    _follow(page, "Social value", "**/social-value/dashboard/")
    tab_to(page, "Financial year")
    select = page.get_by_label("Financial year", exact=True)
    for _ in range(5):  # newest first: move down to the year
        if select.input_value() == str(year):
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == str(year)
    tab_to(page, "Show year")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dashboard/?year={year}*")
    row = page.locator(".govuk-summary-list__row", has_text="Social value delivered (verified)")
    return pounds(row.locator("dd").inner_text())


def _open_the_submitted_return_by_keyboard(page, period_label: str) -> None:
    _follow(page, "Social value", "**/social-value/dashboard/")
    tab_to(page, "Returns waiting to be checked")
    page.keyboard.press("Enter")
    page.wait_for_url("**/social-value/returns/")
    tab_to(page, period_label)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/social-value/returns/\d+/$"))


def _submit_by_keyboard(supplier, pdf: Path, *, measure: bool) -> None:
    """On the return page: upload an evidence file, then submit the return."""
    tab_to(supplier, "Upload evidence")
    supplier.keyboard.press("Enter")
    supplier.wait_for_url("**/evidence/")
    tab_to(supplier, "Upload a file")
    with supplier.expect_file_chooser() as chooser:
        supplier.keyboard.press("Space")
    chooser.value.set_files(str(pdf))
    if measure:
        tab_to(supplier, "What is it evidence for?")
        supplier.keyboard.press("ArrowDown")  # from "The whole return" to the measure
    tab_to(supplier, "Upload file")
    supplier.keyboard.press("Enter")
    expect(supplier.get_by_role("alert")).to_contain_text("Evidence file uploaded.")
    expect(supplier.get_by_role("link", name=pdf.name)).to_be_visible()
    tab_to(supplier, "Submit the return")
    supplier.keyboard.press("Enter")
    expect(supplier.get_by_role("alert")).to_contain_text("Return submitted.")
    expect(supplier.get_by_role("alert")).to_be_focused()  # read out first


def test_the_whole_return_journey_can_be_done_with_the_keyboard_alone(
    page, supplier_page, world, pdfs
):
    unsigned, signed = pdfs
    period = world["period"]
    supplier = supplier_page
    supplier.on("filechooser", lambda chooser: None)  # see test_spend_journey
    sign_in(page, "olivia")
    before = _verified_total_by_keyboard(page, period.financial_year)
    sign_in(supplier, "sam")

    start_from_the_top(supplier)
    tab_to(supplier, "Start a return for WCC-SV-0042")
    supplier.keyboard.press("Enter")
    supplier.wait_for_url("**/returns/new/")
    tab_to(supplier, "Which period is the return for?")
    assert supplier.get_by_label("Which period is the return for?").input_value() == period.key
    tab_to(supplier, "Start the return")
    supplier.keyboard.press("Enter")
    expect(supplier.get_by_role("alert")).to_be_focused()
    tab_to(supplier, "Quantity delivered (Hours)")
    supplier.keyboard.press("Control+A")
    supplier.keyboard.type(str(HOURS))
    tab_to(supplier, "Evidence")
    supplier.keyboard.type("Staff volunteered at Kidderminster food bank")
    tab_to(supplier, "Save return")
    supplier.keyboard.press("Enter")
    expect(supplier.get_by_role("alert")).to_contain_text("Return saved as a draft.")
    _submit_by_keyboard(supplier, unsigned, measure=True)

    _open_the_submitted_return_by_keyboard(page, period.label)
    tab_to(page, "Reject the return")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reject/")
    tab_to(page, "Why is the return rejected?")
    page.keyboard.type(REASON)
    tab_to(page, "Reject the return")  # the button, after the field
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Return rejected.")

    _follow(supplier, "Your contracts", "**/social-value/supplier/")
    tab_to(supplier, period.label)
    supplier.keyboard.press("Enter")
    supplier.wait_for_url(re.compile(r"/social-value/returns/\d+/$"))
    reason = supplier.locator(".govuk-summary-list__row", has_text="Why it was rejected")
    expect(reason.locator("dd")).to_have_text(REASON)
    _submit_by_keyboard(supplier, signed, measure=False)

    _open_the_submitted_return_by_keyboard(page, period.label)
    tab_to(page, "Verify the return")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Return verified: it now counts")
    after = _verified_total_by_keyboard(page, period.financial_year)
    assert after - before == HOURS * PROXY
    screenshot(page, "journey-4-social-value-dashboard-keyboard")
