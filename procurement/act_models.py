"""The Procurement Act 2023 in the register: contract KPIs, their ratings, and the notices due.

The rules that decide when a notice is due live in `procurement/act.py`; these are the rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Kpi(models.Model):
    """A key performance indicator set for a contract (Procurement Act 2023 s.52)."""

    contract = models.ForeignKey(
        "procurement.Contract", on_delete=models.PROTECT, related_name="kpis"
    )
    name = models.CharField(max_length=255, help_text="What is measured, in a few words.")
    good_looks_like = models.TextField(
        "What good looks like", help_text="The target the supplier is held to."
    )
    measured_by = models.TextField("How it is measured", help_text="The source and the method.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name


class KpiRating(models.Model):
    """An officer's assessment of one KPI (s.71(2); ratings from Regulations 2024 reg. 39(5)).

    Append-only: a new rating never overwrites an earlier one.
    """

    class Rating(models.TextChoices):
        GOOD = "good", "Good"
        APPROACHING = "approaching", "Approaching target"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        OTHER = "other", "Other"

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="ratings")
    rated_on = models.DateField(help_text="The day the assessment was made.")
    period_start = models.DateField(help_text="The start of the period the rating covers.")
    rating = models.CharField(max_length=24, choices=Rating.choices)
    explanation = models.TextField(
        blank=True, help_text="Why; required when the rating is Other (reg. 39(5))."
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rating="other") | ~models.Q(explanation=""),
                name="kpi_rating_other_explained",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.get_rating_display()} on {self.rated_on}"


class Notice(models.Model):
    """A notice the Act makes due, with what made it due, its deadline and whether it is out.

    `key` names the event that made it due (a contract's signature, a rating day, a variation,
    an end date, a financial year, a reporting period), so working the rules out again never
    adds the same notice twice. The pipeline and payments compliance notices are the council's,
    not a contract's: they have no contract and carry the period they cover instead.
    """

    class Kind(models.TextChoices):
        CONTRACT_DETAILS = "contract_details", "Contract details notice"
        CONTRACT_PERFORMANCE = "contract_performance", "Contract performance notice"
        CONTRACT_CHANGE = "contract_change", "Contract change notice"
        CONTRACT_TERMINATION = "contract_termination", "Contract termination notice"
        PIPELINE = "pipeline", "Pipeline notice"
        PAYMENTS_COMPLIANCE = "payments_compliance", "Payments compliance notice"

    COUNCIL_KINDS = (Kind.PIPELINE, Kind.PAYMENTS_COMPLIANCE)

    kind = models.CharField(max_length=24, choices=Kind.choices)
    contract = models.ForeignKey(
        "procurement.Contract",
        on_delete=models.CASCADE,
        related_name="notices",
        null=True,
        blank=True,
        help_text="Empty for the council's own notices (pipeline, payments compliance).",
    )
    period_start = models.DateField(
        null=True, blank=True, help_text="The first day of the period the notice covers."
    )
    period_end = models.DateField(
        null=True, blank=True, help_text="The last day of the period the notice covers."
    )
    key = models.CharField(max_length=120, unique=True, editable=False)
    reason = models.CharField(max_length=255, help_text="What made the notice due.")
    due_on = models.DateField("Deadline")
    published_on = models.DateField(null=True, blank=True)
    identifier = models.CharField(
        "Notice identifier",
        max_length=120,
        blank=True,
        help_text="The notice's identifier on the central digital platform.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["due_on"], name="notice_due_on"),
            models.Index(fields=["contract", "due_on"], name="notice_contract_due_on"),
        ]
        constraints = [
            # A contract's notice names its contract; the council's own notices name none.
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["pipeline", "payments_compliance"], contract__isnull=True)
                    | (
                        ~models.Q(kind__in=["pipeline", "payments_compliance"])
                        & models.Q(contract__isnull=False)
                    )
                ),
                name="notice_contract_unless_council_wide",
            )
        ]

    def __str__(self) -> str:
        whose = f"contract {self.contract_id}" if self.contract_id else "the council"
        return f"{self.get_kind_display()} for {whose} due {self.due_on}"

    @property
    def is_council_wide(self) -> bool:
        return self.kind in self.COUNCIL_KINDS
