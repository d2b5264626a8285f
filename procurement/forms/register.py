"""Forms for the contracts register: list filters, contract, variation and supplier forms.

The list filter forms also build the links a list page needs (sortable column headers and
pagination) from the GET parameters they were given, so a link keeps every filter.

Suppliers are typed, never picked from a list: at scale there are 20,000 of them, and a
<select> of them all made the contracts list and form pages take seconds to render. The
contract form resolves what was typed with one query (`supplier_lookup`); the saving form's
contract is typed the same way (`looked_up`, shared).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Button, Field, Fieldset, Fixed, Layout, Size
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Field as ModelField
from django.db.models import Model
from django.http import QueryDict

from accounts.forms import OfficerChoiceField, officers
from core.forms import DateInputField, ListFilterForm, VersionedForm, declared_field, form_helper
from procurement.forms.act_fields import (
    ACT_CONTRACT_FIELDS,
    ACT_SUPPLIER_FIELDS,
    ACT_SUPPLIER_TYPE_CHOICES,
    ChangeNoticeConfirmation,
    act_contract_fieldset,
    act_filter_fields,
    act_supplier_layout,
    check_change_notice,
)
from procurement.models import Category, Contract, SubTeam, Supplier
from procurement.selectors.register import (
    CONTRACT_SORTS,
    ENDING_WITHIN_MONTHS,
    SUPPLIER_SORTS,
    VALUE_BANDS,
    FieldChange,
    Lookup,
    display_value,
    supplier_lookup,
    supplier_name,
)

# A supplier id as the spend dashboard's links give it (?supplier=42); longer runs of digits
# are not ids (and would overflow the column).
SUPPLIER_ID = re.compile(r"[1-9][0-9]{0,8}")


def supplier_id_in(value: Any) -> int | None:
    """The supplier id (or a contract's: ?contract=42) in a GET parameter, or None if it is not
    one."""
    text = (value or "").strip() if isinstance(value, str) else ""
    return int(text) if SUPPLIER_ID.fullmatch(text) else None


class MoneyField(forms.DecimalField):
    """Pounds, accepting what people type: "£250,000", "250000.00", "-1,500"."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("error_messages", {"invalid": "Enter an amount in pounds, like 25000"})
        super().__init__(**kwargs)

    # django-stubs' DecimalField.to_python overrides IntegerField's incompatibly (ignored there).
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").strip()
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "spellcheck": "false"})
        return attrs


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> DateInputField:
    return DateInputField(
        label=label,
        required=required,
        require_all_fields=False,
        help_text=help_text or "For example, 31 3 2027",
    )


def _date_layout(name: str) -> Field:
    """A date input whose legend matches the small labels of the other fields."""
    return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})


# -- list filters -----------------------------------------------------------------------------


SUPPLIER_TYPE_CHOICES = [
    ("sme", "SME (micro, small or medium)"),
    ("vcse", "VCSE"),
    ("local", "Local"),
]


