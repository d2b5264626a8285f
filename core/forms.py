"""Form fields and form bases the apps share: the GOV.UK date input, the GET form of a list page
(filters, sort headers and the links that keep them), and the version an edit form carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from crispy_forms_gds import fields as gds
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.financial_year import FinancialYearField
from core.pagination import query_string

_Field = TypeVar("_Field", bound=forms.Field)


def form_helper(*layout: Any, method: str = "post", disable_csrf: bool = False) -> FormHelper:
    """How a form is laid out with small labels. A POST form's <form> tag is the page's (it
    holds the page's own buttons, and with `disable_csrf` the CSRF token too, so the form
    writes none); a GET form draws its own."""
    helper = FormHelper()
    helper.form_tag = method == "get"
    helper.form_method = method
    helper.disable_csrf = disable_csrf
    helper.label_size = Size.SMALL
    helper.layout = Layout(*layout)
    return helper


def declared_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's field `name` as the kind of field it is declared as (`form.fields` gives
    every field as a plain Field), to set what only that kind has: choices, a queryset."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class DateInputField(gds.DateInputField):
    """crispy_forms_gds' day, month and year field, with every impossible date a form error.

    The library turns date()'s ValueError ("day is out of range for month") into a form error,
    but a part too big for a C int (3000000000) makes date() raise OverflowError instead, which
    it lets through: a 500. Such a date gets the message ValueError would have given.
    """

    def compress(self, data_list: Sequence[str]) -> dt.date | None:
        try:
            return super().compress(data_list)
        except OverflowError as error:
            raise ValidationError(_out_of_range(*data_list)) from error


def _out_of_range(day: str, month: str, year: str) -> str:
    """date()'s own message for the first part it checks that is out of range."""
    if not dt.MINYEAR <= int(year) <= dt.MAXYEAR:
        return f"year {int(year)} is out of range"
    if not 1 <= int(month) <= 12:
        return "month must be in 1..12"
    return "day is out of range for month"


class ListFilterForm(forms.Form):
    """A GET form for a list page that also knows its sort order and builds its links."""

    SORTS: dict[str, str] = {}
    SORT_LABELS: dict[str, str] = {}
    NUMERIC: frozenset[str] = frozenset()
    DEFAULT_SORT = ""

    search = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Part of a name or reference."
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        # The links (sort headers, pages) keep the parameters exactly as the address had them;
        # the form may show some of them differently (a supplier id as the supplier's name).
        self.params = data
        super().__init__(self.shown(data), **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL

    def shown(self, data: QueryDict) -> QueryDict:
        """The values the form shows and validates; by default those in the address."""
        return data

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or self.DEFAULT_SORT
        return sort if sort.lstrip("-") in self.SORTS else self.DEFAULT_SORT

    def selector_kwargs(self) -> dict[str, Any]:
        """The valid filters; a filter with a bad value is ignored and shows its error."""
        self.is_valid()
        kwargs = {name: value for name, value in self.cleaned_data.items() if value}
        kwargs["sort"] = self.cleaned_data.get("sort") or self.DEFAULT_SORT
        return kwargs

    @property
    def is_filtered(self) -> bool:
        return any(value for name, value in self.params.items() if name not in ("sort", "page"))

    def query_string(self, **changes: Any) -> str:
        """The current GET parameters without the page, with `changes` applied."""
        return query_string(self.params, **changes)

    def sort_headers(self) -> list[dict[str, Any]]:
        """Column headers with a link that sorts by the column, and the aria-sort they carry."""
        current = self.selector_kwargs()["sort"]
        headers = []
        for key in self.SORTS:
            if current == key:
                state, next_sort = "ascending", f"-{key}"
            elif current == f"-{key}":
                state, next_sort = "descending", key
            else:
                state, next_sort = "none", key
            headers.append(
                {
                    "key": key,
                    "label": self.SORT_LABELS[key],
                    "aria_sort": state,
                    "url": self.query_string(sort=next_sort),
                    "numeric": key in self.NUMERIC,
                }
            )
        return headers


class VersionedForm(forms.Form):
    """The version of the record an edit form was opened at, carried in a hidden field, so a
    save can be refused when someone else has saved the record since (`core.concurrency`).

    Mixed into a ModelForm (`class F(VersionedForm, forms.ModelForm)`) the record is the
    form's instance; another form names its record with `versioned_record`. A form that adds a
    record carries no version.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = self.versioned_record()
        if record is not None and record.pk:
            self.fields["version"].required = True
            self.initial.setdefault("version", record.version)

    def versioned_record(self) -> Any:
        return getattr(self, "instance", None)

    def fields_to_save(self) -> dict[str, Any]:
        """The cleaned values less the version, as the service's changes."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class FinancialYearForm(forms.Form):
    """A page's financial year selector (a GET form): the years offered (`years`, newest first),
    and the one shown when none, or one not offered, is asked for."""

    year = FinancialYearField(help_text="1 April to 31 March.")

    def __init__(self, *args: Any, years: Sequence[int], default: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default
        self.years = sorted(set(years), reverse=True)
        field = declared_field(self, "year", FinancialYearField)
        field.set_years(self.years)
        field.initial = default
        self.helper = form_helper(Field.select("year"), Button("show", "Show year"), method="get")

    def selected_year(self) -> int:
        """The year asked for if it is one offered, otherwise the default."""
        if self.is_bound and self.is_valid():
            return int(self.cleaned_data["year"])
        return self.default
