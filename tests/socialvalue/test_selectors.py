from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from procurement.services.spend_summary import spend_summary_rebuild
from socialvalue import selectors
from socialvalue.models import SocialValueReturn
from socialvalue.periods import quarter, quarters_of_year
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SpendTransactionFactory,
    SupplierFactory,
)
from tests.socialvalue.factories import (
    CommitmentFactory,
    ProxyValueFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    verified_line,
)

pytestmark = pytest.mark.django_db

Status = SocialValueReturn.Status


def test_the_proxy_value_is_the_years_or_the_latest_earlier_one(measures):
    hours = measures["WCC-1.4"]
    ProxyValueFactory(measure=hours, financial_year=2023, value_per_unit=Decimal("10"))
    ProxyValueFactory(measure=hours, financial_year=2025, value_per_unit=Decimal("20"))

    assert selectors.proxy_value_for(measure=hours, financial_year=2022) is None
    assert selectors.proxy_value_for(measure=hours, financial_year=2023) == Decimal("10")
    assert selectors.proxy_value_for(measure=hours, financial_year=2024) == Decimal("10")
    assert selectors.proxy_value_for(measure=hours, financial_year=2025) == Decimal("20")
    assert selectors.proxy_value_for(measure=hours, financial_year=2030) == Decimal("20")


def test_a_delivered_quantity_is_valued_at_the_proxy_for_the_year_its_period_ends(measures):
    hours = measures["WCC-1.4"]
    ProxyValueFactory(measure=hours, financial_year=2023, value_per_unit=Decimal("10"))
    ProxyValueFactory(measure=hours, financial_year=2025, value_per_unit=Decimal("20"))
    contract = ContractFactory()
    # Q4 2022/23 ends 31 March 2023: before any proxy value.
    early = verified_line(contract=contract, measure=hours, quantity=5, start=dt.date(2023, 1, 1))
    # Q4 2024/25 ends 31 March 2025, in 2024/25: no value for 2024, so 2023's.
    middle = verified_line(contract=contract, measure=hours, quantity=7, start=dt.date(2025, 1, 1))
    late = verified_line(contract=contract, measure=hours, quantity=3, start=dt.date(2025, 4, 1))

    valued = {line.pk: line for line in selectors.verified_lines()}

    assert valued[early.pk].value is None
    assert Decimal(str(valued[middle.pk].value)) == Decimal("70")
    assert Decimal(str(valued[late.pk].value)) == Decimal("60")
    totals = {t.code: t for t in selectors.measure_totals(year=2024)}
    assert totals["WCC-1.4"].quantity == Decimal("7")
    assert totals["WCC-1.4"].value == Decimal("70.00")


