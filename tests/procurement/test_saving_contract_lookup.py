"""The saving form's contract is typed and looked up, like the contract form's supplier: at
scale a drop-down of every contract is thousands of options."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Saving
from procurement.selectors.register import contract_lookup
from tests.procurement.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

URL = reverse("procurement:saving-create")
DATA = {"financial_year": 2024, "kind": "cashable", "amount": "500", "description": "Re-let"}


@pytest.fixture
def contracts():
    return {
        "roads": ContractFactory(reference="WCC-100", title="Highways maintenance north"),
        "roads_south": ContractFactory(reference="WCC-101", title="Highways maintenance south"),
        "care": ContractFactory(
            reference="WCC-200",
            title="Home care",
            supplier=SupplierFactory(name="Severn Care Ltd"),
        ),
    }


def test_the_contract_is_a_text_field_not_a_list_of_every_contract(
    officer_client, contracts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        page = officer_client.get(URL).content.decode()

    assert '<input type="text" name="contract"' in page
    assert "<select" not in page.split('name="contract"')[0].rsplit("<div", 1)[-1]
    assert "WCC-101" not in page  # no contract is listed on the page


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("WCC-100", "roads"), ("wcc-101", "roads_south"), ("home care", "care"), ("Severn", "care")],
)
def test_a_saving_is_recorded_against_the_contract_typed(
    officer_client, contracts, typed, expected
):
    response = officer_client.post(URL, {**DATA, "contract": typed})

    assert response.status_code == 302
    saving = Saving.objects.get()
    assert saving.contract == contracts[expected]
    assert saving.amount == Decimal("500")


def test_a_title_matching_two_contracts_names_both_and_saves_nothing(officer_client, contracts):
    response = officer_client.post(URL, {**DATA, "contract": "highways maintenance"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "More than one contract matches ‘highways maintenance’" in text
    assert "WCC-100 Highways maintenance north" in text
    assert "WCC-101 Highways maintenance south" in text
    assert Saving.objects.count() == 0


def test_no_matching_contract_is_refused_with_the_text_typed(officer_client, contracts):
    response = officer_client.post(URL, {**DATA, "contract": "WCC-999"})

    assert response.status_code == 200
    assert "No contract in the register matches ‘WCC-999’" in response.content.decode()
    assert Saving.objects.count() == 0


def test_the_contract_pages_link_fills_in_its_reference(officer_client, contracts):
    care = contracts["care"]

    form = officer_client.get(f"{URL}?contract={care.pk}").context["form"]

    assert form.initial["contract"] == "WCC-200"


def test_the_lookup_runs_one_query_and_an_exact_reference_beats_part_of_a_title(
    contracts, django_assert_num_queries
):
    ContractFactory(reference="X-1", title="Contract WCC-100 extension")
    with django_assert_num_queries(1):
        found = contract_lookup(text="WCC-100")

    assert found.match == contracts["roads"]
