"""The Procurement Act 2023's fields on the register's contract, supplier, filter and variation
forms: kept here so those forms change by a line each (procurement/forms/register.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Fixed, Size
from django import forms
from django.core.exceptions import ValidationError

from procurement.models import Contract

# What a contract details notice asks for (s.53; Regulations 2024 reg. 32-35).
ACT_CONTRACT_FIELDS = [
    "procedure",
    "direct_award_justification",
    "kind",
    "awarded_on",
    "signed_on",
    "value_including_vat",
]
ACT_SUPPLIER_FIELDS = ["ppon", "is_supported_employment", "is_public_service_mutual"]


def act_contract_fieldset() -> Fieldset:
    return Fieldset(
        Field.select("procedure"),
        Field.textarea("direct_award_justification", rows=3),
        Field.select("kind"),
        Field("awarded_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
        Field("signed_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
        Field.text("value_including_vat", field_width=Fixed.TEN),
        legend="Procurement Act 2023",
        legend_size=Size.MEDIUM,
    )


def act_supplier_layout() -> list[Field]:
    return [
        Field.text("ppon", field_width=Fixed.TWENTY),
        Field.checkbox("is_supported_employment", small=True),
        Field.checkbox("is_public_service_mutual", small=True),
    ]


ACT_FILTER_CHOICES = [
    ("", "Any"),
    ("notifiable", "Notifiable (contract details notice)"),
    ("needs_kpis", "Needs three KPIs and has fewer"),
    ("notice_overdue", "Has an overdue notice"),
]
ACT_SUPPLIER_TYPE_CHOICES = [
    ("supported_employment", "Supported employment provider"),
    ("mutual", "Public service mutual"),
]


def act_filter_fields() -> dict[str, forms.Field]:
    """The contracts list's Act filters (procurement.selectors.register.contract_list)."""
    return {
        "procedure": forms.ChoiceField(
            label="Procedure",
            required=False,
            choices=[("", "Any procedure"), *Contract.Procedure.choices],
            help_text="How the contract was awarded under the Procurement Act 2023.",
        ),
        "act": forms.ChoiceField(
            label="Procurement Act 2023",
            required=False,
            choices=ACT_FILTER_CHOICES,
            help_text="What the Act asks of the contract.",
        ),
    }


class ChangeNoticeConfirmation(forms.Form):
    """The variation form's warning (s.75): shown before saving a variation that needs a
    contract change notice, which the officer confirms to save it."""

    change_notice_understood = forms.BooleanField(
        label="I understand a contract change notice must be published before this takes effect",
        required=False,
    )


def check_change_notice(form: forms.Form, contract: Contract) -> None:
    """Add the s.75 warning to a bound variation form unless the officer confirmed it."""
    from procurement.selectors.notices import contract_change_test, owes_change_notices

    data: dict[str, Any] = form.cleaned_data
    understood = data.pop("change_notice_understood", False)
    if not owes_change_notices(contract):
        return
    test = contract_change_test(
        contract=contract,
        value_change=data.get("value_change") or Decimal("0"),
        new_end_date=data.get("new_end_date"),
    )
    form.change_test = test  # type: ignore[attr-defined]
    if test.needs_notice and not understood:
        raise ValidationError(
            f"{test.reason}: the Procurement Act 2023 (s.75) requires a contract change notice "
            "before it takes effect. Tick the box to confirm and record it; the notice will be "
            "on the compliance calendar.",
            code="change_notice",
        )
