"""Planning pages: contracts ending soon, policy checks, savings and the pipeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from accounts.roles import editor_required, reader_required, signed_in_user
from core.csv_export import csv_response
from core.financial_year import (
    financial_year_label,
    financial_year_of,
    financial_years_with_data,
)
from core.money import format_pounds
from core.pagination import paginated, query_string
from core.save_flow import save_form
from procurement.charts import planning as charts
from procurement.forms.planning import (
    EndingSoonFilterForm,
    PipelineFilterForm,
    PipelineItemForm,
    SavingFilterForm,
    SavingForm,
)
from procurement.models import SOCIAL_VALUE_MIN_WEIGHTING, SOCIAL_VALUE_THRESHOLD, PipelineItem
from procurement.selectors import planning as selectors
from procurement.services import planning as services
from procurement.services.alerts import alert_months

POLICY_LIST_LIMIT = 200


def _query(request: HttpRequest) -> str:
    """The current filters as a query string prefix, for page and download links."""
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return f"{query.urlencode()}&" if query else ""


def _year_slug(year: int | None) -> str:
    return financial_year_label(year).replace("/", "-") if year else "all-years"


# -- ending soon and policy checks -------------------------------------------------------------


@reader_required
def ending_soon(request: HttpRequest) -> HttpResponse:
    form = EndingSoonFilterForm(request.GET or None)
    months, order = form.selected()
    today = timezone.localdate()
    listed = paginated(request, selectors.contracts_ending(today=today, months=months, order=order))
    return render(
        request,
        "procurement/planning/ending_soon.html",
        {
            "form": form,
            "months": months,
            **listed,
            "rows": selectors.ending_rows(contracts=listed["page"], today=today),
            "query": _query(request),
            "alert_months": alert_months(),
        },
    )


@reader_required
def ending_soon_csv(request: HttpRequest) -> HttpResponse:
    months, order = EndingSoonFilterForm(request.GET or None).selected()
    rows = selectors.contracts_ending_soon(today=timezone.localdate(), months=months, order=order)
    return csv_response(
        f"contracts-ending-within-{months}-months.csv",
        ENDING_SOON_CSV_HEADER,
        (_ending_soon_csv_row(row) for row in rows),
    )


@reader_required
def policy_checks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "procurement/planning/policy_checks.html",
        {
            "summary": selectors.policy_summary(today=today),
            "threshold": SOCIAL_VALUE_THRESHOLD,
            "min_weighting": SOCIAL_VALUE_MIN_WEIGHTING,
            "limit": POLICY_LIST_LIMIT,
            "missing_social_value": selectors.contracts_missing_social_value()[:POLICY_LIST_LIMIT],
            "past_end": selectors.contracts_past_end_still_live(today=today)[:POLICY_LIST_LIMIT],
            "without_owner": selectors.contracts_without_owner()[:POLICY_LIST_LIMIT],
            "impossible_values": selectors.contracts_with_impossible_values()[:POLICY_LIST_LIMIT],
        },
    )


# -- savings -----------------------------------------------------------------------------------


@reader_required
def saving_list(request: HttpRequest) -> HttpResponse:
    years = [*selectors.saving_years(), *financial_years_with_data()]
    form = SavingFilterForm(request.GET or None, years=years)
    year = form.selected_year()
    by_team = selectors.saving_totals_by_sub_team(financial_year=year)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"savings-by-sub-team-{_year_slug(year)}.csv",
            ["Sub-team", "Cashable (£)", "Non-cashable (£)", "Total (£)"],
            ((t.label, t.cashable, t.non_cashable, t.total) for t in by_team),
        )
    label = financial_year_label(year) if year else "all years"
    return render(
        request,
        "procurement/planning/saving_list.html",
        {
            "form": form,
            "year": year,
            "year_label": label,
            "by_kind": selectors.saving_totals_by_kind(financial_year=year),
            "by_team": by_team,
            "figure": charts.savings_by_sub_team_figure(by_team, title=f"Savings, {label}"),
            **paginated(request, selectors.saving_list(financial_year=year)),
            "query": _query(request),
        },
    )


@editor_required
def saving_create(request: HttpRequest) -> HttpResponse:
    form = SavingForm(request.POST or None, contract_id=request.GET.get("contract"))
    return save_form(
        request,
        form,
        lambda data: services.saving_create(recorded_by=signed_in_user(request), **data),
        template="procurement/planning/form.html",
        context={"title": "Record a saving"},
        success=lambda saving: f"Saving of {format_pounds(saving.amount)} recorded.",
        next_url=lambda saving: reverse("procurement:saving-list")
        + query_string({"year": saving.financial_year}),
    )


# -- pipeline ----------------------------------------------------------------------------------


@reader_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    form = PipelineFilterForm(request.GET or None, years=selectors.pipeline_years())
    year, status = form.selected()
    quarters = selectors.pipeline_quarter_totals(financial_year=year, status=status)
    csv = _pipeline_csv(request.GET.get("format"), year, status, quarters)
    if csv is not None:
        return csv
    return render(
        request,
        "procurement/planning/pipeline_list.html",
        {
            "form": form,
            "year": year,
            "quarters": quarters,
            "figure": charts.pipeline_by_quarter_figure(
                quarters, title="Estimated value by quarter of planned start"
            ),
            **paginated(request, selectors.pipeline_list(financial_year=year, status=status)),
            "query": _query(request),
        },
    )


def _pipeline_csv(kind: str | None, year, status, quarters) -> HttpResponse | None:
    slug = _year_slug(year)
    if kind == "quarters":
        return csv_response(
            f"pipeline-by-quarter-{slug}.csv",
            ["Quarter", "Procurements", "Estimated value (£)"],
            ((q.label, q.items, q.total) for q in quarters),
        )
    if kind == "csv":
        items = selectors.pipeline_list(financial_year=year, status=status)
        return csv_response(
            f"pipeline-{slug}.csv",
            PIPELINE_CSV_HEADER,
            (_pipeline_csv_row(item) for item in items),
        )
    return None


@editor_required
def pipeline_create(request: HttpRequest) -> HttpResponse:
    form = PipelineItemForm(request.POST or None)
    return _pipeline_form(request, form, None, title="Add a planned procurement")


@editor_required
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PipelineItem, pk=pk)
    title = f"Edit “{item.title}”"
    form = PipelineItemForm(request.POST or None, instance=item)
    return _pipeline_form(request, form, item, title=title)


def _pipeline_form(
    request: HttpRequest, form: PipelineItemForm, item: PipelineItem | None, *, title: str
) -> HttpResponse:
    def save(cleaned: dict[str, Any]) -> PipelineItem:
        data = {name: cleaned[name] for name in services.PIPELINE_FIELDS}
        user = signed_in_user(request)
        if item is None:
            return services.pipeline_item_create(created_by=user, **data)
        return services.pipeline_item_update(item=item, changes=data, updated_by=user)

    return save_form(
        request,
        form,
        save,
        template="procurement/planning/form.html",
        context={"title": title, "back": "procurement:pipeline-list"},
        success=lambda saved: f"“{saved.title}” saved to the pipeline.",
        next_url="procurement:pipeline-list",
    )


# -- CSV rows ----------------------------------------------------------------------------------

ENDING_SOON_CSV_HEADER = [
    "Reference",
    "Title",
    "Supplier",
    "Owner",
    "End date",
    "Months left",
    "Total value (£)",
    "Annual value (£)",
    "Extension options",
    "Alerts sent (months before)",
]


def _ending_soon_csv_row(row: selectors.EndingContract) -> list:
    contract = row.contract
    return [
        contract.reference,
        contract.title,
        contract.supplier.name,
        contract.owner.get_full_name() or contract.owner.username if contract.owner else "",
        contract.end_date.isoformat() if contract.end_date else "",  # ending soon: one is set
        row.months_left,
        contract.total_value,
        contract.annual_value,
        contract.extension_options,
        ", ".join(str(m) for m in row.alerts_sent),
    ]


PIPELINE_CSV_HEADER = [
    "Title",
    "Category",
    "Estimated value (£)",
    "Planned start",
    "Financial year",
    "Route",
    "Status",
    "Owner",
    "Replaces contract",
]


def _pipeline_csv_row(item: PipelineItem) -> list:
    return [
        item.title,
        item.category.name if item.category else "",
        item.estimated_value,
        item.planned_start.isoformat(),
        financial_year_label(financial_year_of(item.planned_start)),
        item.get_route_display(),
        item.get_status_display(),
        item.owner.get_full_name() or item.owner.username if item.owner else "",
        item.replaces.reference if item.replaces else "",
    ]
