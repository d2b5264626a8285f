"""The spend dashboard's financial year selector (a GET form)."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from core.financial_year import FinancialYearField, default_financial_year


class SpendYearForm(forms.Form):
    year = FinancialYearField(help_text="1 April to 31 March.")

    def __init__(self, *args, years: Sequence[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default = default_financial_year()
        self.years = sorted({*years, self.default}, reverse=True)
        self.fields["year"].set_years(self.years)
        self.fields["year"].initial = self.default
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.select("year"), Button("show", "Show year"))

    def selected_year(self) -> int:
        """The year asked for if it is one listed, otherwise the current financial year."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return self.default
