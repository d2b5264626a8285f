from __future__ import annotations

import datetime as dt

import pytest

from socialvalue.models import Measure, quantity_problem
from socialvalue.periods import parse_key, quarter, quarter_of, quarters_between, year_period


@pytest.mark.parametrize(
    "day,label",
    [
        (dt.date(2024, 4, 1), "Q1 2024/25 (Apr to Jun 2024)"),
        (dt.date(2024, 9, 30), "Q2 2024/25 (Jul to Sep 2024)"),
        (dt.date(2024, 12, 31), "Q3 2024/25 (Oct to Dec 2024)"),
        (dt.date(2025, 3, 31), "Q4 2024/25 (Jan to Mar 2025)"),
    ],
)
def test_financial_quarters_run_from_april(day, label):
    assert quarter_of(day).label == label
    assert quarter_of(day).financial_year == 2024


def test_a_quarter_and_a_year_round_trip_through_their_keys():
    assert quarter(2024, 4) == parse_key("2024-Q4")
    assert quarter(2024, 4).end == dt.date(2025, 3, 31)
    assert year_period(2024) == parse_key("2024-FY")
    assert year_period(2024).quarter_count == 4
    assert parse_key("2024-Q5") is None
    assert parse_key("nonsense") is None


def test_quarters_between_lists_every_overlapping_quarter():
    periods = quarters_between(dt.date(2024, 6, 15), dt.date(2024, 10, 1))

    assert [period.key for period in periods] == ["2024-Q1", "2024-Q2", "2024-Q3"]


def test_a_plausible_quantity_has_no_problem_and_zero_is_fine():
    measure = Measure(code="X", description="Hours", unit=Measure.Unit.HOURS)

    assert quantity_problem(measure, 0) == ""
    assert quantity_problem(measure, 100000) == ""
    assert "more than" in quantity_problem(measure, 100001)
    assert quantity_problem(measure, 300000, quarters=4) == ""
