"""The one record the cross-app pages own: the savings target for each financial year."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.financial_year import FIRST_YEAR, LAST_YEAR, financial_year_label
from core.money import format_pounds


class SavingsTarget(models.Model):
    """How much the council aims to save in a financial year. Savings themselves are recorded
    in procurement; the annual review sets them against this."""

    financial_year = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text="The year by its April start: 2024 means 2024/25.",
    )
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="The savings target for the year, cashable and non-cashable, in pounds.",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who set the target.",
    )
    note = models.TextField(
        blank=True, help_text="Where the target comes from, for example the budget decision."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-financial_year"]

    def __str__(self) -> str:
        label = financial_year_label(self.financial_year)
        return f"Savings target {label}: {format_pounds(self.amount)}"
