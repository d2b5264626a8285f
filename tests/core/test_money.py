from decimal import Decimal

import pytest

from core.money import (
    POUNDS_X,
    ZERO,
    format_pounds,
    money_axis,
    sum_to_penny,
    to_penny,
    to_penny_or_none,
    whole_pounds,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, Decimal("0.00")),
        (Decimal("12"), Decimal("12.00")),
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("-0.005"), Decimal("-0.01")),
        (2.675, Decimal("2.68")),  # SQLite's float sum, read as its shortest decimal
        ("1.234", Decimal("1.23")),
    ],
)
def test_it_rounds_half_up_to_the_penny(value, expected):
    assert to_penny(value) == expected
    assert str(to_penny(value)) == str(expected)


def test_a_missing_sum_stays_missing_or_counts_as_nothing():
    assert to_penny_or_none(None) is None
    assert to_penny_or_none(0) == ZERO
    assert sum_to_penny([Decimal("0.10"), None, 0.2, Decimal("0.004")]) == Decimal("0.30")


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        (Decimal("1234.5"), {}, "£1,234.50"),
        (Decimal("-20"), {}, "-£20.00"),
        (Decimal("1234.5"), {"whole": True}, "£1,235"),  # half up, as the page tables always were
        (Decimal("1234.51"), {"whole": True}, "£1,235"),
        (Decimal("1200.00"), {"drop_zero_pence": True}, "£1,200"),
        (Decimal("1200.50"), {"drop_zero_pence": True}, "£1,200.50"),
        (None, {}, "–"),
        (None, {"none": "Not set"}, "Not set"),
    ],
)
def test_it_formats_pounds(value, options, expected):
    assert format_pounds(value, **options) == expected


def test_whole_pounds_puts_the_sign_before_the_pound():
    assert whole_pounds(Decimal("-1234")) == "-£1,234"


def test_charts_show_whole_pounds():
    assert POUNDS_X == "£%{x:,.0f}"
    assert money_axis("Spend") == {
        "rangemode": "tozero",
        "tickprefix": "£",
        "title": {"text": "Spend (£)"},
    }
