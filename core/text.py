"""Words for numbers in messages: "1 row", "2 rows", "1,000,000 rows"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and the noun agreeing with it; `plural` where adding "s" is wrong."""
    word = noun if number == 1 else (plural or f"{noun}s")
    return f"{number:,} {word}"