class ContractFilterForm(ListFilterForm):
    SORTS = CONTRACT_SORTS
    SORT_LABELS = {
        "reference": "Reference",
        "title": "Title",
        "supplier": "Supplier",
        "end_date": "End date",
        "total_value": "Total value",
    }
    NUMERIC = frozenset({"total_value"})
    DEFAULT_SORT = "reference"

    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Contract.Status.choices],
        help_text="Where the contract is in its life.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        required=False,
        empty_label="Any category",
        help_text="What is bought.",
    )
    sub_team = forms.ChoiceField(
        label="Sub-team",
        required=False,
        choices=[("", "Any sub-team"), *SubTeam.choices],
        help_text="The commercial sub-team that owns the category.",
    )
    owner = OfficerChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Anyone",
        help_text="The officer who manages the contract.",
    )
    supplier = forms.CharField(
        label="Supplier name",
        required=False,
        max_length=255,
        help_text="All or part of the name.",
    )
    value_band = forms.ChoiceField(
        label="Total value",
        required=False,
        choices=[("", "Any value"), *((key, band[0]) for key, band in VALUE_BANDS.items())],
        help_text="The contract's whole-life value.",
    )
    ending_within = forms.TypedChoiceField(
        label="Ending",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any time"), *((m, f"In the next {m} months") for m in ENDING_WITHIN_MONTHS)],
        help_text="Contracts whose end date falls in this period from today.",
    )
    procedure = act_filter_fields()["procedure"]
    act = act_filter_fields()["act"]
    supplier_types = forms.MultipleChoiceField(
        label="Supplier type",
        required=False,
        choices=[*SUPPLIER_TYPE_CHOICES, *ACT_SUPPLIER_TYPE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["search"].help_text = "Reference, title or supplier name."
        declared_field(self, "owner", OfficerChoiceField).queryset = officers()
        self.fields["supplier"].widget.attrs.update(spellcheck="false")
        self.helper.layout = Layout(
            Field.text("search"),
            Field.text("supplier"),
            Field.select("status"),
            Field.select("category"),
            Field.select("sub_team"),
            Field.select("owner"),
            Field.select("value_band"),
            Field.select("ending_within"),
            Field.select("procedure"),
            Field.select("act"),
            Field.checkboxes("supplier_types", legend_size=Size.SMALL, small=True),
            "sort",
            Button("filter", "Apply filters"),
        )

    def shown(self, data: QueryDict) -> QueryDict:
        """A supplier id from a link (?supplier=42) filters on that supplier, shown by name."""
        self.supplier_id = supplier_id_in(data.get("supplier"))
        name = None if self.supplier_id is None else supplier_name(supplier_id=self.supplier_id)
        if name is None:
            return data
        shown = data.copy()
        shown["supplier"] = name
        return shown

    def selector_kwargs(self) -> dict[str, Any]:
        kwargs = super().selector_kwargs()
        text = kwargs.pop("supplier", "")
        if self.supplier_id is not None:
            kwargs["supplier"] = self.supplier_id
        elif text:
            kwargs["supplier_name"] = text
        return kwargs


class SupplierFilterForm(ListFilterForm):
    SORTS = SUPPLIER_SORTS
    SORT_LABELS = {
        "name": "Name",
        "size": "Size",
        "contracts": "Contracts",
        "spend": "Spend",
    }
    NUMERIC = frozenset({"contracts", "spend"})
    DEFAULT_SORT = "name"

    size = forms.ChoiceField(
        required=False,
        choices=[("", "Any size"), *Supplier.Size.choices],
        help_text="By number of staff.",
    )
    supplier_types = forms.MultipleChoiceField(
        label="Type",
        required=False,
        choices=[*SUPPLIER_TYPE_CHOICES, ("strategic", "Strategic")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["search"].help_text = "Name, company or charity number, or postcode."
        self.helper.layout = Layout(
            Field.text("search"),
            Field.select("size"),
            Field.checkboxes("supplier_types", legend_size=Size.SMALL, small=True),
            "sort",
            Button("filter", "Apply filters"),
        )


# -- record forms -----------------------------------------------------------------------------


class _VersionedModelForm(VersionedForm, forms.ModelForm):
    """An edit form that carries the version of the record it was opened at."""

    def unsaved_changes(self, current: Model) -> list[FieldChange]:
        """What this form would have changed in `current`, the record someone else saved."""
        changes = []
        for name, mine in self.fields_to_save().items():
            theirs = getattr(current, name)
            if theirs != mine:
                model_field = current._meta.get_field(name)
                assert isinstance(model_field, ModelField)  # a model form edits model fields
                changes.append(
                    FieldChange(
                        label=str(self.fields[name].label),
                        before=display_value(model_field, theirs),
                        after=display_value(model_field, mine),
                    )
                )
        return changes


class ContractForm(_VersionedModelForm):
    supplier = forms.CharField(
        label="Supplier",
        max_length=255,
        help_text=(
            "The supplier's name, Companies House number or charity number. "
            "Add a new supplier to the register first."
        ),
        error_messages={"required": "Enter the supplier's name or Companies House number"},
    )
    start_date = _date_field("Start date", help_text="For example, 1 4 2024")
    end_date = _date_field("End date", help_text="Without extensions. For example, 31 3 2027")
    review_date = _date_field(
        "Review date", help_text="When the contract is next reviewed. For example, 1 10 2026"
    )
    awarded_on = _date_field("Award date", help_text="For example, 1 3 2025")
    signed_on = _date_field(
        "Signature date", help_text="When the contract was entered into. For example, 14 3 2025"
    )

    class Meta:
        model = Contract
        fields = [
            "reference",
            "title",
            "description",
            "supplier",
            "category",
            "owner",
            "department",
            "route",
            "status",
            "start_date",
            "end_date",
            "review_date",
            "extension_options",
            "total_value",
            "annual_value",
            "social_value_weighting",
            "risk_rating",
            "modern_slavery_risk",
            "processes_personal_data",
            "carbon_commitment",
            "ocid",
            *ACT_CONTRACT_FIELDS,
        ]
        field_classes = {
            "owner": OfficerChoiceField,
            "total_value": MoneyField,
            "annual_value": MoneyField,
            "value_including_vat": MoneyField,
        }
        labels = {
            "total_value": "Total value (£)",
            "annual_value": "Annual value (£)",
            "value_including_vat": "Total value including VAT (£)",
            "social_value_weighting": "Social value weighting (%)",
            "processes_personal_data": "The supplier processes personal data",
            "carbon_commitment": "The contract has a carbon reduction commitment",
        }
        help_texts = {
            "title": "What the contract is for, in a few words.",
            "description": "Optional. The scope of the contract.",
            "category": "What is bought; it sets the sub-team.",
            "route": "How the contract was procured.",
            "status": "Being procured, live, expired or terminated early.",
            "risk_rating": "The contract's overall risk.",
            "modern_slavery_risk": "From the modern slavery risk assessment.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "social_value_weighting": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, supplier_id: Any = None, **kwargs: Any) -> None:
        """`supplier_id` (from ?supplier=42) fills in that supplier on a new contract."""
        super().__init__(*args, **kwargs)
        # The supplier the form was opened with: an unchanged name resolves to it.
        self.known_supplier_id = self.instance.supplier_id
        if self.instance.pk:
            self.initial["supplier"] = self.instance.supplier.name
        elif (prefill := supplier_id_in(supplier_id)) is not None:
            name = supplier_name(supplier_id=prefill)
            if name is not None:
                self.known_supplier_id = prefill
                self.initial["supplier"] = name
        self.fields["supplier"].widget.attrs.update(spellcheck="false", autocomplete="off")
        owner = declared_field(self, "owner", OfficerChoiceField)
        owner.queryset = officers()
        owner.empty_label = "Not assigned"
        declared_field(self, "category", forms.ModelChoiceField).empty_label = "Not categorised"
        self.fields["reference"].error_messages["required"] = "Enter the contract reference"
        self.fields["title"].error_messages["required"] = "Enter the contract title"
        self.helper = form_helper(
            Fieldset(
                Field.text("reference", field_width=Fixed.TWENTY),
                Field.text("title"),
                Field.textarea("description", rows=3),
                Field.text("supplier"),
                Field.select("category"),
                Field.select("owner"),
                Field.text("department", field_width=Fixed.THIRTY),
                Field.select("route"),
                Field.select("status"),
                legend="The contract",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                _date_layout("start_date"),
                _date_layout("end_date"),
                _date_layout("review_date"),
                Field.text("extension_options", field_width=Fixed.TWENTY),
                legend="Dates",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("total_value", field_width=Fixed.TEN),
                Field.text("annual_value", field_width=Fixed.TEN),
                legend="Value",
                legend_size=Size.MEDIUM,
            ),
            act_contract_fieldset(),
            Fieldset(
                Field.text("social_value_weighting", field_width=Fixed.FIVE),
                Field.select("risk_rating"),
                Field.select("modern_slavery_risk"),
                Field.checkbox("processes_personal_data", small=True),
                Field.checkbox("carbon_commitment", small=True),
                Field.text("ocid", field_width=Fixed.THIRTY),
                legend="Social value and risk",
                legend_size=Size.MEDIUM,
            ),
            "version",
            Button("submit", "Save contract"),
            disable_csrf=True,
        )

    def clean_supplier(self) -> Supplier:
        text = self.cleaned_data["supplier"]
        return looked_up(
            supplier_lookup(text=text, preferred_id=self.known_supplier_id),
            text=text,
            noun="supplier",
            describe=_supplier_label,
            no_match_hint="Check the spelling, or add the supplier first",
            ambiguous_hint="Enter the full name or the Companies House number",
        )


def looked_up(
    found: Lookup,
    *,
    text: str,
    noun: str,
    describe: Callable[[Any], str],
    no_match_hint: str,
    ambiguous_hint: str,
) -> Any:
    """The row a typed field named (a `ranked_lookup`), or the error saying why there is none:
    nothing matches, or which candidates did."""
    if found.match is not None:
        return found.match
    if not found.candidates:
        raise ValidationError(
            f"No {noun} in the register matches ‘{text}’. {no_match_hint}", code="no_match"
        )
    names = "; ".join(describe(row) for row in found.candidates)
    raise ValidationError(
        f"More than one {noun} matches ‘{text}’: {names}"
        f"{'; and others' if found.more else ''}. {ambiguous_hint}",
        code="ambiguous",
    )


def _supplier_label(supplier: Supplier) -> str:
    """A supplier as a candidate in an error message, with what tells it from the others."""
    details = [
        f"Companies House {supplier.company_number}" if supplier.company_number else "",
        f"charity {supplier.charity_number}" if supplier.charity_number else "",
        supplier.postcode,
    ]
    details = [detail for detail in details if detail]
    return f"{supplier.name} ({', '.join(details)})" if details else supplier.name


class VariationForm(forms.Form):
    varied_on = _date_field("Date of variation", required=True, help_text="For example, 1 6 2025")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed and why.",
        error_messages={"required": "Enter the reason for the variation"},
    )
    value_change = MoneyField(
        label="Change to the total value (£)",
        required=False,
        help_text="Negative to reduce, for example -5000. Leave empty if it does not change.",
    )
    new_end_date = _date_field(
        "New end date", help_text="Leave empty if the end date does not change."
    )
    approved_by = forms.CharField(
        max_length=120,
        required=False,
        help_text="Who approved the change (name and role).",
    )
    change_notice_understood = ChangeNoticeConfirmation.base_fields["change_notice_understood"]

    def __init__(self, *args: Any, contract: Contract | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.helper = form_helper(
            _date_layout("varied_on"),
            Field.textarea("reason", rows=4),
            Field.text("value_change", field_width=Fixed.TEN),
            _date_layout("new_end_date"),
            Field.text("approved_by"),
            Field.checkbox("change_notice_understood", small=True),
            Button("submit", "Record variation"),
            disable_csrf=True,
        )

    def clean_value_change(self) -> Decimal:
        return self.cleaned_data.get("value_change") or Decimal("0")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.contract is not None and not self.errors:
            check_change_notice(self, self.contract)
        else:
            cleaned.pop("change_notice_understood", None)
        return cleaned


class SupplierForm(_VersionedModelForm):
    class Meta:
        model = Supplier
        fields = [
            "name",
            "company_number",
            "charity_number",
            "postcode",
            "size",
            "is_vcse",
            "is_local",
            "is_strategic",
            "financial_risk",
            *ACT_SUPPLIER_FIELDS,
        ]
        labels = {
            "is_vcse": "Voluntary, community or social enterprise (VCSE)",
            "is_local": "Based in the county",
            "is_strategic": "A strategic supplier",
        }
        help_texts = {
            "postcode": "Of the supplier's main office.",
            "size": "By number of staff; micro, small and medium count as SMEs.",
        }
        widgets = {"size": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the supplier's name"
        self.helper = form_helper(
            Field.text("name"),
            Field.text("company_number", field_width=Fixed.TEN),
            Field.text("charity_number", field_width=Fixed.TEN),
            Field.text("postcode", field_width=Fixed.TEN),
            Field.radios("size", legend_size=Size.SMALL, small=True),
            Field.checkbox("is_vcse", small=True),
            Field.checkbox("is_local", small=True),
            Field.checkbox("is_strategic", small=True),
            Field.select("financial_risk"),
            *act_supplier_layout(),
            "version",
            Button("submit", "Save supplier"),
            disable_csrf=True,
        )


def _merge_label(supplier: Supplier) -> str:
    number = f", company {supplier.company_number}" if supplier.company_number else ""
    return f"{supplier.name} (ID {supplier.pk}{number})"


class SupplierMergeForm(forms.Form):
    """Which of two suppliers stays; the versions the page showed, so a change since is caught."""

    keep = forms.TypedChoiceField(
        label="Which supplier stays?",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The other supplier's payments, contracts and users move to it, and its "
        "name is kept so later imports find the one that stays.",
        error_messages={"required": "Select the supplier that stays"},
    )
    first_version = forms.IntegerField(widget=forms.HiddenInput)
    second_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, suppliers: list[Supplier], **kwargs: Any) -> None:
        first, second = suppliers
        kwargs.setdefault(
            "initial", {"first_version": first.version, "second_version": second.version}
        )
        super().__init__(*args, **kwargs)
        self.suppliers = suppliers
        declared_field(self, "keep", forms.ChoiceField).choices = [
            (s.pk, _merge_label(s)) for s in suppliers
        ]
        self.helper = form_helper(
            Field.radios("keep", legend_size=Size.MEDIUM),
            "first_version",
            "second_version",
            Button("submit", "Merge suppliers", css_class="govuk-button--warning"),
            disable_csrf=True,
        )

    def merge_kwargs(self) -> dict[str, Any]:
        """The arguments of services.supplier_merge.supplier_merge for a valid form."""
        first, second = self.suppliers
        kept, merged = (first, second) if self.cleaned_data["keep"] == first.pk else (second, first)
        return {
            "kept_id": kept.pk,
            "merged_id": merged.pk,
            "expected_versions": {
                first.pk: self.cleaned_data["first_version"],
                second.pk: self.cleaned_data["second_version"],
            },
        }
