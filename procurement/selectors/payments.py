"""Reads for the payments page: every spend line, filtered, each with its file and line."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from procurement.models import SpendTransaction


def spend_payments(*, filters: dict[str, Any]) -> QuerySet[SpendTransaction]:
    """Payments matching `filters` (PaymentFilterForm.filters), newest first, with their
    supplier and source file joined in, ready to page through (a count and one page)."""
    rows = SpendTransaction.objects.select_related("supplier", "spend_import", "contract")
    conditions = {
        "supplier": Q(supplier_id=filters.get("supplier")),
        "supplier_name": Q(supplier_name__icontains=filters.get("supplier_name"))
        | Q(supplier__name__icontains=filters.get("supplier_name")),
        "paid_from": Q(paid_on__gte=filters.get("paid_from")),
        "paid_to": Q(paid_on__lte=filters.get("paid_to")),
        "amount_min": Q(amount__gte=filters.get("amount_min")),
        "amount_max": Q(amount__lte=filters.get("amount_max")),
        "service_area": Q(service_area__icontains=filters.get("service_area")),
        "reference": Q(reference__icontains=filters.get("reference")),
        "source_file": Q(spend_import__filename__icontains=filters.get("source_file")),
    }
    for name, condition in conditions.items():
        if filters.get(name) not in (None, ""):
            rows = rows.filter(condition)
    return rows.order_by("-paid_on", "spend_import_id", "line_number")