def test_only_verified_returns_count_in_totals(measures):
    people = measures["WCC-2.1"]
    ProxyValueFactory(measure=people, financial_year=2024, value_per_unit=Decimal("1000"))
    contract = ContractFactory()
    verified_line(contract=contract, measure=people, quantity=4)
    for status, start in (
        (Status.DRAFT, dt.date(2024, 7, 1)),
        (Status.SUBMITTED, dt.date(2024, 10, 1)),
        (Status.REJECTED, dt.date(2025, 1, 1)),
    ):
        ReturnLineFactory(
            social_value_return=SocialValueReturnFactory(
                contract=contract,
                status=status,
                period_start=start,
                period_end=quarter(2024, (start.month - 4) % 12 // 3 + 1).end,
                rejection_reason="Wrong" if status == Status.REJECTED else "",
            ),
            measure=people,
            quantity=100,
        )

    by_goal = selectors.social_value_totals(year=2024, by="goal")

    assert [(t.name, t.quantity_in("number"), t.value) for t in by_goal] == [
        ("Developing and growing a skilled workforce", Decimal("4.00"), Decimal("4000.00"))
    ]
    assert selectors.return_counts(year=2024) == {
        "draft": 1,
        "submitted": 1,
        "verified": 1,
        "rejected": 1,
    }


def test_totals_group_by_category_sub_team_and_supplier_in_each_unit(measures):
    hours, people = measures["WCC-1.4"], measures["WCC-2.1"]
    ProxyValueFactory(measure=hours, financial_year=2024, value_per_unit=Decimal("15"))
    roads = CategoryFactory(name="Highways", sub_team="place")
    care = CategoryFactory(name="Adult social care", sub_team="people")
    alpha, beta = SupplierFactory(name="Alpha"), SupplierFactory(name="Beta")
    first = ContractFactory(category=roads, supplier=alpha)
    second = ContractFactory(category=care, supplier=beta)
    verified_line(contract=first, measure=hours, quantity=100)
    verified_line(contract=first, measure=people, quantity=3, start=dt.date(2024, 7, 1))
    verified_line(contract=second, measure=hours, quantity=10)

    by_category = selectors.social_value_totals(year=2024, by="category")
    by_sub_team = selectors.social_value_totals(year=2024, by="sub_team")
    by_supplier = selectors.social_value_totals(year=2024, by="supplier")

    assert [
        (t.name, t.quantity_in("hours"), t.quantity_in("number"), t.value) for t in by_category
    ] == [
        ("Highways", Decimal("100.00"), Decimal("3.00"), Decimal("1500.00")),
        ("Adult social care", Decimal("10.00"), Decimal("0.00"), Decimal("150.00")),
    ]
    assert [(t.name, t.value) for t in by_sub_team] == [
        ("Place", Decimal("1500.00")),
        ("People", Decimal("150.00")),
    ]
    assert [(t.name, t.value) for t in by_supplier] == [
        ("Alpha", Decimal("1500.00")),
        ("Beta", Decimal("150.00")),
    ]


def test_the_trend_gives_the_value_per_year_and_goal(measures):
    hours = measures["WCC-1.4"]
    ProxyValueFactory(measure=hours, financial_year=2022, value_per_unit=Decimal("10"))
    contract = ContractFactory()
    verified_line(contract=contract, measure=hours, quantity=1, start=dt.date(2022, 4, 1))
    verified_line(contract=contract, measure=hours, quantity=2, start=dt.date(2023, 4, 1))
    verified_line(contract=contract, measure=hours, quantity=3, start=dt.date(2023, 7, 1))

    trend = selectors.social_value_trend()

    assert [(p.year, p.value, p.returns) for p in trend] == [
        (2022, Decimal("10.00"), 1),
        (2023, Decimal("50.00"), 2),
    ]


def test_overdue_returns_are_ended_quarters_with_nothing_submitted(measures):
    contract = ContractFactory(reference="WCC-1", start_date=dt.date(2024, 5, 1), end_date=None)
    CommitmentFactory(contract=contract, measure=measures["WCC-1.1"])
    ContractFactory(reference="WCC-2")  # no commitments: never overdue
    not_started = ContractFactory(reference="WCC-3", start_date=dt.date(2025, 1, 15))
    CommitmentFactory(contract=not_started, measure=measures["WCC-1.1"])
    SocialValueReturnFactory(contract=contract, status=Status.SUBMITTED)  # Q1 covered
    draft = SocialValueReturnFactory(
        contract=contract,
        period_start=dt.date(2024, 7, 1),
        period_end=dt.date(2024, 9, 30),
        status=Status.DRAFT,
    )

    overdue = selectors.returns_overdue(periods=quarters_of_year(2024)[:3])

    assert [(row["reference"], row["period"].start, row["return_id"]) for row in overdue] == [
        ("WCC-1", dt.date(2024, 7, 1), draft.pk),
        ("WCC-1", dt.date(2024, 10, 1), None),
    ]
    assert overdue[0]["status_label"] == "Draft (not submitted)"
    assert overdue[1]["status_label"] == "No return"


def test_a_verified_annual_return_covers_all_four_quarters(measures):
    contract = ContractFactory()
    CommitmentFactory(contract=contract, measure=measures["WCC-1.1"])
    SocialValueReturnFactory(
        contract=contract,
        period_start=dt.date(2024, 4, 1),
        period_end=dt.date(2025, 3, 31),
        status=Status.VERIFIED,
    )

    assert selectors.returns_overdue(periods=quarters_of_year(2024)) == []
    assert len(selectors.returns_overdue(periods=quarters_of_year(2023))) == 4


def test_contracts_over_the_threshold_with_no_commitments_are_listed(measures):
    big = ContractFactory(reference="BIG", total_value=Decimal("150000"))
    ContractFactory(reference="SMALL", total_value=Decimal("100000"))
    committed = ContractFactory(reference="DONE", total_value=Decimal("500000"))
    CommitmentFactory(contract=committed, measure=measures["WCC-1.1"])
    ContractFactory(reference="OLD", total_value=Decimal("900000"), end_date=dt.date(2024, 3, 1))

    listed = list(selectors.contracts_without_commitments(year=2024))

    assert listed == [big]


def test_the_annual_review_adds_local_spend_and_counts_environmental_contracts(measures):
    local = SupplierFactory(is_local=True)
    distant = SupplierFactory(is_local=False)
    SpendTransactionFactory(supplier=local, amount=Decimal("300.00"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(
        supplier=distant, amount=Decimal("700.00"), paid_on=dt.date(2025, 3, 31)
    )
    SpendTransactionFactory(supplier=local, amount=Decimal("999"), paid_on=dt.date(2025, 4, 1))
    spend_summary_rebuild()  # as every import does
    green = ContractFactory(carbon_commitment=False)
    carbon = ContractFactory(carbon_commitment=True)
    both = ContractFactory(carbon_commitment=True)
    ContractFactory(carbon_commitment=True, end_date=dt.date(2023, 12, 31))  # ended before
    verified_line(contract=green, measure=measures["WCC-5.1"], quantity=1)
    verified_line(contract=both, measure=measures["WCC-5.1"], quantity=1)
    verified_line(contract=carbon, measure=measures["WCC-4.1"], quantity="2500.50")

    review = selectors.annual_review(year=2024)

    assert review.spend_total == Decimal("1000.00")
    assert review.spend_local == Decimal("300.00")
    assert review.local_share == Decimal("30.0")
    assert review.second_tier_local == Decimal("2500.50")
    assert review.local_retained == Decimal("2800.50")
    assert review.environmental_contracts == 2
    assert review.carbon_contracts == 2
    assert review.environmental_or_carbon == 3
