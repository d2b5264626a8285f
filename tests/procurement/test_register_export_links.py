"""The contracts register offers its exports: nothing linked to them before."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.procurement.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_the_contracts_register_links_to_each_of_its_exports(member_client):
    ContractFactory(reference="WCC-LINKED", total_value=Decimal("25000"))
    page = member_client.get(reverse("procurement:contract-list")).content.decode()

    links = dict(re.findall(r'<a class="govuk-link" href="([^"]+\.csv)">([^<]+)</a>', page))

    transparency = reverse("procurement:transparency-contracts-csv")
    assert "Transparency Code" in links[transparency]
    assert "ending in the next 12 months" in links[reverse("procurement:ending-soon-csv")]
    download = member_client.get(transparency)
    assert download["Content-Type"].startswith("text/csv")
    assert "WCC-LINKED" in download.content.decode("utf-8-sig")
