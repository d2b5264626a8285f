"""Reads for the spend dashboard: where the council's money goes, by year, category and supplier.

Totals come from SpendYearSummary (one row per year, supplier and contract, rebuilt after each
import by procurement.services.spend_summary), so the trend over every year is one small grouped
query and it also gives the headline for the selected year. The payment checks (possible
duplicates and split purchases) need the payments themselves: they read one year of
SpendTransaction by a paid_on date range, which the paid_on index serves (never a computed year),
and compare payments with SQL window functions; the page caches their answer until the summary
is next rebuilt. The page runs the same queries whatever the size of the data.

Only the council's own spend counts: the summary holds nothing else, and the payment checks
read only payments of imports that are the council's own (SpendImport.is_own), so a
neighbouring council's file imported for comparison changes nothing here.

Shares (SME, VCSE, local) are of spend with named suppliers: a redacted payment (personal data,
mostly to individuals) cannot be classed as SME or not, so it is left out of both sides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import BaseExpression, ValueRange, WindowFrame
from django.db.models.functions import Coalesce, Lag, Lead

from core.data_version import models_version
from core.financial_year import financial_year_bounds, financial_year_label
from core.money import to_penny, whole_pounds
from procurement.models import (
    MONEY,
    Category,
    Contract,
    SpendImport,
    SpendTransaction,
    SpendYearSummary,
    SubTeam,
    Supplier,
)

UNCATEGORISED = "Off-contract / uncategorised"
TOP_SUPPLIERS = 20
DUPLICATE_DAYS = 7
DUPLICATE_LIMIT = 100
# Payments just under these limits (quotation and tender thresholds) may be a purchase split
# to avoid the process above it: SPLIT_PAYMENTS or more, each between SPLIT_LOWER and 100% of
# one threshold, to one supplier within SPLIT_DAYS days.
SPLIT_THRESHOLDS = (Decimal("5000"), Decimal("25000"), Decimal("100000"))
SPLIT_LOWER = Decimal("0.9")
SPLIT_PAYMENTS = 3
SPLIT_DAYS = 30
SPLIT_LIMIT = 100
CHECKS_CACHE_SECONDS = 24 * 60 * 60
NEVER = 10**7  # a day number far beyond any payment: "no next payment"


class WindowSpec(TypedDict, total=False):
    """Keyword arguments of a Window shared by several window values."""

    partition_by: list[F]
    order_by: list[str] | BaseExpression
    frame: WindowFrame

# The rules as the page explains them.
CHECK_RULES = {
    "duplicate_days": DUPLICATE_DAYS,
    "duplicate_limit": DUPLICATE_LIMIT,
    "split_payments": SPLIT_PAYMENTS,
    "split_days": SPLIT_DAYS,
    "split_lower": f"{SPLIT_LOWER:.0%}",
    "split_thresholds": " / ".join(
        whole_pounds(threshold) for threshold in SPLIT_THRESHOLDS
    ),
}

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MONEY_FIELD = DecimalField(**MONEY)


class DayNumber(Func):
    """A date as whole days since 1 January 1970, so gaps between dates are integer arithmetic
    (and a window frame can be "30 days") alike on PostgreSQL and SQLite."""

    template = "(%(expressions)s - DATE '1970-01-01')"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )


class DaysUpTo(ValueRange):
    """The frame "RANGE BETWEEN n PRECEDING AND CURRENT ROW" over a DayNumber ordering.

    Django refuses a RANGE offset on PostgreSQL because versions before 11 lacked it; every
    PostgreSQL Django 5.2 supports has it, and so does SQLite from 3.28.
    """

    def __init__(self, days: int) -> None:
        super().__init__(start=-days, end=0)

    def window_frame_start_end(self, connection, start, end) -> tuple[str, str]:
        return f"{int(-start)} {connection.ops.PRECEDING}", connection.ops.CURRENT_ROW


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    """Percentage to one decimal place; None where there is nothing to divide."""
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(Decimal("0.1"))


# -- by financial year: the trend, the shares and the headline ---------------------------------

NAMED = Q(supplier__isnull=False)
OWN = Q(spend_import__is_own=True)


@dataclass(frozen=True)
class YearSpend:
    year: int
    total: Decimal
    payments: int
    credit_notes: int
    suppliers: int
    named_total: Decimal
    sme: Decimal
    vcse: Decimal
    local: Decimal
    on_contract: Decimal
    off_contract: Decimal
    redacted: Decimal
    rebuilt_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def sme_share(self) -> Decimal | None:
        return _share(self.sme, self.named_total)

    @property
    def vcse_share(self) -> Decimal | None:
        return _share(self.vcse, self.named_total)

    @property
    def local_share(self) -> Decimal | None:
        return _share(self.local, self.named_total)


def _total(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=MONEY_FIELD)


def spend_by_year() -> list[YearSpend]:
    """Totals for every financial year in the data, oldest first: one grouped query over the
    summary, which also holds on- and off-contract spend for the headline year."""
    rows = (
        SpendYearSummary.objects.values("financial_year")
        .annotate(
            total=_total(),
            payments=Coalesce(Sum("payments"), 0),
            credit_notes=Coalesce(Sum("credit_notes"), 0),
            suppliers=Count("supplier_id", distinct=True),
            named_total=_total(NAMED),
            sme=_total(Q(supplier__size__in=Supplier.SME_SIZES)),
            vcse=_total(Q(supplier__is_vcse=True)),
            local=_total(Q(supplier__is_local=True)),
            on_contract=_total(Q(contract__isnull=False)),
            off_contract=_total(Q(contract__isnull=True) & NAMED),
            redacted=_total(Q(supplier__isnull=True)),
            rebuilt_at=Max("rebuilt_at"),
        )
        .order_by("financial_year")
    )
    money = {
        "total",
        "named_total",
        "sme",
        "vcse",
        "local",
        "on_contract",
        "off_contract",
        "redacted",
    }
    return [
        YearSpend(
            year=row.pop("financial_year"),
            **{name: to_penny(value) if name in money else value for name, value in row.items()},
        )
        for row in rows
    ]


def spend_version() -> str:
    """A key that moves with any change the spend dashboard could show: one query. Every change
    to spend is followed by a summary rebuild (its newest rebuild time and ids move); supplier
    and contract edits keep history; categories are counted by core.DataStamp."""
    rebuilt = connection.ops.quote_name("rebuilt_at")
    return models_version(
        [SpendImport, SpendYearSummary, Supplier, Contract, Category],
        extra=[(SpendYearSummary._meta.db_table, f"max({rebuilt})")],
    )


def spend_summary_missing(*, by_year: list[YearSpend]) -> bool:
    """True when spend has been imported but the summary has not been built from it."""
    return not by_year and SpendTransaction.objects.filter(OWN).exists()


@dataclass(frozen=True)
class Headline:
    """The selected year's figures and the change in each share since the year before."""

    current: YearSpend
    previous: YearSpend | None

    def _change(self, share: str) -> Decimal | None:
        if self.previous is None:
            return None
        now, before = getattr(self.current, share), getattr(self.previous, share)
        if now is None or before is None:
            return None
        return now - before

    @property
    def sme_change(self) -> Decimal | None:
        return self._change("sme_share")

    @property
    def vcse_change(self) -> Decimal | None:
        return self._change("vcse_share")

    @property
    def local_change(self) -> Decimal | None:
        return self._change("local_share")


