from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import Contract
from procurement.selectors.planning import (
    contracts_missing_social_value,
    contracts_past_end_still_live,
    contracts_without_owner,
    policy_summary,
)
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)


def _refs(queryset) -> list[str]:
    return sorted(queryset.values_list("reference", flat=True))


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def register(owner):
    """Contracts on either side of each policy line; the reference says which side."""

    def contract(reference, **fields):
        fields.setdefault("owner", owner)
        fields.setdefault("end_date", dt.date(2026, 3, 31))
        fields.setdefault("social_value_weighting", Decimal("10"))
        return ContractFactory(reference=reference, **fields)

    contract(
        "SV-exactly-threshold-no-weighting",
        total_value=Decimal("100000"),
        social_value_weighting=None,
    )
    contract(
        "SV-a-penny-over-no-weighting",
        total_value=Decimal("100000.01"),
        social_value_weighting=None,
    )
    contract("SV-over-weighting-exactly-10", total_value=Decimal("150000"))
    contract(
        "SV-over-weighting-9.99",
        total_value=Decimal("150000"),
        social_value_weighting=Decimal("9.99"),
    )
    contract(
        "SV-over-weighting-zero",
        total_value=Decimal("2000000"),
        social_value_weighting=Decimal("0"),
    )
    contract("SV-no-value", total_value=None, social_value_weighting=None)
    contract("END-yesterday-live", end_date=TODAY - dt.timedelta(days=1))
    contract("END-today-live", end_date=TODAY)
    contract(
        "END-yesterday-expired",
        end_date=TODAY - dt.timedelta(days=1),
        status=Contract.Status.EXPIRED,
    )
    contract("END-none-live", end_date=None)
    contract("OWN-none-live", owner=None)
    contract("OWN-none-draft", owner=None, status=Contract.Status.DRAFT)
    contract("OWN-none-terminated", owner=None, status=Contract.Status.TERMINATED)


def test_contracts_over_100000_need_at_least_ten_percent_social_value(register):
    assert _refs(contracts_missing_social_value()) == [
        "SV-a-penny-over-no-weighting",
        "SV-over-weighting-9.99",
        "SV-over-weighting-zero",
    ]


def test_the_missing_social_value_list_shows_the_largest_contracts_first(register):
    assert contracts_missing_social_value().first().reference == "SV-over-weighting-zero"


def test_contracts_past_their_end_date_and_still_live_are_listed(register):
    assert _refs(contracts_past_end_still_live(today=TODAY)) == ["END-yesterday-live"]


def test_live_contracts_with_no_owner_are_listed(register):
    assert _refs(contracts_without_owner()) == ["OWN-none-live"]


def test_the_summary_counts_every_check_in_one_query(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        summary = policy_summary(today=TODAY)

    # Over the threshold: the penny over, the two at 150,000 and the 2,000,000 one, plus every
    # other contract at the factory's 250,000.
    over = Contract.objects.filter(total_value__gt=Decimal("100000")).count()
    assert summary == {
        "over_threshold": over,
        "missing_social_value": 3,
        "past_end_still_live": 1,
        "without_owner": 1,
        "impossible_values": 0,
    }
    assert over == 11


def test_the_summary_of_an_empty_register_is_all_zeros():
    assert policy_summary(today=TODAY) == {
        "over_threshold": 0,
        "missing_social_value": 0,
        "past_end_still_live": 0,
        "without_owner": 0,
        "impossible_values": 0,
    }


def test_the_policy_checks_page_lists_each_check_with_its_count(member_client, register):
    response = member_client.get(reverse("procurement:policy-checks"))

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["missing_social_value"] == 3
    assert [c.reference for c in response.context["without_owner"]] == ["OWN-none-live"]
    body = response.content.decode()
    assert "SV-over-weighting-9.99" in body
    assert "9.99%" in body


def _policy_page_queries(client, count: int) -> int:
    for _ in range(count):
        ContractFactory(owner=None, end_date=dt.date(2020, 1, 1), social_value_weighting=None)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("procurement:policy-checks"))
    assert response.status_code == 200
    return len(queries)


def test_the_policy_checks_page_runs_the_same_queries_for_few_or_many_contracts(member_client):
    few = _policy_page_queries(member_client, 2)
    many = _policy_page_queries(member_client, 25)

    assert few == many
    assert many <= 11  # the summary and one query for each of the four lists among them
