"""The members' annual review and its CSV downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import reader_required, signed_in_user
from core.csv_export import csv_response
from core.data_version import lazy, page_key
from core.xlsx import xlsx_response
from dashboards import charts, selectors, services
from dashboards.exports import CSV_TABLES, review_workbook
from dashboards.forms import ReviewYearForm


def _review(request: HttpRequest) -> tuple[ReviewYearForm, selectors.AnnualReview]:
    today = timezone.localdate()
    years, default = selectors.review_years(today=today)
    form = ReviewYearForm(request.GET or None, years=years, default=default)
    review = selectors.annual_review(year=form.selected_year(), today=today)
    return form, review


@reader_required
def annual_review(request: HttpRequest) -> HttpResponse:
    """The page is the same for every reader, so its parts are rendered once per change of
    their data (selectors.review_version), day and query string and kept in the cache; a
    cached visit reads only the version. The form, the review and its charts are worked out
    when a part is rendered."""
    form_and_review = lazy(lambda: _review(request))
    review = lazy(lambda: form_and_review[1])
    context = {
        "form": lazy(lambda: form_and_review[0]),
        "review": review,
        "charts": lazy(lambda: charts.review_charts(review)),
        "page_key": page_key(request, selectors.review_version()),
        "cache_seconds": selectors.REVIEW_CACHE_SECONDS,
    }
    return render(request, "dashboards/annual_review.html", context)


@reader_required
def review_csv(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in CSV_TABLES:
        raise Http404("No such download")
    rows_for, header = CSV_TABLES[slug]
    _, review = _review(request)
    label = review.label.replace("/", "-")
    return csv_response(f"annual-review-{slug}-{label}.csv", header, rows_for(review))


@require_POST
@reader_required
def review_xlsx_job(request: HttpRequest) -> HttpResponse:
    """Prepare the workbook in the background (it reads every section of the review): the
    job's page shows its progress and then the download."""
    years, default = selectors.review_years(today=timezone.localdate())
    year = ReviewYearForm(request.POST, years=years, default=default).selected_year()
    job = services.review_workbook_queue(year=year, user=signed_in_user(request))
    return redirect("jobs:job-detail", pk=job.pk)


@reader_required
def review_xlsx(request: HttpRequest) -> HttpResponse:
    """The review as the `annual_review --format xlsx` command writes it, in the request (for
    scripts; the page prepares it as a job, review_xlsx_job)."""
    _, review = _review(request)
    label = review.label.replace("/", "-")
    return xlsx_response(review_workbook(review), filename=f"annual-review-{label}.xlsx")
