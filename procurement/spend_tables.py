"""Spend tables' columns that more than one download shows: the spend dashboard's CSV and the
annual review's (`dashboards.exports`) give a year's SME, VCSE and local shares alike."""

from __future__ import annotations

from typing import Any

from procurement.selectors.spend import YearSpend

SHARES_HEADER = (
    "Spend with named suppliers (£)",
    "SME spend (£)",
    "SME share (%)",
    "VCSE spend (£)",
    "VCSE share (%)",
    "Local spend (£)",
    "Local share (%)",
)


def share_cells(row: YearSpend) -> tuple[Any, ...]:
    """A year's cells under SHARES_HEADER."""
    return (
        row.named_total,
        row.sme,
        row.sme_share,
        row.vcse,
        row.vcse_share,
        row.local,
        row.local_share,
    )