def spend_headline(*, year: int, by_year: list[YearSpend]) -> Headline | None:
    """The headline for `year` from the rows of spend_by_year (no further query).

    The change in a share is in percentage points, between the shares as shown (one decimal
    place), so the figures on the page add up.
    """
    years = {row.year: row for row in by_year}
    if year not in years:
        return None
    return Headline(current=years[year], previous=years.get(year - 1))


@dataclass(frozen=True)
class ContractSplit:
    name: str
    total: Decimal
    share: Decimal | None


def spend_on_off_contract(*, headline: Headline) -> list[ContractSplit]:
    """On-contract, off-contract and redacted spend in the headline year (no further query)."""
    year = headline.current
    parts = (
        ("On-contract", year.on_contract),
        ("Off-contract", year.off_contract),
        ("Redacted (personal data)", year.redacted),
    )
    return [ContractSplit(name, total, _share(total, year.total)) for name, total in parts]


# -- by category and sub-team ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpend:
    name: str
    total: Decimal
    payments: int


def spend_by_category(*, year: int) -> list[GroupSpend]:
    """Spend in `year` by the category of the contract it falls under, largest first.

    Spend with no contract, or under a contract with no category, is "Off-contract /
    uncategorised".
    """
    rows = (
        SpendYearSummary.objects.filter(financial_year=year)
        .values("contract__category__name")
        .annotate(total=_total(), payments=Coalesce(Sum("payments"), 0))
        .order_by("-total", "contract__category__name")
    )
    return [
        GroupSpend(
            row["contract__category__name"] or UNCATEGORISED,
            to_penny(row["total"]),
            row["payments"],
        )
        for row in rows
    ]


