"""Link spend transactions to the contract they fall under.

A payment is on-contract when the same supplier holds a contract that was running on the day
it was paid (start date on or before, end date on or after, either may be open). Where several
contracts match, the one that started last wins. One UPDATE does the whole table (or the given
suppliers), so it runs after every import and every contract change; it then rebuilds the
spend summary for the same suppliers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery

from procurement.models import Contract, SpendTransaction
from procurement.services.spend_summary import spend_summary_rebuild


def transactions_match_contracts(*, supplier_ids: Iterable[int] | None = None) -> int:
    """Set (or clear) each transaction's contract; returns the number of rows updated."""
    covering = (
        Contract.objects.filter(supplier_id=OuterRef("supplier_id"))
        .exclude(status=Contract.Status.DRAFT)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=OuterRef("paid_on")))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("paid_on")))
        .order_by("-start_date", "-id")
        .values("id")[:1]
    )
    transactions = SpendTransaction.objects.filter(supplier__isnull=False)
    if supplier_ids is not None:
        supplier_ids = list(supplier_ids)
        transactions = transactions.filter(supplier_id__in=supplier_ids)
    updated = transactions.update(contract_id=Subquery(covering))
    # The dashboard's per-year totals split spend by contract, so they move with the matching.
    spend_summary_rebuild(supplier_ids=supplier_ids)
    return updated
