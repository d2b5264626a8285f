"""Pages for the Procurement Act 2023: the compliance calendar, marking a notice published,
and a contract's KPIs and their ratings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.roles import editor_required, reader_required, signed_in_user
from core.csv_export import csv_response
from procurement.forms.notices import KpiForm, KpiRatingForm, NoticeFilterForm, NoticePublishForm
from procurement.models import Contract, Kpi, Notice
from procurement.ocds_notices import (
    contract_release_package,
    notice_release,
    pipeline_release_package,
)
from procurement.selectors import notices as selectors
from procurement.services import notices as services

PAGE_SIZE = 50
CSV_HEADER = [
    "notice",
    "contract_reference",
    "contract_title",
    "owner",
    "reason",
    "deadline",
    "status",
    "published_on",
    "identifier",
    "period_start",
    "period_end",
]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


@reader_required
def notice_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = NoticeFilterForm(request.GET)
    rows = selectors.notice_list(today=today, **form.selector_kwargs())
    context = {
        "form": form,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": selectors.notice_counts(today=today),
        "labels": selectors.NoticeStatus.LABELS,
        "query": request.GET.urlencode(),
        "today": today,
    }
    return render(request, "procurement/notices/notice_list.html", context)


@reader_required
def notice_csv(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.notice_list(today=today, **NoticeFilterForm(request.GET).selector_kwargs())
    return csv_response(
        "procurement-act-notices.csv",
        CSV_HEADER,
        (
            [
                notice.get_kind_display(),
                notice.contract.reference if notice.contract else "",
                notice.contract.title if notice.contract else "",
                notice.contract.owner.get_username()
                if notice.contract and notice.contract.owner
                else "",
                notice.reason,
                notice.due_on.isoformat(),
                selectors.NoticeStatus.LABELS[notice.status],
                _iso(notice.published_on),
                notice.identifier,
                _iso(notice.period_start),
                _iso(notice.period_end),
            ]
            for notice in rows
        ),
    )


@reader_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: what made it due, and for the council's own notices what they report (the
    pipeline's procurements, the payments compliance figures)."""
    today = timezone.localdate()
    notice = get_object_or_404(selectors.notice_list(today=today), pk=pk)
    context = {"notice": notice, "report": selectors.notice_report(notice=notice)}
    return render(request, "procurement/notices/notice_detail.html", context)


@editor_required
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("contract"), pk=pk)
    form = NoticePublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = signed_in_user(request)
            services.notice_publish(notice=notice, user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{notice.get_kind_display()} marked published.")
            return redirect("procurement:notice-list")
    context = {"notice": notice, "form": form}
    return render(request, "procurement/notices/notice_publish.html", context)


@editor_required
def kpi_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.kpi_create(contract=contract, user=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"KPI added to {contract.reference}.")
        return redirect("procurement:contract-detail", pk=contract.pk)
    context = {"contract": contract, "form": form, "title": "Add a KPI"}
    return render(request, "procurement/notices/kpi_form.html", context)


@editor_required
def kpi_rate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    kpis = list(Kpi.objects.filter(contract=contract).order_by("id"))
    form = KpiRatingForm(request.POST or None, kpis=kpis)
    if request.method == "POST" and kpis and form.is_valid():
        services.kpi_ratings_record(
            contract=contract,
            rated_on=form.cleaned_data["rated_on"],
            period_start=form.cleaned_data["period_start"],
            ratings=form.ratings(),
            user=signed_in_user(request),
        )
        messages.success(
            request, f"KPIs rated; a contract performance notice for {contract.reference} is due."
        )
        return redirect("procurement:contract-detail", pk=contract.pk)
    context = {"contract": contract, "form": form, "kpis": kpis, "title": "Rate the KPIs"}
    return render(request, "procurement/notices/kpi_form.html", context)


def _json_download(data: dict[str, object], filename: str) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@reader_required
def notice_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The notice as an OCDS release, as the central digital platform would take it."""
    notice = get_object_or_404(Notice.objects.select_related("contract__supplier"), pk=pk)
    if notice.kind == Notice.Kind.PIPELINE:
        return _json_download(pipeline_release_package(notice), f"notice-{notice.pk}.json")
    if notice.contract is None:  # payments compliance: about the council, no OCDS release
        raise Http404("This notice has no OCDS release.")
    return _json_download(notice_release(notice), f"notice-{notice.pk}.json")


@reader_required
def contract_notices_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The contract's notices as an OCDS release package."""
    contract = get_object_or_404(Contract.objects.select_related("supplier"), pk=pk)
    return _json_download(contract_release_package(contract), f"{contract.reference}-notices.json")
