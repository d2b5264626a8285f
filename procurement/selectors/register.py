"""Reads for the contracts register and the suppliers list.

The list filters are methods on `ContractQuerySet` and `SupplierQuerySet` so they chain and
can be reused by other pages (`contracts().live().ending_within(months=6)`). Every page here
runs a fixed number of queries: related rows come through `select_related`, per-row totals
through correlated subqueries (a join to spend would multiply the contract rows), and history
diffs from one query over the historical table.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.formats import date_format
from django_stubs_ext import WithAnnotations
from simple_history.models import DeletedObject

from core.data_version import data_version
from core.dates import add_months
from core.financial_year import financial_year_expression, financial_year_label
from core.money import format_pounds
from procurement.identity import name_key, normalise_company_number, supplier_name_matches
from procurement.models import (
    Category,
    Contract,
    Saving,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
    SupplierMerge,
    Variation,
)
from procurement.selectors.notices import act_filter, contract_act
from procurement.supplier_relations import merge_counts, merge_refusal

ZERO = Decimal("0")
MONEY_FIELD: models.DecimalField[Decimal, Decimal] = models.DecimalField(
    max_digits=16, decimal_places=2
)

# key -> (label, lowest value included, highest value included); bounds in pounds.
VALUE_BANDS: dict[str, tuple[str, Decimal | None, Decimal | None]] = {
    "under_25k": ("Under £25,000", None, Decimal("24999.99")),
    "25k_100k": ("£25,000 to £99,999", Decimal("25000"), Decimal("99999.99")),
    "100k_1m": ("£100,000 to £1 million", Decimal("100000"), Decimal("1000000")),
    "over_1m": ("Over £1 million", Decimal("1000000.01"), None),
}
ENDING_WITHIN_MONTHS = (3, 6, 9, 12, 24)


def _sum_of(queryset: QuerySet[models.Model], column: str, group: str) -> Subquery:
    """A correlated SUM for one row of the outer query, without joining (so no fan-out)."""
    return Subquery(
        queryset.order_by().values(group).annotate(total=Sum(column)).values("total")[:1],
        output_field=MONEY_FIELD,
    )


def _count_of(queryset: QuerySet[models.Model], group: str) -> Subquery:
    return Subquery(
        queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
        output_field=models.IntegerField(),
    )


class ContractQuerySet(QuerySet[Contract]):
    def with_related(self) -> ContractQuerySet:
        return self.select_related("supplier", "category", "owner")

    def search(self, text: str) -> ContractQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(supplier__name__icontains=text)
        )

    def live(self) -> ContractQuerySet:
        return self.filter(status=Contract.Status.LIVE)

    def in_value_band(self, band: str) -> ContractQuerySet:
        _, low, high = VALUE_BANDS[band]
        bounds = {}
        if low is not None:
            bounds["total_value__gte"] = low
        if high is not None:
            bounds["total_value__lte"] = high
        return self.filter(**bounds)

    def ending_within(self, *, months: int, today: dt.date) -> ContractQuerySet:
        """Contracts whose end date falls between today and `months` from today."""
        return self.filter(end_date__gte=today, end_date__lte=add_months(today, months))

    def with_sme_supplier(self) -> ContractQuerySet:
        return self.filter(supplier__size__in=Supplier.SME_SIZES)

    def with_vcse_supplier(self) -> ContractQuerySet:
        return self.filter(supplier__is_vcse=True)

    def with_local_supplier(self) -> ContractQuerySet:
        return self.filter(supplier__is_local=True)

    def with_spend_to_date(self) -> ContractQuerySet:
        spend = SpendTransaction.objects.filter(contract=OuterRef("pk"), spend_import__is_own=True)
        return self.annotate(
            spend_to_date=Coalesce(
                _sum_of(spend, "amount", "contract"), ZERO, output_field=MONEY_FIELD
            )
        )


class SupplierQuerySet(QuerySet[Supplier]):
    def search(self, text: str) -> SupplierQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(company_number__iexact=text)
            | Q(charity_number__iexact=text)
            | Q(postcode__iexact=text)
        )

    def sme(self) -> SupplierQuerySet:
        return self.filter(size__in=Supplier.SME_SIZES)

    def with_totals(self) -> SupplierQuerySet:
        """Each supplier with its number of contracts and all-time spend, one query in all.

        Spend comes from SpendYearSummary (a few rows a supplier, rebuilt whenever spend
        changes), so sorting every supplier by spend does not read every payment.
        """
        contracts = Contract.objects.filter(supplier=OuterRef("pk"))
        # A framework agreement counts for each of its suppliers (once for its first).
        frameworks = Contract.framework_suppliers.through.objects.filter(
            supplier=OuterRef("pk")
        ).exclude(contract__supplier=OuterRef("pk"))
        spend = SpendYearSummary.objects.filter(supplier=OuterRef("pk"))
        return self.annotate(
            contract_count=Coalesce(_count_of(contracts, "supplier"), 0)
            + Coalesce(_count_of(frameworks, "supplier"), 0),
            spend_total=Coalesce(
                _sum_of(spend, "amount", "supplier"), ZERO, output_field=MONEY_FIELD
            ),
        )


def contracts() -> ContractQuerySet:
    return ContractQuerySet(model=Contract)


def suppliers() -> SupplierQuerySet:
    return SupplierQuerySet(model=Supplier)


CONTRACT_SORTS = {
    "reference": "reference",
    "title": "title",
    "supplier": "supplier__name",
    "end_date": "end_date",
    "total_value": "total_value",
}
SUPPLIER_SORTS = {
    "name": "name",
    "size": "size",
    "contracts": "contract_count",
    "spend": "spend_total",
}


def _ordering(sort: str, columns: dict[str, str], tie_break: str) -> list[Any]:
    """ORDER BY for a "column" or "-column" key; empty values last on both databases."""
    descending = sort.startswith("-")
    column = columns.get(sort.lstrip("-"), tie_break)
    expression = models.F(column)
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [ordered, tie_break]


FILTER_CACHE_SECONDS = 5 * 60
# What a row of the contracts list shows: a list page builds fifty contracts and their
# suppliers, not their categories and owners, from only these columns.
CONTRACT_LIST_COLUMNS = (
    "reference",
    "title",
    "supplier__name",
    "end_date",
    "total_value",
    "status",
)


def contract_filter_version() -> str:
    """A key for the contracts filter's options (categories and officers): one query. The
    filter is rendered once per key and query string; the cache's timeout bounds how long a
    renamed officer keeps the old name in the list."""
    users = get_user_model()._meta.db_table
    memberships = get_user_model().groups.through._meta.db_table
    return data_version(
        (table, aggregate)
        for table in (Category._meta.db_table, users, memberships)
        for aggregate in ("max(id)", "count(*)")
    )


def contract_list(
    *,
    search: str = "",
    status: str = "",
    category: Any = None,
    sub_team: str = "",
    owner: Any = None,
    supplier: Any = None,
    supplier_name: str = "",
    value_band: str = "",
    ending_within: int | None = None,
    supplier_types: list[str] | tuple[str, ...] = (),
    sort: str = "reference",
    today: dt.date | None = None,
    procedure: str = "",
    act: str = "",
) -> QuerySet[Contract]:
    """The register filtered and sorted as the contracts list asks, each contract with the
    columns the list shows (CONTRACT_LIST_COLUMNS) and nothing else loaded.

    `supplier` is one supplier (or its id); `supplier_name` is part of a supplier's name.
    """
    queryset = contracts().select_related("supplier").only(*CONTRACT_LIST_COLUMNS).search(search)
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if sub_team:
        queryset = queryset.filter(category__sub_team=sub_team)
    if owner:
        queryset = queryset.filter(owner=owner)
    if supplier:
        queryset = queryset.filter(supplier=supplier)
    if supplier_name.strip():
        queryset = queryset.filter(supplier__name__icontains=supplier_name.strip())
    if value_band:
        queryset = queryset.in_value_band(value_band)
    if ending_within:
        queryset = queryset.ending_within(months=ending_within, today=today or timezone.localdate())
    if "sme" in supplier_types:
        queryset = queryset.with_sme_supplier()
    if "vcse" in supplier_types:
        queryset = queryset.with_vcse_supplier()
    if "local" in supplier_types:
        queryset = queryset.with_local_supplier()
    filtered = act_filter(
        queryset,
        procedure=procedure,
        act=act,
        supplier_types=supplier_types,
        today=today or timezone.localdate(),
    )
    return filtered.order_by(*_ordering(sort, CONTRACT_SORTS, "reference"))


def supplier_list(
    *,
    search: str = "",
    size: str = "",
    supplier_types: list[str] | tuple[str, ...] = (),
    sort: str = "name",
) -> SupplierQuerySet:
    queryset = suppliers().search(search).with_totals()
    if size:
        queryset = queryset.filter(size=size)
    if "sme" in supplier_types:
        queryset = queryset.sme()
    if "vcse" in supplier_types:
        queryset = queryset.filter(is_vcse=True)
    if "local" in supplier_types:
        queryset = queryset.filter(is_local=True)
    if "strategic" in supplier_types:
        queryset = queryset.filter(is_strategic=True)
    return queryset.order_by(*_ordering(sort, SUPPLIER_SORTS, "name"), "pk")


@dataclass
class Lookup:
    """What typed text resolved to: one row (`match`), or the candidates, best first."""

    match: Any = None  # a row of whichever model was looked up
    candidates: list[Any] = field(default_factory=list)
    more: bool = False


@dataclass
class SupplierLookup(Lookup):
    """A `Lookup` of suppliers; `supplier` is the one the text names."""

    @property
    def supplier(self) -> Supplier | None:
        supplier: Supplier | None = self.match
        return supplier


def ranked_lookup(
    queryset: QuerySet[models.Model],
    *,
    ranks: Sequence[Q],
    order: Sequence[str],
    preferred_id: int | None = None,
    limit: int = 5,
) -> Lookup:
    """The row typed text names, in one query: rows matching `ranks[0]` beat those matching
    `ranks[1]`, and so on. The best rows win only if there is one of them, or if `preferred_id`
    (the row the form was opened with) is among them, so an unchanged entry on an edit form keeps
    its row even when another matches as well. Otherwise up to `limit` candidates are given."""
    rows = list(
        queryset.filter(reduce(operator.or_, ranks))
        .annotate(
            rank=Case(
                *(When(rank, then=Value(n)) for n, rank in enumerate(ranks)),
                output_field=IntegerField(),
            ),
            preferred=Case(
                When(pk=preferred_id or 0, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("rank", "preferred", *order)[: limit + 1]
    )
    if not rows:
        return Lookup()
    best = [row for row in rows if row.rank == rows[0].rank]
    if len(best) == 1 or best[0].pk == preferred_id:
        return Lookup(match=best[0])
    return Lookup(candidates=rows[:limit], more=len(rows) > limit)


def supplier_lookup(
    *, text: str, preferred_id: int | None = None, limit: int = 5
) -> SupplierLookup:
    """The supplier that `text` names, found in one query however many suppliers there are.

    An exact Companies House or charity number beats an exact name (ignoring case and
    "Ltd"/"Limited"), which beats part of a name (see `ranked_lookup`).
    """
    text = (text or "").strip()
    if not text:
        return SupplierLookup()
    exact_name = Q(name__iexact=text)
    normalised = name_key(text)
    if normalised:
        exact_name |= supplier_name_matches(normalised)
    number = Q(company_number__iexact=text) | Q(charity_number__iexact=text)
    if company_number := normalise_company_number(text):
        number |= Q(company_number=company_number)
    found = ranked_lookup(
        suppliers(),
        ranks=(number, exact_name, Q(name__icontains=text)),
        order=("name", "pk"),
        preferred_id=preferred_id,
        limit=limit,
    )
    return SupplierLookup(match=found.match, candidates=found.candidates, more=found.more)


def contract_lookup(*, text: str, preferred_id: int | None = None, limit: int = 5) -> Lookup:
    """The contract that `text` names, in one query: its exact reference beats an exact title,
    which beats part of a reference, title or supplier name (see `ranked_lookup`)."""
    text = (text or "").strip()
    if not text:
        return Lookup()
    return ranked_lookup(
        Contract.objects.select_related("supplier").only(
            "id", "reference", "title", "supplier__name"
        ),
        ranks=(
            Q(reference__iexact=text),
            Q(title__iexact=text),
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(supplier__name__icontains=text),
        ),
        order=("reference", "pk"),
        preferred_id=preferred_id,
        limit=limit,
    )


def supplier_name(*, supplier_id: int) -> str | None:
    """The name of the supplier with this id, or None if there is none."""
    return suppliers().filter(pk=supplier_id).values_list("name", flat=True).first()


# -- history ----------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""  # why, where the change says (a supplier merge does)


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def display_value(model_field: models.Field[Any, Any], value: Any) -> str:
    """A field value as a reader should see it: labels for choices, pounds, dates, Yes/No."""
    if isinstance(value, DeletedObject):
        # diff_against gives a DeletedObject for an empty foreign key too.
        return "Not set" if value.pk is None else f"Deleted {value.model._meta.verbose_name}"
    if value is None or value == "":
        return "Not set"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(model_field, models.DecimalField):
        if model_field.name.endswith("weighting"):
            return f"{value:g}%"
        return format_pounds(value)
    if isinstance(model_field, models.DateField):
        return date_format(value, "j F Y")
    if isinstance(model_field, models.ForeignKey) and hasattr(value, "get_full_name"):
        return _user_name(value)
    return str(value)


def _user_name(user: User | None) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def history_entries(
    # simple-history builds the historical models at run time: no static class to name.
    history: QuerySet[Any],
    *,
    related: tuple[str, ...] = (),
) -> list[HistoryEntry]:
    """Every historical record newest first, each with the fields that changed before → after.

    The records come from one query (with their users and related rows joined), and each is
    diffed against the next older one in the list, so `prev_record` never queries per row.
    """
    records = list(
        history.select_related("history_user", *related).order_by("-history_date", "-history_id")
    )
    model = history.model.instance_type
    entries = []
    for record, older in zip(records, [*records[1:], None], strict=True):
        entry = HistoryEntry(
            when=record.history_date,
            who=_user_name(record.history_user),
            action=ACTIONS.get(record.history_type, "Changed"),
            reason=record.history_change_reason or "",
        )
        if older is not None:
            delta = record.diff_against(older, foreign_keys_are_objs=True)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                entry.changes.append(
                    FieldChange(
                        label=str(model_field.verbose_name).capitalize(),
                        before=display_value(model_field, change.old),
                        after=display_value(model_field, change.new),
                    )
                )
        entries.append(entry)
    return entries


# -- contract and supplier pages -------------------------------------------------------------


def contract_detail(*, contract_id: int) -> dict[str, Any]:
    """Everything the contract page shows, in five queries whatever the contract's size."""
    contract = contracts().with_related().get(pk=contract_id)
    spend = SpendTransaction.objects.filter(
        contract_id=contract_id, spend_import__is_own=True
    ).aggregate(total=Coalesce(Sum("amount"), ZERO, output_field=MONEY_FIELD), payments=Count("pk"))
    spend_share = spend["total"] / contract.total_value * 100 if contract.total_value else None
    return {
        "contract": contract,
        "framework_suppliers": (
            list(contract.framework_suppliers.order_by("name", "pk"))
            if contract.is_framework
            else []
        ),
        "variations": list(
            Variation.objects.filter(contract_id=contract_id).select_related("recorded_by")
        ),
        "spend_to_date": spend["total"],
        "spend_payments": spend["payments"],
        "spend_share": spend_share,
        "savings": list(
            Saving.objects.filter(contract_id=contract_id).select_related("recorded_by")
        ),
        "history": history_entries(
            Contract.history.filter(id=contract_id), related=("supplier", "category", "owner")
        ),
        "act": contract_act(contract=contract, today=timezone.localdate()),
    }


