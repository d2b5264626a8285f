"""Someone's background jobs: the list, a job's progress page and report, the status its
script polls and the file it made. Officers start imports and rebuilds, members and officers
the review's workbook; everyone sees only their own jobs, administrators every job."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import reader_required
from core.pagination import paginated
from jobs.selectors import job_file, job_list, job_report, job_status, job_visible

REFRESH_SECONDS = 3  # the page without its script reloads itself this often while running


@reader_required
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/job_list.html", paginated(request, job_list(user=request.user)))


@reader_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(job_visible(user=request.user), pk=pk)
    context = {
        "job": found,
        "status": job_status(job=found),
        "report": job_report(job=found),
        "refresh": REFRESH_SECONDS,
    }
    return render(request, "jobs/job_detail.html", context)


@reader_required
def job_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    found = get_object_or_404(job_visible(user=request.user).defer("report"), pk=pk)
    response = JsonResponse(job_status(job=found))
    response["Cache-Control"] = "no-store"
    return response


@reader_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file a finished job made (the review's workbook)."""
    found = get_object_or_404(job_visible(user=request.user), pk=pk)
    made = job_file(job=found)
    if made is None or not default_storage.exists(made["stored"]):
        raise Http404("This job made no file, or it has been removed.")
    return FileResponse(
        default_storage.open(made["stored"], "rb"), as_attachment=True, filename=made["name"]
    )
