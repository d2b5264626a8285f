"""A share as a percentage: the one rule behind every "share (%)" the pages show."""

from __future__ import annotations

from decimal import Decimal

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal("100")


def share(
    part: Decimal | int, whole: Decimal | int | None, *, rounding: str | None = None
) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal place; None where there is nothing to
    divide by. The rounding is the decimal context's (half to even) unless one is given."""
    if not whole:
        return None
    return (HUNDRED * Decimal(part) / Decimal(whole)).quantize(ONE_PLACE, rounding=rounding)
