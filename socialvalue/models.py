"""Social value: the strategy's goals and measures, what suppliers commit to and what they return.

A supplier commits, per contract, to deliver quantities of measures. Each quarter it returns
what it delivered, with evidence. An officer verifies or rejects the return; only verified
returns count in totals. A measure may carry a proxy value in pounds per unit for each
financial year, imported from a measure set the council licenses; none ships with the product.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.financial_year import financial_year_of
from core.money import format_pounds
from procurement.models import Contract, Supplier


class _DecimalSize(TypedDict):
    max_digits: int
    decimal_places: int


QUANTITY: _DecimalSize = {"max_digits": 16, "decimal_places": 2}


class Goal(models.Model):
    """One of the strategy's Key Social Value Goals, or a theme of an imported measure set."""

    code = models.CharField(
        max_length=20, blank=True, help_text="Short reference, for example “WCC-1”."
    )
    name = models.CharField(max_length=255, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages.")

    class Meta:
        ordering = ["position", "name"]
        # Forms and importers refuse a blank name; loaddata validates nothing, so the database
        # refuses one too.
        constraints = [models.CheckConstraint(condition=~models.Q(name=""), name="goal_has_name")]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    class Unit(models.TextChoices):
        NUMBER = "number", "Number"
        HOURS = "hours", "Hours"
        POUNDS = "pounds", "£"
        TONNES = "tonnes", "Tonnes"

    # The most one contract could plausibly deliver in a quarter; more is a typing error.
    QUARTERLY_LIMITS: ClassVar[dict[str, Decimal]] = {
        Unit.NUMBER: Decimal("10000"),
        Unit.HOURS: Decimal("100000"),
        Unit.POUNDS: Decimal("100000000"),
        Unit.TONNES: Decimal("100000"),
    }

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="measures")
    code = models.CharField(
        max_length=30, unique=True, help_text="Unique reference, for example “WCC-1.1”."
    )
    description = models.CharField(max_length=500, help_text="What is counted.")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    is_local_spend = models.BooleanField(
        "Local spend",
        default=False,
        help_text="Counts spend retained in the county (for the annual review).",
    )
    is_environmental = models.BooleanField(
        "Environmental",
        default=False,
        help_text="Counts contracts delivering a positive environmental impact.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal__position", "position", "code"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(code=""), name="measure_has_code"),
            models.CheckConstraint(
                condition=~models.Q(description=""), name="measure_has_description"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def unit_label(self) -> str:
        return self.get_unit_display()


def format_quantity(quantity: Decimal, unit: str) -> str:
    """A quantity with its unit, for messages: "£1,250.00", "120 hours", "15"."""
    if unit == Measure.Unit.POUNDS:
        return format_pounds(quantity, drop_zero_pence=True)
    text = f"{quantity:,.2f}".removesuffix(".00")
    suffixed: dict[str, str] = {
        Measure.Unit.HOURS: f"{text} hours",
        Measure.Unit.TONNES: f"{text} tonnes",
    }
    return suffixed.get(unit, text)


def quantity_problem(measure: Measure, quantity: Decimal | None, *, quarters: int = 1) -> str:
    """Why a returned quantity cannot be right, naming the measure; '' if it is plausible."""
    if quantity is None:
        return ""
    name = f"{measure.code} {measure.description}"
    if quantity < 0:
        return f"{name}: the quantity delivered cannot be negative"
    limit = Measure.QUARTERLY_LIMITS[measure.unit] * quarters
    if quantity > limit:
        span = "a quarter" if quarters == 1 else f"{quarters} quarters"
        return (
            f"{name}: {format_quantity(quantity, measure.unit)} is more than one contract "
            f"could deliver in {span} (at most {format_quantity(limit, measure.unit)}). "
            "Check the figure and its unit"
        )
    return ""


class ProxyValue(models.Model):
    """What one unit of a measure is worth in pounds, in one financial year."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="proxy_values")
    financial_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1990), MaxValueValidator(2200)],
        help_text="By its April start: 2024 means 2024/25.",
    )
    value_per_unit = models.DecimalField(
        "£ per unit",
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text="Proxy value of one unit, in pounds.",
    )
    source = models.CharField(
        max_length=255, blank=True, help_text="Where the value comes from (measure set, edition)."
    )

    class Meta:
        ordering = ["measure", "-financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "financial_year"], name="proxy_value_once_a_year"
            ),
            models.CheckConstraint(
                condition=models.Q(value_per_unit__gte=0), name="proxy_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.financial_year}: £{self.value_per_unit}"


class SupplierContact(models.Model):
    """A supplier's user: sees and returns social value for that supplier's contracts only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_contact"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="social_value_contacts"
    )

    def __str__(self) -> str:
        return f"{self.user} for {self.supplier}"


