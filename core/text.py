"""Words for numbers in messages: "1 row", "2 rows", "1,000,000 rows"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and the noun agreeing with it; `plural` where adding "s" is wrong."""
    return f"{number:,} {agreeing(number, noun, plural)}"


def agreeing(number: int, noun: str, plural: str | None = None) -> str:
    """The noun agreeing with `number`, without the number: "lines" of "lines 3, 7"."""
    return noun if number == 1 else (plural or f"{noun}s")
