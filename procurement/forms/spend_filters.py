"""The spend dashboard's financial year selector (a GET form)."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from core.financial_year import financial_year_label


class SpendYearForm(forms.Form):
    year = forms.TypedChoiceField(
        coerce=int,
        label="Financial year",
        help_text="1 April to 31 March. Only years with imported spend are listed.",
    )

    def __init__(self, *args, years: Sequence[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.years = sorted(years, reverse=True)
        self.fields["year"].choices = [(year, financial_year_label(year)) for year in self.years]
        self.fields["year"].initial = self.years[0] if self.years else None
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.select("year"), Button("show", "Show year"))

    def selected_year(self) -> int | None:
        """The year asked for if it is one with spend, otherwise the latest (None: no spend)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return self.years[0] if self.years else None
