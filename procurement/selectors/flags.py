"""Reads for the red flags: the payments each rule needs, the register, and the reviews.

Each rule reads only its candidates, in SQL: repeats of one amount to one supplier (a
grouping), amounts paid to more than one supplier, payments in the split band with no contract,
and the payments of suppliers and contracts the register says are ended or spent. The rules
themselves are procurement.flags. The answer is cached until the spend summary is next
rebuilt (every change to spend is followed by one) or a supplier, contract or variation is
saved, and the officers' reviews are read fresh,
so a page runs the same few queries whatever the size of the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Abs

from core.data_version import models_version
from core.financial_year import financial_year_bounds
from procurement import flags as rules_module
from procurement.flags import ContractTerms, Flag, Found, Payment, Recurring, Rules
from procurement.models import (
    MONEY,
    Contract,
    SpendFlagReview,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
    Variation,
)

CACHE_SECONDS = 24 * 60 * 60


DASHBOARD_TOP = 10
PENNY = Decimal("0.01")
ZERO = Decimal("0")
MONEY_FIELD: DecimalField[Decimal, Decimal] = DecimalField(**MONEY)
NAMED_OWN = Q(supplier__isnull=False, spend_import__is_own=True)
PAYMENT_FIELDS = (
    "id",
    "supplier_id",
    "supplier__name",
    "supplier__company_number",
    "supplier_name",
    "paid_on",
    "amount",
    "reference",
    "service_area",
    "purpose",
    "expense_type",
    "invoice_date",
    "contract_id",
    "spend_import__filename",
    "line_number",
)


def flag_rules() -> Rules:
    """The rules' numbers from settings.SPEND_FLAGS."""
    configured: dict[str, Any] = getattr(settings, "SPEND_FLAGS", {})
    defaults = Rules()
    thresholds = configured.get("split_thresholds")
    return Rules(
        duplicate_days=int(configured.get("duplicate_days", defaults.duplicate_days)),
        min_amount=Decimal(str(configured.get("min_amount", defaults.min_amount))),
        split_days=int(configured.get("split_days", defaults.split_days)),
        split_thresholds=tuple(sorted(Decimal(str(t)) for t in thresholds))
        if thresholds
        else defaults.split_thresholds,
        per_person=tuple(configured.get("per_person", defaults.per_person)),
        not_split=tuple(configured.get("not_split", defaults.not_split)),
        contract_grace_days=int(
            configured.get("contract_grace_days", defaults.contract_grace_days)
        ),
        contract_tolerance=Decimal(
            str(configured.get("contract_tolerance", defaults.contract_tolerance))
        ),
    )


def _pence(value: Decimal) -> Decimal:
    return Decimal(value).quantize(PENNY)


def _payments(rows: Iterable[tuple[Any, ...]]) -> list[Payment]:
    """Payments from rows of PAYMENT_FIELDS, in that order (tuples: a year's tens of thousands
    of candidates are read faster than as dicts)."""
    return [
        Payment(
            id=id_,
            supplier_id=supplier_id,
            supplier=name or written_as,
            written_as=written_as,
            company_number=(company_number or "").lstrip("0").upper(),
            paid_on=paid_on,
            amount=_pence(amount),
            reference=reference,
            service_area=service_area,
            purpose=purpose,
            expense_type=expense_type,
            invoice_date=invoice_date,
            contract_id=contract_id,
            filename=filename,
            line_number=line_number,
        )
        for (
            id_,
            supplier_id,
            name,
            company_number,
            written_as,
            paid_on,
            amount,
            reference,
            service_area,
            purpose,
            expense_type,
            invoice_date,
            contract_id,
            filename,
            line_number,
        ) in rows
    ]


def _lines(queryset: QuerySet[SpendTransaction]) -> list[Payment]:
    return _payments(queryset.order_by("paid_on", "id").values_list(*PAYMENT_FIELDS))


