"""Council pages: the social value dashboard, the annual review and its exports, the lists."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.roles import editor_required, reader_required
from core.csv_export import csv_response
from core.data_version import PAGE_CACHE_SECONDS, lazy, page_key
from core.financial_year import (
    default_financial_year,
    financial_year_label,
    financial_years_with_data,
    is_financial_year,
)
from core.forms import FinancialYearForm
from core.pagination import paginated
from core.xlsx import xlsx_response
from socialvalue import charts, exports, selectors
from socialvalue.forms import ContractSearchForm, MeasureImportForm, ReturnFilterForm
from socialvalue.importers import import_measures_file

# -- dashboard and annual review -----------------------------------------------------------------


def _year(request: HttpRequest, *, review: bool = False) -> tuple[FinancialYearForm, int]:
    """The year chosen, or the default: the review the last complete year, the rest the
    current one (core.financial_year's rule)."""
    today = timezone.localdate()
    form = FinancialYearForm(
        request.GET or None,
        years=financial_years_with_data(today=today),
        default=default_financial_year(today=today, review=review),
    )
    return form, form.selected_year()


DASHBOARD_ROWS = 25


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, year = _year(request)
    # Below the title the page is the same for every reader: read and drawn only when the cached
    # body is (once per social value data version, day and query string).
    data = lazy(lambda: selectors.social_value_dashboard(year=year, today=timezone.localdate()))
    tables = lazy(lambda: exports.dashboard_tables(data))
    csv_url = reverse("socialvalue:dashboard-csv")
    return render(
        request,
        "socialvalue/dashboard.html",
        {
            "form": form,
            "year": year,
            "year_label": financial_year_label(year),
            # The form is cached with the body: the years it offers are part of the key.
            "page_key": page_key(request, selectors.social_value_version(), *form.years),
            "page_seconds": PAGE_CACHE_SECONDS,
            "data": data,
            # Long lists (thousands of rows at a large council) show their first rows; the
            # CSV download beside each has them all.
            "shown": DASHBOARD_ROWS,
            "supplier_rows": lazy(lambda: data.by_supplier[:DASHBOARD_ROWS]),
            "overdue_rows": lazy(lambda: data.overdue[:DASHBOARD_ROWS]),
            "no_commitment_rows": lazy(lambda: data.without_commitments[:DASHBOARD_ROWS]),
            "trend_header": lazy(lambda: tables["trend"][1][0]),
            "trend_rows": lazy(lambda: tables["trend"][1][1]),
            "downloads": lazy(
                lambda: {
                    key.replace("-", "_"): (
                        f"{csv_url}?{urlencode({'table': key, 'year': str(year)})}"
                    )
                    for key in tables
                }
            ),
            "goal_figure": lazy(
                lambda: charts.value_figure(data.by_goal, title="Social value by goal")
            ),
            "measure_figure": lazy(
                lambda: charts.measure_figure(data.by_measure, title="Delivered by measure")
            ),
            "category_figure": lazy(
                lambda: charts.value_figure(data.by_category, title="By category")
            ),
            "sub_team_figure": lazy(
                lambda: charts.value_figure(data.by_sub_team, title="By sub-team")
            ),
            "supplier_figure": lazy(
                lambda: charts.value_figure(data.by_supplier, title="Top 15 suppliers", limit=15)
            ),
            "trend_figure": lazy(
                lambda: charts.trend_figure(data.trend, title="Social value by year")
            ),
        },
    )


@reader_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    _, year = _year(request)
    tables = exports.dashboard_tables(
        selectors.social_value_dashboard(year=year, today=timezone.localdate())
    )
    key = request.GET.get("table", "goal")
    if key not in tables:
        raise Http404("No such table")
    _, (header, rows) = tables[key]
    return csv_response(f"social-value-{key}-{year}.csv", header, rows)


def _review_year(year: int) -> int:
    if not is_financial_year(year):
        raise Http404("No such financial year")
    return year


@reader_required
def review(request: HttpRequest, year: int | None = None) -> HttpResponse:
    form, selected = _year(request, review=True)
    year = selected if year is None else _review_year(year)
    form.fields["year"].initial = year
    form.helper.form_action = reverse("socialvalue:review")
    data = selectors.annual_review(year=year)
    return render(
        request,
        "socialvalue/review.html",
        {
            "form": form,
            "review": data,
            "year": year,
            "year_label": financial_year_label(year),
            "goal_figure": charts.value_figure(data.by_goal, title="Social value by goal"),
        },
    )


@reader_required
def review_csv(request: HttpRequest, year: int) -> HttpResponse:
    header, rows = exports.review_csv_rows(selectors.annual_review(year=_review_year(year)))
    return csv_response(f"social-value-review-{year}.csv", header, rows)


@reader_required
def review_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    content = exports.review_workbook(selectors.annual_review(year=_review_year(year)))
    return xlsx_response(content, filename=f"social-value-review-{year}.xlsx")


# -- lists ---------------------------------------------------------------------------------------


@reader_required
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractSearchForm(request.GET or None)
    contracts = selectors.contract_list(query=form.query())
    context = {"form": form, **paginated(request, contracts, params={"q": form.query()})}
    return render(request, "socialvalue/contract_list.html", context)


@reader_required
def return_list(request: HttpRequest) -> HttpResponse:
    years = financial_years_with_data()
    form = ReturnFilterForm(request.GET or {"status": "submitted"}, years=years)
    returns = selectors.return_list(**form.filters())
    context = {"form": form, **paginated(request, returns, params=form.filters())}
    return render(request, "socialvalue/return_list.html", context)


@reader_required
def measure_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "socialvalue/measure_list.html", {"goals": selectors.measure_catalogue()}
    )


@editor_required
def measure_import(request: HttpRequest) -> HttpResponse:
    form = MeasureImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_measures_file(
            form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
        if result.ok and not result.dry_run:
            messages.success(request, result.summary())
            return redirect("socialvalue:measure-list")
    return render(request, "socialvalue/measure_import.html", {"form": form, "result": result})
