"""Merging a duplicate supplier into the one that stays.

Everything that points at the merged supplier moves to the survivor: payments, contracts (and
with them their commitments, returns and variations), supplier users, aliases and earlier merges,
and any relation added later (found from the model's reverse relations, so a new one cannot be
left behind). Versioned rows (contracts) are saved one by one so their history says why; bulk
rows (payments) move in one UPDATE. The merged supplier's name and number become an alias of
the survivor, so later imports resolve to it (procurement.identity); the survivor takes any
number, charity number or postcode it lacked; the merged supplier is deleted, which
django-simple-history records, and the merge itself is a `SupplierMerge`. Spend is re-matched
to contracts and the spend summary rebuilt for the years the moved payments and contracts touch.
Two suppliers with different company numbers are different companies: that merge is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count

from core.concurrency import STALE_MESSAGE, StaleEdit
from core.financial_year import financial_year_bounds
from core.history import history_note
from procurement.identity import normalise_company_number
from procurement.models import (
    Contract,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
    SupplierAlias,
    SupplierMerge,
)
from procurement.services.matching import transactions_match_contracts
from procurement.services.spend_summary import spend_summary_rebuild

# Derived from payments and rebuilt after the move, not moved.
_REBUILT = (SpendYearSummary,)
# Copied to the survivor when it has none.
_FILLED = ("company_number", "charity_number", "postcode")


class MergeRefused(ValidationError):
    pass


@dataclass(frozen=True)
class _Relation:
    model: type[models.Model]
    field: str  # the field on `model` that points at the supplier (or contract)
    label: str
    other: str = ""  # a many-to-many table's other side: a row both already have is dropped

    def rows(self, target_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.field: target_id})


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")  # django-simple-history's historical models


def _relations(target: type[models.Model]) -> list[_Relation]:
    """Every model row that points at a `target` row (reverse foreign keys, one-to-ones and
    many-to-many tables), except history and derived summaries."""
    found = []
    for rel in target._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        if rel.many_to_many:
            through = rel.through
            field = rel.field.m2m_reverse_field_name()
            label = f"{rel.related_model._meta.verbose_name_plural} (as one of their suppliers)"
            found.append(_Relation(through, field, label, other=rel.field.m2m_field_name()))
            continue
        model = rel.related_model
        if _is_history(model) or model in _REBUILT:
            continue
        found.append(_Relation(model, rel.field.name, str(model._meta.verbose_name_plural)))
    return sorted(found, key=lambda relation: relation.label)


def supplier_relations() -> list[_Relation]:
    return _relations(Supplier)


def contract_relations() -> list[_Relation]:
    return [
        relation
        for relation in _relations(Contract)
        if relation.model is not SpendTransaction  # counted as the supplier's payments
    ]


def merge_refusal(kept: Supplier, merged: Supplier) -> str | None:
    """Why these two cannot be merged, or None."""
    if kept.pk == merged.pk:
        return "Choose two different suppliers to merge."
    kept_number = normalise_company_number(kept.company_number) or kept.company_number
    merged_number = normalise_company_number(merged.company_number) or merged.company_number
    if kept_number and merged_number and kept_number != merged_number:
        return (
            f"{kept.name} has company number {kept.company_number} and {merged.name} has "
            f"{merged.company_number}: they are different companies, so they cannot be merged. "
            "If one number is wrong, correct it on that supplier first."
        )
    return None


def _years_touched(kept: Supplier, merged: Supplier) -> set[int]:
    """Financial years whose summary the merge changes: the merged supplier's payments, and the
    survivor's payments that the moved contracts might now cover."""
    years = set(
        SpendYearSummary.objects.filter(supplier=merged).values_list("financial_year", flat=True)
    )
    kept_years = set(
        SpendYearSummary.objects.filter(supplier=kept).values_list("financial_year", flat=True)
    )
    periods = list(Contract.objects.filter(supplier=merged).values_list("start_date", "end_date"))
    for year in kept_years - years:
        first, last = financial_year_bounds(year)
        if any(
            (start is None or start <= last) and (end is None or end >= first)
            for start, end in periods
        ):
            years.add(year)
    return years


