"""Only the council's own spend counts: a neighbouring council's file imported for comparison
changes nothing the dashboards, shares, payment checks or the review read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from procurement.flags import Kind
from procurement.importers.spend import IMPORTED, import_spend_file
from procurement.models import SpendYearSummary, Supplier
from procurement.selectors import spend
from procurement.selectors.flags import spend_flags_found
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SpendImportFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal
DATA = Path(__file__).resolve().parent.parent / "data" / "spend"


@pytest.fixture
def own_and_neighbour():
    """2024/25: our £1,000 to Alpha (small) and £700 redacted; the neighbour's £9,000 to Alpha,
    £5,000 to Beta (large), two identical £2,000 payments to Beta two days apart (a possible
    duplicate) and three £4,800 payments to Beta nine days apart (a possible split purchase)."""
    alpha = SupplierFactory(name="Alpha Care", size=Supplier.Size.SMALL)
    beta = SupplierFactory(name="Beta plc", size=Supplier.Size.LARGE)
    ours = SpendImportFactory(is_own=True)
    theirs = SpendImportFactory(is_own=False, publisher="Wychavon District Council")
    SpendTransactionFactory(spend_import=ours, supplier=alpha, amount=D("1000"))
    SpendTransactionFactory(spend_import=ours, supplier=None, amount=D("700"))
    SpendTransactionFactory(spend_import=theirs, supplier=alpha, amount=D("9000"))
    SpendTransactionFactory(spend_import=theirs, supplier=beta, amount=D("5000"))
    for day in (1, 3):
        SpendTransactionFactory(
            spend_import=theirs, supplier=beta, amount=D("2000"), paid_on=dt.date(2024, 6, day)
        )
    for day in (1, 10, 19):
        SpendTransactionFactory(
            spend_import=theirs, supplier=beta, amount=D("4800"), paid_on=dt.date(2024, 7, day)
        )
    spend_summary_rebuild()
    return alpha


def test_the_summary_holds_only_the_councils_own_spend(own_and_neighbour):
    rows = SpendYearSummary.objects.order_by("amount").values_list("supplier_id", "amount")

    assert [(supplier, D(amount)) for supplier, amount in rows] == [
        (None, D("700.00")),
        (own_and_neighbour.pk, D("1000.00")),
    ]


def test_the_dashboard_totals_and_shares_leave_the_neighbours_spend_out(own_and_neighbour):
    (year,) = spend.spend_by_year()

    assert (year.year, year.total, year.named_total, year.redacted) == (
        2024,
        D("1700.00"),
        D("1000.00"),
        D("700.00"),
    )
    assert (year.payments, year.suppliers, year.sme_share) == (2, 1, D("100.0"))
    top = spend.spend_top_suppliers(year=2024)
    assert [(row.name, row.total) for row in top] == [("Alpha Care", D("1000.00"))]


def test_the_payment_checks_ignore_the_neighbours_payments(own_and_neighbour):
    assert spend_flags_found(year=2024).flags == []


def test_the_same_payments_in_our_own_file_are_flagged(own_and_neighbour):
    # The control for the test above: the rules do find these payments when they are ours.
    from procurement.models import SpendImport

    SpendImport.objects.update(is_own=True)

    kinds = sorted(flag.kind for flag in spend_flags_found(year=2024).flags)
    assert kinds == [Kind.DUPLICATE, Kind.SPLIT]


def test_only_a_neighbours_spend_is_not_a_missing_summary():
    SpendTransactionFactory(spend_import=SpendImportFactory(is_own=False))
    spend_summary_rebuild()

    assert spend.spend_by_year() == []
    assert spend.spend_summary_missing(by_year=[]) is False


def test_importing_a_neighbours_file_changes_nothing_on_the_spend_dashboard():
    content = (DATA / "worcestershire_2024_04.csv").read_bytes()
    ours = import_spend_file(DATA / "worcestershire_2024_04.csv")
    before = _figures()

    neighbours = content.replace(
        b"Worcestershire County Council", b"Wychavon District Council"
    ).replace(b",51000", b",91000")  # its own transaction numbers
    theirs = import_spend_file(
        io.BytesIO(neighbours),
        filename="wychavon_2024_04.csv",
        publisher="Wychavon District Council",
    )

    assert (ours.status, theirs.status) == (IMPORTED, IMPORTED)
    assert theirs.spend_import.is_own is False and theirs.rows_imported == 5
    assert _figures() == before
    assert before[0].total == D("15500.50")


def _figures() -> list:
    """The dashboard's figures by year, without when the summary was last rebuilt."""
    return [dataclasses.replace(row, rebuilt_at=None) for row in spend.spend_by_year()]


def test_the_register_counts_only_our_spend_with_a_supplier_and_under_a_contract(
    own_and_neighbour,
):
    from procurement.models import SpendTransaction
    from procurement.selectors import register
    from tests.procurement.factories import ContractFactory

    contract = ContractFactory(supplier=own_and_neighbour)
    SpendTransaction.objects.filter(supplier=own_and_neighbour).update(contract=contract)

    detail = register.supplier_detail(supplier_id=own_and_neighbour.pk)
    assert [(row["year"], row["total"], row["payments"]) for row in detail["spend_by_year"]] == [
        (2024, D("1000"), 1)
    ]
    assert detail["contracts"][0].spend_to_date == D("1000")
    spend = register.contract_detail(contract_id=contract.pk)
    assert (spend["spend_to_date"], spend["spend_payments"]) == (D("1000"), 1)
