"""Forms of the procurement pages: input is validated here, and nothing is written."""

from __future__ import annotations

from typing import TypeVar

from django import forms

_Field = TypeVar("_Field", bound=forms.Field)


def declared_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's field `name` as the kind of field it is declared as (`form.fields` gives
    every field as a plain Field), to set what only that kind has: choices, a queryset."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
