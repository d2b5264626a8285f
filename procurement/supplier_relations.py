"""What points at a supplier, and whether two suppliers may be merged.

Shared by the merge preview (`procurement.selectors.register.supplier_merge_preview`: what would
move, and any refusal) and the merge itself (`procurement.services.supplier_merge`). Relations
are found from the models' reverse relations, so one added later is counted and moved too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, ForeignObjectRel, ManyToManyRel

from procurement.identity import normalise_company_number
from procurement.models import Contract, SpendTransaction, SpendYearSummary, Supplier, SupplierMerge

# Derived from payments and rebuilt after the move, not moved.
_REBUILT = (SpendYearSummary,)


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: str  # the field on `model` that points at the supplier (or contract)
    label: str
    other: str = ""  # a many-to-many table's other side: a row both already have is dropped

    def rows(self, target_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.field: target_id})


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")  # django-simple-history's historical models


def _relations(target: type[models.Model]) -> list[Relation]:
    """Every model row that points at a `target` row (reverse foreign keys, one-to-ones and
    many-to-many tables), except history and derived summaries."""
    found = []
    for rel in target._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel):  # reverse relations only
            continue
        model = rel.related_model
        assert isinstance(model, type) and issubclass(model, models.Model)
        if isinstance(rel, ManyToManyRel):
            through = rel.through
            assert isinstance(through, type) and issubclass(through, models.Model)
            m2m = rel.field
            assert isinstance(m2m, models.ManyToManyField)
            label = f"{model._meta.verbose_name_plural} (as one of their suppliers)"
            found.append(
                Relation(through, m2m.m2m_reverse_field_name(), label, other=m2m.m2m_field_name())
            )
            continue
        if _is_history(model) or model in _REBUILT:
            continue
        found.append(Relation(model, rel.field.name, str(model._meta.verbose_name_plural)))
    return sorted(found, key=lambda relation: relation.label)


def supplier_relations() -> list[Relation]:
    return _relations(Supplier)


def contract_relations() -> list[Relation]:
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


def _grouped(relation: Relation, field: str, supplier_ids: list[int]) -> list[tuple[int, int]]:
    return list(
        relation.model._default_manager.filter(**{f"{field}__in": supplier_ids})
        .order_by()
        .values_list(field)
        .annotate(number=Count("pk"))
    )
