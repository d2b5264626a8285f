"""Money, defined once: pounds and pence as `Decimal`, rounded half up to the penny, and shown
as "£1,234.50" (or whole pounds, "£1,235") with the sign before the pound sign ("-£20.00").

Every `£` a page, chart, CSV or message shows comes from here: `format_pounds` / `whole_pounds`
(the template filters call them), `POUNDS_X` / `POUNDS_Y` for plotly hover text and
`money_axis` for a chart's axis of pounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
POUND_SIGN = "£"


def to_penny(value: Decimal | float | int | str | None) -> Decimal:
    """An amount to the penny, half up; nothing is £0.00.

    Database sums come back unscaled on SQLite (or as floats) and scaled on PostgreSQL, so every
    sum a selector returns passes through here to read the same on both.
    """
    if value is None or value == "":
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def to_penny_or_none(value: Decimal | float | int | str | None) -> Decimal | None:
    """`to_penny`, keeping "no value" (a sum of no rows) apart from £0.00."""
    return None if value is None else to_penny(value)


def sum_to_penny(amounts: Iterable[Decimal | float | int | None]) -> Decimal:
    """The total of some amounts to the penny; missing amounts count as nothing."""
    return to_penny(sum((to_penny(amount) for amount in amounts), ZERO))


def format_pounds(
    value: Decimal | float | int | str | None,
    *,
    whole: bool = False,
    drop_zero_pence: bool = False,
    none: str = "–",
) -> str:
    """ "£1,234.50", "-£20.00"; `whole` for "£1,235"; `drop_zero_pence` for "£1,234" when the
    pence are nil but "£1,234.50" when not; `none` for a missing value."""
    if value is None or value == "":
        return none
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    places = Decimal(1) if whole else PENNY
    shown = abs(amount).quantize(places, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 and shown else ""
    text = f"{shown:,.0f}" if whole else f"{shown:,.2f}"
    if drop_zero_pence:
        text = text.removesuffix(".00")
    return f"{sign}{POUND_SIGN}{text}"


def whole_pounds(value: Decimal | int | None) -> str:
    """ "£1,234,567": whole pounds, for summaries and charts; "-£1,234" below zero."""
    return format_pounds(value, whole=True)


# Plotly hover text for the x or y value in whole pounds ("£1,235"), as `whole_pounds` writes it.
POUNDS_X = POUND_SIGN + "%{x:,.0f}"
POUNDS_Y = POUND_SIGN + "%{y:,.0f}"


def money_axis(title: str | None = None) -> dict[str, Any]:
    """A plotly axis of pounds from zero, "£" before each tick; `title` gains " (£)"."""
    axis: dict[str, Any] = {"rangemode": "tozero", "tickprefix": POUND_SIGN}
    if title:
        axis["title"] = {"text": f"{title} ({POUND_SIGN})"}
    return axis
