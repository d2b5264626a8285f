"""Forms for planning: filters for the lists, and the saving and pipeline item forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Size
from django import forms

from accounts.forms import OfficerChoiceField, officers
from core.financial_year import FinancialYearField, current_financial_year
from core.forms import DateInputField, declared_field, form_helper
from procurement.forms.register import looked_up, supplier_id_in
from procurement.models import Category, Contract, PipelineItem, Saving
from procurement.selectors.planning import ENDING_SOON_MONTHS
from procurement.selectors.register import contract_lookup
from procurement.services.planning import PIPELINE_FIELDS

ORDER_CHOICES = [
    ("end_date", "End date, soonest first"),
    ("value", "Total value, highest first"),
    ("supplier", "Supplier name"),
]


def _filter_helper(*fields: Any) -> FormHelper:
    return form_helper(*fields, Button("filter", "Apply filter"), method="get")


# -- filters -----------------------------------------------------------------------------------


class EndingSoonFilterForm(forms.Form):
    months = forms.TypedChoiceField(
        coerce=int,
        choices=[(m, f"Next {m} months") for m in ENDING_SOON_MONTHS],
        initial=12,
        label="Ending within",
        help_text="Live contracts whose end date falls between today and then.",
    )
    order = forms.ChoiceField(
        choices=ORDER_CHOICES,
        initial="end_date",
        label="Sort by",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _filter_helper(Field.select("months"), Field.select("order"))

    def selected(self) -> tuple[int, str]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["months"], self.cleaned_data["order"]
        return 12, "end_date"


class SavingFilterForm(forms.Form):
    year = FinancialYearField(empty_value=None, required=False, help_text="April to March.")

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = current_financial_year()
        year = declared_field(self, "year", FinancialYearField)
        year.set_years([*years, current], blank="All years")
        year.initial = current
        self.helper = _filter_helper(Field.select("year"))

    def selected_year(self) -> int | None:
        """The chosen year; the current financial year until the form is submitted."""
        if not self.is_bound:
            return current_financial_year()
        return self.cleaned_data["year"] if self.is_valid() else current_financial_year()


class PipelineFilterForm(forms.Form):
    year = FinancialYearField(
        empty_value=None, required=False, label="Financial year of planned start"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *PipelineItem.Status.choices],
        required=False,
        label="Status",
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "year", FinancialYearField).set_years(
            [*years, current_financial_year()], blank="All years"
        )
        self.helper = _filter_helper(Field.select("year"), Field.select("status"))

    def selected(self) -> tuple[int | None, str | None]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["status"] or None
        return None, None


# -- saving ------------------------------------------------------------------------------------


class SavingForm(forms.Form):
    # Typed, never picked from a list of every contract (as the contract form's supplier).
    contract = forms.CharField(
        required=False,
        max_length=255,
        help_text=(
            "The contract the saving was made on, if any: its reference, or part of its title "
            "or supplier's name. Its category gives the sub-team. Leave empty if none."
        ),
    )
    financial_year = FinancialYearField(
        help_text="The year the saving falls in (April to March).",
        error_messages={"required": "Select the financial year"},
    )
    kind = forms.ChoiceField(
        choices=Saving.Kind.choices,
        widget=forms.RadioSelect,
        label="Kind of saving",
        help_text="Cashable savings reduce the budget; non-cashable ones avoid cost or add value.",
        error_messages={"required": "Select whether the saving is cashable or non-cashable"},
    )
    amount = forms.DecimalField(
        label="Amount in pounds",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="For example, 12500.00",
        error_messages={"required": "Enter the amount saved in pounds"},
    )
    description = forms.CharField(
        max_length=255,
        help_text="How the saving was made, for example “Re-tendered with a lower unit price”.",
        error_messages={"required": "Enter a description of the saving"},
    )

    def __init__(self, *args, contract_id: Any = None, **kwargs) -> None:
        """`contract_id` (from ?contract=42, the contract page's link) fills in that contract."""
        super().__init__(*args, **kwargs)
        current = current_financial_year()
        self.known_contract_id = supplier_id_in(contract_id)
        if self.known_contract_id is not None:
            reference = (
                Contract.objects.filter(pk=self.known_contract_id)
                .values_list("reference", flat=True)
                .first()
            )
            if reference is not None:
                self.initial["contract"] = reference
        self.fields["contract"].widget.attrs.update(spellcheck="false", autocomplete="off")
        declared_field(self, "financial_year", FinancialYearField).set_years(
            range(current - 5, current + 2)
        )
        self.initial.setdefault("financial_year", current)
        self.helper = form_helper(
            Field.text("contract", field_width=Fixed.TWENTY),
            Field.select("financial_year"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("amount", field_width=Fixed.TEN),
            Field.text("description"),
            Button("submit", "Save saving"),
            disable_csrf=True,
        )

    def clean_contract(self) -> Contract | None:
        text = self.cleaned_data["contract"].strip()
        if not text:
            return None
        return looked_up(
            contract_lookup(text=text, preferred_id=self.known_contract_id),
            text=text,
            noun="contract",
            describe=lambda contract: f"{contract} ({contract.supplier.name})",
            no_match_hint="Check the reference, or leave this empty if there is no contract",
            ambiguous_hint="Enter the contract's reference",
        )


# -- pipeline ----------------------------------------------------------------------------------


class PipelineItemForm(forms.ModelForm):
    planned_start = DateInputField(
        label="Planned start",
        help_text="When the procurement is planned to start. For example, 1 10 2026",
        require_all_fields=False,
    )

    class Meta:
        model = PipelineItem
        fields = PIPELINE_FIELDS
        field_classes = {"owner": OfficerChoiceField}
        labels = {
            "estimated_value": "Estimated value in pounds",
            "replaces": "Contract it replaces",
            "route": "Procurement route",
        }
        help_texts = {
            "title": "What is being bought, for example “Home to school transport”.",
            "category": "What is bought; its sub-team owns the procurement.",
            "route": "How the council plans to buy it.",
            "status": "Where the procurement has got to.",
            "owner": "The officer leading the procurement.",
            "notes": "Optional. Anything a reader of the plan should know.",
        }
        widgets = {
            "status": forms.RadioSelect,
            "estimated_value": forms.TextInput(
                attrs={"inputmode": "decimal", "spellcheck": "false"}
            ),
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "estimated_value": {"required": "Enter the estimated value in pounds"},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        declared_field(
            self, "category", forms.ModelChoiceField
        ).queryset = Category.objects.order_by("name")
        declared_field(self, "owner", OfficerChoiceField).queryset = officers()
        declared_field(self, "replaces", forms.ModelChoiceField).queryset = Contract.objects.only(
            "id", "reference", "title"
        ).order_by("reference")
        self.helper = form_helper(
            Field.text("title"),
            Field.select("category"),
            Field.text("estimated_value", field_width=Fixed.TEN),
            Field("planned_start", legend_size=Size.SMALL),
            Field.select("route"),
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field.select("replaces"),
            Field.textarea("notes", rows=3),
            Button("submit", "Save"),
            disable_csrf=True,
        )

    def clean_estimated_value(self) -> Decimal:
        value = self.cleaned_data["estimated_value"]
        if value < 0:
            raise forms.ValidationError("The estimated value must be £0 or more")
        return value
