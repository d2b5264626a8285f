"""Template helpers for social value pages: money, quantities with units, supplier users."""

from __future__ import annotations

from decimal import Decimal

from django import template

from core.financial_year import financial_year_label
from core.money import format_pounds
from socialvalue.models import Measure
from socialvalue.selectors import is_supplier_user as _is_supplier_user

register = template.Library()

NONE = "–"


@register.filter
def money(value: Decimal | None) -> str:
    """£1,234.56 (or £1,234 when whole); a dash when there is no value."""
    return format_pounds(value, drop_zero_pence=True, none=NONE)


@register.filter
def number(value: Decimal | None) -> str:
    """1,234.5 with no trailing zeros; a dash when empty."""
    if value is None or value == "":
        return NONE
    text = f"{Decimal(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """A quantity in its measure's unit: "£1,200", "35 hours", "12", "3.5 tonnes"."""
    if value is None:
        return NONE
    if unit == Measure.Unit.POUNDS:
        return money(value)
    suffixes: dict[str, str] = {Measure.Unit.HOURS: " hours", Measure.Unit.TONNES: " tonnes"}
    suffix = suffixes.get(unit, "")
    return f"{number(value)}{suffix}"


@register.filter
def is_supplier_user(user) -> bool:
    return _is_supplier_user(user)


@register.filter
def financial_year(year: int | None) -> str:
    return financial_year_label(int(year)) if year else NONE


@register.filter
def person(user) -> str:
    if user is None:
        return NONE
    return user.get_full_name() or user.get_username()