def _repeated_amounts(*, start: dt.date, end: dt.date, rules: Rules) -> list[Payment]:
    """Payments (and credit notes) of an amount some supplier was paid more than once: the
    amounts found by one grouping, not a window sorting every payment. Other suppliers'
    single payments of such an amount come too; the rules find nothing in a group of one.

    Only payments count towards a repeat: a duplicate, recovered or not, and a recurring
    payment each need two payments of the amount, whatever the credit notes. The grouping
    reads every import, not only the council's own (a superset of the amounts, so no flag is
    lost): so it reads the index on (amount, supplier, paid_on) alone, in order."""
    payments = (
        SpendTransaction.objects.filter(NAMED_OWN, paid_on__range=(start, end))
        .filter(Q(amount__gte=rules.min_amount) | Q(amount__lte=-rules.min_amount))
        .annotate(size=Abs("amount"))
    )
    repeated = (
        SpendTransaction.objects.filter(
            supplier__isnull=False, paid_on__range=(start, end), amount__gte=rules.min_amount
        )
        .order_by()
        .values("amount", "supplier_id")
        .annotate(times=Count("*"))
        .filter(times__gte=2)
        .values("amount")
    )
    return _lines(payments.filter(size__in=repeated))


def _shared_amounts(*, start: dt.date, end: dt.date, rules: Rules) -> list[Payment]:
    """Payments of an amount that more than one supplier was paid (the amounts found by one
    grouping, not a window sorting every payment). As for the repeats, the grouping reads
    every import and the index on (amount, supplier, paid_on) alone."""
    window = Q(supplier__isnull=False, paid_on__range=(start, end), amount__gte=rules.min_amount)
    shared = (
        SpendTransaction.objects.filter(window)
        .order_by()
        .values("amount")
        .annotate(lowest=Min("supplier_id"), highest=Max("supplier_id"))
        .filter(~Q(lowest=F("highest")))
        .values("amount")
    )
    return _lines(SpendTransaction.objects.filter(window, NAMED_OWN).filter(amount__in=shared))


def _split_candidates(*, start: dt.date, end: dt.date, year: int, rules: Rules) -> list[Payment]:
    """Payments in a split band with no contract, and the credit notes that may cancel them.

    A run under threshold t is a split only if the supplier's total for the year less the run
    is under t, and the run under the next threshold (t * 2 for the highest): so a supplier
    paid t plus that ceiling or more in the year has no split at t, and its payments in t's
    band are left in the database. Lines that may belong to a payment document (a reference
    with "-" or "/") are read whatever their band, as a document's lines are added up across
    bands; the rows left out could not change any flag (tests/procurement/test_flags_sql.py).
    """
    thresholds = sorted(rules.split_thresholds)
    ceilings = [*thresholds[1:], thresholds[-1] * 2]
    lowest, highest = thresholds[0] * rules.split_min_share, thresholds[-1]
    totals = (
        SpendYearSummary.objects.filter(financial_year=year, supplier__isnull=False)
        .order_by()
        .values("supplier_id")
        .annotate(total=Sum("amount"))
    )
    in_reach = (
        Q(reference__contains="-")
        | Q(reference__contains="/")
        | ~Q(supplier_id__in=totals.values("supplier_id"))  # nothing paid in the year
    )
    for threshold, ceiling in zip(thresholds, ceilings, strict=True):
        below = totals.filter(total__lt=threshold + ceiling).values("supplier_id")
        in_reach |= Q(
            size__gte=threshold * rules.split_min_share, size__lt=threshold, supplier_id__in=below
        )
    return _lines(
        SpendTransaction.objects.filter(
            NAMED_OWN, contract__isnull=True, paid_on__range=(start, end)
        )
        .annotate(size=Abs("amount"))
        .filter(size__gte=lowest, size__lt=highest)
        .filter(in_reach)
    )


def _year_totals(year: int) -> dict[int, Decimal]:
    rows = (
        SpendYearSummary.objects.filter(financial_year=year, supplier__isnull=False)
        .values("supplier_id")
        .annotate(total=Sum("amount"))
    )
    return {row["supplier_id"]: _pence(row["total"]) for row in rows}


