"""The Procurement Act 2023 rules (procurement/act.py): pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from procurement import act


def test_a_details_notice_is_due_by_the_last_of_30_days_beginning_with_signature() -> None:
    assert act.details_deadline(dt.date(2025, 4, 1)) == dt.date(2025, 4, 30)


def test_a_termination_notice_is_due_30_days_after_the_last_day() -> None:
    assert act.termination_deadline(dt.date(2026, 3, 31)) == dt.date(2026, 4, 30)


def test_a_performance_notice_is_due_30_days_after_the_rating() -> None:
    assert act.performance_deadline(dt.date(2026, 1, 10)) == dt.date(2026, 2, 9)


@pytest.mark.parametrize(
    ("with_vat", "without_vat", "notifiable"),
    [
        (Decimal("30000"), None, True),
        (Decimal("29999.99"), Decimal("25000"), False),
        (None, Decimal("30000"), True),  # the value before VAT is a floor of the value with it
        (None, Decimal("26000"), False),
        (None, None, False),
    ],
)
def test_a_contract_is_notifiable_from_30000_including_vat(
    with_vat: Decimal | None, without_vat: Decimal | None, notifiable: bool
) -> None:
    assert act.is_notifiable(value_including_vat=with_vat, total_value=without_vat) is notifiable


@override_settings(ACT_NOTIFIABLE_THRESHOLD=Decimal("12000"))
def test_the_notifiable_threshold_is_a_setting() -> None:
    assert act.is_notifiable(value_including_vat=Decimal("12000"), total_value=None)


def test_kpis_are_needed_above_5m_but_not_for_light_touch_or_frameworks() -> None:
    six_million = {"value_including_vat": Decimal("6000000"), "total_value": None}
    assert act.needs_kpis(**six_million, is_light_touch=False, is_framework=False)
    assert not act.needs_kpis(**six_million, is_light_touch=True, is_framework=False)
    assert not act.needs_kpis(**six_million, is_light_touch=False, is_framework=True)
    assert not act.needs_kpis(
        value_including_vat=Decimal("5000000"),
        total_value=None,
        is_light_touch=False,
        is_framework=False,
    )


def test_contracts_signed_before_the_act_owe_no_notices() -> None:
    assert not act.under_act(procedure="", signed_on=dt.date(2025, 2, 23), start_date=None)
    assert act.under_act(procedure="", signed_on=dt.date(2025, 2, 24), start_date=None)
    assert not act.under_act(procedure="pcr_2015", signed_on=dt.date(2025, 6, 1), start_date=None)


def _change(kind: str = "services", earlier: str = "0", change: str = "0", **dates: dt.date):
    return act.change_test(
        kind=kind,
        value_on_award=Decimal("1000000"),
        earlier_value_changes=Decimal(earlier),
        value_change=Decimal(change),
        start_date=dates.get("start", dt.date(2025, 4, 1)),
        end_on_award=dates.get("end", dt.date(2027, 3, 31)),
        new_end_date=dates.get("new_end"),
    )


def test_a_12_percent_rise_on_services_needs_a_change_notice() -> None:
    test = _change(change="120000")
    assert test.needs_notice
    assert test.value_share == Decimal("12")
    assert "12.0%" in test.reason


def test_exactly_10_percent_does_not() -> None:
    assert not _change(change="100000").needs_notice


def test_works_may_rise_by_15_percent() -> None:
    assert not _change(kind="works", change="150000").needs_notice
    assert _change(kind="works", change="150000.01").needs_notice


def test_earlier_variations_count_with_this_one() -> None:
    assert not _change(change="60000").needs_notice
    assert _change(earlier="60000", change="50000").needs_notice


def test_a_term_longer_by_more_than_10_percent_needs_a_change_notice() -> None:
    # 729 days on award; 74 more days is 10.2%, 62 is 8.5%.
    assert _change(new_end=dt.date(2027, 6, 13)).needs_notice
    assert not _change(new_end=dt.date(2027, 6, 1)).needs_notice
