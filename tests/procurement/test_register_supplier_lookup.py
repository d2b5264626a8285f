"""Suppliers typed, not picked from a list: the contracts list filter and the contract form."""

from __future__ import annotations

import datetime as dt
import html

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import Contract, Route
from procurement.selectors import register as selectors
from tests.procurement.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

CONTRACTS = reverse("procurement:contract-list")
CREATE = reverse("procurement:contract-create")


def _new_contract(supplier: str, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "reference": "WCC-NEW-1",
        "title": "Home care",
        "supplier": supplier,
        "route": Route.OPEN,
        "status": Contract.Status.LIVE,
        "total_value": "120000",
        "risk_rating": "low",
        "modern_slavery_risk": "low",
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2025",
        "end_date_0": "31",
        "end_date_1": "3",
        "end_date_2": "2028",
    }
    data.update(overrides)
    return data


def _supplier_error(response) -> str:
    assert response.status_code == 200
    assert Contract.objects.count() == 0
    (error,) = response.context["form"].errors["supplier"]
    assert html.escape(error, quote=False) in response.content.decode()
    return error


# -- the lookup -------------------------------------------------------------------------------


def test_a_companies_house_number_beats_a_name_that_contains_it():
    numbered = SupplierFactory(name="Acme Care Ltd", company_number="01234567")
    SupplierFactory(name="01234567 Holdings Ltd")

    found = selectors.supplier_lookup(text=" 01234567 ")

    assert found.supplier == numbered


def test_an_exact_name_beats_names_that_contain_it_ignoring_case_and_ltd():
    acme = SupplierFactory(name="Acme Ltd")
    SupplierFactory(name="Acme Care Ltd")
    SupplierFactory(name="Acme Highways Ltd")

    assert selectors.supplier_lookup(text="acme ltd").supplier == acme
    assert selectors.supplier_lookup(text="ACME LIMITED").supplier == acme
    assert selectors.supplier_lookup(text="highways").supplier.name == "Acme Highways Ltd"


def test_several_matches_give_up_to_five_candidates_best_first():
    for name in ["Care 1 Ltd", "Care 2 Ltd", "Care 3 Ltd", "Care 4 Ltd", "Care 5 Ltd"]:
        SupplierFactory(name=name)
    SupplierFactory(name="Care 6 Ltd")

    found = selectors.supplier_lookup(text="care")

    assert found.supplier is None
    assert [s.name for s in found.candidates] == [f"Care {n} Ltd" for n in range(1, 6)]
    assert found.more is True
    assert selectors.supplier_lookup(text="nobody").candidates == []


def test_the_supplier_a_form_was_opened_with_wins_a_tie_on_its_name():
    first = SupplierFactory(name="Twin Ltd")
    second = SupplierFactory(name="Twin Ltd")

    assert selectors.supplier_lookup(text="Twin Ltd").supplier is None
    assert selectors.supplier_lookup(text="Twin Ltd", preferred_id=second.pk).supplier == second
    assert selectors.supplier_lookup(text="Twin Ltd", preferred_id=first.pk).supplier == first


def test_the_lookup_is_one_query_whatever_the_number_of_suppliers():
    SupplierFactory.create_batch(30, name=factory.Sequence(lambda n: f"Many {n} Ltd"))

    with CaptureQueriesContext(connection) as context:
        found = selectors.supplier_lookup(text="many")

    assert len(context.captured_queries) == 1
    assert len(found.candidates) == 5


# -- the contracts list filter ----------------------------------------------------------------


def test_the_list_filters_on_part_of_the_supplier_name_ignoring_case():
    ContractFactory(reference="A", supplier__name="Malvern Hills Care CIC")
    ContractFactory(reference="B", supplier__name="Hills Highways Ltd")
    ContractFactory(reference="C", supplier__name="Severn Care Ltd")

    assert [c.reference for c in selectors.contract_list(supplier_name="HILLS")] == ["A", "B"]
    assert [c.reference for c in selectors.contract_list(supplier_name="  ")] == ["A", "B", "C"]


def test_the_list_filter_box_matches_supplier_names(member_client):
    ContractFactory(reference="A", supplier__name="Malvern Hills Care CIC")
    ContractFactory(reference="B", supplier__name="Severn Care Ltd")
    ContractFactory(reference="C", supplier__name="Kidderminster Plumbing Ltd")

    response = member_client.get(CONTRACTS, {"supplier": "care"})

    assert [c.reference for c in response.context["page"].object_list] == ["A", "B"]
    body = response.content.decode()
    assert "2 contracts match the filters" in body
    assert '<input type="text" name="supplier" value="care"' in body


def test_a_supplier_id_in_the_address_filters_on_that_supplier_and_shows_its_name(
    member_client,
):
    acme = SupplierFactory(name="Acme Ltd")
    ContractFactory.create_batch(2, supplier=acme)
    ContractFactory(supplier__name="Acme Ltd North")

    response = member_client.get(CONTRACTS, {"supplier": str(acme.pk), "sort": "-reference"})

    assert response.context["page"].paginator.count == 2
    assert {c.supplier_id for c in response.context["page"].object_list} == {acme.pk}
    assert response.context["form"]["supplier"].value() == "Acme Ltd"
    headers = {h["key"]: h for h in response.context["headers"]}
    assert headers["reference"]["url"] == f"?supplier={acme.pk}&sort=reference"


