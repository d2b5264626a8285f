from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import editor_required, reader_required, signed_in_user
from core.csv_export import csv_response
from core.data_version import PAGE_CACHE_SECONDS, lazy, page_key
from core.save_flow import Stale, save_form
from maturity import charts, exports, plan_selectors, selectors, services
from maturity.forms import ActionForm, AsAtForm, AssessmentForm, TargetForm, ThemeFilterForm
from maturity.models import Action, Indicator

LevelFormT = TypeVar("LevelFormT", AssessmentForm, TargetForm)


def _as_at(request: HttpRequest, form: AsAtForm) -> dict[str, object]:
    """What a page with an "as at" date says about it, and its downloads' query string."""
    as_at = form.selected_date()
    query = request.GET.copy()  # the form's data when it is bound; else empty
    for name in ("filter", "table", "format"):
        query.pop(name, None)
    return {"as_at": as_at, "is_today": as_at == form.today, "query": query.urlencode()}


def _overview(request: HttpRequest) -> dict[str, Any]:
    framework = selectors.framework_current()
    form = AsAtForm(request.GET or None)
    as_at = form.selected_date()
    return {
        "framework": framework,
        # The tree is read only when it is used (the CSV, or the body drawn).
        "key_areas": lazy(lambda: selectors.framework_tree(framework=framework, as_at=as_at)),
        "form": form,
        **_as_at(request, form),
    }


OVERVIEW_PARTS = ("framework", "key_areas", "form", "as_at", "is_today", "query")


def _part(parts: dict[str, Any], name: str) -> Any:
    return lazy(lambda: parts[name])


@reader_required
def overview(request: HttpRequest) -> HttpResponse:
    """The page is cached whole by the framework's data version, the day and the query string
    (which decide the date shown): a cached visit reads only the version, and each part of the
    page is worked out only when it is drawn."""
    parts = lazy(lambda: _overview(request))
    if request.GET.get("format") == "csv":
        return csv_response(
            f"maturity-framework-{parts['as_at'].isoformat()}.csv",
            exports.FRAMEWORK_HEADER,
            exports.framework_rows(parts["key_areas"]),
        )
    context = {name: _part(parts, name) for name in OVERVIEW_PARTS}
    return render(
        request,
        "maturity/overview.html",
        {
            **context,
            "page_key": page_key(request, selectors.maturity_version()),
            "page_seconds": PAGE_CACHE_SECONDS,
        },
    )


@reader_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Indicator, pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "maturity/indicator_detail.html",
        {
            **selectors.indicator_detail(indicator_id=pk, as_at=today),
            "today": today,
            "action_counts": plan_selectors.action_counts(as_at=today, indicator_id=pk),
        },
    )


def _indicator_form(
    request: HttpRequest,
    indicator: Indicator,
    form: forms.Form,
    save: Callable[[dict], object],
    *,
    title: str,
    success: str,
    stale: Stale | None = None,
) -> HttpResponse:
    """The officer forms on an indicator: saved, they go back to the indicator's page."""
    return save_form(
        request,
        form,
        save,
        template="maturity/indicator_form.html",
        context={"indicator": indicator, "title": title},
        success=f"{success} for {indicator.name}.",
        next_url=reverse("maturity:indicator-detail", args=[indicator.pk]),
        stale=stale,
    )


def _level_form(
    request: HttpRequest, form_class: type[LevelFormT], indicator: Indicator, **initial: object
) -> LevelFormT:
    descriptors = selectors.level_descriptors(indicator=indicator)
    return form_class(request.POST or None, descriptors=descriptors, initial=initial)


@editor_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("key_area"), pk=pk)
    return _indicator_form(
        request,
        indicator,
        _level_form(request, AssessmentForm, indicator),
        lambda data: services.assessment_record(
            indicator=indicator, assessor=signed_in_user(request), **data
        ),
        title="Record an assessment",
        success="Assessment saved",
    )


@editor_required
def target_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("key_area"), pk=pk)
    form = _level_form(
        request,
        TargetForm,
        indicator,
        replaces_target_id=selectors.latest_target_id(indicator=indicator),
    )

    def stale(form: TargetForm) -> tuple[TargetForm, dict]:
        # Show the target someone else set, and carry its id: a second Save is deliberate.
        current = selectors.target_current(indicator=indicator)
        return form.replacing(current), {"current_target": current}

    return _indicator_form(
        request,
        indicator,
        form,
        lambda data: services.target_set(
            indicator=indicator, set_by=signed_in_user(request), **data
        ),
        title="Set a target",
        success="Target saved",
        stale=stale,
    )


@editor_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("key_area"), pk=pk)
    return _indicator_form(
        request,
        indicator,
        ActionForm(request.POST or None),
        lambda data: services.action_create(
            indicator=indicator, created_by=signed_in_user(request), **data
        ),
        title="Add an improvement action",
        success="Action added",
    )


@require_POST
@editor_required
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    services.action_complete(action=action, completed_by=signed_in_user(request))
    messages.success(request, "Action marked as completed.")
    return redirect("maturity:indicator-detail", pk=action.indicator_id)


GAP_TABLES = {
    "themes": ("Theme", *exports.AREA_HEADER),
    "key-areas": ("Key area", *exports.AREA_HEADER),
    "largest-gaps": exports.GAPS_HEADER,
}


@reader_required
def gap_dashboard(request: HttpRequest) -> HttpResponse:
    framework = selectors.framework_current()
    form = ThemeFilterForm(request.GET or None, themes=selectors.themes_for(framework))
    theme = form.selected_theme()
    as_at = form.selected_date()
    # The form and what follows are the same for every reader: read and drawn only when the
    # cached body is (once per data version, day and query string; the themes are in the data).
    key_areas = lazy(
        lambda: selectors.key_area_summaries(framework=framework, theme=theme, as_at=as_at)
    )
    themes = lazy(lambda: selectors.theme_summaries(framework=framework, theme=theme, as_at=as_at))
    largest = lazy(lambda: selectors.largest_gaps(framework=framework, theme=theme, as_at=as_at))
    table = request.GET.get("table")
    if table is not None:
        if table not in GAP_TABLES:
            raise Http404("No such table")
        rows = {
            "themes": lambda: exports.area_rows(themes),
            "key-areas": lambda: exports.area_rows(key_areas),
            "largest-gaps": lambda: exports.gap_rows(largest),
        }[table]()
        name = f"maturity-gaps-{table}-{as_at.isoformat()}.csv"
        return csv_response(name, GAP_TABLES[table], rows)
    return render(
        request,
        "maturity/gap_dashboard.html",
        {
            "form": form,
            "theme": theme,
            "themes": themes,
            "key_areas": key_areas,
            "largest_gaps": largest,
            **_as_at(request, form),
            "theme_figure": lazy(lambda: charts.where_we_are_figure(themes, title="By theme")),
            "key_area_figure": lazy(
                lambda: charts.where_we_are_figure(key_areas, title="By key area")
            ),
            "gap_figure": lazy(
                lambda: charts.gap_figure(key_areas, title="Average gap by key area")
            ),
            "action_counts": lazy(lambda: plan_selectors.action_counts(as_at=timezone.localdate())),
            "page_key": page_key(request, selectors.maturity_version()),
            "page_seconds": PAGE_CACHE_SECONDS,
        },
    )
