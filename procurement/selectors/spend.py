"""Reads for the spend dashboard: where the council's money goes, by year, category and supplier.

Totals come from SpendYearSummary (one row per year, supplier and contract, rebuilt after each
import by procurement.services.spend_summary), so the trend over every year is one small grouped
query and it also gives the headline for the selected year. The red flags (duplicates,
split purchases, payments outside contracts) are procurement.selectors.flags, cached until the
summary is next rebuilt. The page runs the same queries whatever the size of the data.

Only the council's own spend counts: the summary holds nothing else, and the red flags read
only payments of imports that are the council's own (SpendImport.is_own), so a neighbouring
council's file imported for comparison changes nothing here.

Shares (SME, VCSE, local) are of spend with named suppliers: a redacted payment (personal data,
mostly to individuals) cannot be classed as SME or not, so it is left out of both sides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.data_version import models_version
from core.financial_year import financial_year_label
from core.money import to_penny
from core.percent import share
from procurement.models import (
    MONEY,
    Category,
    Contract,
    SpendFlagReview,
    SpendImport,
    SpendTransaction,
    SpendYearSummary,
    SubTeam,
    Supplier,
    Variation,
)
from procurement.selectors.flags import FlagList, spend_flags

UNCATEGORISED = "Off-contract / uncategorised"
TOP_SUPPLIERS = 20

ZERO = Decimal("0")
MONEY_FIELD: DecimalField[Decimal, Decimal] = DecimalField(**MONEY)


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
        return share(self.sme, self.named_total)

    @property
    def vcse_share(self) -> Decimal | None:
        return share(self.vcse, self.named_total)

    @property
    def local_share(self) -> Decimal | None:
        return share(self.local, self.named_total)


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
    return [
        YearSpend(
            year=row["financial_year"],
            total=to_penny(row["total"]),
            payments=row["payments"],
            credit_notes=row["credit_notes"],
            suppliers=row["suppliers"],
            named_total=to_penny(row["named_total"]),
            sme=to_penny(row["sme"]),
            vcse=to_penny(row["vcse"]),
            local=to_penny(row["local"]),
            on_contract=to_penny(row["on_contract"]),
            off_contract=to_penny(row["off_contract"]),
            redacted=to_penny(row["redacted"]),
            rebuilt_at=row["rebuilt_at"],
        )
        for row in rows
    ]


def spend_version() -> str:
    """A key that moves with any change the spend dashboard could show: one query. Every change
    to spend is followed by a summary rebuild (its newest rebuild time and ids move); supplier
    and contract edits keep history; categories are counted by core.DataStamp. The red flags
    also move with their reviews and with variations (a contract's end and value)."""
    rebuilt = connection.ops.quote_name("rebuilt_at")
    return models_version(
        [SpendImport, SpendYearSummary, Supplier, Contract, Category]
        + [SpendFlagReview, Variation],
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
        now: Decimal | None = getattr(self.current, share)
        before: Decimal | None = getattr(self.previous, share)
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
    return [ContractSplit(name, total, share(total, year.total)) for name, total in parts]


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


# -- the whole page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendDashboard:
    headline: Headline
    by_year: list[YearSpend]
    on_off_contract: list[ContractSplit]
    by_category: list[GroupSpend]
    by_sub_team: list[GroupSpend]
    top_suppliers: list[SupplierSpend]
    off_contract_suppliers: list[SupplierSpend]
    flags: FlagList


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
        flags=spend_flags(year=year),
    )
