"""Forms for social value. They validate input; writes happen in services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Size
from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html

from core.financial_year import FinancialYearField
from core.forms import DateInputField, VersionedForm, declared_field, form_helper
from procurement.models import Contract
from procurement.selectors.register import FieldChange
from socialvalue.models import Commitment, Measure, ReturnLine, SocialValueReturn, quantity_problem
from socialvalue.periods import Period, parse_key, quarters_between, year_period
from socialvalue.services import LineInput


def plain_number(value: Decimal) -> str:
    """120.50 as "120.5" and 100.00 as "100", for a form field."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class MeasureChoiceField(forms.ModelChoiceField[Measure]):
    """A measure, shown with its code and unit."""

    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.code} {obj.description} ({obj.get_unit_display()})"


def _measures(form: forms.Form, name: str, queryset: QuerySet[Measure]) -> None:
    """Offer `queryset` in the form's measure field `name`."""
    field = declared_field(form, name, MeasureChoiceField)
    field.queryset = queryset


class QuantityField(forms.DecimalField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Enter the quantity as a number, like 12 or 1500.50",
                "max_decimal_places": "Enter the quantity with no more than 2 decimal places",
                "max_digits": "Enter a smaller quantity",
                "max_whole_digits": "Enter a smaller quantity",
            },
        )
        super().__init__(**kwargs)


class CommitmentForm(forms.Form):
    measure = MeasureChoiceField(
        queryset=Measure.objects.select_related("goal").order_by(
            "goal__position", "position", "code"
        ),
        help_text="What the supplier promised to deliver.",
        error_messages={"required": "Select a measure"},
    )
    quantity = QuantityField(
        label="Quantity promised",
        min_value=0,
        help_text="In the measure's unit, over the life of the contract.",
        error_messages={"required": "Enter the quantity promised"},
    )
    due_by = DateInputField(
        label="Deliver by", help_text="For example, 31 3 2027", require_all_fields=False
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional. How the supplier will deliver it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.select("measure"),
            Field.text("quantity", field_width=10),
            Field("due_by", legend_size=Size.SMALL),
            Field.textarea("notes"),
            Button("submit", "Save commitment"),
        )

    @classmethod
    def for_commitment(cls, data, commitment: Commitment) -> CommitmentForm:
        initial = {
            "measure": commitment.measure_id,
            "quantity": plain_number(commitment.quantity),
            "due_by": commitment.due_by,
            "notes": commitment.notes,
        }
        return cls(data, initial=initial)


PeriodChoices = list[tuple[str, str | list[tuple[str, str]]]]


def period_choices(*, contract: Contract, today: dt.date, taken: list[Period]) -> PeriodChoices:
    """Financial quarters (and whole years) the contract ran in that have ended and have no
    return yet, newest first. A period that has not ended cannot be reported on."""
    limit = dt.date(today.year - 3, 4, 1)
    earliest = max(contract.start_date or limit, limit)
    latest = min(contract.end_date or today, today)
    quarters = quarters_between(earliest, latest) if latest >= earliest else []

    def free(period: Period) -> bool:
        return period.has_ended(today=today) and not any(
            t.start <= period.end and t.end >= period.start for t in taken
        )

    choices: PeriodChoices = [
        (period.key, period.label) for period in reversed(quarters) if free(period)
    ]
    years = sorted({period.financial_year for period in quarters}, reverse=True)
    whole = [(year_period(y).key, year_period(y).label) for y in years if free(year_period(y))]
    if whole:
        choices.append(("Whole financial year", whole))
    return choices


