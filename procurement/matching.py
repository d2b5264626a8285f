"""Matching suppliers by name: kept for the callers that import it; the rule itself lives in
procurement.identity."""

from __future__ import annotations

from procurement.identity import name_key as normalise_name

__all__ = ["normalise_name"]