def _move(relation: _Relation, *, merged: Supplier, kept: Supplier, reason: str, user) -> int:
    rows = relation.rows(merged.pk)
    if relation.other:
        both = relation.rows(kept.pk).values(relation.other)
        rows.filter(**{f"{relation.other}__in": both}).delete()
    if relation.model is SupplierAlias or not hasattr(relation.model, "history"):
        return rows.update(**{relation.field: kept.pk})
    moved = 0
    for row in rows.select_for_update().order_by("pk"):
        setattr(row, f"{relation.field}_id", kept.pk)
        if hasattr(row, "version"):
            row.version += 1  # an edit form opened before the merge is told it is stale
        history_note(row, user=user, reason=reason)
        row.save()
        moved += 1
    return moved


@transaction.atomic
def supplier_merge(
    *,
    kept_id: int,
    merged_id: int,
    user: User | None,
    expected_versions: dict[int, int] | None = None,
) -> SupplierMerge:
    """Merge supplier `merged_id` into `kept_id`, in one transaction; refused (MergeRefused,
    or StaleEdit if either changed since `expected_versions`) with nothing changed."""
    suppliers = {
        s.pk: s
        for s in Supplier.objects.select_for_update()
        .filter(pk__in=[kept_id, merged_id])
        .order_by("pk")
    }
    if kept_id not in suppliers or merged_id not in suppliers:
        raise MergeRefused(
            "One of the suppliers no longer exists: it may have been merged already."
        )
    kept, merged = suppliers[kept_id], suppliers[merged_id]
    if (refusal := merge_refusal(kept, merged)) is not None:
        raise MergeRefused(refusal)
    for pk, version in (expected_versions or {}).items():
        if suppliers[pk].version != version:
            raise StaleEdit(STALE_MESSAGE.format(noun="supplier"))

    years = _years_touched(kept, merged)
    record = SupplierMerge.objects.create(
        kept=kept,
        kept_name=kept.name,
        kept_company_number=kept.company_number,
        merged_supplier_id=merged.pk,
        merged_name=merged.name,
        merged_company_number=merged.company_number,
        merged_by=user if user is not None and user.is_authenticated else None,
    )
    reason = f"Merged supplier {merged.name} (ID {merged.pk}) into {kept.name} (ID {kept.pk})"
    moved = {}
    for relation in supplier_relations():
        count = _move(relation, merged=merged, kept=kept, reason=reason, user=user)
        if count and relation.model is not SupplierMerge:
            moved[relation.label] = count
    SupplierAlias.objects.create(
        supplier=kept,
        name=merged.name,
        normalised_name=merged.normalised_name,
        company_number=merged.company_number,
        merge=record,
    )
    record.moved = moved
    record.save(update_fields=["moved"])

    for name in _FILLED:
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
    kept.version += 1
    history_note(kept, user=user, reason=reason)
    kept.save()
    history_note(merged, user=user, reason=reason)
    merged.delete()

    transactions_match_contracts(supplier_ids=[kept.pk], rebuild_summary=False)
    if years:
        spend_summary_rebuild(years=years, supplier_ids=[kept.pk])
    return record


def merge_counts(*, supplier_ids: list[int]) -> dict[int, dict[str, int]]:
    """What would move with each supplier, by label: one query per kind of relation."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in supplier_ids}
    for relation in supplier_relations():
        if relation.model in (SupplierMerge,):
            continue
        for pk, number in _grouped(relation, relation.field, supplier_ids):
            counts[pk][relation.label] = number
    for relation in contract_relations():
        field = f"{relation.field}__supplier"
        label = f"{relation.label} (with their contracts)"
        for pk, number in _grouped(relation, field, supplier_ids):
            counts[pk][label] = number
    return counts


def _grouped(relation: _Relation, field: str, supplier_ids: list[int]) -> list[tuple[int, int]]:
    return list(
        relation.model._default_manager.filter(**{f"{field}__in": supplier_ids})
        .order_by()
        .values_list(field)
        .annotate(number=Count("pk"))
    )