def _contract_terms(*, before: dt.date, until: dt.date) -> list[ContractTerms]:
    """Every contract with its end and value after variations, what was paid under it before
    `before`, and by `until`: one query. The sums are one grouping of the payments joined to
    their contracts (read from the index on contract, date and amount alone), not two sums
    per contract."""
    varied_end = Variation.objects.filter(contract=OuterRef("pk")).values("contract")
    rows = (
        Contract.objects.alias(
            paid=FilteredRelation(
                "transactions",
                condition=Q(transactions__contract__isnull=False, transactions__paid_on__lte=until),
            )
        )
        .annotate(
            varied_to=Subquery(varied_end.annotate(end=Max("new_end_date")).values("end")[:1]),
            varied_by=Subquery(
                varied_end.annotate(change=Sum("value_change")).values("change")[:1],
                output_field=MONEY_FIELD,
            ),
            paid_before=Sum("paid__amount", filter=Q(paid__paid_on__lt=before)),
            paid_by=Sum("paid__amount"),
        )
        .order_by()
        .values(
            "id",
            "reference",
            "supplier_id",
            "start_date",
            "end_date",
            "total_value",
            "varied_to",
            "varied_by",
            "paid_before",
            "paid_by",
        )
    )
    terms = []
    for row in rows:
        end = row["end_date"]
        if end is not None and row["varied_to"] is not None:
            end = max(end, row["varied_to"])
        value = row["total_value"]
        if value is not None:
            value = _pence(value + (row["varied_by"] or ZERO))
        terms.append(
            ContractTerms(
                id=row["id"],
                reference=row["reference"],
                supplier_id=row["supplier_id"],
                start=row["start_date"],
                end=end,
                value=value,
                paid_before=_pence(row["paid_before"] or ZERO),
                paid_by=_pence(row["paid_by"] or ZERO),
            )
        )
    return terms


def _outside_candidates(
    *, start: dt.date, end: dt.date, terms: list[ContractTerms], rules: Rules
) -> list[Payment]:
    """The year's payments to suppliers whose every contract ended (with the grace days)
    before the year's end, and under contracts paid past their value by the year's end."""
    ends: dict[int, list[dt.date | None]] = {}
    for t in terms:
        ends.setdefault(t.supplier_id, []).append(t.end)
    last = end - dt.timedelta(days=rules.contract_grace_days)
    ended = [s for s, dates in ends.items() if all(d is not None and d < last for d in dates)]
    over = [
        t.id
        for t in terms
        if t.value is not None and t.paid_by > t.value * (1 + rules.contract_tolerance)
    ]
    # Id 0 is no row: the query runs (and is counted) even when both lists are empty.
    ended, over = ended or [0], over or [0]
    return _lines(
        SpendTransaction.objects.filter(
            Q(supplier_id__in=ended) | Q(contract_id__in=over),
            NAMED_OWN,
            paid_on__range=(start, end),
        )
    )


def spend_flags_found(*, year: int) -> Found:
    """Every flag of `year` by the rules of procurement.flags, ranked, and the recurring
    payments, computed afresh (the page reads spend_flags, which caches this)."""
    rules = flag_rules()
    start, end = financial_year_bounds(year)
    duplicates, recurring = rules_module.find_duplicates(
        _repeated_amounts(
            start=start - dt.timedelta(days=rules.duplicate_days), end=end, rules=rules
        ),
        rules=rules,
        since=start,
    )
    twins = rules_module.find_twin_suppliers(
        _shared_amounts(start=start - dt.timedelta(days=rules.twin_days), end=end, rules=rules),
        rules=rules,
        since=start,
    )
    terms = _contract_terms(before=start, until=end)
    covering: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
    for t in terms:
        covering.setdefault(t.supplier_id, []).append((t.start, t.end))
    splits = rules_module.find_splits(
        _split_candidates(
            start=start - dt.timedelta(days=rules.split_days), end=end, year=year, rules=rules
        ),
        rules=rules,
        since=start,
        year_totals=_year_totals(year),
        contracts=covering,
    )
    outside = rules_module.find_outside_contracts(
        _outside_candidates(start=start, end=end, terms=terms, rules=rules),
        contracts=terms,
        since=start,
        rules=rules,
    )
    recurring.sort(key=lambda r: (-r.amount * r.payments, r.supplier))
    return Found(
        flags=rules_module.ranked([*rules_module.merged(duplicates, splits), *twins, *outside]),
        recurring=recurring,
    )


def _version() -> str:
    """Moves with every rebuild of the summary (which follows every change to spend) and with
    every save of a supplier (its company number, its name), contract or variation: one query."""
    rebuilt = connection.ops.quote_name("rebuilt_at")
    return models_version(
        [Supplier, Contract, Variation],
        extra=[(SpendYearSummary._meta.db_table, f"max({rebuilt})")],
    )