def spend_by_sub_team(*, year: int) -> list[GroupSpend]:
    """Spend in `year` by the commercial sub-team that owns the contract's category."""
    rows = (
        SpendYearSummary.objects.filter(financial_year=year)
        .values("contract__category__sub_team")
        .annotate(total=_total(), payments=Coalesce(Sum("payments"), 0))
        .order_by("-total", "contract__category__sub_team")
    )
    labels = dict(SubTeam.choices)
    return [
        GroupSpend(
            labels.get(row["contract__category__sub_team"], UNCATEGORISED),
            to_penny(row["total"]),
            row["payments"],
        )
        for row in rows
    ]


# -- suppliers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierSpend:
    supplier_id: int
    name: str
    total: Decimal
    payments: int
    is_sme: bool
    is_vcse: bool
    is_local: bool


def _supplier_totals(*, year: int, condition: Q, limit: int) -> list[SupplierSpend]:
    rows = (
        SpendYearSummary.objects.filter(condition, NAMED, financial_year=year)
        .values("supplier_id")
        .annotate(
            name=F("supplier__name"),
            size=F("supplier__size"),
            is_vcse=F("supplier__is_vcse"),
            is_local=F("supplier__is_local"),
            total=_total(),
            payments=Coalesce(Sum("payments"), 0),
        )
        .order_by("-total", "name", "supplier_id")[:limit]
    )
    return [
        SupplierSpend(
            supplier_id=row["supplier_id"],
            name=row["name"],
            total=to_penny(row["total"]),
            payments=row["payments"],
            is_sme=row["size"] in Supplier.SME_SIZES,
            is_vcse=row["is_vcse"],
            is_local=row["is_local"],
        )
        for row in rows
    ]


def spend_top_suppliers(*, year: int, limit: int = TOP_SUPPLIERS) -> list[SupplierSpend]:
    """The suppliers paid most in `year`, with their SME / VCSE / local status."""
    return _supplier_totals(year=year, condition=Q(), limit=limit)


def spend_off_contract_suppliers(*, year: int, limit: int = TOP_SUPPLIERS) -> list[SupplierSpend]:
    """The named suppliers paid most in `year` with no contract behind the payment: the ones an
    officer should find a contract for."""
    return _supplier_totals(year=year, condition=Q(contract__isnull=True), limit=limit)


# -- possible duplicate payments ---------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePayment:
    transaction_id: int
    supplier_id: int
    supplier_name: str
    earlier_paid_on: dt.date
    paid_on: dt.date
    earlier_amount: Decimal
    amount: Decimal
    earlier_reference: str
    reference: str
    reason: str


SAME_AMOUNT = f"Same amount within {DUPLICATE_DAYS} days"
SAME_REFERENCE = "Same reference"


