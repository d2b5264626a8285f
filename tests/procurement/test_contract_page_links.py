"""A contract's page leads to its social value commitments and to recording a saving on it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.procurement.factories import ContractFactory

pytestmark = pytest.mark.django_db
LINK = r'<a class="govuk-[a-z-]+(?: [a-z-]+)*" href="([^"]+)">(.*?)</a>'


def _hrefs(client, url: str) -> dict[str, str]:
    page = client.get(url).content.decode()
    return {
        re.sub(r"<[^>]+>|\s+", " ", text).strip(): href
        for href, text in re.findall(LINK, page, re.S)
    }


def test_an_officer_follows_the_contract_page_to_its_social_value_and_to_record_a_saving(
    officer_client,
):
    contract = ContractFactory(reference="WCC-LINK-1", title="Day care")
    links = _hrefs(officer_client, reverse("procurement:contract-detail", args=[contract.pk]))

    social_value = links["Social value commitments and returns for WCC-LINK-1"]
    assert social_value == reverse("socialvalue:contract-detail", args=[contract.pk])
    assert "WCC-LINK-1" in officer_client.get(social_value).content.decode()
    saving = links["Record a saving"]
    assert saving == f"{reverse('procurement:saving-create')}?contract={contract.pk}"
    assert officer_client.get(saving).context["form"].initial["contract"] == "WCC-LINK-1"


def test_a_member_gets_the_social_value_link_but_not_record_a_saving(member_client):
    contract = ContractFactory(reference="WCC-LINK-2")
    links = _hrefs(member_client, reverse("procurement:contract-detail", args=[contract.pk]))

    assert "Social value commitments and returns for WCC-LINK-2" in links
    assert "Record a saving" not in links
