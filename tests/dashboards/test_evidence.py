from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.financial_year import financial_year_label
from dashboards.evidence import return_counts, variation_counts
from dashboards.selectors import annual_review
from procurement.models import Contract
from tests.procurement.factories import ContractFactory, VariationFactory
from tests.socialvalue.factories import CommitmentFactory, MeasureFactory, verified_line

pytestmark = pytest.mark.django_db


def _signals(data) -> dict:
    review = annual_review(year=data.year, today=data.today)
    return {signal.rule.key: signal for signal in review.evidence}


# key -> (measured %, suggested level, self-assessed level, comparison)
EXPECTED = {
    "register-complete": (Decimal("50.0"), 3, 4, "above"),
    "change-control": (Decimal("33.3"), 2, 2, "matches"),
    "social-value-weighting": (Decimal("66.7"), 3, 2, "below"),
    "social-value-returns": (Decimal("50.0"), 3, 3, "matches"),
    "sme-spend": (Decimal("40.0"), 4, 3, "below"),
    "savings": (Decimal("75.0"), 3, 5, "above"),
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_signal_measures_the_data_and_suggests_a_level(review_data, key):
    signal = _signals(review_data)[key]

    measured, suggested, self_assessed, comparison = EXPECTED[key]
    assert signal.measured == measured
    assert signal.suggested == suggested
    assert signal.self_assessed == self_assessed
    assert signal.comparison == comparison
    assert signal.disagrees is (comparison != "matches")


def test_the_signals_say_what_was_counted(review_data):
    signals = _signals(review_data)

    assert signals["register-complete"].detail.startswith("2 of 4 live contracts")
    assert signals["change-control"].detail.startswith("1 of 3 variations dated in")
    assert signals["social-value-weighting"].detail.startswith("2 of 3 contracts")
    assert signals["social-value-returns"].detail.startswith("1 of 2 contracts")
    assert "(£40,000 of £100,000), +20.0 percentage points on" in signals["sme-spend"].detail
    assert signals["sme-spend"].change == Decimal("20.0")
    assert signals["savings"].detail == (
        f"£9,000 of savings recorded in {financial_year_label(review_data.year)} against a "
        "target of £12,000."
    )


def test_the_tags_make_a_disagreement_obvious(review_data):
    signals = _signals(review_data)

    assert (
        signals["register-complete"].tag_colour,
        signals["register-complete"].comparison_label,
    ) == (
        "red",
        "Self-assessment above the data",
    )
    assert signals["sme-spend"].tag_colour == "orange"
    assert signals["change-control"].tag_colour == "green"
    review = annual_review(year=review_data.year, today=review_data.today)
    assert [s.rule.key for s in review.disagreements] == [
        "register-complete",
        "social-value-weighting",
        "sme-spend",
        "savings",
    ]


def test_with_nothing_to_measure_a_signal_suggests_no_level_and_is_not_compared(framework):
    signals = {s.rule.key: s for s in annual_review(year=2024, today=dt.date(2025, 6, 1)).evidence}

    for key in ("change-control", "social-value-weighting", "social-value-returns", "sme-spend"):
        assert signals[key].measured is None, key
        assert signals[key].suggested is None
        assert signals[key].comparison == ""
        assert signals[key].comparison_label == "Cannot compare"
    assert signals["savings"].detail == "No savings target is set for 2024/25."
    assert signals["register-complete"].measured is None
    assert signals["register-complete"].self_assessed == 2


def test_a_variation_with_a_blank_approver_or_reason_is_not_under_change_control(db):
    VariationFactory(varied_on=dt.date(2024, 5, 1), reason="Scope", approved_by="Head")
    VariationFactory(varied_on=dt.date(2024, 5, 1), reason="Scope", approved_by=" ")
    VariationFactory(varied_on=dt.date(2025, 4, 1), reason="Next year", approved_by="Head")

    assert variation_counts(year=2024) == {"total": 2, "controlled": 1}


def test_returns_count_only_the_quarters_a_contract_ran_in_and_only_ended_ones(db):
    measure = MeasureFactory()

    def committed(**fields):
        contract = ContractFactory(**fields)
        CommitmentFactory(contract=contract, measure=measure)
        return contract

    # Runs from Q3 only: its two verified quarters are all it owes.
    late_start = committed(start_date=dt.date(2024, 10, 1))
    for start in (dt.date(2024, 10, 1), dt.date(2025, 1, 1)):
        verified_line(contract=late_start, measure=measure, quantity="1", start=start)
    # A whole-year verified return covers every quarter.
    whole_year = committed()
    verified_line(
        contract=whole_year,
        measure=measure,
        quantity="4",
        start=dt.date(2024, 4, 1),
        end=dt.date(2025, 3, 31),
    )
    # Q1 only: behind.
    verified_line(contract=committed(), measure=measure, quantity="1")
    # Not counted: a contract still being procured, and one with no commitments.
    committed(status=Contract.Status.DRAFT)
    ContractFactory()

    assert return_counts(year=2024, today=dt.date(2025, 6, 1)) == {
        "total": 3,
        "up_to_date": 2,
        "quarters": 4,
    }
    # In November 2024 only Q1 and Q2 had ended: the late starter owed nothing yet, and the
    # contract behind had missed Q2.
    assert return_counts(year=2024, today=dt.date(2024, 11, 1)) == {
        "total": 2,
        "up_to_date": 1,
        "quarters": 2,
    }
    assert return_counts(year=2024, today=dt.date(2024, 5, 1)) is None