def _repeats(
    partition: list[str], *, where: Q, since: dt.date, condition: Q, limit: int | None
) -> list[dict]:
    """Payments that repeat the one before them in their partition, with that one's id.

    LAG over the partition finds the earlier payment in one sorted pass; only the day gap and
    the earlier id are carried through it, as every extra window value costs time on every
    payment of the year. The result is ordered as the window already sorts the rows, so the
    database does not sort the year again. `condition` (on `gap`, in days) picks the repeats;
    rows before `since` are read only as the earlier half of a pair.
    """
    ordering = [*partition, "paid_on", "id"]
    window: WindowSpec = {
        "partition_by": [F(name) for name in partition],
        "order_by": ordering[-2:],
    }
    rows = (
        SpendTransaction.objects.filter(where, NAMED, OWN)
        .annotate(
            gap=DayNumber("paid_on") - Window(Lag(DayNumber("paid_on")), **window),
            earlier_id=Window(Lag("id"), **window),
        )
        .annotate(
            is_repeat=Case(
                When(condition & Q(paid_on__gte=since), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(is_repeat=True)
        .order_by(*ordering)
        .values("id", "supplier_id", "paid_on", "amount", "reference", "earlier_id")
    )
    return list(rows if limit is None else rows[:limit])


def spend_possible_duplicates(
    *, year: int, limit: int | None = DUPLICATE_LIMIT
) -> list[DuplicatePayment]:
    """Payments in `year` that repeat an earlier payment to the same supplier.

    A repeat is the same amount within DUPLICATE_DAYS days (the week before 1 April is read
    too, so a pair across the year end is found), or the same non-blank reference in the year.
    One query per rule, each taking the first `limit` repeats in supplier order (the CSV
    download passes None for all of them), then one for the earlier payments' details and the
    suppliers' names. A payment caught by both rules is listed once, under the amount rule.
    Listed by supplier name and date.
    """
    start, end = financial_year_bounds(year)
    by_amount = _repeats(
        ["supplier_id", "amount"],
        where=Q(amount__gt=0, paid_on__range=(start - dt.timedelta(days=DUPLICATE_DAYS), end)),
        since=start,
        condition=Q(gap__lte=DUPLICATE_DAYS),
        limit=limit,
    )
    by_reference = _repeats(
        ["supplier_id", "reference"],
        where=Q(paid_on__range=(start, end)) & ~Q(reference=""),
        since=start,
        condition=Q(gap__isnull=False),
        limit=limit,
    )
    earlier_ids = {row["earlier_id"] for row in (*by_amount, *by_reference)}
    earlier = {
        row["id"]: row
        for row in SpendTransaction.objects.filter(pk__in=earlier_ids).values(
            "id", "paid_on", "amount", "reference", "supplier__name"
        )
    }
    found: dict[int, DuplicatePayment] = {}
    for rows, reason in ((by_amount, SAME_AMOUNT), (by_reference, SAME_REFERENCE)):
        for row in rows:
            if row["id"] in found:
                continue
            before = earlier[row["earlier_id"]]
            found[row["id"]] = DuplicatePayment(
                transaction_id=row["id"],
                supplier_id=row["supplier_id"],
                supplier_name=before["supplier__name"],
                earlier_paid_on=before["paid_on"],
                paid_on=row["paid_on"],
                earlier_amount=to_penny(before["amount"]),
                amount=to_penny(row["amount"]),
                earlier_reference=before["reference"],
                reference=row["reference"],
                reason=reason,
            )
    listed = sorted(found.values(), key=lambda row: (row.supplier_name, row.paid_on, row.amount))
    return listed[:limit]


# -- possible split purchases ------------------------------------------------------------------


@dataclass(frozen=True)
class SplitPurchase:
    supplier_id: int
    supplier_name: str
    threshold: Decimal
    first_paid_on: dt.date
    last_paid_on: dt.date
    payments: int
    total: Decimal


def _threshold_band() -> Case:
    return Case(
        *(
            When(amount__gte=threshold * SPLIT_LOWER, amount__lte=threshold, then=Value(threshold))
            for threshold in SPLIT_THRESHOLDS
        ),
        default=Value(None),
        output_field=MONEY_FIELD,
    )


def spend_possible_split_purchases(
    *, year: int, limit: int | None = SPLIT_LIMIT
) -> list[SplitPurchase]:
    """Runs of SPLIT_PAYMENTS or more just-under-threshold payments to one supplier within
    SPLIT_DAYS days, ending in `year`, largest total first.

    For each payment a window frame of the SPLIT_DAYS days up to it counts and sums the
    payments in the same supplier and threshold band. A run is reported once, at its last
    payment: the one whose next payment would no longer fit in the same frame.
    """
    start, end = financial_year_bounds(year)
    in_band = Q()
    for threshold in SPLIT_THRESHOLDS:
        in_band |= Q(amount__gte=threshold * SPLIT_LOWER, amount__lte=threshold)
    partition: WindowSpec = {"partition_by": [F("supplier_id"), F("threshold")]}
    frame: WindowSpec = {
        **partition,
        "order_by": DayNumber("paid_on"),
        "frame": DaysUpTo(SPLIT_DAYS),
    }
    next_day = Window(
        Lead(DayNumber("paid_on")),
        **partition,
        order_by=[DayNumber("paid_on").asc(), F("id").asc()],
    )
    first_day = Window(Min(DayNumber("paid_on")), **frame)
    rows = (
        SpendTransaction.objects.filter(
            in_band, NAMED, OWN, paid_on__range=(start - dt.timedelta(days=SPLIT_DAYS), end)
        )
        .annotate(threshold=_threshold_band())
        .annotate(
            run_payments=Window(Count("id"), **frame),
            run_total=Window(Sum("amount"), **frame),
            first_paid_on=Window(Min("paid_on"), **frame),
            next_gap=Coalesce(next_day, Value(NEVER)) - first_day,
            supplier_label=F("supplier__name"),
        )
        .annotate(
            run_ends_here=Case(
                When(
                    Q(run_payments__gte=SPLIT_PAYMENTS)
                    & Q(next_gap__gt=SPLIT_DAYS)
                    & Q(paid_on__gte=start),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .filter(run_ends_here=True)
        .values(
            "supplier_id",
            "supplier_label",
            "threshold",
            "first_paid_on",
            "paid_on",
            "run_payments",
            "run_total",
        )
        .order_by("-run_total", "-paid_on", "supplier_id")[:limit]
    )
    return [
        SplitPurchase(
            supplier_id=row["supplier_id"],
            supplier_name=row["supplier_label"],
            threshold=to_penny(row["threshold"]),
            first_paid_on=row["first_paid_on"],
            last_paid_on=row["paid_on"],
            payments=row["run_payments"],
            total=to_penny(row["run_total"]),
        )
        for row in rows
    ]


# -- the whole page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentChecks:
    duplicates: list[DuplicatePayment]
    split_purchases: list[SplitPurchase]


def spend_payment_checks(*, year: int, by_year: list[YearSpend]) -> PaymentChecks:
    """The possible duplicates and split purchases of `year`, cached until spend next changes.

    Unlike the totals, the checks compare every payment of the year (about 200,000 at scale
    10), which no summary can hold, so they cost a few hundred milliseconds there. Their
    answer changes only when spend does, and every change to spend is followed by a summary
    rebuild, so the latest rebuild time versions the cached answer.
    """
    version = max((row.rebuilt_at for row in by_year if row.rebuilt_at), default=None)
    key = f"spend-checks:{year}:{version.isoformat() if version else 'none'}"
    return cache.get_or_set(
        key,
        lambda: PaymentChecks(
            duplicates=spend_possible_duplicates(year=year),
            split_purchases=spend_possible_split_purchases(year=year),
        ),
        CHECKS_CACHE_SECONDS,
    )


@dataclass(frozen=True)
class SpendDashboard:
    headline: Headline
    by_year: list[YearSpend]
    on_off_contract: list[ContractSplit]
    by_category: list[GroupSpend]
    by_sub_team: list[GroupSpend]
    top_suppliers: list[SupplierSpend]
    off_contract_suppliers: list[SupplierSpend]
    checks: PaymentChecks


def spend_dashboard(*, year: int, by_year: list[YearSpend]) -> SpendDashboard | None:
    """Everything the dashboard shows for `year`, in a fixed number of queries; None if the
    year has no spend."""
    headline = spend_headline(year=year, by_year=by_year)
    if headline is None:
        return None
    return SpendDashboard(
        headline=headline,
        by_year=by_year,
        on_off_contract=spend_on_off_contract(headline=headline),
        by_category=spend_by_category(year=year),
        by_sub_team=spend_by_sub_team(year=year),
        top_suppliers=spend_top_suppliers(year=year),
        off_contract_suppliers=spend_off_contract_suppliers(year=year),
        checks=spend_payment_checks(year=year, by_year=by_year),
    )
