"""What every social value view shares: the role checks that let a supplier's user in, the
restricted lookups that give 404 for another supplier's objects, and the form flow.

Internal pages (dashboard, review, lists, commitments, verification) are for council staff:
members read, officers and administrators write. Pages about one contract, return or evidence
file are also open to the supplier's own users, always through a queryset already restricted
to what the user may see, so another supplier's identifier gives 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import SUPPLIERS, can_edit, can_read, group_names
from core.concurrency import StaleEdit
from procurement.models import Contract
from socialvalue import selectors
from socialvalue.models import SocialValueReturn

View = Callable[..., HttpResponse]


def _portal(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Council staff by `check`, or any supplier user (whose querysets are restricted)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not (check(request.user) or SUPPLIERS in group_names(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


portal_reader_required = _portal(can_read)
portal_writer_required = _portal(can_edit)


def visible_return(request: HttpRequest, pk: int) -> SocialValueReturn:
    return get_object_or_404(
        selectors.returns_visible_to(request.user).select_related(
            "contract__supplier", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )


def visible_contract(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(selectors.contract_for_page(user=request.user, pk=pk))


def form_flow(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict], Any],
    *,
    success: str,
    next_url: Callable[[Any], str] | str,
    template: str,
    context: dict[str, Any],
    stale: Callable[[forms.Form], tuple[forms.Form, dict[str, Any]]] | None = None,
) -> HttpResponse:
    """Validate, call the service, redirect; or show the form with its errors.

    On a stale edit `stale` gives the form to show instead (the record as now saved, with its
    new version, so a retry goes through) and what the page shows beside it.
    """
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
            messages.success(request, success)
            return redirect(next_url(saved) if callable(next_url) else next_url)
    return render(request, template, {"form": form, **context})


def add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