def test_an_unknown_supplier_id_matches_no_contract(member_client):
    ContractFactory(supplier__name="Supplier 999999 Ltd")

    response = member_client.get(CONTRACTS, {"supplier": "999999"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_the_list_runs_the_same_queries_with_5_or_60_suppliers(member_client):
    ContractFactory.create_batch(5)
    few = _queries(member_client, CONTRACTS)
    few_by_id = _queries(
        member_client, f"{CONTRACTS}?supplier={Contract.objects.first().supplier_id}"
    )
    ContractFactory.create_batch(55)
    SupplierFactory.create_batch(40)

    assert _queries(member_client, CONTRACTS) == few
    assert (
        _queries(member_client, f"{CONTRACTS}?supplier={Contract.objects.last().supplier_id}")
        == few_by_id
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# -- the contract form ------------------------------------------------------------------------


def test_a_contract_is_added_for_a_supplier_named_in_full(officer_client):
    acme = SupplierFactory(name="Acme Ltd")
    SupplierFactory(name="Acme Ltd North")

    response = officer_client.post(CREATE, _new_contract("acme ltd"))

    assert response.status_code == 302
    assert Contract.objects.get().supplier == acme


def test_a_contract_is_added_for_a_supplier_given_by_companies_house_number(officer_client):
    acme = SupplierFactory(name="Acme Ltd", company_number="01234567")
    SupplierFactory(name="Acme Care Ltd")

    response = officer_client.post(CREATE, _new_contract("01234567"))

    assert response.status_code == 302
    assert Contract.objects.get().supplier == acme


def test_an_ambiguous_supplier_is_refused_with_up_to_five_candidates(officer_client):
    SupplierFactory(name="Care 1 Ltd", company_number="01234567", postcode="WR1 1AA")
    for number in range(2, 8):
        SupplierFactory(name=f"Care {number} Ltd")

    response = officer_client.post(CREATE, _new_contract("care"))

    error = _supplier_error(response)
    assert error == (
        "More than one supplier matches ‘care’: "
        "Care 1 Ltd (Companies House 01234567, WR1 1AA); Care 2 Ltd; Care 3 Ltd; "
        "Care 4 Ltd; Care 5 Ltd; and others. Enter the full name or the Companies House number"
    )
    assert "There is a problem" in response.content.decode()
    assert response.context["form"]["supplier"].value() == "care"


def test_a_supplier_that_is_not_in_the_register_is_refused(officer_client):
    SupplierFactory(name="Acme Ltd")

    response = officer_client.post(CREATE, _new_contract("Nobody Ltd"))

    assert _supplier_error(response) == (
        "No supplier in the register matches ‘Nobody Ltd’. Check the spelling, "
        "or add the supplier first"
    )


def test_the_supplier_field_is_a_text_input_with_its_label_and_hint(officer_client):
    suppliers = SupplierFactory.create_batch(3)

    body = officer_client.get(CREATE).content.decode()

    field = body.split('id="div_id_supplier"', 1)[1].split('id="div_id_category"', 1)[0]
    assert '<label for="id_supplier" class="govuk-label govuk-label--s">' in field
    assert "Companies House number or charity number" in field
    assert '<input type="text" name="supplier"' in field
    assert 'aria-describedby="id_supplier_hint"' in field
    assert not any(supplier.name in body for supplier in suppliers)


def test_a_link_with_a_supplier_id_fills_in_the_supplier_and_saves_it(officer_client):
    twin = SupplierFactory(name="Twin Ltd")
    SupplierFactory(name="Twin Ltd")
    url = f"{CREATE}?supplier={twin.pk}"

    form = officer_client.get(url).context["form"]
    response = officer_client.post(url, _new_contract(form["supplier"].value()))

    assert form["supplier"].value() == "Twin Ltd"
    assert response.status_code == 302
    assert Contract.objects.get().supplier == twin


def test_a_bad_supplier_id_in_the_link_leaves_the_supplier_empty(officer_client):
    for value in ["999999", "abc", "1" * 30]:
        response = officer_client.get(CREATE, {"supplier": value})
        assert response.status_code == 200
        assert response.context["form"]["supplier"].value() in (None, "")


def test_editing_a_contract_keeps_its_supplier_when_another_has_the_same_name(officer_client):
    twin = SupplierFactory(name="Twin Ltd")
    SupplierFactory(name="Twin Ltd")
    contract = ContractFactory(supplier=twin, title="Old title", end_date=dt.date(2027, 3, 31))
    url = reverse("procurement:contract-edit", args=[contract.pk])

    form = officer_client.get(url).context["form"]
    data = _new_contract(
        form["supplier"].value(),
        reference=contract.reference,
        title="New title",
        version=contract.version,
    )
    response = officer_client.post(url, data)

    assert form["supplier"].value() == "Twin Ltd"
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.title, contract.supplier_id) == ("New title", twin.pk)


def test_the_contract_form_runs_the_same_queries_with_5_or_60_suppliers(officer_client):
    supplier = SupplierFactory()
    SupplierFactory.create_batch(4)
    few = _queries(officer_client, f"{CREATE}?supplier={supplier.pk}")
    SupplierFactory.create_batch(55)

    assert _queries(officer_client, f"{CREATE}?supplier={supplier.pk}") == few


def test_the_supplier_page_offers_a_contract_with_the_supplier_filled_in(officer_client):
    supplier = SupplierFactory(name="Acme Ltd")

    body = officer_client.get(reverse("procurement:supplier-detail", args=[supplier.pk]))

    assert f'href="{CREATE}?supplier={supplier.pk}"' in body.content.decode()