def supplier_detail(*, supplier_id: int) -> dict[str, Any]:
    """The supplier, its contracts with spend to date, its spend by financial year, history."""
    supplier = Supplier.objects.get(pk=supplier_id)
    spend_by_year = list(
        SpendTransaction.objects.filter(supplier_id=supplier_id, spend_import__is_own=True)
        .annotate(year=financial_year_expression("paid_on"))
        .values("year")
        .annotate(
            total=Sum("amount"),
            on_contract=Coalesce(
                Sum("amount", filter=Q(contract__isnull=False)), ZERO, output_field=MONEY_FIELD
            ),
            payments=Count("pk"),
        )
        .order_by("year")
    )
    for row in spend_by_year:
        row["label"] = financial_year_label(row["year"])
        row["off_contract"] = row["total"] - row["on_contract"]
    return {
        "supplier": supplier,
        "contracts": list(
            contracts()
            .filter(
                # A framework agreement is listed for each of its suppliers.
                Q(supplier_id=supplier_id)
                | Exists(
                    Contract.framework_suppliers.through.objects.filter(
                        contract_id=OuterRef("pk"), supplier_id=supplier_id
                    )
                )
            )
            .select_related("category", "owner")
            .with_spend_to_date()
            .order_by(models.F("end_date").desc(nulls_last=True), "reference")
        ),
        "spend_by_year": spend_by_year,
        "spend_total": sum((row["total"] for row in spend_by_year), ZERO),
        "history": history_entries(Supplier.history.filter(id=supplier_id)),
        "merges": list(
            SupplierMerge.objects.filter(kept_id=supplier_id).select_related("merged_by")
        ),
    }


