"""The social value dashboard is drawn once per data version: a second visit reads the cache,
and a change to returns, proxy values or suppliers is on the next visit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialvalue.models import ProxyValue, SocialValueReturn
from tests.procurement.factories import ContractFactory
from tests.socialvalue.factories import ProxyValueFactory, verified_line
from tests.socialvalue.test_views import last_quarter

pytestmark = pytest.mark.django_db

URL = reverse("socialvalue:dashboard")


def _summary(client, label: str) -> str:
    html = client.get(URL, {"year": last_quarter().financial_year}).content.decode()
    found = re.search(rf"{label}</dt><dd class=\"govuk-summary-list__value\">([^<]*)</dd>", html)
    assert found, f"no {label} on the page"
    return found[1]


@pytest.fixture
def delivered(measures):
    contract = ContractFactory(supplier__name="Hedgerow Care Ltd")
    measure = measures["WCC-1.4"]
    ProxyValueFactory(
        measure=measure,
        financial_year=last_quarter().financial_year,
        value_per_unit=Decimal("10.00"),
    )
    return verified_line(contract=contract, measure=measure, quantity=3, start=last_quarter().start)


def test_a_second_visit_reads_the_body_from_the_cache(officer_client, member_client, delivered):
    year = {"year": last_quarter().financial_year}
    with CaptureQueriesContext(connection) as first:
        drawn = officer_client.get(URL, year).content.decode()
    with CaptureQueriesContext(connection) as second:
        cached = member_client.get(URL, year).content.decode()

    # The session (read, and saved in a savepoint), the user and roles, the years, the version.
    assert len(second) <= 8 < len(first)
    assert "Hedgerow Care Ltd" in cached
    assert (
        cached.split('<dl class="govuk-summary-list">')[1].split("</main>")[0]
        == (drawn.split('<dl class="govuk-summary-list">')[1].split("</main>")[0])
    )


def test_a_return_verified_shows_on_the_next_visit(officer_client, delivered, measures):
    assert _summary(officer_client, "Verified returns") == "1"
    assert _summary(officer_client, r"Social value delivered \(verified\)") == "£30"

    line = verified_line(
        contract=ContractFactory(supplier=delivered.social_value_return.contract.supplier),
        measure=measures["WCC-1.4"],
        quantity=2,
        start=last_quarter().start,
    )

    assert _summary(officer_client, "Verified returns") == "2"
    assert _summary(officer_client, r"Social value delivered \(verified\)") == "£50"

    line.social_value_return.status = SocialValueReturn.Status.REJECTED
    line.social_value_return.save()

    assert _summary(officer_client, "Verified returns") == "1"


def test_a_proxy_value_corrected_shows_on_the_next_visit(officer_client, delivered, measures):
    assert _summary(officer_client, r"Social value delivered \(verified\)") == "£30"
    proxy = ProxyValue.objects.get(measure=measures["WCC-1.4"])
    proxy.value_per_unit = Decimal("20.00")
    proxy.save()  # an edit in place: no new row, no history

    assert _summary(officer_client, r"Social value delivered \(verified\)") == "£60"


def test_a_renamed_supplier_shows_on_the_next_visit(officer_client, delivered):
    year = {"year": last_quarter().financial_year}
    assert "Hedgerow Care Ltd" in officer_client.get(URL, year).content.decode()
    supplier = delivered.social_value_return.contract.supplier
    supplier.name = "Hedgerow Care Group"
    supplier.save()

    html = officer_client.get(URL, year).content.decode()

    assert "Hedgerow Care Group" in html
    assert "Hedgerow Care Ltd" not in html