class Commitment(models.Model):
    """What the supplier promised on a contract for one measure, by when."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="social_value_commitments"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="commitments")
    quantity = models.DecimalField(
        "Quantity promised",
        **QUANTITY,
        validators=[MinValueValidator(0)],
        help_text="In the measure's unit, over the life of the contract.",
    )
    due_by = models.DateField("Deliver by", help_text="When the full quantity is due.")
    notes = models.TextField(blank=True, help_text="Optional. How the supplier will deliver it.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "measure__goal__position", "measure__position", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "measure"], name="commitment_per_measure"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="commitment_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.quantity} × {self.measure.code}"


class SocialValueReturn(VersionedModel):
    """What a supplier reports it delivered on one contract in one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    EDITABLE = (Status.DRAFT, Status.REJECTED)
    TAG_COLOURS = {"draft": "grey", "submitted": "blue", "verified": "green", "rejected": "red"}

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="social_value_returns"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    financial_year = models.PositiveSmallIntegerField(
        editable=False, help_text="Financial year of the period's end date."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officer who verified or rejected the return.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(
        blank=True, help_text="Why the return was rejected: what the supplier must change."
    )
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-period_end", "contract"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start"], name="return_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="return_period_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["financial_year"], name="return_financial_year"),
            models.Index(fields=["status", "financial_year"], name="return_status_year"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.period_label}"

    def clean(self) -> None:
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            raise ValidationError({"rejection_reason": "Enter why the return is rejected"})

    def save(self, *args, **kwargs) -> None:
        self.financial_year = financial_year_of(self.period_end)
        super().save(*args, **kwargs)

    @property
    def period(self):
        from socialvalue.periods import Period

        return Period(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        return self.period.label

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def tag_colour(self) -> str:
        return self.TAG_COLOURS.get(self.status, "grey")


class ReturnLine(models.Model):
    """The quantity delivered for one measure in a return, with its evidence."""

    social_value_return = models.ForeignKey(
        SocialValueReturn, on_delete=models.CASCADE, related_name="lines"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.DecimalField(
        "Quantity delivered",
        **QUANTITY,
        default=0,
        help_text="In the measure's unit, delivered in this period only.",
    )
    evidence = models.TextField(
        blank=True, help_text="What shows it was delivered: names, dates, places, numbers."
    )
    evidence_url = models.URLField(
        "Link to evidence", max_length=500, blank=True, help_text="Optional. A web page or file."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure__goal__position", "measure__position", "measure__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["social_value_return", "measure"], name="return_line_per_measure"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="return_line_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.quantity}"

    def clean(self) -> None:
        quarters = self.social_value_return.period.quarter_count
        problem = quantity_problem(self.measure, self.quantity, quarters=quarters)
        if problem:
            raise ValidationError({"quantity": problem})


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    """A random name: the supplier's file name is kept in the database, never on disk."""
    return f"evidence/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class EvidenceFile(models.Model):
    """A file uploaded as evidence for a return. Served only through a view that checks access."""

    social_value_return = models.ForeignKey(
        SocialValueReturn, on_delete=models.CASCADE, related_name="evidence_files"
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="Optional. The measure this file is evidence for.",
    )
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255, help_text="The name it was uploaded with.")
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(help_text="In bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
