"""The one flow of every page that saves a form: validate, call the service, say so and redirect;
or show the form again with the service's refusal on it.

A refused stale edit (`core.concurrency.StaleEdit`) is shown as the record now is: the page's
`stale` callable gives the form to show instead (the other person's values, with the version
they saved, so a retry goes through) and what the page shows beside it, such as the officer's
own unsaved values to make again. The page gets the refusal as `stale_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.concurrency import StaleEdit

T = TypeVar("T")
Stale = Callable[[Any], tuple[BaseForm, dict[str, Any]]]


def save_form(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    template: str,
    context: dict[str, Any],
    success: str | Callable[[T], str],
    next_url: str | Callable[[T], str],
    stale: Stale | None = None,
) -> HttpResponse:
    """Validate `form` on a POST and `save` its cleaned data; redirect to `next_url` (a URL or a
    URL name, or a callable given what was saved) with the `success` message; else render
    `template` with the form and `context`."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            if isinstance(error, StaleEdit) and stale is not None:
                form, shown = stale(form)
                context = {**context, **shown, "stale_error": error.messages[0]}
            else:
                add_errors(form, error)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(next_url(saved) if callable(next_url) else next_url)
    return render(request, template, {**context, "form": form})


def add_errors(form: BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: each field's message on its field where the form has it,
    the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def show_current(reload: Callable[[], Model]) -> Stale:
    """For a ModelForm with `unsaved_changes`: the record as now saved in a fresh form, and beside
    it the `current` record and this person's `unsaved` changes."""

    def stale(form: Any) -> tuple[BaseForm, dict[str, Any]]:
        current = reload()
        return type(form)(instance=current), {
            "unsaved": form.unsaved_changes(current),
            "current": current,
        }

    return stale
