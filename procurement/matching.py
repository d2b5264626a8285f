"""Matching suppliers by name as councils write them in spend files."""

from __future__ import annotations

import re

_SUFFIXES = re.compile(
    r"\b(limited|ltd|plc|llp|lp|cic|co|company|incorporated|inc|uk|the)\b", re.IGNORECASE
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """Fold a supplier name for matching: "The ACME Ltd." and "Acme Limited" both give "acme"."""
    folded = (name or "").lower().replace("&", " and ")
    folded = _NON_WORD.sub(" ", folded)
    folded = _SUFFIXES.sub(" ", folded)
    return " ".join(folded.split())
