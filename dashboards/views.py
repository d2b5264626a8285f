"""The members' annual review and its CSV downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from accounts.roles import reader_required, signed_in_user
from core.csv_export import csv_response
from core.xlsx import xlsx_response
from dashboards import charts, selectors, services
from dashboards.exports import CSV_TABLES, review_workbook
from dashboards.forms import ReviewYearForm


def _review(request: HttpRequest) -> tuple[ReviewYearForm, selectors.AnnualReview]:
    today = timezone.localdate()
    by_year = selectors.spend_by_year_cached()
    years, default = selectors.review_years(today=today)
    form = ReviewYearForm(request.GET or None, years=years, default=default)
    review = selectors.annual_review(year=form.selected_year(), today=today, by_year=by_year)
    return form, review


@reader_required
def annual_review(request: HttpRequest) -> HttpResponse:
    """The review's body is the same for every reader, so it is rendered once per change of
    its data (selectors.review_version) and kept in the cache; the charts are built only when
    the body is rendered."""
    form, review = _review(request)
    context = {
        "form": form,
        "review": review,
        "charts": SimpleLazyObject(lambda: charts.review_charts(review)),
        "version": selectors.review_version(year=review.year, today=review.today),
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
