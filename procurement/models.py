"""Suppliers, the contracts register, spend, savings and the procurement pipeline."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.money import format_pounds


class DecimalShape(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: DecimalShape = {"max_digits": 14, "decimal_places": 2}
SOCIAL_VALUE_THRESHOLD = Decimal("100000")
SOCIAL_VALUE_MIN_WEIGHTING = Decimal("10")


def not_negative(field: str, label: str) -> tuple[MinValueValidator, models.CheckConstraint]:
    """A money field that cannot be negative: the form's validator and the database's check.
    An empty (unknown) value is allowed."""
    return (
        MinValueValidator(0, message=f"The {label} must be £0 or more"),
        models.CheckConstraint(
            condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
            name=f"%(class)s_{field}_not_negative",
        ),
    )


TOTAL_NOT_NEGATIVE = not_negative("total_value", "total value")
ANNUAL_NOT_NEGATIVE = not_negative("annual_value", "annual value")


class SubTeam(models.TextChoices):
    PEOPLE = "people", "People"
    PLACE = "place", "Place"
    CORPORATE = "corporate", "Corporate"
    OPERATIONS = "operations", "Operations"


class Risk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    UNKNOWN = "unknown", "Not assessed"


class Route(models.TextChoices):
    OPEN = "open", "Open procedure"
    RESTRICTED = "restricted", "Restricted procedure"
    COMPETITIVE = "competitive", "Competitive procedure with negotiation"
    DIALOGUE = "dialogue", "Competitive dialogue"
    FRAMEWORK = "framework", "Framework call-off"
    DPS = "dps", "Dynamic purchasing system"
    QUOTATION = "quotation", "Quotation (below threshold)"
    DIRECT = "direct", "Direct award"
    LIGHT_TOUCH = "light_touch", "Light touch regime"
    OTHER = "other", "Other"


class Supplier(VersionedModel):
    class Size(models.TextChoices):
        MICRO = "micro", "Micro (fewer than 10 staff)"
        SMALL = "small", "Small (10 to 49 staff)"
        MEDIUM = "medium", "Medium (50 to 249 staff)"
        LARGE = "large", "Large (250 staff or more)"
        UNKNOWN = "unknown", "Not known"

    SME_SIZES = (Size.MICRO, Size.SMALL, Size.MEDIUM)

    name = models.CharField(max_length=255, help_text="The supplier's trading or legal name.")
    normalised_name = models.CharField(
        max_length=255,
        editable=False,
        help_text="Name folded for matching: lower case, no punctuation, no “Ltd/Limited”.",
    )
    company_number = models.CharField(
        max_length=20, blank=True, help_text="Companies House number, if any."
    )
    charity_number = models.CharField(
        max_length=20, blank=True, help_text="Charity Commission number, if any."
    )
    postcode = models.CharField(max_length=10, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, default=Size.UNKNOWN)
    is_vcse = models.BooleanField(
        "VCSE", default=False, help_text="Voluntary, community or social enterprise."
    )
    is_local = models.BooleanField(
        "Local", default=False, help_text="Based in the county (Worcestershire)."
    )
    is_strategic = models.BooleanField(
        "Strategic", default=False, help_text="One of the council's strategic suppliers."
    )
    # What a contract details notice records of each supplier (Procurement Regulations 2024,
    # reg. 32-35): its identifiers and whether it is an SME, a VCSE, a supported employment
    # provider or a public service mutual.
    ppon = models.CharField(
        "PPON",
        max_length=40,
        blank=True,
        help_text="Public Procurement Organisation Number on the central digital platform.",
    )
    is_supported_employment = models.BooleanField(
        "Supported employment provider",
        default=False,
        help_text="Mainly employs disabled or disadvantaged people (Procurement Act 2023 s.32).",
    )
    is_public_service_mutual = models.BooleanField(
        "Public service mutual",
        default=False,
        help_text="A mutual spun out of the public sector (Procurement Act 2023 s.33).",
    )
    financial_risk = models.CharField(
        max_length=10,
        choices=Risk.choices,
        default=Risk.UNKNOWN,
        help_text="From the latest financial health check.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["normalised_name"], name="supplier_normalised_name"),
            models.Index(fields=["company_number"], name="supplier_company_number"),
            models.Index(fields=["size"], name="supplier_size"),
            models.Index(fields=["is_local", "is_vcse"], name="supplier_local_vcse"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sme(self) -> bool:
        return self.size in self.SME_SIZES

    def save(self, *args, **kwargs) -> None:
        from procurement.identity import name_key

        self.normalised_name = name_key(self.name)
        super().save(*args, **kwargs)


class SupplierAlias(models.Model):
    """A name (and number) a merged supplier had: later imports resolve it to the survivor."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)
    normalised_name = models.CharField(max_length=255)
    company_number = models.CharField(max_length=20, blank=True)
    merge = models.ForeignKey(
        "SupplierMerge", on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )

    class Meta:
        verbose_name_plural = "supplier aliases"
        indexes = [models.Index(fields=["normalised_name"], name="alias_normalised_name")]

    def __str__(self) -> str:
        return f"{self.name} → {self.supplier_id}"


