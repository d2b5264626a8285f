from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import selectors
from dashboards.selectors import annual_review, review_years
from maturity import selectors as maturity
from procurement.models import Supplier
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SavingFactory, SpendTransactionFactory

pytestmark = pytest.mark.django_db


def _review(data):
    return annual_review(year=data.year, today=data.today)


def test_the_spend_headline_and_shares_are_those_of_the_year(review_data):
    review = _review(review_data)

    year = review.spend.current
    assert year.total == Decimal("102000.00")
    assert year.named_total == Decimal("100000.00")
    assert (year.sme_share, year.vcse_share, year.local_share) == (
        Decimal("40.0"),
        Decimal("10.0"),
        Decimal("40.0"),
    )
    assert (review.spend.sme_change, review.spend.vcse_change, review.spend.local_change) == (
        Decimal("20.0"),
        Decimal("10.0"),
        Decimal("20.0"),
    )
    assert [row.year for row in review.spend_years] == [review_data.year - 1, review_data.year]


def test_social_value_counts_verified_returns_in_pounds_and_units(review_data):
    review = _review(review_data)

    assert review.social_value.value == Decimal("400.00")
    assert review.social_value.units == [("number", Decimal("10.00")), ("hours", Decimal("40.00"))]
    goals = {row.name: row for row in review.social_value_by_goal}
    assert goals["Thriving communities"].previous_value == Decimal("40.00")
    assert goals["Thriving communities"].value == Decimal("400.00")
    assert goals["Thriving communities"].change == Decimal("360.00")
    assert goals["Skilled workforce"].value is None
    assert goals["Skilled workforce"].quantity_in("number") == Decimal("10.00")
    assert review.previous_social_value == Decimal("40.00")


def test_savings_are_set_against_the_target_and_a_missing_target_is_none(review_data):
    review = _review(review_data)

    assert review.savings_total == Decimal("9000.00")
    assert [(row.kind, row.total) for row in review.savings_by_kind] == [
        ("cashable", Decimal("6000.00")),
        ("non_cashable", Decimal("3000.00")),
    ]
    assert review.savings_target == Decimal("12000.00")
    assert review.savings_share_of_target == Decimal("75.0")
    before, this = review.savings_years
    assert (before.year, before.total, before.target, before.share_of_target) == (
        review_data.year - 1,
        Decimal("5000.00"),
        None,
        None,
    )
    assert (this.cashable, this.non_cashable, this.target) == (
        Decimal("6000.00"),
        Decimal("3000.00"),
        Decimal("12000.00"),
    )


def test_contracts_ending_in_twelve_months_are_counted_by_sub_team(review_data):
    review = _review(review_data)

    assert [(row.label, row.contracts, row.value) for row in review.ending] == [
        ("People", 1, Decimal("250000.00")),
        ("Place", 1, Decimal("50000.00")),
        ("Corporate", 0, Decimal("0.00")),
        ("Operations", 0, Decimal("0.00")),
        ("Not assigned", 1, Decimal("0.00")),
    ]
    assert review.ending_count == 3
    assert review.ending_value == Decimal("300000.00")


def test_live_contract_checks_cover_completeness_risk_slavery_and_personal_data(review_data):
    counts = _review(review_data).live_counts

    assert (counts.live, counts.complete, counts.high_risk) == (4, 2, 2)
    assert (counts.slavery_assessed, counts.slavery_share) == (3, Decimal("75.0"))
    assert (counts.personal_data, counts.personal_data_share) == (1, Decimal("25.0"))


def test_high_risk_suppliers_are_those_paid_in_the_year_and_all_are_counted(review_data):
    review = _review(review_data)

    assert [
        (s.name, s.year_spend, s.live_contracts, s.live_value) for s in review.high_risk_suppliers
    ] == [("Delta Risky Ltd", Decimal("10000.00"), 1, Decimal("0.00"))]
    assert review.high_risk_supplier_counts == {"total": 2, "with_live_contracts": 1}
    assert [c.reference for c in review.high_risk_contracts] == ["C2", "C5"]


def test_what_changed_lists_the_years_assessments_with_the_level_before(review_data):
    changes = _review(review_data).changes

    assert len(changes) == 6
    by_name = {change.indicator: change for change in changes}
    register = by_name["Information storage and accessibility"]
    assert (register.before, register.after, register.direction) == (2, 4, "up")
    assert (register.before_name, register.after_name) == ("Developing", "Leader")
    assert by_name["Procurement"].direction == "same"


def test_an_assessment_on_the_same_day_takes_the_earlier_one_as_its_level_before(framework):
    from maturity.models import Indicator
    from tests.factories import AssessmentFactory

    indicator = Indicator.objects.get(key_area__name="Obtaining social value", name="Procurement")
    day = dt.date(2024, 10, 31)
    AssessmentFactory(indicator=indicator, level_id=3, assessed_on=day)
    AssessmentFactory(indicator=indicator, level_id=1, assessed_on=day)

    changes = annual_review(year=2024, today=dt.date(2025, 6, 1)).changes

    assert [(change.before, change.after) for change in changes] == [(2, 3), (3, 1)]
    assert changes[1].direction == "down"


def test_the_maturity_parts_are_the_gap_dashboards_own(review_data):
    review = _review(review_data)
    framework = maturity.framework_current()

    assert review.themes == maturity.theme_summaries(framework=framework)
    assert review.key_areas == maturity.key_area_summaries(framework=framework)
    assert [i.pk for i in review.largest_gaps] == [
        i.pk for i in maturity.largest_gaps(framework=framework)
    ]


def test_the_default_year_is_the_last_complete_one_and_every_year_with_data_is_offered(db):
    today = dt.date(2026, 11, 25)
    SavingFactory(financial_year=2019, contract=None)
    SpendTransactionFactory(paid_on=dt.date(2023, 2, 1))  # 2022/23
    spend_summary_rebuild()

    years, default = review_years(today=today)

    assert default == 2025
    assert years == [2026, 2025, 2022, 2019]


def test_the_cached_spend_totals_follow_a_summary_rebuild_and_a_supplier_change(review_data):
    first = selectors.spend_by_year_cached()
    with CaptureQueriesContext(connection) as captured:
        again = selectors.spend_by_year_cached()
    assert again == first
    assert len(captured) == 2  # the version checks only

    supplier = review_data.suppliers["S2"]
    SpendTransactionFactory(supplier=supplier, amount=Decimal("8000"), paid_on=dt.date(2019, 5, 1))
    spend_summary_rebuild(years=[2019])
    assert selectors.spend_by_year_cached()[0].total == Decimal("8000.00")

    supplier.size = Supplier.Size.SMALL
    supplier.save()
    latest = selectors.spend_by_year_cached()[-1]
    assert latest.sme_share == Decimal("90.0")
