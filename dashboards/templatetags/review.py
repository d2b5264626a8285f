"""Formatting for the annual review: pounds, signed changes, units and figure links."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.money import whole_pounds
from core.text import counted
from socialvalue.models import Measure, format_quantity

register = template.Library()


@register.filter
def pounds(value: Decimal | None) -> str:
    """£1,234,567 in whole pounds; "–" for nothing."""
    return whole_pounds(value)


@register.filter
def signed(value: Decimal | None) -> str:
    """+1.3 or -0.4: a change with its direction."""
    if value is None:
        return "–"
    return f"+{value}" if value > 0 else f"{value}"


@register.filter
def units(quantities: list[tuple[str, Decimal]]) -> str:
    """What was delivered in each unit: "1,200 hours; 15 counted; £3,000 reported"."""
    parts = []
    for unit, quantity in quantities:
        text = format_quantity(quantity, unit)
        if unit == Measure.Unit.NUMBER:
            text = f"{text} counted"
        elif unit == Measure.Unit.POUNDS:
            text = f"{text} reported in pounds"
        parts.append(text)
    return "; ".join(parts)


@register.simple_tag(takes_context=True)
def figure_link(context, href: str, text: str) -> SafeString:
    """The figure as a link to the list behind it; plain text in the standalone report."""
    if context.get("standalone"):
        return format_html("{}", text)
    return format_html('<a class="govuk-link" href="{}">{}</a>', href, text)


@register.simple_tag
def change_word(before: int | None, after: int | None) -> str:
    """How an indicator's level moved between two dates, in words."""
    if after is None:
        return "Not assessed"
    if before is None:
        return "First assessed"
    if after == before:
        return "No change"
    steps = abs(after - before)
    return f"{'Up' if after > before else 'Down'} {counted(steps, 'level')}"
