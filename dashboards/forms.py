"""The annual review's financial year selector (a GET form)."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from core.financial_year import FinancialYearField


class ReviewYearForm(forms.Form):
    year = FinancialYearField(help_text="1 April to 31 March.")

    def __init__(self, *args, years: Sequence[int], default: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["year"].set_years(years)
        self.fields["year"].initial = default
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.select("year"), Button("show", "Show year"))

    def selected_year(self) -> int:
        """The year asked for if it is one offered, otherwise the default."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return self.default
