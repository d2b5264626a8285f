"""Link spend transactions to the contract they fall under.

A payment is on-contract when the same supplier holds a contract (or is one of the suppliers
on a framework agreement) that was running on the day it was paid (start date on or before,
end date on or after, either may be open). Where several contracts match, the one that started
last wins. One UPDATE does the whole table (or the given suppliers, or one import's payments),
so it runs after every contract change and import; it then rebuilds the spend summary for the
same suppliers.

On PostgreSQL the spend import instead sets each payment's contract as it inserts it, with the
same rule written as SQL (covering_contracts_sql): updating a million rows after inserting them
would write each row, and every index entry it has, twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, Subquery

from procurement.models import Contract, SpendTransaction
from procurement.services.spend_summary import spend_summary_rebuild


def transactions_match_contracts(
    *,
    supplier_ids: Iterable[int] | None = None,
    spend_import_id: int | None = None,
    rebuild_summary: bool = True,
) -> int:
    """Set (or clear) each transaction's contract; returns the number of rows updated.

    With `spend_import_id`, only the payments of that import are matched, and only those a
    contract covers are written: a new import's payments have no contract yet, and rewriting a
    million rows to set NULL again costs as much as inserting them. The caller rebuilds the
    summary for the import (`rebuild_summary=False`), as only it knows the years involved.
    """
    # A framework agreement covers the payments to each of its suppliers, not only the first.
    on_framework = Contract.framework_suppliers.through.objects.filter(
        contract_id=OuterRef("pk"), supplier_id=OuterRef(OuterRef("supplier_id"))
    )
    covering = (
        Contract.objects.filter(Q(supplier_id=OuterRef("supplier_id")) | Exists(on_framework))
        .exclude(status=Contract.Status.DRAFT)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=OuterRef("paid_on")))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("paid_on")))
        .order_by("-start_date", "-id")
        .values("id")
    )
    transactions = SpendTransaction.objects.filter(supplier__isnull=False)
    if supplier_ids is not None:
        supplier_ids = list(supplier_ids)
        transactions = transactions.filter(supplier_id__in=supplier_ids)
    if spend_import_id is not None:
        # Only the covered payments are written: EXISTS (a semi-join) leaves the rest alone.
        transactions = transactions.filter(spend_import_id=spend_import_id).filter(
            Exists(covering.order_by())
        )
    updated = transactions.update(contract_id=Subquery(covering[:1]))
    if rebuild_summary:
        # The dashboard's per-year totals split spend by contract, so they move with the matching.
        spend_summary_rebuild(supplier_ids=supplier_ids)
    return updated


def covering_contracts_sql(*, payments: str, key: str) -> tuple[str, list[str]]:
    """PostgreSQL: SQL (and its parameters) giving `key` and `contract_id` for each row of
    `payments` that a contract covers, by the rule of transactions_match_contracts.

    `payments` is a table, or a subquery in brackets, with the columns `key`, supplier_id and
    paid_on; its own parameters come before the ones returned. One join and a sort, instead of
    a subquery a row. "Started last" sorts as the ORM does on PostgreSQL (DESC puts a contract
    with no start date first); a test holds the two to the same result.
    """
    table = Contract._meta.db_table
    members = Contract.framework_suppliers.through._meta.db_table
    # Each contract under its supplier and, for a framework, under each of its suppliers too:
    # a join on equality, so PostgreSQL can still hash it.
    contracts = (
        f"(SELECT id, supplier_id, status, start_date, end_date FROM {table}"
        f" UNION ALL SELECT c.id, m.supplier_id, c.status, c.start_date, c.end_date"
        f" FROM {table} c JOIN {members} m ON m.contract_id = c.id)"
    )
    sql = (
        f"SELECT DISTINCT ON (payment.{key}) payment.{key}, contract.id AS contract_id"
        f" FROM {payments} payment JOIN {contracts} contract"
        " ON contract.supplier_id = payment.supplier_id"
        " WHERE contract.status <> %s"
        " AND (contract.start_date IS NULL OR contract.start_date <= payment.paid_on)"
        " AND (contract.end_date IS NULL OR contract.end_date >= payment.paid_on)"
        f" ORDER BY payment.{key}, contract.start_date DESC, contract.id DESC"
    )
    return sql, [Contract.Status.DRAFT.value]
