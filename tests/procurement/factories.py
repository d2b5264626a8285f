"""factory_boy factories for the procurement models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from procurement import models


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    size = models.Supplier.Size.SMALL
    is_local = False
    is_vcse = False


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    sub_team = models.SubTeam.CORPORATE


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contract

    reference = factory.Sequence(lambda n: f"WCC-{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    supplier = factory.SubFactory(SupplierFactory)
    category = factory.SubFactory(CategoryFactory)
    start_date = dt.date(2023, 4, 1)
    end_date = dt.date(2026, 3, 31)
    total_value = Decimal("250000")
    annual_value = Decimal("83333.33")
    status = models.Contract.Status.LIVE


class VariationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Variation

    contract = factory.SubFactory(ContractFactory)
    varied_on = dt.date(2024, 6, 1)
    reason = "Additional scope"
    value_change = Decimal("10000")
    new_end_date = None
    approved_by = "Head of Commercial"


class SpendImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SpendImport

    filename = factory.Sequence(lambda n: f"spend-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class SpendTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SpendTransaction

    spend_import = factory.SubFactory(SpendImportFactory)
    line_number = factory.Sequence(lambda n: n + 2)
    paid_on = dt.date(2024, 5, 15)
    supplier = factory.SubFactory(SupplierFactory)
    supplier_name = factory.LazyAttribute(lambda t: t.supplier.name if t.supplier else "REDACTED")
    amount = Decimal("1000")
    service_area = "Adult Services"
    expense_type = "Services"


class SavingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Saving

    contract = factory.SubFactory(ContractFactory)
    financial_year = 2024
    kind = models.Saving.Kind.CASHABLE
    amount = Decimal("5000")
    description = factory.Sequence(lambda n: f"Saving {n}")


class PipelineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PipelineItem

    title = factory.Sequence(lambda n: f"Planned procurement {n}")
    category = factory.SubFactory(CategoryFactory)
    estimated_value = Decimal("150000")
    planned_start = dt.date(2025, 9, 1)
    status = models.PipelineItem.Status.PLANNED
