"""A supplier's SME, VCSE and local tags look the same on every page that lists suppliers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Supplier
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

TAG = re.compile(r'<strong class="govuk-tag (govuk-tag--[a-z-]+)">(SME|VCSE|Local)</strong>')


def _tags(html: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for colour, name in TAG.findall(html):
        found.setdefault(name, set()).add(colour)
    return found


def test_vcse_and_local_tags_have_one_colour_each_on_the_suppliers_list_and_spend_dashboard(
    member_client,
):
    supplier = SupplierFactory(
        name="Both Ways CIC", size=Supplier.Size.MICRO, is_vcse=True, is_local=True
    )
    SpendTransactionFactory(supplier=supplier, amount=Decimal("900"), paid_on=dt.date(2024, 6, 1))
    spend_summary_rebuild()

    listed = _tags(member_client.get(reverse("procurement:supplier-list")).content.decode())
    dashboard = member_client.get(f"{reverse('procurement:spend-dashboard')}?year=2024")
    paid = _tags(dashboard.content.decode())

    assert listed == paid
    assert listed == {
        "SME": {"govuk-tag--blue"},
        "VCSE": {"govuk-tag--purple"},
        "Local": {"govuk-tag--green"},
    }