class SupplierMerge(models.Model):
    """An officer's merge of one supplier into another: who, when, both names and numbers, and
    how many rows of each kind moved (`moved`: {"contracts": 2, ...})."""

    kept = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="merges")
    kept_name = models.CharField(max_length=255)
    kept_company_number = models.CharField(max_length=20, blank=True)
    merged_supplier_id = models.PositiveIntegerField(help_text="The merged supplier's old id.")
    merged_name = models.CharField(max_length=255)
    merged_company_number = models.CharField(max_length=20, blank=True)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} merged into {self.kept_name}"


class Category(models.Model):
    name = models.CharField(max_length=120, unique=True)
    sub_team = models.CharField(
        max_length=12,
        choices=SubTeam.choices,
        help_text="The commercial sub-team that owns this category.",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Contract(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Being procured"
        LIVE = "live", "Live"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated early"

    class Procedure(models.TextChoices):
        """How the contract was awarded under the Procurement Act 2023 (s.19-s.46)."""

        OPEN = "open", "Open procedure"
        COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure"
        DIRECT_AWARD = "direct_award", "Direct award"
        FRAMEWORK_CALL_OFF = "framework_call_off", "Call-off from a framework"
        DYNAMIC_MARKET = "dynamic_market", "Award through a dynamic market"
        BELOW_THRESHOLD = "below_threshold", "Below-threshold award"
        PCR_2015 = "pcr_2015", "Procured before the Act (PCR 2015)"

    class Kind(models.TextChoices):
        """Goods and services change by 10%, works by 15%, before a change notice (s.75(2))."""

        GOODS = "goods", "Goods"
        SERVICES = "services", "Services"
        WORKS = "works", "Works"

    reference = models.CharField(
        max_length=60, unique=True, help_text="The council's contract reference."
    )
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_contracts",
        help_text="The officer who manages the contract and gets renewal alerts.",
    )
    department = models.CharField(
        max_length=120, blank=True, help_text="The directorate or service the contract is for."
    )
    route = models.CharField(
        "Procurement route", max_length=20, choices=Route.choices, default=Route.OPEN
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    extension_options = models.CharField(
        max_length=120, blank=True, help_text="For example “2 × 12 months”."
    )
    total_value = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[TOTAL_NOT_NEGATIVE[0]],
        help_text="Whole-life value in pounds.",
    )
    annual_value = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[ANNUAL_NOT_NEGATIVE[0]], help_text="In pounds."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LIVE)
    social_value_weighting = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percentage of the tender evaluation given to social value.",
    )
    risk_rating = models.CharField(max_length=10, choices=Risk.choices, default=Risk.UNKNOWN)
    modern_slavery_risk = models.CharField(
        max_length=10, choices=Risk.choices, default=Risk.UNKNOWN
    )
    processes_personal_data = models.BooleanField(
        default=False, help_text="The supplier processes personal data for the council."
    )
    carbon_commitment = models.BooleanField(
        default=False, help_text="The contract carries a carbon reduction commitment."
    )
    ocid = models.CharField(
        "OCDS identifier",
        max_length=120,
        blank=True,
        help_text="Open Contracting ID when imported from Find a Tender or Contracts Finder.",
    )
    # A framework agreement (or dynamic purchasing system) is awarded to several suppliers:
    # `supplier` is the first named, `framework_suppliers` all of them, and the total value is
    # the most that may be spent under it by all of them, so no one supplier's contract value.
    is_framework = models.BooleanField(
        "Framework agreement",
        default=False,
        help_text="Awarded to several suppliers; the value is the framework's maximum.",
    )
    framework_suppliers = models.ManyToManyField(
        Supplier,
        blank=True,
        related_name="frameworks",
        help_text="Every supplier on the framework agreement.",
    )
    # What a contract details notice needs (Procurement Act 2023 s.53, s.87; Regulations 2024
    # reg. 32-35). The procurement's identifier is `ocid`, the contract's is `reference`.
    procedure = models.CharField(
        "Procedure (Procurement Act 2023)",
        max_length=24,
        choices=Procedure.choices,
        blank=True,
        help_text="How the contract was awarded; empty where not yet recorded.",
    )
    direct_award_justification = models.TextField(
        blank=True, help_text="For a direct award: the ground in Schedule 5 or s.41 relied on."
    )
    kind = models.CharField(
        "Goods, services or works",
        max_length=10,
        choices=Kind.choices,
        blank=True,
        default=Kind.SERVICES,
        help_text="Works contracts may change by 15% before a change notice, others by 10%.",
    )
    awarded_on = models.DateField("Award date", null=True, blank=True)
    signed_on = models.DateField(
        "Signature date", null=True, blank=True, help_text="When the contract was entered into."
    )
    value_including_vat = models.DecimalField(
        "Total value including VAT",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message="The value including VAT must be £0 or more")],
        help_text="Whole-life value including VAT, which the notice thresholds use.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["end_date"], name="contract_end_date"),
            models.Index(fields=["ocid"], name="contract_ocid"),
            models.Index(fields=["status", "end_date"], name="contract_status_end_date"),
            models.Index(
                fields=["supplier", "start_date", "end_date"], name="contract_supplier_dates"
            ),
        ]
        constraints = [
            TOTAL_NOT_NEGATIVE[1],
            ANNUAL_NOT_NEGATIVE[1],
            models.CheckConstraint(
                condition=models.Q(social_value_weighting__isnull=True)
                | models.Q(social_value_weighting__gte=0, social_value_weighting__lte=100),
                name="contract_weighting_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        # s.41 and Schedule 5: a direct award is justified by a ground the notices must name.
        if self.procedure == self.Procedure.DIRECT_AWARD and not self.direct_award_justification:
            raise ValidationError(
                {"direct_award_justification": "Enter the justification for the direct award"}
            )


class Variation(models.Model):
    """Change control: one recorded change to a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="variations")
    varied_on = models.DateField("Date of variation")
    reason = models.TextField(help_text="What changed and why.")
    value_change = models.DecimalField(
        **MONEY, default=0, help_text="Change to the total value in pounds; negative to reduce."
    )
    new_end_date = models.DateField(
        null=True, blank=True, help_text="Leave empty if the end date does not change."
    )
    approved_by = models.CharField(
        max_length=120, blank=True, help_text="Who approved the change (name and role)."
    )
    # The contract as it stood before this variation: the change notice rule (procurement/act.py)
    # measures every change against the contract as awarded.
    value_before = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    end_date_before = models.DateField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-varied_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contract.reference} variation {self.varied_on}"


class SpendImport(models.Model):
    """One imported "spend over £500" file. The checksum makes re-importing it a no-op."""

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    rows_imported = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(**MONEY, default=0)
    first_paid_on = models.DateField(null=True, blank=True)
    last_paid_on = models.DateField(null=True, blank=True)
    publisher = models.CharField(
        max_length=255,
        blank=True,
        help_text="Who published the file: its organisation column, else as the officer said.",
    )
    is_own = models.BooleanField(
        default=True, help_text="The council's own spend, rather than another body's file."
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename


class SpendLayout(VersionedModel):
    """A spend file layout the officer mapped by hand: its headings and which field each feeds.

    The signature (procurement.importers layout_signature of the headings) finds it again, so the
    next file with the same header imports with no mapping step.
    """

    signature = models.CharField(max_length=64, unique=True, editable=False)
    headings = models.JSONField(help_text="The file's column headings, in order.")
    mapping = models.JSONField(help_text="Each field and the heading it is read from.")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    saved_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return ", ".join(self.headings)


class SpendTransaction(models.Model):
    """One line of the published spend file."""

    REDACTED = "REDACTED PERSONAL DATA"

    # The three keys below are held by Django (on_delete) and by the importer, which takes every
    # id from a join in the same transaction, not by database constraints: at a million rows
    # a file, PostgreSQL's per-row foreign-key checks cost more than loading the rows, and the
    # single-column indexes duplicate the leading column of the indexes in Meta.
    spend_import = models.ForeignKey(
        SpendImport,
        on_delete=models.CASCADE,
        related_name="transactions",
        db_constraint=False,
        db_index=False,
    )
    line_number = models.PositiveIntegerField(help_text="Line in the source file.")
    paid_on = models.DateField()
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        db_constraint=False,
        db_index=False,
        help_text="Empty where the supplier's name was redacted (personal data).",
    )
    supplier_name = models.CharField(max_length=255, help_text="As written in the file.")
    amount = models.DecimalField(**MONEY, help_text="Negative for credit notes.")
    service_area = models.CharField(max_length=255, blank=True)
    expense_type = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    # Blank in the database too, so writers that name only the older columns (the demo data's
    # raw INSERT, a restore of an older backup) still work.
    purpose = models.CharField(max_length=255, blank=True, db_default="")
    merchant_category = models.CharField(max_length=255, blank=True, db_default="")
    capital_revenue = models.CharField(
        max_length=20,
        blank=True,
        db_default="",
        help_text="Capital or revenue, as the file writes it.",
    )
    procurement_card = models.BooleanField(
        null=True, blank=True, help_text="Paid by procurement card; empty where not known."
    )
    irrecoverable_vat = models.DecimalField(**MONEY, null=True, blank=True)
    invoice_date = models.DateField(null=True, blank=True)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
        db_constraint=False,
        db_index=False,
        help_text="The contract the payment falls under; empty is off-contract spend.",
    )

    class Meta:
        ordering = ["-paid_on", "id"]
        # Each index costs a million insertions a file, so there are only those the pages use.
        # The importer writes a file's rows sorted by supplier and day, so the supplier and
        # contract indexes fill in order. An import is all-or-nothing and refused the second
        # time by its checksum, so a (spend_import, line_number) key would guard nothing.
        indexes = [
            models.Index(fields=["paid_on"], name="spend_paid_on"),
            models.Index(fields=["supplier", "paid_on"], name="spend_supplier_paid_on"),
            # The amount is a key column so the red flags' paid-to-date of every contract reads
            # the index alone (an INCLUDE column would do, but SQLite warns about those).
            models.Index(
                fields=["contract", "paid_on", "amount"],
                condition=models.Q(contract__isnull=False),
                name="spend_contract_paid_on_amount",
            ),
            # The duplicate and twin-supplier flags group a year's payments by amount and
            # supplier: read in this index's order, with no sort or hash and no row fetched.
            # 500 is the flags' default min_amount (procurement.flags.Rules); a higher setting
            # still uses the index.
            models.Index(
                fields=["amount", "supplier", "paid_on"],
                condition=models.Q(amount__gte=500),
                name="spend_amount_supplier_paid_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.supplier_name} {format_pounds(self.amount)}"


SAVING_NOT_NEGATIVE = not_negative("amount", "amount saved")
ESTIMATE_NOT_NEGATIVE = not_negative("estimated_value", "estimated value")


class Saving(models.Model):
    class Kind(models.TextChoices):
        CASHABLE = "cashable", "Cashable"
        NON_CASHABLE = "non_cashable", "Non-cashable"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="savings"
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the saving falls in, by its April start: 2024 means 2024/25."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        **MONEY, validators=[SAVING_NOT_NEGATIVE[0]], help_text="In pounds."
    )
    description = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "-id"]
        indexes = [models.Index(fields=["financial_year", "kind"], name="saving_year_kind")]
        constraints = [SAVING_NOT_NEGATIVE[1]]

    def __str__(self) -> str:
        return self.description


class PipelineItem(models.Model):
    """A planned procurement in the annual procurement plan."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        AWARDED = "awarded", "Awarded"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=255)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True)
    estimated_value = models.DecimalField(
        **MONEY, validators=[ESTIMATE_NOT_NEGATIVE[0]], help_text="Estimated whole-life value."
    )
    planned_start = models.DateField(help_text="When the procurement is planned to start.")
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.OPEN)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    replaces = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="The contract this procurement will replace, if any.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_start", "title"]
        constraints = [ESTIMATE_NOT_NEGATIVE[1]]

    def __str__(self) -> str:
        return self.title


