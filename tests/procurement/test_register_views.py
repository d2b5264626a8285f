from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from core.history import history_note
from procurement.models import Contract, Supplier, Variation
from procurement.services import register as services
from procurement.services.spend_summary import spend_summary_rebuild
from tests.factories import UserFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SavingFactory,
    SpendTransactionFactory,
    SupplierFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db

CONTRACTS = reverse("procurement:contract-list")
SUPPLIERS = reverse("procurement:supplier-list")


def _date(prefix: str, day: dt.date | None) -> dict[str, object]:
    if day is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _contract_post(contract: Contract, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "reference": contract.reference,
        "title": contract.title,
        "description": contract.description,
        "supplier": contract.supplier.name if contract.supplier_id else "",
        "category": contract.category_id or "",
        "owner": contract.owner_id or "",
        "department": contract.department,
        "route": contract.route,
        "status": contract.status,
        "extension_options": contract.extension_options,
        "total_value": contract.total_value,
        "annual_value": contract.annual_value or "",
        "social_value_weighting": contract.social_value_weighting or "",
        "risk_rating": contract.risk_rating,
        "modern_slavery_risk": contract.modern_slavery_risk,
        "ocid": contract.ocid,
        "procedure": contract.procedure,
        "direct_award_justification": contract.direct_award_justification,
        "kind": contract.kind,
        "value_including_vat": contract.value_including_vat or "",
        "version": contract.version,
    }
    data.update(_date("start_date", contract.start_date))
    data.update(_date("end_date", contract.end_date))
    data.update(_date("review_date", contract.review_date))
    data.update(_date("awarded_on", contract.awarded_on))
    data.update(_date("signed_on", contract.signed_on))
    data.update(overrides)
    return data


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# -- lists ------------------------------------------------------------------------------------


def test_the_contracts_list_runs_the_same_queries_for_5_or_60_contracts(member_client):
    ContractFactory.create_batch(5, owner=UserFactory())
    few = _queries(member_client, CONTRACTS)
    ContractFactory.create_batch(55, owner=UserFactory())

    many = _queries(member_client, CONTRACTS)

    assert few == many
    assert many <= 12


def test_the_suppliers_list_runs_the_same_queries_for_5_or_60_suppliers(member_client):
    for supplier in SupplierFactory.create_batch(5):
        ContractFactory(supplier=supplier)
        SpendTransactionFactory(supplier=supplier)
    few = _queries(member_client, SUPPLIERS)
    for supplier in SupplierFactory.create_batch(55):
        ContractFactory(supplier=supplier)
        SpendTransactionFactory(supplier=supplier)

    many = _queries(member_client, SUPPLIERS)

    assert few == many
    assert many <= 10


def test_the_list_pages_50_contracts_and_its_links_keep_the_filters(member_client):
    ContractFactory.create_batch(120, status=Contract.Status.LIVE)
    ContractFactory.create_batch(3, status=Contract.Status.EXPIRED)

    response = member_client.get(CONTRACTS, {"status": "live", "sort": "-reference", "page": 2})

    page = response.context["page"]
    assert page.paginator.count == 120
    assert len(page.object_list) == 50
    assert page.number == 2
    body = response.content.decode()
    assert "120 contracts match the filters, showing 51 to 100" in body
    pagination = response.context["pagination"]
    assert [item.get("number") for item in pagination["items"]] == [1, 2, 3]
    assert pagination["previous"] == "?status=live&sort=-reference&page=1"
    assert pagination["next"] == "?status=live&sort=-reference&page=3"
    assert 'aria-current="page"' in body


