"""Payments compliance (Procurement Act 2023 s.69, Procurement Regulations 2024 reg. 38): how
quickly the council paid its suppliers' invoices in a six-month period, from the spend file.

The rules, as the Act, reg. 38 and the guidance set them:
- the periods run 1 April to 30 September and 1 October to 31 March; the notice is due before
  the end of the 30 days beginning with the period's last day (s.69(1): act.py);
- reg. 38(2)(c): day 1 is the first day after the invoice day, so the days to pay are the
  calendar days from the invoice date to the paid date;
- a payment counts when it carries an invoice date and a paid date (a credit note is not a
  payment); days are calendar days from the invoice date to the paid date;
- "within 30 days" is 30 days or fewer; 31 to 60; more than 60; shares are by number of payments;
- an invoice is due 30 days after its date (s.68's implied term); "due in the period and not
  paid in it" is the share of invoices due in the period that were paid after its end.
Where the spend file has no invoice dates, the figures are not guessed: `with_invoice_date` is 0
and `without_invoice_date` says how many payments could not be measured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Avg, Count, F, Func, IntegerField, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from core.percent import share
from procurement import act
from procurement.models import SpendTransaction, Supplier


class DayNumber(Func):
    """A date as whole days since 1 January 1970, so the days between two dates are integer
    arithmetic alike on PostgreSQL and SQLite."""

    template = "(%(expressions)s - DATE '1970-01-01')"
    output_field = IntegerField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )


ONE_PLACE = Decimal("0.1")
PAYMENT_TERMS_DAYS = 30
MEASURES = (
    "payments",
    "average_days",
    "pct_within_30",
    "pct_31_to_60",
    "pct_over_60",
    "pct_due_not_paid",
)


@dataclass(frozen=True)
class PaymentFigures:
    payments: int
    average_days: Decimal | None
    pct_within_30: Decimal | None
    pct_31_to_60: Decimal | None
    pct_over_60: Decimal | None
    pct_due_not_paid: Decimal | None
    without_invoice_date: int

    def measure(self, name: str) -> int | Decimal | None:
        value: int | Decimal | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class PaymentsCompliance:
    start: dt.date
    end: dt.date
    notice_due: dt.date
    all: PaymentFigures
    sme: PaymentFigures


class _Paid(TypedDict):
    """What `_paid`'s aggregate() returns (Count is 0 on no rows; Avg is None)."""

    n: int
    undated: int
    average: float | None
    within_30: int
    within_60: int


class _Due(TypedDict):
    n: int
    late: int


def _figures(
    payments: QuerySet[SpendTransaction], *, start: dt.date, end: dt.date
) -> PaymentFigures:
    """Two queries: the payments made in the period, and the invoices due in it."""
    paid = _paid(payments, start=start, end=end)
    due_from = start - dt.timedelta(days=PAYMENT_TERMS_DAYS)
    due_to = end - dt.timedelta(days=PAYMENT_TERMS_DAYS)
    row = payments.filter(invoice_date__gte=due_from, invoice_date__lte=due_to).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(paid_on__gt=end))
    )
    due = _Due(n=row["n"], late=row["late"])
    n = paid["n"]
    average = paid["average"]
    return PaymentFigures(
        payments=n,
        average_days=(
            Decimal(str(average)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
            if average is not None
            else None
        ),
        pct_within_30=share(paid["within_30"], n, rounding=ROUND_HALF_UP),
        pct_31_to_60=share(paid["within_60"] - paid["within_30"], n, rounding=ROUND_HALF_UP),
        pct_over_60=share(n - paid["within_60"], n, rounding=ROUND_HALF_UP),
        pct_due_not_paid=share(due["late"], due["n"], rounding=ROUND_HALF_UP),
        without_invoice_date=paid["undated"],
    )


def _paid(payments: QuerySet[SpendTransaction], *, start: dt.date, end: dt.date) -> _Paid:
    dated = Q(invoice_date__isnull=False)
    row = (
        payments.filter(paid_on__gte=start, paid_on__lte=end)
        .annotate(days=DayNumber("paid_on") - DayNumber("invoice_date"))
        .aggregate(
            n=Count("pk", filter=dated),
            undated=Count("pk", filter=Q(invoice_date__isnull=True)),
            average=Avg(F("days"), filter=dated),
            within_30=Count("pk", filter=dated & Q(days__lte=30)),
            within_60=Count("pk", filter=dated & Q(days__lte=60)),
        )
    )
    return _Paid(
        n=row["n"],
        undated=row["undated"],
        average=row["average"],
        within_30=row["within_30"],
        within_60=row["within_60"],
    )


def payments_compliance(*, start: dt.date, end: dt.date) -> PaymentsCompliance:
    """The figures for all suppliers and for SMEs, in four queries."""
    payments = SpendTransaction.objects.filter(spend_import__is_own=True, amount__gt=0)
    return PaymentsCompliance(
        start=start,
        end=end,
        notice_due=act.payments_compliance_deadline(end),
        all=_figures(payments, start=start, end=end),
        sme=_figures(payments.filter(supplier__size__in=Supplier.SME_SIZES), start=start, end=end),
    )


def period_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The six-month reporting period holding `day`: April-September or October-March."""
    if 4 <= day.month <= 9:
        return dt.date(day.year, 4, 1), dt.date(day.year, 9, 30)
    year = day.year if day.month >= 10 else day.year - 1
    return dt.date(year, 10, 1), dt.date(year + 1, 3, 31)


def sme_payment_times(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """Payments to SMEs in the period that carry an invoice date, and those made within 30
    days: one query."""
    payments = SpendTransaction.objects.filter(
        spend_import__is_own=True, amount__gt=0, supplier__size__in=Supplier.SME_SIZES
    )
    paid = _paid(payments, start=start, end=end)
    return {"payments": int(paid["n"] or 0), "within_30": int(paid["within_30"] or 0)}
