"""Writes for planning: recording savings and keeping the procurement pipeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from core.history import history_save
from procurement.models import Contract, PipelineItem, Saving

PIPELINE_FIELDS = (
    "title",
    "category",
    "estimated_value",
    "planned_start",
    "route",
    "status",
    "owner",
    "replaces",
    "notes",
)


@transaction.atomic
def saving_create(
    *,
    financial_year: int,
    kind: str,
    amount: Decimal,
    description: str,
    recorded_by: User,
    contract: Contract | None = None,
) -> Saving:
    saving = Saving(
        contract=contract,
        financial_year=financial_year,
        kind=kind,
        amount=amount,
        description=description,
        recorded_by=recorded_by,
    )
    return history_save(saving, user=recorded_by)


@transaction.atomic
def pipeline_item_create(
    *,
    title: str,
    estimated_value: Decimal,
    planned_start: date,
    created_by: User,
    **fields: Any,
) -> PipelineItem:
    unknown = set(fields) - set(PIPELINE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown pipeline fields: {sorted(unknown)}")
    item = PipelineItem(
        title=title, estimated_value=estimated_value, planned_start=planned_start, **fields
    )
    return history_save(item, user=created_by)


@transaction.atomic
def pipeline_item_update(
    *, item: PipelineItem, changes: dict[str, Any], updated_by: User
) -> PipelineItem:
    item = PipelineItem.objects.select_for_update().get(pk=item.pk)
    for name, value in changes.items():
        if name not in PIPELINE_FIELDS:
            raise TypeError(f"Unknown pipeline field: {name}")
        setattr(item, name, value)
    return history_save(item, user=updated_by)