def test_sort_headers_toggle_direction_and_say_which_way_they_sort(member_client):
    ContractFactory()

    response = member_client.get(CONTRACTS, {"sort": "-total_value", "status": "live", "page": 3})

    headers = {h["key"]: h for h in response.context["headers"]}
    assert headers["total_value"]["aria_sort"] == "descending"
    assert headers["total_value"]["url"] == "?sort=total_value&status=live"
    assert headers["reference"]["aria_sort"] == "none"
    assert headers["reference"]["url"] == "?sort=reference&status=live"
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_list_filters_by_the_get_form(member_client):
    ContractFactory(reference="LOCAL", supplier__is_local=True, total_value=Decimal("50000"))
    ContractFactory(reference="FAR", supplier__is_local=False, total_value=Decimal("50000"))
    ContractFactory(reference="BIG", supplier__is_local=True, total_value=Decimal("5000000"))

    response = member_client.get(
        CONTRACTS, {"supplier_types": ["local"], "value_band": "25k_100k", "search": ""}
    )

    assert [c.reference for c in response.context["page"].object_list] == ["LOCAL"]


def test_a_bad_filter_value_is_ignored_and_reported(member_client):
    ContractFactory.create_batch(2)

    response = member_client.get(CONTRACTS, {"category": "999999"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2
    assert "govuk-form-group--error" in response.content.decode()


def test_the_supplier_list_shows_contract_counts_and_spend(member_client):
    supplier = SupplierFactory(name="Acme Care")
    ContractFactory.create_batch(2, supplier=supplier)
    SpendTransactionFactory(supplier=supplier, amount=Decimal("1234567"))
    spend_summary_rebuild()  # as every import and contract change does

    response = member_client.get(SUPPLIERS, {"search": "acme"})

    (row,) = response.context["page"].object_list
    assert (row.contract_count, row.spend_total) == (2, Decimal("1234567"))
    assert "£1,234,567" in response.content.decode()


# -- contract page ----------------------------------------------------------------------------


def _busy_contract(size: int) -> Contract:
    contract: Contract = ContractFactory.create(owner=UserFactory())
    user: User = UserFactory.create()
    VariationFactory.create_batch(size, contract=contract, recorded_by=user)
    SavingFactory.create_batch(size, contract=contract, recorded_by=user)
    SpendTransactionFactory.create_batch(size, supplier=contract.supplier, contract=contract)
    for number in range(size):
        contract.title = f"Title {number}"
        history_note(contract, user=user)
        contract.save()
    return contract


def test_the_contract_page_runs_the_same_queries_for_5_or_60_of_everything(member_client):
    few = _queries(
        member_client, reverse("procurement:contract-detail", args=[_busy_contract(5).pk])
    )
    busy = _busy_contract(60)

    many = _queries(member_client, reverse("procurement:contract-detail", args=[busy.pk]))

    assert few == many
    assert many <= 14  # 12, and the Procurement Act's KPIs and notices


def test_the_supplier_page_runs_the_same_queries_for_5_or_60_contracts(member_client):
    def supplier_with(size: int) -> Supplier:
        supplier: Supplier = SupplierFactory.create()
        for contract in ContractFactory.create_batch(size, supplier=supplier):
            SpendTransactionFactory(supplier=supplier, contract=contract)
        for number in range(size):
            supplier.postcode = f"WR{number} 1AA"
            supplier.save()
        return supplier

    few = _queries(
        member_client, reverse("procurement:supplier-detail", args=[supplier_with(5).pk])
    )
    busy = supplier_with(60)

    many = _queries(member_client, reverse("procurement:supplier-detail", args=[busy.pk]))

    assert few == many


def test_the_contract_page_shows_spend_to_date_against_the_value(member_client):
    contract = ContractFactory(total_value=Decimal("250000"))
    SpendTransactionFactory.create_batch(
        3, supplier=contract.supplier, contract=contract, amount=Decimal("12500")
    )

    response = member_client.get(reverse("procurement:contract-detail", args=[contract.pk]))

    assert response.context["spend_to_date"] == Decimal("37500")
    assert response.context["spend_share"] == Decimal("15")
    assert "£37,500.00 of £250,000.00 (15.0% of the contract value)" in response.content.decode()


def test_a_member_sees_no_edit_buttons_and_cannot_post(member_client):
    contract = ContractFactory()
    supplier = contract.supplier

    pages = [
        reverse("procurement:contract-detail", args=[contract.pk]),
        reverse("procurement:supplier-detail", args=[supplier.pk]),
        CONTRACTS,
        SUPPLIERS,
    ]
    for url in pages:
        body = member_client.get(url).content.decode()
        assert "Edit contract" not in body
        assert "Edit supplier" not in body
        assert "Record a variation" not in body
        assert "Add a" not in body

    posts = {
        reverse("procurement:contract-edit", args=[contract.pk]): _contract_post(
            contract, title="Changed by a member"
        ),
        reverse("procurement:contract-create"): _contract_post(contract, reference="M-1"),
        reverse("procurement:variation-create", args=[contract.pk]): {"reason": "x"},
        reverse("procurement:supplier-create"): {"name": "Member Ltd", "size": "small"},
        reverse("procurement:supplier-edit", args=[supplier.pk]): {"name": "Changed"},
    }
    for url, data in posts.items():
        assert member_client.post(url, data).status_code == 403
    contract.refresh_from_db()
    assert (contract.title, contract.version) != ("Changed by a member", 2)
    assert Contract.objects.count() == 1
    assert Supplier.objects.count() == 1
    assert Variation.objects.count() == 0


def test_an_officer_sees_the_edit_buttons(officer_client):
    contract = ContractFactory()

    body = officer_client.get(reverse("procurement:contract-detail", args=[contract.pk])).content

    assert b"Edit contract" in body
    assert b"Record a variation" in body


# -- forms ------------------------------------------------------------------------------------


def test_adding_a_contract_links_existing_off_contract_spend(officer_client):
    supplier = SupplierFactory()
    payment = SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2024, 9, 1))
    assert payment.contract_id is None
    data = _contract_post(
        ContractFactory.build(reference="WCC-9000", supplier=supplier, category=None),
        total_value="£1,200,000",
    )
    data.pop("version")

    response = officer_client.post(reverse("procurement:contract-create"), data)

    contract = Contract.objects.get(reference="WCC-9000")
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:contract-detail", args=[contract.pk])
    assert contract.total_value == Decimal("1200000")
    payment.refresh_from_db()
    assert payment.contract_id == contract.pk


