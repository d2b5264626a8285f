"""Writes for the contracts register: contracts, variations and suppliers.

Edits go through `core.concurrency.update_versioned`, so an officer's save is refused (StaleEdit)
when someone else saved the record after the officer opened it. Every change to a contract
re-matches its supplier's spend, which is what moves spend between off- and on-contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import update_versioned
from core.history import history_note, history_save
from core.money import format_pounds
from procurement.models import Contract, Supplier, Variation
from procurement.services.notices import notices_sync
from procurement.services.payment_matching import transactions_match_contracts


def _check_dates(start_date: dt.date | None, end_date: dt.date | None) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date."})


@transaction.atomic
def contract_create(*, user: User | None, **fields: Any) -> Contract:
    """Add a contract to the register and link its supplier's spend to it."""
    contract = Contract(**fields)
    _check_dates(contract.start_date, contract.end_date)
    history_save(contract, user=user)
    transactions_match_contracts(supplier_ids=[contract.supplier_id])
    notices_sync(contract_ids=[contract.pk])
    return contract


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    expected_version: int,
    changes: dict[str, Any],
    user: User | None,
) -> Contract:
    """Save an officer's edit unless the contract moved on since `expected_version`."""
    _check_dates(
        changes.get("start_date", contract.start_date), changes.get("end_date", contract.end_date)
    )
    previous_supplier_id = Contract.objects.values_list("supplier_id", flat=True).get(
        pk=contract.pk
    )
    updated = update_versioned(
        contract, expected_version=expected_version, changes=changes, user=user
    )
    suppliers = {previous_supplier_id, updated.supplier_id}
    if updated.is_framework:  # its dates and status decide the payments to all its suppliers
        suppliers.update(updated.framework_suppliers.values_list("pk", flat=True))
    transactions_match_contracts(supplier_ids=suppliers)
    notices_sync(contract_ids=[updated.pk])
    return updated


@transaction.atomic
def variation_record(
    *,
    contract: Contract,
    varied_on: dt.date,
    reason: str,
    value_change: Decimal = Decimal("0"),
    new_end_date: dt.date | None = None,
    approved_by: str = "",
    user: User | None,
) -> Variation:
    """Record a variation and apply it to the contract in the same transaction.

    The contract row is locked first and the new value computed from the locked row, so two
    variations recorded at once both count.
    """
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    variation = Variation(
        contract=current,
        varied_on=varied_on,
        reason=reason,
        value_change=value_change,
        new_end_date=new_end_date,
        approved_by=approved_by,
        recorded_by=user,
        value_before=current.total_value,
        end_date_before=current.end_date,
    )
    variation.full_clean()
    if new_end_date and current.start_date and new_end_date < current.start_date:
        raise ValidationError(
            {"new_end_date": "The new end date must be on or after the contract's start date."}
        )
    new_total = (current.total_value or Decimal("0")) + value_change
    if new_total < 0:
        raise ValidationError(
            {
                "value_change": f"This change would take the total value below £0 (to "
                f"{format_pounds(new_total)}); the total value is "
                f"{format_pounds(current.total_value or 0)}"
            }
        )
    history_note(variation, user=user)
    variation.save()
    changes: dict[str, Any] = {}
    if value_change:
        changes["total_value"] = new_total
    if new_end_date:
        changes["end_date"] = new_end_date
    if changes:
        update_versioned(current, expected_version=current.version, changes=changes, user=user)
        transactions_match_contracts(supplier_ids=[current.supplier_id])
    notices_sync(contract_ids=[current.pk])
    return variation


@transaction.atomic
def supplier_create(*, user: User | None, **fields: Any) -> Supplier:
    supplier = Supplier(**fields)
    return history_save(supplier, user=user, exclude=["normalised_name"])


@transaction.atomic
def supplier_update(
    *,
    supplier: Supplier,
    expected_version: int,
    changes: dict[str, Any],
    user: User | None,
) -> Supplier:
    """Save an officer's edit unless the supplier moved on since `expected_version`."""
    return update_versioned(supplier, expected_version=expected_version, changes=changes, user=user)