def spend_flags_cached(*, year: int) -> Found:
    """spend_flags_found, cached until the summary is next rebuilt or a supplier, contract or
    variation is saved (one query when warm)."""
    key = f"spend-flags:{year}:{hashlib.sha256(_version().encode()).hexdigest()[:32]}"
    found = cache.get_or_set(key, lambda: spend_flags_found(year=year), CACHE_SECONDS)
    assert isinstance(found, Found)
    return found


# -- with the officers' reviews ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedFlag:
    flag: Flag
    review: SpendFlagReview | None

    @property
    def status(self) -> str:
        return self.review.status if self.review else SpendFlagReview.Status.OPEN

    @property
    def status_label(self) -> str:
        return SpendFlagReview.Status(self.status).label

    @property
    def payments_query(self) -> str:
        """The payments page's filters that show this flag's payments (and their neighbours)."""
        flag = self.flag
        query: dict[str, Any] = {
            "paid_from": flag.first_paid_on.isoformat(),
            "paid_to": flag.last_paid_on.isoformat(),
        }
        if len({p.supplier_id for p in flag.payments}) == 1 and flag.supplier_id:
            query["supplier"] = flag.supplier_id
        amounts = {abs(p.amount) for p in flag.payments}
        if len(amounts) == 1:
            query["amount_min"] = query["amount_max"] = f"{min(amounts):.2f}"
            if any(p.amount < 0 for p in flag.payments):
                query["amount_min"] = f"{-min(amounts):.2f}"
        return urlencode(query)

    @property
    def counts(self) -> bool:
        """Explained flags leave the dashboard's counts; they stay on the list."""
        return self.status != SpendFlagReview.Status.EXPLAINED


@dataclass(frozen=True)
class FlagList:
    year: int
    flags: list[ReviewedFlag]
    recurring: list[Recurring]

    @property
    def counted(self) -> list[ReviewedFlag]:
        return [f for f in self.flags if f.counts]

    @property
    def top(self) -> list[ReviewedFlag]:
        return self.counted[:DASHBOARD_TOP]

    def by_kind(self) -> list[tuple[str, int, Decimal]]:
        """Each kind's label, count and pounds at risk, over the flags that count."""
        totals: dict[str, tuple[int, Decimal]] = dict.fromkeys(rules_module.Kind.LABELS, (0, ZERO))
        for item in self.counted:
            n, pounds = totals[item.flag.kind]
            totals[item.flag.kind] = (n + 1, pounds + item.flag.amount)
        return [(rules_module.Kind.LABELS[k], n, p) for k, (n, p) in totals.items()]


def spend_flags(*, year: int, kind: str = "", status: str = "") -> FlagList:
    """The year's flags, largest score first, each with its review: the cached flags plus one
    query for the reviews of the year."""
    found = spend_flags_cached(year=year)
    reviews = {r.key: r for r in SpendFlagReview.objects.filter(financial_year=year)}
    flags = [ReviewedFlag(flag, reviews.get(flag.key)) for flag in found.flags]
    if kind:
        flags = [f for f in flags if f.flag.kind == kind]
    if status:
        flags = [f for f in flags if f.status == status]
    return FlagList(year=year, flags=flags, recurring=found.recurring)


def spend_flag(*, year: int, key: str) -> ReviewedFlag | None:
    """One flag of `year` by its key, with its review; None if no such flag."""
    found = spend_flags_cached(year=year)
    flag = next((f for f in found.flags if f.key == key), None)
    if flag is None:
        return None
    return ReviewedFlag(flag, SpendFlagReview.objects.filter(key=key).first())


def spend_flag_history(*, key: str) -> list[Any]:
    """Every saved version of a flag's review, newest first, with who saved it."""
    return list(
        SpendFlagReview.history.filter(key=key)
        .select_related("history_user")
        .order_by("-history_date")
    )


FLAGS_HEADER = (
    "kind",
    "supplier",
    "amount",
    "first_paid_on",
    "last_paid_on",
    "score",
    "status",
    "lines",
)


def flag_rows(flags: Iterable[ReviewedFlag]) -> Iterable[Sequence[Any]]:
    """One CSV row per flag under FLAGS_HEADER; `lines` lists its payments as file:line;..."""
    for item in flags:
        flag = item.flag
        yield (
            flag.kind,
            flag.supplier,
            flag.amount,
            flag.first_paid_on,
            flag.last_paid_on,
            flag.score,
            item.status,
            flag.lines,
        )
