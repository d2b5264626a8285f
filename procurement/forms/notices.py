"""Forms for the Procurement Act 2023 pages: the compliance calendar's filter, marking a notice
published, adding a KPI and rating a contract's KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.layout import Button, Field, Fieldset, Fixed, Size
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.forms import DateInputField, form_helper
from procurement.models import Kpi, KpiRating, Notice
from procurement.selectors.notices import NoticeStatus


def _date(label: str, *, required: bool, help_text: str) -> DateInputField:
    return DateInputField(
        label=label, required=required, require_all_fields=False, help_text=help_text
    )


def _small_date(name: str) -> Field:
    return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})


class NoticeFilterForm(forms.Form):
    search = forms.CharField(
        label="Contract", required=False, max_length=100, help_text="Reference or title."
    )
    kind = forms.ChoiceField(
        label="Notice", required=False, choices=[("", "Any notice"), *Notice.Kind.choices]
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *NoticeStatus.CHOICES])
    due_from = _date("Deadline from", required=False, help_text="For example, 1 4 2025")
    due_to = _date("Deadline to", required=False, help_text="For example, 31 3 2026")

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.helper = form_helper(
            Field.text("search", field_width=Fixed.TWENTY),
            Field.select("kind"),
            Field.select("status"),
            _small_date("due_from"),
            _small_date("due_to"),
            Button("filter", "Apply filters"),
            disable_csrf=True,
        )

    def selector_kwargs(self) -> dict[str, Any]:
        """The valid filters; a filter with a bad value is ignored and shows its error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class NoticePublishForm(forms.Form):
    published_on = _date("Date published", required=True, help_text="For example, 14 4 2025")
    identifier = forms.CharField(
        label="Notice identifier",
        max_length=120,
        help_text="As the central digital platform gives it.",
        error_messages={"required": "Enter the notice's identifier"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            _small_date("published_on"),
            Field.text("identifier", field_width=Fixed.TWENTY),
            Button("submit", "Mark published"),
            disable_csrf=True,
        )

    def clean_published_on(self) -> dt.date:
        day = self.cleaned_data["published_on"]
        if day > dt.date.today():
            raise ValidationError("The date published must be today or in the past")
        return day


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "good_looks_like", "measured_by"]
        labels = {"name": "KPI"}
        widgets = {
            "good_looks_like": forms.Textarea(attrs={"rows": 3}),
            "measured_by": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the KPI"
        self.fields["good_looks_like"].error_messages["required"] = "Enter what good looks like"
        self.fields["measured_by"].error_messages["required"] = "Enter how it is measured"
        self.helper = form_helper(
            Field.text("name"),
            Field.textarea("good_looks_like", rows=3),
            Field.textarea("measured_by", rows=3),
            Button("submit", "Add KPI"),
            disable_csrf=True,
        )


class KpiRatingForm(forms.Form):
    """One rating (and explanation) per KPI of the contract, for one assessment."""

    rated_on = _date("Date of the assessment", required=True, help_text="For example, 31 3 2026")
    period_start = _date(
        "Start of the period assessed", required=True, help_text="For example, 1 4 2025"
    )

    def __init__(self, *args: Any, kpis: list[Kpi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        fieldsets = []
        for kpi in kpis:
            self.fields[f"rating_{kpi.pk}"] = forms.ChoiceField(
                label="Rating",
                choices=KpiRating.Rating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select a rating for ‘{kpi.name}’"},
            )
            self.fields[f"explanation_{kpi.pk}"] = forms.CharField(
                label="Explanation",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Required for Other; optional otherwise.",
            )
            fieldsets.append(
                Fieldset(
                    Field.radios(f"rating_{kpi.pk}", legend_size=Size.SMALL, small=True),
                    Field.textarea(f"explanation_{kpi.pk}", rows=2),
                    legend=kpi.name,
                    legend_size=Size.SMALL,
                )
            )
        self.helper = form_helper(
            _small_date("rated_on"),
            _small_date("period_start"),
            *fieldsets,
            Button("submit", "Record ratings"),
            disable_csrf=True,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for kpi in self.kpis:
            rating = cleaned.get(f"rating_{kpi.pk}")
            if rating == KpiRating.Rating.OTHER and not cleaned.get(f"explanation_{kpi.pk}"):
                self.add_error(f"explanation_{kpi.pk}", f"Explain the rating of ‘{kpi.name}’")
        start, rated = cleaned.get("period_start"), cleaned.get("rated_on")
        if start and rated and start > rated:
            self.add_error("period_start", "The period must start on or before the assessment")
        return cleaned

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            kpi.pk: (
                self.cleaned_data[f"rating_{kpi.pk}"],
                self.cleaned_data.get(f"explanation_{kpi.pk}", ""),
            )
            for kpi in self.kpis
        }
