"""Payments compliance figures (s.69) for a hand-built half-year, computed by hand."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from procurement.models import Supplier
from procurement.selectors.payments_compliance import (
    payments_compliance,
    period_of,
    sme_payment_times,
)
from tests.procurement.factories import SpendImportFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 4, 1), dt.date(2025, 9, 30)


def _pay(supplier: Supplier, invoiced: str | None, paid: str, amount: str = "1000") -> None:
    SpendTransactionFactory(
        supplier=supplier,
        invoice_date=dt.date.fromisoformat(invoiced) if invoiced else None,
        paid_on=dt.date.fromisoformat(paid),
        amount=Decimal(amount),
    )


@pytest.fixture
def half_year() -> None:
    sme: Supplier = SupplierFactory.create(size=Supplier.Size.SMALL)
    large: Supplier = SupplierFactory.create(size=Supplier.Size.LARGE)
    _pay(sme, "2025-04-01", "2025-04-21")  # 20 days
    _pay(sme, "2025-05-01", "2025-05-31")  # 30 days: within 30
    _pay(sme, "2025-06-01", "2025-07-02")  # 31 days
    _pay(large, "2025-06-10", "2025-08-09")  # 60 days
    _pay(large, "2025-07-01", "2025-08-31")  # 61 days
    _pay(large, "2025-08-25", "2025-10-20")  # due 24 September, paid after the period
    _pay(large, None, "2025-05-05")  # no invoice date: not measured
    _pay(sme, "2025-05-01", "2025-05-02", amount="-100")  # a credit note is not a payment
    _pay(large, "2025-03-01", "2025-03-31")  # paid and due before the period
    _pay(sme, "2025-02-20", "2025-04-10")  # 49 days, paid in the period, due before it
    other = SpendImportFactory(is_own=False)  # another council's file does not count
    SpendTransactionFactory(spend_import=other, invoice_date=START, paid_on=END, supplier=large)


def test_the_figures_match_the_hand_computed_ones(half_year: None) -> None:
    report = payments_compliance(start=START, end=END)

    # All: 20, 30, 31, 60, 61 and 49 days; 251 / 6 = 41.83.
    assert report.all.payments == 6
    assert report.all.average_days == Decimal("41.8")
    assert report.all.pct_within_30 == Decimal("33.3")
    assert report.all.pct_31_to_60 == Decimal("50.0")
    assert report.all.pct_over_60 == Decimal("16.7")
    # Due in the period: invoices of 1 Apr, 1 May, 1 Jun, 10 Jun, 1 Jul, 25 Aug; one paid after.
    assert report.all.pct_due_not_paid == Decimal("16.7")
    assert report.all.without_invoice_date == 1
    # s.69(1): the 30 days begin with the period's last day, 30 September, so end on 29 October.
    assert report.notice_due == dt.date(2025, 10, 29)
    # SMEs: 20, 30, 31 and 49 days.
    assert report.sme.payments == 4
    assert report.sme.average_days == Decimal("32.5")
    assert (report.sme.pct_within_30, report.sme.pct_31_to_60) == (Decimal("50.0"), Decimal("50.0"))
    assert (report.sme.pct_over_60, report.sme.pct_due_not_paid) == (Decimal("0.0"), Decimal("0.0"))


def test_the_command_writes_measure_all_sme_rows(half_year: None, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "compliance.csv"

    call_command(
        "payments_compliance",
        "--start",
        "2025-04-01",
        "--end",
        "2025-09-30",
        "--csv",
        str(target),
        stdout=out,
    )

    assert target.read_text().splitlines() == [
        "measure,all,sme",
        "payments,6,4",
        "average_days,41.8,32.5",
        "pct_within_30,33.3,50.0",
        "pct_31_to_60,50.0,50.0",
        "pct_over_60,16.7,0.0",
        "pct_due_not_paid,16.7,0.0",
    ]
    assert "1 payments in the period have no invoice date" in out.getvalue()


def test_without_invoice_dates_it_says_so_rather_than_guess() -> None:
    SpendTransactionFactory(paid_on=dt.date(2025, 5, 1), invoice_date=None)
    out = io.StringIO()

    call_command("payments_compliance", "--start", "2025-04-01", "--end", "2025-09-30", stdout=out)

    assert "No payment in the period carries an invoice date" in out.getvalue()
    assert payments_compliance(start=START, end=END).all.average_days is None


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (dt.date(2025, 4, 1), (dt.date(2025, 4, 1), dt.date(2025, 9, 30))),
        (dt.date(2025, 12, 1), (dt.date(2025, 10, 1), dt.date(2026, 3, 31))),
        (dt.date(2026, 3, 31), (dt.date(2025, 10, 1), dt.date(2026, 3, 31))),
    ],
)
def test_the_periods_are_april_to_september_and_october_to_march(
    day: dt.date, period: tuple[dt.date, dt.date]
) -> None:
    assert period_of(day) == period


def test_the_evidence_counts_payments_to_smes_within_30_days(half_year: None) -> None:
    figures = sme_payment_times(start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31))

    assert figures == {"payments": 4, "within_30": 2}
