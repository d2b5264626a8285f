"""The spend dashboard is drawn once per data version and role: a second visit reads the
cache, and a new import, a supplier's or a category's edit is on the next visit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

URL = f"{reverse('procurement:spend-dashboard')}?year=2024"
IMPORT_LINK = reverse("procurement:spend-import")


@pytest.fixture
def supplier():
    supplier = SupplierFactory(name="Severn Road Surfacing Ltd")
    SpendTransactionFactory(
        supplier=supplier, amount=Decimal("1234.00"), paid_on=dt.date(2024, 6, 1)
    )
    spend_summary_rebuild()
    return supplier


def test_a_second_visit_reads_the_body_from_the_cache(member_client, supplier):
    with CaptureQueriesContext(connection) as first:
        drawn = member_client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as second:
        cached = member_client.get(URL).content.decode()

    # The session (read, and saved in a savepoint), the user and roles, the years, the version.
    assert len(second) <= 8 < len(first)
    assert "£1,234" in cached
    assert (
        cached.split("<main")[1].split("</main>")[0] == drawn.split("<main")[1].split("</main>")[0]
    )


def test_each_role_gets_its_own_copy(member_client, officer_client, supplier):
    assert IMPORT_LINK not in member_client.get(URL).content.decode()
    assert IMPORT_LINK in officer_client.get(URL).content.decode()
    assert IMPORT_LINK not in member_client.get(URL).content.decode()


def test_new_spend_shows_once_the_summary_is_rebuilt(member_client, supplier):
    assert "£1,234" in member_client.get(URL).content.decode()
    SpendTransactionFactory(
        supplier=supplier, amount=Decimal("1000.00"), paid_on=dt.date(2024, 7, 1)
    )

    spend_summary_rebuild()

    assert "£2,234" in member_client.get(URL).content.decode()


def test_a_supplier_renamed_shows_on_the_next_visit(member_client, supplier):
    assert "Severn Road Surfacing Ltd" in member_client.get(URL).content.decode()
    supplier.name = "Severn Road Surfacing Group"
    supplier.save()

    html = member_client.get(URL).content.decode()

    assert "Severn Road Surfacing Group" in html
    assert "Severn Road Surfacing Ltd" not in html


def test_a_category_renamed_in_place_shows_on_the_next_visit(member_client, supplier):
    contract = ContractFactory(supplier=supplier, category__name="Road maintenance")
    SpendTransactionFactory(
        supplier=supplier, contract=contract, amount=Decimal("500.00"), paid_on=dt.date(2024, 6, 2)
    )
    spend_summary_rebuild()
    assert "Road maintenance" in member_client.get(URL).content.decode()
    contract.category.name = "Highways resurfacing"
    contract.category.save()  # no history: core.DataStamp counts the edit

    html = member_client.get(URL).content.decode()

    assert "Highways resurfacing" in html
    assert "Road maintenance" not in html