# -- likely duplicates and merging -------------------------------------------------------------

DUPLICATES_SHOWN = 1000


class _NumberKey(TypedDict):
    number_key: str  # the company number, upper case, without leading zeros


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict only in type checking
    NumberKeyedSupplier = WithAnnotations[Supplier, _NumberKey]


@dataclass(frozen=True)
class DuplicateGroup:
    """Suppliers sharing a company number or a name key (procurement.identity), oldest first;
    each carries `contract_count` and `spend_total`."""

    reason: str  # "company number" | "name"
    key: str
    suppliers: list[Supplier]


@dataclass(frozen=True)
class SupplierDuplicates:
    groups: list[DuplicateGroup]
    truncated: bool  # more suppliers than DUPLICATES_SHOWN are in groups


def supplier_duplicates(*, limit: int = DUPLICATES_SHOWN) -> SupplierDuplicates:
    """Likely duplicate suppliers, found in SQL (GROUP BY ... HAVING COUNT > 1) in one query.

    Groups by company number come first; a name group holding exactly the suppliers of a
    number group is not repeated.
    """
    shared_name = (
        Supplier.objects.order_by()
        .values("normalised_name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("normalised_name")
    )
    # "1234567" and "01234567" are one number (a spreadsheet dropped the zero).
    number_key = Func(Upper("company_number"), Value("0"), function="LTRIM")
    shared_number = (
        Supplier.objects.exclude(company_number="")
        .annotate(number_key=number_key)
        .order_by()
        .values("number_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("number_key")
    )
    # cast: with_totals() is typed to give a plain SupplierQuerySet, forgetting number_key.
    rows = cast(
        "list[NumberKeyedSupplier]",
        list(
            suppliers()
            .annotate(number_key=number_key)
            .filter(Q(normalised_name__in=shared_name) | Q(number_key__in=shared_number))
            .with_totals()
            .order_by("pk")[: limit + 1]
        ),
    )
    truncated = len(rows) > limit
    by_number: dict[str, list[Supplier]] = {}
    by_name: dict[str, list[Supplier]] = {}
    for supplier in rows[:limit]:
        if supplier.company_number:
            number = normalise_company_number(supplier.company_number) or supplier.number_key
            by_number.setdefault(number, []).append(supplier)
        by_name.setdefault(supplier.normalised_name, []).append(supplier)
    groups = [
        DuplicateGroup("company number", number, members)
        for number, members in sorted(by_number.items())
        if len(members) > 1
    ]
    seen = {frozenset(s.pk for s in group.suppliers) for group in groups}
    groups += [
        DuplicateGroup("name", key, members)
        for key, members in sorted(by_name.items())
        if len(members) > 1 and frozenset(s.pk for s in members) not in seen
    ]
    return SupplierDuplicates(groups=groups, truncated=truncated)


@dataclass(frozen=True)
class MergePreview:
    """Two suppliers side by side: what each holds (and would move), and why a merge of the
    two would be refused, if it would."""

    suppliers: list[Supplier]
    holds: dict[int, list[tuple[str, int]]]
    refusal: str | None

    @property
    def sides(self) -> list[tuple[Supplier, list[tuple[str, int]]]]:
        return [(supplier, self.holds[supplier.pk]) for supplier in self.suppliers]


def supplier_merge_preview(*, first_id: int, second_id: int) -> MergePreview:
    """Raises Supplier.DoesNotExist unless both suppliers exist. A query per kind of row that
    points at a supplier, however many rows there are."""
    pair = list(suppliers().filter(pk__in=[first_id, second_id]).with_totals().order_by("pk"))
    if len(pair) != 2:
        raise Supplier.DoesNotExist
    counts = merge_counts(supplier_ids=[first_id, second_id])
    pair.sort(key=lambda supplier: supplier.pk != first_id)
    return MergePreview(
        suppliers=pair,
        holds={pk: sorted(found.items()) for pk, found in counts.items()},
        refusal=merge_refusal(pair[0], pair[1]),
    )
