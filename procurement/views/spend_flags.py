"""Red flags in spend (procurement.flags): the ranked list, one flag with its review, its CSV,
and the payments page every flag, supplier and dashboard figure links to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import can_edit, reader_required, signed_in_user
from core.csv_export import csv_response
from core.financial_year import financial_year_label, financial_years_with_data
from core.pagination import paginated
from procurement.forms.spend_filters import SpendYearForm
from procurement.forms.spend_flags import FlagFilterForm, FlagReviewForm, PaymentFilterForm
from procurement.selectors import flags as selectors
from procurement.selectors.payments import spend_payments
from procurement.services.flags import spend_flag_review


def _year(request: HttpRequest) -> tuple[SpendYearForm, int]:
    form = SpendYearForm(request.GET or None, years=financial_years_with_data())
    return form, form.selected_year()


@reader_required
def flag_list(request: HttpRequest) -> HttpResponse:
    year_form, year = _year(request)
    filter_form = FlagFilterForm(request.GET or None)
    flags = selectors.spend_flags(year=year, **filter_form.filters())
    context = {
        **paginated(request, flags.flags),
        "year_form": year_form,
        "filter_form": filter_form,
        "year": year,
        "year_label": financial_year_label(year),
        "flags": flags,
        "rules": selectors.flag_rules(),
    }
    return render(request, "procurement/spend/flag_list.html", context)


@reader_required
def flag_csv(request: HttpRequest) -> HttpResponse:
    _, year = _year(request)
    flags = selectors.spend_flags(year=year)
    label = financial_year_label(year).replace("/", "-")
    return csv_response(
        f"spend-flags-{label}.csv", selectors.FLAGS_HEADER, selectors.flag_rows(flags.flags)
    )


@reader_required
def flag_detail(request: HttpRequest, year: int, key: str) -> HttpResponse:
    """GET: the flag, its payments with file and line, its review and history. POST: review
    it (officers)."""
    if request.method == "POST" and not can_edit(request.user):
        raise PermissionDenied
    item = selectors.spend_flag(year=year, key=key)
    if item is None:
        raise Http404("No such flag in that year")
    form = FlagReviewForm(request.POST or None, initial=_initial(item))
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            spend_flag_review(
                flag=item.flag,
                year=year,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                user=signed_in_user(request),
            )
        except ValidationError as error:
            # Someone else reviewed it meanwhile: show theirs, with the form at their version.
            problem = " ".join(error.messages)
            item = selectors.spend_flag(year=year, key=key) or item
            form = FlagReviewForm(initial=_initial(item))
        else:
            messages.success(request, "Review saved.")
            return redirect("procurement:spend-flag", year=year, key=key)
    context = {
        "item": item,
        "flag": item.flag,
        "year": year,
        "year_label": financial_year_label(year),
        "form": form,
        "problem": problem,
        "can_edit": can_edit(request.user),
        "history": selectors.spend_flag_history(key=key),
    }
    return render(request, "procurement/spend/flag_detail.html", context)


def _initial(item: selectors.ReviewedFlag) -> dict[str, Any]:
    review = item.review
    if review is None:
        return {"status": item.status}
    return {
        "status": review.status,
        "reason": review.reason,
        "note": review.note,
        "version": review.version,
    }


@reader_required
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    rows = spend_payments(filters=form.filters())
    context = {"form": form, **paginated(request, rows)}
    return render(request, "procurement/spend/payment_list.html", context)