class ReturnStartForm(forms.Form):
    period = forms.ChoiceField(
        label="Which period is the return for?",
        help_text="Returns are quarterly: April to June is quarter 1 of the financial year.",
        error_messages={"required": "Select the period", "invalid_choice": "Select the period"},
    )

    def __init__(
        self, *args: Any, contract: Contract, today: dt.date, taken: list[Period], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = period_choices(contract=contract, today=today, taken=taken)
        field = declared_field(self, "period", forms.ChoiceField)
        field.choices = choices
        # The last complete period with no return yet: the newest quarter offered.
        quarters = [key for key, label in choices if isinstance(label, str)]
        if quarters:
            self.initial.setdefault("period", quarters[0])
        self.helper = form_helper(Field.select("period"), Button("submit", "Start the return"))

    def clean_period(self) -> Period:
        period = parse_key(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError("Select the period")
        return period


class ReturnForm(VersionedForm):
    """Every line of a return, plus one optional new measure, in one form."""

    add_measure = MeasureChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        label="Add another measure",
        empty_label="No other measure",
        help_text="Optional. Something delivered that was not committed to.",
    )
    add_quantity = QuantityField(label="Quantity delivered", required=False)
    add_evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    add_url = forms.URLField(
        label="Link to evidence",
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input"}),
        required=False,
        max_length=500,
        error_messages={"invalid": "Enter a web address starting with https://"},
    )

    def __init__(
        self,
        *args,
        social_value_return: SocialValueReturn,
        lines: list[ReturnLine],
        available: QuerySet[Measure],
        **kwargs: Any,
    ) -> None:
        self.social_value_return = social_value_return
        self.lines = lines
        super().__init__(*args, **kwargs)
        _measures(self, "add_measure", available)
        fieldsets = []
        for line in lines:
            prefix = f"line-{line.measure_id}"
            unit = line.measure.get_unit_display()
            self.fields[f"{prefix}-quantity"] = QuantityField(
                label=f"Quantity delivered ({unit})",
                initial=plain_number(line.quantity),
                help_text="Delivered in this period only. Enter 0 if nothing was delivered.",
                error_messages={"required": "Enter the quantity delivered, or 0"},
            )
            self.fields[f"{prefix}-evidence"] = forms.CharField(
                label="Evidence",
                initial=line.evidence,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What shows it was delivered: names, dates, places, numbers.",
            )
            self.fields[f"{prefix}-url"] = forms.URLField(
                label="Link to evidence",
                assume_scheme="https",
                widget=forms.URLInput(attrs={"class": "govuk-input"}),
                initial=line.evidence_url,
                required=False,
                max_length=500,
                help_text="Optional.",
                error_messages={"invalid": "Enter a web address starting with https://"},
            )
            fieldsets.append(
                Fieldset(
                    Field.text(f"{prefix}-quantity", field_width=10),
                    Field.textarea(f"{prefix}-evidence"),
                    Field.text(f"{prefix}-url"),
                    legend=format_html("{} {}", line.measure.code, line.measure.description),
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = form_helper(
            "version",
            *fieldsets,
            Fieldset(
                Field.select("add_measure"),
                Field.text("add_quantity", field_width=10),
                Field.textarea("add_evidence"),
                Field.text("add_url"),
                legend="Something else delivered",
                legend_size=Size.MEDIUM,
            ),
            Button("submit", "Save return"),
            HTML(
                '<p class="govuk-body">Saving keeps the return as a draft. '
                "Submit it for checking from the return page.</p>"
            ),
        )

    def versioned_record(self) -> SocialValueReturn:
        return self.social_value_return

    def clean(self):
        data = super().clean()
        quarters = self.social_value_return.period.quarter_count
        for line in self.lines:
            name = f"line-{line.measure_id}-quantity"
            problem = quantity_problem(line.measure, data.get(name), quarters=quarters)
            if problem:
                self.add_error(name, problem)
        measure = data.get("add_measure")
        if measure is not None:
            if data.get("add_quantity") is None:
                self.add_error("add_quantity", "Enter the quantity delivered for the new measure")
            else:
                problem = quantity_problem(measure, data["add_quantity"], quarters=quarters)
                if problem:
                    self.add_error("add_quantity", problem)
        elif data.get("add_quantity") is not None:
            self.add_error("add_measure", "Select the measure the quantity is for")
        return data

    def line_inputs(self) -> list[LineInput]:
        data = self.cleaned_data
        inputs = [
            LineInput(
                measure=line.measure,
                quantity=data[f"line-{line.measure_id}-quantity"],
                evidence=data.get(f"line-{line.measure_id}-evidence", ""),
                evidence_url=data.get(f"line-{line.measure_id}-url", ""),
            )
            for line in self.lines
        ]
        if data.get("add_measure") is not None:
            inputs.append(
                LineInput(
                    measure=data["add_measure"],
                    quantity=data["add_quantity"] or Decimal(0),
                    evidence=data.get("add_evidence", ""),
                    evidence_url=data.get("add_url", ""),
                )
            )
        return inputs

    def unsaved_changes(self, current_lines: list[ReturnLine]) -> list[FieldChange]:
        """What this form would have changed in the lines as someone else has since saved them."""
        saved = {line.measure_id: line for line in current_lines}
        changes = []
        for mine in self.line_inputs():
            theirs = saved.get(mine.measure.pk)
            unit = mine.measure.get_unit_display()
            for label, their_value, my_value in (
                (
                    "quantity delivered",
                    None if theirs is None else f"{plain_number(theirs.quantity)} ({unit})",
                    f"{plain_number(mine.quantity)} ({unit})",
                ),
                ("evidence", theirs and theirs.evidence, mine.evidence),
                ("link to evidence", theirs and theirs.evidence_url, mine.evidence_url),
            ):
                if (their_value or "") != (my_value or ""):
                    changes.append(
                        FieldChange(
                            label=f"{mine.measure.code} {label}",
                            before=their_value or "Not set",
                            after=my_value or "Not set",
                        )
                    )
        return changes


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (.docx), Excel (.xlsx), CSV, PNG or JPEG, smaller than 10 MB.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    measure = MeasureChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        empty_label="The whole return",
        label="What is it evidence for?",
    )

    def __init__(self, *args: Any, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _measures(self, "measure", measures)
        self.helper = form_helper("file", Field.select("measure"), Button("submit", "Upload file"))


class VersionForm(forms.Form):
    """A button's form on a return page: the version the page showed (the view checks it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class RejectForm(VersionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why is the return rejected?",
        help_text="The supplier sees this. Say what must change before it is submitted again.",
        error_messages={"required": "Enter why the return is rejected"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "version", Field.textarea("reason"), Button("submit", "Reject the return")
        )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the return is rejected")
        return reason


class ReturnFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *SocialValueReturn.Status.choices], required=False
    )
    year = FinancialYearField(required=False, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "year", FinancialYearField).set_years(years, blank="Any year")
        self.helper = form_helper(
            Field.select("status"), Field.select("year"), Button("filter", "Filter"), method="get"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": "", "year": None}
        return {"status": self.cleaned_data["status"], "year": self.cleaned_data["year"]}


class ContractSearchForm(forms.Form):
    q = forms.CharField(
        label="Search contracts",
        required=False,
        max_length=100,
        help_text="Reference, title or supplier.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.text("q"), Button("search", "Search"), method="get")

    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class MeasureImportForm(forms.Form):
    file = forms.FileField(
        label="Measure set (CSV)",
        help_text=(
            "Columns: code, goal (or theme), description, unit (number, hours, £ or tonnes), "
            "proxy value (£ per unit), source, year."
        ),
        error_messages={"required": "Select a CSV file"},
    )
    dry_run = forms.BooleanField(label="Check the file only, do not save anything", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "file", Field.checkbox("dry_run"), Button("submit", "Import measures")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV")
        return upload
