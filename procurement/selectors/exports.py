"""Reads for the open data exports the Local Government Transparency Code 2015 asks for."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, CharField, F, QuerySet, Value, When

from procurement.models import Contract, Route, Supplier

TRANSPARENCY_THRESHOLD = Decimal("5000")

TRANSPARENCY_HEADER = [
    "Reference",
    "Title",
    "Department",
    "Description",
    "Supplier name",
    "Supplier company number",
    "Supplier charity number",
    "Value (£)",
    "Start date",
    "End date",
    "Review date",
    "Procurement route",
    "SME",
    "VCSE",
]


def _route_label() -> Case:
    return Case(
        *(When(route=value, then=Value(label)) for value, label in Route.choices),
        default=F("route"),
        output_field=CharField(),
    )


def _sme_label() -> Case:
    return Case(
        When(supplier__size__in=Supplier.SME_SIZES, then=Value("Yes")),
        When(supplier__size=Supplier.Size.UNKNOWN, then=Value("Not known")),
        default=Value("No"),
        output_field=CharField(),
    )


def contracts_for_transparency() -> QuerySet[Contract, tuple[object, ...]]:
    """Contracts worth more than £5,000, one tuple a contract in TRANSPARENCY_HEADER order.

    The Code asks for every contract "with a value that exceeds £5,000"; the value used is the
    whole-life value, so contracts with no value recorded are left out. One query.
    """
    return (
        Contract.objects.filter(total_value__gt=TRANSPARENCY_THRESHOLD)
        .annotate(route_label=_route_label(), sme=_sme_label())
        .order_by("reference")
        .values_list(
            "reference",
            "title",
            "department",
            "description",
            "supplier__name",
            "supplier__company_number",
            "supplier__charity_number",
            "total_value",
            "start_date",
            "end_date",
            "review_date",
            "route_label",
            "sme",
            "supplier__is_vcse",
        )
    )
