from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from core.financial_year import financial_year_of
from socialvalue.models import EvidenceFile, ReturnLine, SocialValueReturn
from socialvalue.periods import quarter_of
from tests.procurement.factories import ContractFactory, SpendTransactionFactory
from tests.socialvalue.conftest import client_for
from tests.socialvalue.factories import (
    CommitmentFactory,
    ProxyValueFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    verified_line,
)

pytestmark = pytest.mark.django_db

Status = SocialValueReturn.Status
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def last_quarter():
    return quarter_of(quarter_of(timezone.localdate()).start - dt.timedelta(days=1))


@pytest.fixture
def running_contract(contract_a):
    """Supplier A's contract, running since well before last quarter with no end date."""
    contract_a.start_date = last_quarter().start - dt.timedelta(days=400)
    contract_a.end_date = None
    contract_a.save()
    return contract_a


def _goal_totals(response):
    return {t.name: (t.quantities, t.value) for t in response.context["data"].by_goal}


def test_a_supplier_return_verified_by_an_officer_changes_the_totals_by_exactly_its_amounts(
    running_contract, contact_a, officer_client, measures
):
    period = last_quarter()
    year = period.financial_year
    ProxyValueFactory(
        measure=measures["WCC-1.4"], financial_year=year - 3, value_per_unit=Decimal("15.50")
    )
    ProxyValueFactory(
        measure=measures["WCC-2.1"], financial_year=year, value_per_unit=Decimal("1000")
    )
    # Something already verified in the year, so the change is measured against a baseline.
    other = ContractFactory(start_date=running_contract.start_date, end_date=None)
    verified_line(contract=other, measure=measures["WCC-1.4"], quantity=10, start=period.start)
    dashboard_url = reverse("socialvalue:dashboard") + f"?year={year}"
    review_url = reverse("socialvalue:review-year", args=[year])
    before = officer_client.get(dashboard_url)
    review_before = officer_client.get(review_url).context["review"]
    supplier = client_for(contact_a.user)

    # The supplier starts the return for last quarter: one line per commitment.
    response = supplier.post(
        reverse("socialvalue:return-create", args=[running_contract.pk]), {"period": period.key}
    )
    the_return = SocialValueReturn.objects.get(contract=running_contract)
    assert response["Location"] == reverse("socialvalue:return-edit", args=[the_return.pk])
    hours = f"line-{measures['WCC-1.4'].pk}"
    people = f"line-{measures['WCC-2.1'].pk}"
    response = supplier.post(
        response["Location"],
        {
            "version": the_return.version,
            f"{hours}-quantity": "120",
            f"{hours}-evidence": "Staff volunteering at Redditch food bank",
            f"{hours}-url": "https://example.org/food-bank",
            f"{people}-quantity": "3",
            f"{people}-evidence": "Three apprentices from Worcester",
            "add_measure": measures["WCC-1.1"].pk,
            "add_quantity": "2",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    response = supplier.post(
        reverse("socialvalue:evidence-upload", args=[the_return.pk]),
        {"file": SimpleUploadedFile("timesheets.pdf", PDF)},
    )
    assert response.status_code == 302
    the_return.refresh_from_db()
    response = supplier.post(
        reverse("socialvalue:return-submit", args=[the_return.pk]), {"version": the_return.version}
    )
    the_return.refresh_from_db()
    assert the_return.status == Status.SUBMITTED
    assert the_return.submitted_by == contact_a.user
    # Submitted is not verified: nothing changes yet.
    assert _goal_totals(officer_client.get(dashboard_url)) == _goal_totals(before)

    response = officer_client.post(
        reverse("socialvalue:return-verify", args=[the_return.pk]), {"version": the_return.version}
    )

    the_return.refresh_from_db()
    assert the_return.status == Status.VERIFIED
    after = officer_client.get(dashboard_url)
    community = (
        "Unlocking community capacity through supporting more people to be active within "
        "their communities"
    )
    workforce = "Developing and growing a skilled workforce"
    before_totals, after_totals = _goal_totals(before), _goal_totals(after)
    assert before_totals[community][0]["hours"] == Decimal("10.00")
    assert after_totals[community][0]["hours"] - before_totals[community][0]["hours"] == Decimal(
        "120"
    )
    assert after_totals[community][0]["number"] == Decimal("2")
    assert after_totals[community][1] - before_totals[community][1] == Decimal(
        "1860.00"
    )  # 120 × £15.50
    assert workforce not in before_totals
    assert after_totals[workforce] == (
        {
            "number": Decimal("3.00"),
            "hours": Decimal("0.00"),
            "pounds": Decimal("0.00"),
            "tonnes": Decimal("0.00"),
        },
        Decimal("3000.00"),
    )
    assert after.context["data"].total_value - before.context["data"].total_value == Decimal(
        "4860.00"
    )
    review_after = officer_client.get(review_url).context["review"]
    assert review_after.total_value - review_before.total_value == Decimal("4860.00")
    measures_after = {t.code: t.quantity for t in review_after.by_measure}
    assert measures_after == {
        "WCC-1.1": Decimal("2"),
        "WCC-1.4": Decimal("130"),
        "WCC-2.1": Decimal("3"),
    }
    # The evidence is downloadable by the officer and the supplier, as an attachment.
    evidence = EvidenceFile.objects.get()
    for client in (officer_client, supplier):
        download = client.get(reverse("socialvalue:evidence-download", args=[evidence.pk]))
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == PDF


def test_a_rejected_return_shows_its_reason_and_can_be_resubmitted(
    running_contract, contact_a, officer_client, member_client, measures
):
    the_return = SocialValueReturnFactory(contract=running_contract, status=Status.SUBMITTED)
    ReturnLineFactory(social_value_return=the_return, measure=measures["WCC-1.4"], quantity=40)
    reject_url = reverse("socialvalue:return-reject", args=[the_return.pk])

    blank = officer_client.post(reject_url, {"version": the_return.version, "reason": "   "})
    assert blank.status_code == 200
    assert "Enter why the return is rejected" in blank.content.decode()
    officer_client.post(
        reject_url, {"version": the_return.version, "reason": "No timesheets attached"}
    )

    the_return.refresh_from_db()
    assert the_return.status == Status.REJECTED
    supplier = client_for(contact_a.user)
    for client in (supplier, officer_client, member_client):
        page = client.get(reverse("socialvalue:return-detail", args=[the_return.pk]))
        assert "No timesheets attached" in page.content.decode()
    home = supplier.get(reverse("socialvalue:supplier-home")).content.decode()
    assert "No timesheets attached" in home
    listing = officer_client.get(reverse("socialvalue:return-list") + "?status=rejected")
    assert "No timesheets attached" in listing.content.decode()
    # The supplier corrects it and submits again.
    edit = supplier.post(
        reverse("socialvalue:return-edit", args=[the_return.pk]),
        {"version": the_return.version, f"line-{measures['WCC-1.4'].pk}-quantity": "35"},
    )
    assert edit.status_code == 302
    the_return.refresh_from_db()
    supplier.post(
        reverse("socialvalue:return-submit", args=[the_return.pk]), {"version": the_return.version}
    )
    the_return.refresh_from_db()
    assert the_return.status == Status.SUBMITTED
    assert ReturnLine.objects.get(social_value_return=the_return).quantity == Decimal("35")


def test_an_absurd_quantity_is_refused_with_a_message_naming_the_measure(
    running_contract, contact_a, measures
):
    the_return = SocialValueReturnFactory(contract=running_contract)
    ReturnLineFactory(social_value_return=the_return, measure=measures["WCC-1.4"], quantity=0)
    supplier = client_for(contact_a.user)

    response = supplier.post(
        reverse("socialvalue:return-edit", args=[the_return.pk]),
        {"version": the_return.version, f"line-{measures['WCC-1.4'].pk}-quantity": "250000"},
    )
    negative = supplier.post(
        reverse("socialvalue:return-edit", args=[the_return.pk]),
        {"version": the_return.version, f"line-{measures['WCC-1.4'].pk}-quantity": "-4"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "WCC-1.4 Hours of volunteering undertaken by staff: 250,000 hours is more than" in body
    assert "the quantity delivered cannot be negative" in negative.content.decode()
    assert ReturnLine.objects.get().quantity == Decimal("0")


def test_an_exe_renamed_pdf_is_refused_on_upload(running_contract, contact_a):
    the_return = SocialValueReturnFactory(contract=running_contract)

    response = client_for(contact_a.user).post(
        reverse("socialvalue:evidence-upload", args=[the_return.pk]),
        {"file": SimpleUploadedFile("invoice.pdf", EXE, content_type="application/pdf")},
    )

    assert response.status_code == 200
    assert "The file is not a PDF" in response.content.decode()
    assert EvidenceFile.objects.count() == 0


# -- who may reach what --------------------------------------------------------------------------

SUPPLIER_FACING = {
    "socialvalue:contract-detail": "contract",
    "socialvalue:return-create": "contract",
    "socialvalue:return-detail": "return",
    "socialvalue:return-edit": "return",
    "socialvalue:evidence-upload": "return",
    "socialvalue:return-submit": "return",
    "socialvalue:evidence-download": "evidence",
    "socialvalue:evidence-delete": "evidence",
}
POST_ONLY = {
    "socialvalue:return-submit",
    "socialvalue:evidence-delete",
    "socialvalue:return-verify",
    "socialvalue:commitment-delete",
}


def _social_value_urls():
    resolver = next(
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "socialvalue"
    )
    return sorted(
        (f"socialvalue:{p.name}", list(p.pattern.converters))
        for p in resolver.url_patterns
        if isinstance(p, URLPattern)
    )


@pytest.fixture
def first_suppliers_objects(running_contract, contact_a, measures):
    the_return = SocialValueReturnFactory(contract=running_contract)
    ReturnLineFactory(social_value_return=the_return, measure=measures["WCC-1.4"])
    evidence = EvidenceFile.objects.create(
        social_value_return=the_return,
        file=SimpleUploadedFile("a.pdf", PDF),
        original_name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    commitment = running_contract.social_value_commitments.first()
    return {
        "contract": running_contract.pk,
        "return": the_return.pk,
        "evidence": evidence.pk,
        "commitment": commitment.pk,
    }


def _kwargs(name, converters, objects):
    if not converters:
        return {}
    if name in SUPPLIER_FACING:
        return {"pk": objects[SUPPLIER_FACING[name]]}
    if "year" in converters:
        return {"year": 2024}
    kind = "commitment" if "commitment" in name else "return" if "return" in name else "contract"
    return {"pk": objects[kind]}


def test_every_supplier_facing_url_is_listed_here():
    names = {name for name, _ in _social_value_urls()}
    assert set(SUPPLIER_FACING) <= names
    assert names >= POST_ONLY


def test_another_supplier_gets_404_on_every_supplier_facing_url_and_403_elsewhere(
    first_suppliers_objects, contact_a, contact_b
):
    first, second = client_for(contact_a.user), client_for(contact_b.user)
    checked = 0
    for name, converters in _social_value_urls():
        url = reverse(name, kwargs=_kwargs(name, converters, first_suppliers_objects))
        if name in SUPPLIER_FACING:
            if name not in POST_ONLY:
                assert first.get(url).status_code == 200, f"owner GET {url}"
                assert second.get(url).status_code == 404, f"other supplier GET {url}"
            assert second.post(url, {"version": 1, "period": "2024-Q1"}).status_code == 404, url
            checked += 1
        elif name == "socialvalue:supplier-home":
            page = second.get(url)
            assert page.status_code == 200
            assert "WCC-A-001" not in page.content.decode()
            assert "WCC-A-001" in first.get(url).content.decode()
        else:
            expected_get = 405 if name in POST_ONLY else 403
            assert second.get(url).status_code == expected_get, f"other supplier GET {url}"
            assert second.post(url, {}).status_code == 403, f"other supplier POST {url}"
    assert checked == len(SUPPLIER_FACING)
    the_return = SocialValueReturn.objects.get()
    assert (the_return.status, the_return.version) == (Status.DRAFT, 1)
    assert EvidenceFile.objects.count() == 1


def test_a_supplier_cannot_verify_or_reject_its_own_return(first_suppliers_objects, contact_a):
    client = client_for(contact_a.user)
    pk = first_suppliers_objects["return"]
    SocialValueReturn.objects.filter(pk=pk).update(status=Status.SUBMITTED)

    assert (
        client.post(reverse("socialvalue:return-verify", args=[pk]), {"version": 1}).status_code
        == 403
    )
    assert client.get(reverse("socialvalue:return-reject", args=[pk])).status_code == 403
    assert SocialValueReturn.objects.get().status == Status.SUBMITTED


MEMBER_READS = {
    "socialvalue:dashboard",
    "socialvalue:dashboard-csv",
    "socialvalue:review",
    "socialvalue:review-year",
    "socialvalue:review-csv",
    "socialvalue:review-xlsx",
    "socialvalue:contract-list",
    "socialvalue:contract-detail",
    "socialvalue:return-list",
    "socialvalue:return-detail",
    "socialvalue:evidence-download",
    "socialvalue:measure-list",
}


def test_members_read_every_page_but_cannot_post(first_suppliers_objects, member_client):
    for name, converters in _social_value_urls():
        url = reverse(name, kwargs=_kwargs(name, converters, first_suppliers_objects))
        if name == "socialvalue:supplier-home":
            assert member_client.get(url).status_code == 302
        elif name in MEMBER_READS:
            params = {"table": "goal"} if name == "socialvalue:dashboard-csv" else {}
            assert member_client.get(url, params).status_code == 200, f"member GET {url}"
        else:
            data = {"version": 1, "reason": "x", "period": "2024-Q1"}
            assert member_client.post(url, data).status_code == 403, f"member POST {url}"
    the_return = SocialValueReturn.objects.get()
    assert (the_return.status, the_return.version) == (Status.DRAFT, 1)
    assert EvidenceFile.objects.count() == 1


def test_the_home_page_sends_a_supplier_to_the_portal(contact_a, officer_client):
    response = client_for(contact_a.user).get(reverse("home"))

    assert response["Location"] == reverse("socialvalue:supplier-home")
    assert officer_client.get(reverse("socialvalue:supplier-home"))["Location"] == reverse(
        "socialvalue:dashboard"
    )


# -- exports ---------------------------------------------------------------------------------------


def test_the_review_exports_neutralise_formulas_in_text_cells(officer_client, measures):
    from openpyxl import load_workbook

    ProxyValueFactory(
        measure=measures["WCC-1.4"], financial_year=2024, value_per_unit=Decimal("20")
    )
    contract = ContractFactory(
        title='=HYPERLINK("http://evil.invalid","Click")', supplier__name="@SUM(A1)"
    )
    verified_line(contract=contract, measure=measures["WCC-1.4"], quantity=5)

    csv_text = officer_client.get(reverse("socialvalue:review-csv", args=[2024])).content.decode(
        "utf-8-sig"
    )
    xlsx = officer_client.get(reverse("socialvalue:review-xlsx", args=[2024]))

    rows = list(csv.reader(io.StringIO(csv_text)))
    contract_row = next(row for row in rows if row[0] == "Contracts")
    assert contract_row[1:4] == [
        contract.reference,
        '\'=HYPERLINK("http://evil.invalid","Click")',
        "'@SUM(A1)",
    ]
    assert contract_row[5:] == ["1", "100.00"]
    assert xlsx["Content-Disposition"] == 'attachment; filename="social-value-review-2024.xlsx"'
    workbook = load_workbook(io.BytesIO(xlsx.content))
    contracts = workbook["Contracts"]
    row = [cell.value for cell in contracts[2]]
    assert row[1] == '\'=HYPERLINK("http://evil.invalid","Click")'
    assert row[2] == "'@SUM(A1)"
    assert row[4] == 100
    assert all(
        cell.data_type != "f" for sheet in workbook for line in sheet.iter_rows() for cell in line
    )
    by_measure = {r[0]: r[3] for r in workbook["By measure"].iter_rows(min_row=2, values_only=True)}
    assert by_measure["WCC-1.4"] == 5


def test_each_dashboard_table_downloads_as_csv(officer_client, measures):
    ProxyValueFactory(
        measure=measures["WCC-1.4"], financial_year=2024, value_per_unit=Decimal("20")
    )
    contract = ContractFactory(supplier__name="=cmd|' /C calc'!A0")
    verified_line(contract=contract, measure=measures["WCC-1.4"], quantity=5)
    url = reverse("socialvalue:dashboard-csv")

    supplier_csv = officer_client.get(url, {"table": "supplier", "year": 2024})
    goal_csv = officer_client.get(url, {"table": "goal", "year": 2024}).content.decode("utf-8-sig")

    assert (
        supplier_csv["Content-Disposition"]
        == 'attachment; filename="social-value-supplier-2024.csv"'
    )
    lines = supplier_csv.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "'=cmd|' /C calc'!A0,0.00,5.00,0.00,0.00,100.00"
    assert (
        goal_csv.splitlines()[0]
        == "Goal,Number delivered,Hours delivered,£ delivered,Tonnes delivered,Social value (£)"
    )
    for table in (
        "goal",
        "measure",
        "category",
        "sub-team",
        "supplier",
        "trend",
        "overdue",
        "no-commitments",
    ):
        assert officer_client.get(url, {"table": table, "year": 2024}).status_code == 200
    assert officer_client.get(url, {"table": "nope"}).status_code == 404


# -- query counts ----------------------------------------------------------------------------------


def _grow(measures, *, contracts: int, supplier=None):
    """Add contracts with commitments, verified and draft returns and local spend."""
    start = last_quarter().start - dt.timedelta(days=800)
    for n in range(contracts):
        contract = ContractFactory(
            start_date=start, end_date=None, **({"supplier": supplier} if supplier else {})
        )
        CommitmentFactory(contract=contract, measure=measures["WCC-1.4"])
        CommitmentFactory(contract=contract, measure=measures["WCC-5.1"])
        verified_line(
            contract=contract,
            measure=measures["WCC-1.4"],
            quantity=n + 1,
            start=last_quarter().start,
        )
        ReturnLineFactory(
            social_value_return=SocialValueReturnFactory(
                contract=contract, period_start=dt.date(2023, 4, 1), period_end=dt.date(2023, 6, 30)
            ),
            measure=measures["WCC-5.1"],
        )
        SpendTransactionFactory(amount=Decimal("1000"), paid_on=last_quarter().start)


@pytest.mark.parametrize(
    "name,kind",
    [
        ("socialvalue:dashboard", None),
        ("socialvalue:review-year", "year"),
        ("socialvalue:review-xlsx", "year"),
        ("socialvalue:contract-list", None),
        ("socialvalue:return-list", None),
        ("socialvalue:measure-list", None),
        ("socialvalue:contract-detail", "contract"),
        ("socialvalue:return-detail", "return"),
    ],
)
def test_officer_pages_make_the_same_number_of_queries_at_two_data_sizes(
    officer_client, measures, django_assert_num_queries, name, kind
):
    ProxyValueFactory(
        measure=measures["WCC-1.4"], financial_year=2020, value_per_unit=Decimal("12")
    )
    _grow(measures, contracts=2)
    contract = ContractFactory()
    the_return = SocialValueReturnFactory(contract=contract, status=Status.SUBMITTED)
    kwargs = {
        None: {},
        "year": {"year": last_quarter().financial_year},
        "contract": {"pk": contract.pk},
        "return": {"pk": the_return.pk},
    }[kind]
    url = reverse(name, kwargs=kwargs)
    officer_client.get(url)
    cache.clear()  # both sizes draw the page, not a cached body
    with CaptureQueriesContext(connection) as small:
        assert officer_client.get(url).status_code == 200

    _grow(measures, contracts=15)
    CommitmentFactory(contract=contract, measure=measures["WCC-1.4"])
    for month, code in ((4, "WCC-1.1"), (7, "WCC-2.1"), (10, "WCC-3.1")):
        ReturnLineFactory(social_value_return=the_return, measure=measures[code])
        start = dt.date(2022, month, 1)
        verified_line(contract=contract, measure=measures[code], quantity=2, start=start)

    with django_assert_num_queries(len(small)):
        officer_client.get(url)
    assert len(small) <= 20


def test_the_supplier_portal_makes_the_same_number_of_queries_at_two_data_sizes(
    contact_a, supplier_a, measures, django_assert_num_queries
):
    client = client_for(contact_a.user)
    url = reverse("socialvalue:supplier-home")
    _grow(measures, contracts=1, supplier=supplier_a)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)

    _grow(measures, contracts=12, supplier=supplier_a)
    _grow(measures, contracts=5)

    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["contracts"]) == 13
    assert len(small) <= 12


# -- officer forms ---------------------------------------------------------------------------------


def test_an_officer_imports_a_measure_set_and_sees_bad_rows_with_their_lines(
    officer_client, measures
):
    from tests.socialvalue.test_importers import DATA

    url = reverse("socialvalue:measure-import")
    with open(DATA / "bad.csv", "rb") as bad:
        response = officer_client.post(url, {"file": bad})

    body = response.content.decode()
    assert response.status_code == 200
    assert "The file has 6 problems: nothing was imported" in body
    assert "Line 3: the code is empty" in body
    with open(DATA / "good.csv", "rb") as good:
        response = officer_client.post(url, {"file": good})
    assert response["Location"] == reverse("socialvalue:measure-list")
    listing = officer_client.get(response["Location"]).content.decode()
    assert "TEST-1.1" in listing
    assert "£1,200" in listing


def test_an_officer_records_changes_and_removes_a_commitment(officer_client, measures):
    contract = ContractFactory(social_value_weighting=Decimal("12.5"))
    url = reverse("socialvalue:commitment-create", args=[contract.pk])
    form = officer_client.get(url)
    assert "Social value weighting at tender: 12.5%" in form.content.decode()

    response = officer_client.post(
        url,
        {
            "measure": measures["WCC-2.1"].pk,
            "quantity": "6",
            "due_by_0": "31",
            "due_by_1": "3",
            "due_by_2": "2026",
        },
    )

    assert response["Location"] == reverse("socialvalue:contract-detail", args=[contract.pk])
    commitment = contract.social_value_commitments.get()
    assert (commitment.measure, commitment.quantity) == (measures["WCC-2.1"], Decimal("6"))
    page = officer_client.get(response["Location"]).content.decode()
    assert "12.5% of the evaluation" in page
    officer_client.post(
        reverse("socialvalue:commitment-edit", args=[commitment.pk]),
        {
            "measure": measures["WCC-2.1"].pk,
            "quantity": "8",
            "due_by_0": "31",
            "due_by_1": "3",
            "due_by_2": "2027",
        },
    )
    commitment.refresh_from_db()
    assert (commitment.quantity, commitment.due_by) == (Decimal("8"), dt.date(2027, 3, 31))
    officer_client.post(reverse("socialvalue:commitment-delete", args=[commitment.pk]))
    assert not contract.social_value_commitments.exists()


def test_the_dashboard_lists_the_first_rows_of_long_tables_and_the_csv_has_them_all(
    officer_client, monkeypatch
):
    from socialvalue.views import reports

    monkeypatch.setattr(reports, "DASHBOARD_ROWS", 1)
    year = financial_year_of(timezone.localdate())
    for amount in ("200000", "300000"):
        ContractFactory(
            total_value=Decimal(amount),
            start_date=dt.date(year, 4, 1),
            end_date=dt.date(year + 1, 3, 31),
        )

    page = officer_client.get(reverse("socialvalue:dashboard"), {"year": year}).content.decode()
    rows = officer_client.get(
        reverse("socialvalue:dashboard-csv"), {"table": "no-commitments", "year": year}
    ).content.decode()

    assert "Showing the first 1 of 2; the CSV download has them all." in page
    assert len(rows.strip().splitlines()) == 3  # the header and both contracts
