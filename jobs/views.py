"""An officer's background jobs: the list, a job's progress page and report, and the status
its script polls."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import editor_required
from core.pagination import paginated
from jobs.selectors import job_list, job_report, job_status, job_visible

REFRESH_SECONDS = 3  # the page without its script reloads itself this often while running


@editor_required
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/job_list.html", paginated(request, job_list(user=request.user)))


@editor_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(job_visible(user=request.user), pk=pk)
    context = {
        "job": found,
        "status": job_status(job=found),
        "report": job_report(job=found),
        "refresh": REFRESH_SECONDS,
    }
    return render(request, "jobs/job_detail.html", context)


@editor_required
def job_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    found = get_object_or_404(job_visible(user=request.user).defer("report"), pk=pk)
    response = JsonResponse(job_status(job=found))
    response["Cache-Control"] = "no-store"
    return response
