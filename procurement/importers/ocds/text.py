"""Text from an OCDS file as the register stores it and as messages quote it."""

from __future__ import annotations

import html
from typing import Any


def plain(text: str) -> str:
    """Text with its HTML entities decoded: Contracts Finder writes `&amp;` and `&#039;` into
    names and titles, sometimes twice over (`&amp;amp;`), so decoding repeats until nothing
    changes (at most three times: text about HTML keeps a fourth level as written)."""
    for _ in range(3):
        if "&" not in text:
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text.strip()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(value: Any) -> str:
    """Text from the file as a message shows it: at most 60 characters (a message must not
    repeat a 200 KB value), with a NUL or half a surrogate pair written as its escape."""
    text = str(value)
    text = text if len(text) <= 60 else text[:60] + "…"
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()


def shown(value: Any) -> str:
    """A value as a message quotes it (repr, which escapes a NUL), cut as clip cuts."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:60] + "…")
    return clip(repr(value))
