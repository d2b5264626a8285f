"""Forms for the red flags: the list's filters, the review of one flag, the payments' filters."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms

from core.forms import form_helper
from procurement.flags import Kind
from procurement.models import SpendFlagReview


class FlagReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=SpendFlagReview.Status.choices,
        widget=forms.RadioSelect,
        label="Status",
        help_text="Explained flags leave the dashboard's counts but stay on the list.",
    )
    reason = forms.ChoiceField(
        choices=SpendFlagReview.Reason.choices,
        required=False,
        label="Reason",
        help_text="Why the payments are in order; needed when the flag is explained.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Note",
        help_text="What you checked and what you found.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.select("reason"),
            Field.textarea("note"),
            "version",
            Button("save", "Save review"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == SpendFlagReview.Status.EXPLAINED and not data.get("reason"):
            self.add_error("reason", "Choose why the payments are in order")
        return data


class FlagFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Every kind"), *Kind.LABELS.items()], required=False, label="Kind"
    )
    status = forms.ChoiceField(
        choices=[("", "Every status"), *SpendFlagReview.Status.choices],
        required=False,
        label="Status",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.select("kind"), Field.select("status"), Button("show", "Show flags"), method="get"
        )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"kind": "", "status": ""}
        return {"kind": self.cleaned_data["kind"], "status": self.cleaned_data["status"]}


class PaymentFilterForm(forms.Form):
    supplier = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    supplier_name = forms.CharField(required=False, max_length=100, label="Supplier name")
    paid_from = forms.DateField(
        required=False, label="Paid on or after", help_text="For example, 1/4/2024"
    )
    paid_to = forms.DateField(required=False, label="Paid on or before")
    amount_min = forms.DecimalField(required=False, decimal_places=2, label="Amount from (£)")
    amount_max = forms.DecimalField(required=False, decimal_places=2, label="Amount to (£)")
    service_area = forms.CharField(required=False, max_length=100, label="Service area")
    reference = forms.CharField(required=False, max_length=100, label="Reference")
    source_file = forms.CharField(required=False, max_length=100, label="Source file")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "supplier",
            Fieldset(
                Field.text("supplier_name"),
                Field.text("paid_from", field_width=10),
                Field.text("paid_to", field_width=10),
                Field.text("amount_min", field_width=10),
                Field.text("amount_max", field_width=10),
                Field.text("service_area"),
                Field.text("reference", field_width=20),
                Field.text("source_file"),
                legend="Filter payments",
                legend_size=Size.SMALL,
            ),
            Button("show", "Show payments"),
            method="get",
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
