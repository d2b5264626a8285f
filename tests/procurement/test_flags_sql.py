"""The candidates procurement.selectors.flags reads in SQL leave out nothing a rule would flag:
the flags from them are exactly the flags from every payment of each rule's window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.financial_year import financial_year_bounds
from demo.generate import demo_data_generate
from procurement import flags as rules_module
from procurement.flags import Flag, Kind
from procurement.models import SpendTransaction
from procurement.selectors.flags import (
    NAMED_OWN,
    _contract_terms,
    _lines,
    _year_totals,
    flag_rules,
    spend_flags_found,
)
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SpendImportFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _every_payment(start: dt.date, end: dt.date) -> list[rules_module.Payment]:
    return _lines(SpendTransaction.objects.filter(NAMED_OWN, paid_on__range=(start, end)))


def _flags_from_every_payment(year: int) -> list[Flag]:
    """procurement.selectors.flags.spend_flags_found without its candidate filters."""
    rules = flag_rules()
    start, end = financial_year_bounds(year)
    days = dt.timedelta
    duplicates, _ = rules_module.find_duplicates(
        _every_payment(start - days(rules.duplicate_days), end), rules=rules, since=start
    )
    twins = rules_module.find_twin_suppliers(
        _every_payment(start - days(rules.twin_days), end), rules=rules, since=start
    )
    terms = _contract_terms(before=start, until=end)
    covering: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
    for t in terms:
        covering.setdefault(t.supplier_id, []).append((t.start, t.end))
    splits = rules_module.find_splits(
        _every_payment(start - days(rules.split_days), end),
        rules=rules,
        since=start,
        year_totals=_year_totals(year),
        contracts=covering,
    )
    outside = rules_module.find_outside_contracts(
        _every_payment(start, end), contracts=terms, since=start, rules=rules
    )
    return rules_module.ranked([*rules_module.merged(duplicates, splits), *twins, *outside])


def _split_cases() -> None:
    """Runs near the bounds the split candidates are read by, lines of one document across
    bands, a credit note."""
    spend = SpendImportFactory(filename="cases.csv", is_own=True)

    def pay(supplier, amount: str, day: int, reference: str = "", month: int = 6) -> None:
        SpendTransactionFactory(
            spend_import=spend,
            supplier=supplier,
            amount=D(amount),
            paid_on=dt.date(2024, month, day),
            reference=reference,
        )

    # Paid otherwise just under the threshold, at it, and at the bound the candidates are read
    # by (the threshold plus the next one: no split at £5,000 can come from there).
    for paid_else, name in (("4999.99", "Under"), ("5000.00", "At"), ("21000.00", "Far")):
        supplier = SupplierFactory(name=f"{name} The Bound Joinery")
        pay(supplier, "4500.00", 2)
        pay(supplier, "4600.00", 9)
        pay(supplier, paid_else, 1, month=9)
    lines = SupplierFactory(name="Document Lines Glazing")
    pay(lines, "3000.00", 3, "7781200-1")
    pay(lines, "60000.00", 3, "7781200-2")  # the document is over every threshold
    pay(lines, "3100.00", 12, "7781300-1")
    pay(lines, "250000.00", 1, month=10)  # the supplier's year is far above £300,000
    credit = SupplierFactory(name="Credited Roofing")
    pay(credit, "4000.00", 2)
    pay(credit, "-4000.00", 4)
    pay(credit, "4100.00", 5)
    spend_summary_rebuild()


def test_the_flags_from_the_sql_candidates_are_the_flags_from_every_payment():
    demo_data_generate(scale=0.05, seed=2022, today=dt.date(2025, 9, 1))
    _split_cases()

    for year in (2022, 2023, 2024):
        found = spend_flags_found(year=year).flags
        expected = _flags_from_every_payment(year)

        assert [(f.key, f.score) for f in found] == [(f.key, f.score) for f in expected]
    assert {f.kind for f in spend_flags_found(year=2024).flags} >= {Kind.SPLIT}
    splits = {f.supplier for f in spend_flags_found(year=2024).flags if f.kind == Kind.SPLIT}
    assert "Under The Bound Joinery" in splits
    assert not splits & {"At The Bound Joinery", "Far The Bound Joinery"}
