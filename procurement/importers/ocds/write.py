"""Matching the rows against the register and writing them: a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from core.history import history_note
from procurement.identity import SupplierIndex, name_key
from procurement.importers.ocds.rows import ContractRow, SupplierRow, is_local_postcode
from procurement.importers.ocds.text import clip
from procurement.models import Contract, Supplier
from procurement.services.payment_matching import transactions_match_contracts

if TYPE_CHECKING:
    from procurement.importers.ocds import OcdsImportResult

Membership = Contract.framework_suppliers.through


def import_rows(
    rows: list[ContractRow],
    result: OcdsImportResult,
    *,
    dry_run: bool,
    user: User | None,
) -> None:
    """Plan every change (checked with full_clean), then, unless a dry run, write them."""
    suppliers, new_suppliers = _resolve_suppliers(rows, result)
    new_contracts, changed_contracts, touched_supplier_ids, held = _plan_contracts(
        rows, suppliers, result
    )
    result.suppliers_created = len(new_suppliers)
    result.contracts_created = len(new_contracts)
    result.contracts_updated = len(changed_contracts)
    if result.errors or dry_run:
        return

    if new_suppliers:
        bulk_create_with_history(new_suppliers, Supplier, default_user=user)
    if new_contracts:
        bulk_create_with_history(new_contracts, Contract, default_user=user)
    for contract in changed_contracts:
        contract.version += 1
        history_note(contract, user=user)
        contract.save()
    touched_supplier_ids.update(_write_memberships(rows, suppliers, held))
    touched_supplier_ids.update(contract.supplier_id for contract in new_contracts)
    touched_supplier_ids.update(contract.supplier_id for contract in changed_contracts)
    if touched_supplier_ids:
        transactions_match_contracts(supplier_ids=touched_supplier_ids)


def _resolve_suppliers(
    rows: list[ContractRow], result: OcdsImportResult
) -> tuple[dict[str, Supplier], list[Supplier]]:
    wanted: dict[str, SupplierRow] = {}
    for row in rows:
        for named in row.suppliers:
            wanted.setdefault(named.key, named)
    index = SupplierIndex(
        name_keys={name_key(data.name) for data in wanted.values()},
        numbers={data.company_number for data in wanted.values()},
    )
    resolved: dict[str, Supplier] = {}
    created: list[Supplier] = []
    # Suppliers with a company number first, so a later mention by name alone finds them.
    for key, data in sorted(wanted.items(), key=lambda item: not item[1].company_number):
        folded = name_key(data.name)
        found = index.find(key=folded, number=data.company_number)
        supplier = found.supplier or index.find_new(key=folded, number=data.company_number)
        if supplier is None and found.conflict is not None:
            result.warnings.append(
                found.conflict_message(name=data.name, number=data.company_number)
            )
        if supplier is None:
            supplier = Supplier(
                name=data.name,
                normalised_name=folded,
                company_number=data.company_number,
                charity_number=data.charity_number,
                postcode=data.postcode,
                size=data.size,
                ppon=data.ppon,
                is_vcse=bool(data.charity_number),
                is_local=is_local_postcode(data.postcode),
            )
            _check(supplier, f"Supplier {clip(data.name)}", result, exclude=[])
            created.append(supplier)
            index.add(supplier, key=folded, number=data.company_number)
        resolved[key] = supplier
    return resolved, created


def _plan_contracts(
    rows: list[ContractRow], suppliers: dict[str, Supplier], result: OcdsImportResult
) -> tuple[list[Contract], list[Contract], set[int], dict[int, dict[int, int]]]:
    references = {row.reference for row in rows}
    ocids = {row.ocid for row in rows}
    by_reference: dict[str, Contract] = {}
    by_ocid: dict[str, list[Contract]] = defaultdict(list)
    for held_contract in (
        Contract.objects.select_for_update()
        .filter(Q(reference__in=references) | Q(ocid__in=ocids))
        .order_by("pk")
    ):
        by_reference[held_contract.reference] = held_contract
        by_ocid[held_contract.ocid].append(held_contract)
    rows_per_ocid = Counter(row.ocid for row in rows)
    # The framework suppliers the register holds: contract -> supplier -> membership row.
    held: dict[int, dict[int, int]] = defaultdict(dict)
    existing = [contract.pk for contracts in by_ocid.values() for contract in contracts]
    if existing:
        for pk, contract_id, supplier_id in Membership.objects.filter(
            contract_id__in=existing
        ).values_list("pk", "contract_id", "supplier_id"):
            held[contract_id][supplier_id] = pk

    new: list[Contract] = []
    changed: list[Contract] = []
    touched_supplier_ids: set[int] = set()
    for row in rows:
        supplier = suppliers[row.supplier.key]
        contract = by_reference.get(row.reference)
        if contract is None and rows_per_ocid[row.ocid] == 1 and len(by_ocid[row.ocid]) == 1:
            candidate = by_ocid[row.ocid][0]
            if candidate.reference not in references:
                contract = candidate
        if contract is None:
            contract = Contract(reference=row.reference, ocid=row.ocid, **row.fields)
            contract.supplier = supplier
            if _check(contract, row.label, result):
                new.append(contract)
                row.contract = contract
            continue
        if contract.ocid and contract.ocid != row.ocid:
            result.errors.append(
                f"{row.label}: the register already has contract {contract.reference} for "
                f"another ocid, {contract.ocid}."
            )
            continue
        row.contract = contract
        changes = {
            name: value
            for name, value in {**row.fields, "ocid": row.ocid}.items()
            if getattr(contract, name) != value
        }
        if supplier.pk is None or supplier.pk != contract.supplier_id:
            touched_supplier_ids.add(contract.supplier_id)
            changes["supplier"] = supplier
        members = [suppliers[data.key].pk for data in row.suppliers] if row.is_framework else []
        if None in members or set(members) != held[contract.pk].keys():
            # A framework's suppliers changed: saved as a change, so the history shows when.
            changes["framework_suppliers"] = True
        if not changes:
            continue
        for name, value in changes.items():
            if name != "framework_suppliers":
                setattr(contract, name, value)
        if _check(contract, row.label, result):
            changed.append(contract)
    return new, changed, touched_supplier_ids, held


def _write_memberships(
    rows: list[ContractRow], suppliers: dict[str, Supplier], held: dict[int, dict[int, int]]
) -> set[int]:
    """Each framework's suppliers as the file names them (at most one delete and one insert);
    a contract that is no framework has none. Returns the suppliers that joined or left."""
    wanted: dict[int, set[int]] = {}
    for row in rows:
        if row.contract is not None and (row.is_framework or held[row.contract.pk]):
            members = {suppliers[data.key].pk for data in row.suppliers}
            wanted[row.contract.pk] = members if row.is_framework else set()
    gone: list[int] = []
    added = []
    touched: set[int] = set()
    for contract_id, supplier_ids in wanted.items():
        for supplier_id in held[contract_id].keys() - supplier_ids:
            gone.append(held[contract_id][supplier_id])
            touched.add(supplier_id)
        for supplier_id in sorted(supplier_ids - held[contract_id].keys()):
            added.append(Membership(contract_id=contract_id, supplier_id=supplier_id))
            touched.add(supplier_id)
    if gone:
        Membership.objects.filter(pk__in=gone).delete()
    if added:
        Membership.objects.bulk_create(added, batch_size=500)
    return touched


def _check(
    instance: Supplier | Contract,
    label: str,
    result: OcdsImportResult,
    exclude: list[str] | None = None,
) -> bool:
    """full_clean, minus the foreign keys (set by the importer itself), the uniqueness of the
    reference (already looked up) and the check constraints (each a query; the fields'
    validators say the same, e.g. no negative value), so it costs no query a row."""
    try:
        instance.full_clean(
            exclude=["supplier", "category", "owner", "framework_suppliers"]
            if exclude is None
            else exclude,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        result.errors.append(f"{label}: {problems}")
        return False
    return True