def test_a_contract_form_with_errors_shows_the_error_summary(officer_client):
    data = _contract_post(ContractFactory.build(), reference="", total_value="lots")
    data.update(_date("end_date", dt.date(2020, 1, 1)))

    response = officer_client.post(reverse("procurement:contract-create"), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter the contract reference" in body
    assert "Enter an amount in pounds, like 25000" in body
    assert "Enter the supplier&#x27;s name or Companies House number" in body
    assert Contract.objects.count() == 0


def test_an_edit_and_a_variation_both_show_in_history_with_the_officers_name(
    officer, officer_client
):
    contract = ContractFactory(title="Home care", total_value=Decimal("250000"))

    edit = officer_client.post(
        reverse("procurement:contract-edit", args=[contract.pk]),
        _contract_post(contract, title="Home care and reablement"),
    )
    variation = officer_client.post(
        reverse("procurement:variation-create", args=[contract.pk]),
        {
            "reason": "Added reablement hours",
            "value_change": "25,000",
            "approved_by": "Cabinet Member",
            **_date("varied_on", dt.date(2025, 1, 10)),
            **_date("new_end_date", dt.date(2027, 3, 31)),
        },
    )

    assert (edit.status_code, variation.status_code) == (302, 302)
    contract.refresh_from_db()
    assert contract.total_value == Decimal("275000")
    assert contract.end_date == dt.date(2027, 3, 31)
    response = officer_client.get(reverse("procurement:contract-detail", args=[contract.pk]))
    history = response.context["history"]
    assert len(history) == 3
    assert [entry.who for entry in history[:2]] == [officer.get_full_name()] * 2
    assert [(c.label, c.before, c.after) for c in history[0].changes] == [
        ("End date", "31 March 2026", "31 March 2027"),
        ("Total value", "£250,000.00", "£275,000.00"),
    ]
    assert [(c.label, c.after) for c in history[1].changes] == [
        ("Title", "Home care and reablement")
    ]
    body = response.content.decode()
    assert escape(officer.get_full_name()) in body  # Faker names can hold an apostrophe
    assert "Added reablement hours" in body


def test_a_stale_contract_edit_is_refused_and_shows_their_version(officer_client):
    contract = ContractFactory(title="Original title", department="Adults")
    opened_at = _contract_post(contract, title="My title")
    services.contract_update(
        contract=contract,
        expected_version=1,
        changes={"title": "Their title"},
        user=UserFactory(first_name="Other", last_name="Officer"),
    )

    response = officer_client.post(
        reverse("procurement:contract-edit", args=[contract.pk]), opened_at
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this contract after you opened it" in body
    assert "govuk-error-summary" in body
    assert [(c.label, c.before, c.after) for c in response.context["unsaved"]] == [
        ("Title", "Their title", "My title")
    ]
    form = response.context["form"]
    assert form["title"].value() == "Their title"
    assert form["version"].value() == 2
    contract.refresh_from_db()
    assert (contract.title, contract.version) == ("Their title", 2)


def test_a_stale_supplier_edit_is_refused_and_nothing_is_overwritten(officer_client):
    supplier = SupplierFactory(name="Acme", postcode="WR1 1AA")
    services.supplier_update(
        supplier=supplier, expected_version=1, changes={"postcode": "WR5 2NP"}, user=None
    )

    response = officer_client.post(
        reverse("procurement:supplier-edit", args=[supplier.pk]),
        {"name": "Acme Renamed", "size": "small", "financial_risk": "low", "version": 1},
    )

    assert response.status_code == 200
    assert "Someone else changed this supplier after you opened it" in response.content.decode()
    supplier.refresh_from_db()
    assert (supplier.name, supplier.postcode, supplier.version) == ("Acme", "WR5 2NP", 2)


def test_an_officer_adds_and_edits_a_supplier(officer, officer_client):
    response = officer_client.post(
        reverse("procurement:supplier-create"),
        {
            "name": "Malvern Hills Care CIC",
            "size": "micro",
            "is_vcse": "on",
            "financial_risk": "low",
        },
    )
    supplier = Supplier.objects.get(name="Malvern Hills Care CIC")
    assert response["Location"] == reverse("procurement:supplier-detail", args=[supplier.pk])

    officer_client.post(
        reverse("procurement:supplier-edit", args=[supplier.pk]),
        {
            "name": "Malvern Hills Care CIC",
            "size": "small",
            "is_vcse": "on",
            "is_local": "on",
            "financial_risk": "low",
            "version": 1,
        },
    )

    supplier.refresh_from_db()
    assert (supplier.size, supplier.is_local, supplier.version) == ("small", True, 2)
    page = officer_client.get(reverse("procurement:supplier-detail", args=[supplier.pk]))
    (change_entry, _) = page.context["history"]
    assert change_entry.who == officer.get_full_name()
    assert [(c.label, c.after) for c in change_entry.changes] == [
        ("Local", "Yes"),
        ("Size", "Small (10 to 49 staff)"),
    ]


def test_the_filter_form_sends_no_csrf_token_in_the_address(member_client):
    body = member_client.get(CONTRACTS).content.decode()

    filter_form = body.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" not in filter_form
    assert 'name="sort"' in filter_form


def test_the_contracts_filter_is_rendered_once_and_shows_a_new_category_at_once(officer_client):
    CategoryFactory(name="Highways")
    first = officer_client.get(CONTRACTS, {"status": "live"})
    with CaptureQueriesContext(connection) as captured:
        again = officer_client.get(CONTRACTS, {"status": "live"})

    assert _filter_html(again) == _filter_html(first)
    # The cached filter runs neither of its option queries (categories, officers).
    assert not any('"procurement_category"."name"' in query["sql"] for query in captured)
    CategoryFactory(name="Waste disposal")
    assert "Waste disposal" in officer_client.get(CONTRACTS, {"status": "live"}).content.decode()


def _filter_html(response) -> str:
    page = response.content.decode()
    start = page.index('<form method="get"')
    return page[start : page.index("</form>", start)]