class ContractAlert(models.Model):
    """A renewal warning that was sent, so each threshold is sent once per end date."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="alerts")
    months_before = models.PositiveSmallIntegerField()
    end_date = models.DateField(help_text="The end date the warning was about.")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "months_before", "end_date"], name="alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.months_before} months before {self.end_date}"


class SpendYearSummary(models.Model):
    """Spend per financial year, supplier and contract, totalled from SpendTransaction.

    The spend dashboard reads these few thousand rows instead of every spend line (600,000 at
    scale 10). They are derived data: procurement.services.spend_summary.spend_summary_rebuild
    recomputes them, and must run after spend is imported or matched to contracts.
    """

    financial_year = models.PositiveSmallIntegerField(
        help_text="The year by its April start: 2024 means 2024/25."
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for payments whose supplier was redacted.",
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for off-contract spend.",
    )
    amount = models.DecimalField(**MONEY, help_text="Net spend in pounds, after credit notes.")
    payments = models.PositiveIntegerField(help_text="Spend lines of zero or more.")
    credit_notes = models.PositiveIntegerField(help_text="Spend lines below zero.")
    rebuilt_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "spend year summaries"
        indexes = [
            models.Index(fields=["financial_year"], name="spend_summary_year"),
            # The pages' data versions read max(rebuilt_at) on every visit: a look-up, not a
            # scan of every row (core.data_version).
            models.Index(fields=["rebuilt_at"], name="spend_summary_rebuilt"),
        ]

    def __str__(self) -> str:
        amount = format_pounds(self.amount)
        return f"{self.financial_year}: {self.supplier_id} / {self.contract_id} {amount}"


class SpendFlagReview(VersionedModel):
    """An officer's decision on a red flag (procurement.flags): open, explained, confirmed or
    recovered, with a reason and a note.

    Flags are computed, not stored, so the review is keyed on the flag's key: a hash of its
    kind and the identity of its payments (supplier as written, date, amount, reference), which
    a re-import of the same period or a summary rebuild leaves unchanged.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        EXPLAINED = "explained", "Explained"
        CONFIRMED = "confirmed", "Confirmed"
        RECOVERED = "recovered", "Recovered"

    class Reason(models.TextChoices):
        NONE = "", "No reason given"
        RECURRING = "recurring", "Recurring charge"
        STAGED = "staged", "Staged payment"
        SEPARATE = "separate", "Separate invoices for separate goods or services"
        CORRECTED = "corrected", "Corrected by a credit note"
        CONTRACT = "contract", "Covered by a contract or framework"
        OTHER = "other", "Other (see the note)"

    key = models.CharField(max_length=40, unique=True, editable=False)
    kind = models.CharField(max_length=30, editable=False)
    financial_year = models.PositiveSmallIntegerField(editable=False)
    supplier_name = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.OPEN,
        help_text="Explained flags leave the dashboard's counts but stay on the list of flags.",
    )
    reason = models.CharField(
        max_length=12,
        choices=Reason.choices,
        blank=True,
        help_text="Why the payments are in order; needed when the flag is explained.",
    )
    note = models.TextField(blank=True, help_text="What you checked and what you found.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.supplier_name}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.status == self.Status.EXPLAINED and not self.reason:
            raise ValidationError({"reason": "Choose why the payments are in order"})


from procurement.act_models import Kpi, KpiRating, Notice  # noqa: E402, F401
