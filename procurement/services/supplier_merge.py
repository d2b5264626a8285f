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

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import STALE_MESSAGE, StaleEdit
from core.financial_year import financial_year_bounds
from core.history import history_note
from procurement.models import (
    Contract,
    SpendYearSummary,
    Supplier,
    SupplierAlias,
    SupplierMerge,
)
from procurement.services.payment_matching import transactions_match_contracts
from procurement.services.spend_summary import spend_summary_rebuild
from procurement.supplier_relations import Relation, merge_refusal, supplier_relations

# Copied to the survivor when it has none.
_FILLED = ("company_number", "charity_number", "postcode")


class MergeRefused(ValidationError):
    pass


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


def _move(
    relation: Relation, *, merged: Supplier, kept: Supplier, reason: str, user: User | None
) -> int:
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
