"""Which jobs a user sees, and a job's status as the progress page polls it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from accounts.roles import is_administrator
from jobs.models import STOPPED_REPORT, Job


def job_visible(*, user: User | AnonymousUser) -> QuerySet[Job]:
    """The jobs `user` may see: an officer's own, every job for an administrator."""
    jobs = Job.objects.select_related("owner")
    if is_administrator(user):
        return jobs
    return jobs.filter(owner=user) if isinstance(user, User) else jobs.none()


def job_list(*, user: User | AnonymousUser) -> QuerySet[Job]:
    """The jobs `user` may see, newest first, without their inputs and reports."""
    return job_visible(user=user).defer("params", "report")


def job_report(*, job: Job) -> dict[str, Any]:
    """What the finished job's page says: the work's report, or why there is none."""
    return STOPPED_REPORT if job.stopped else job.report


def job_status(*, job: Job) -> dict[str, Any]:
    """What the progress page shows and its script polls: rows read of about how many."""
    lines = int(job.params.get("lines") or 0)
    if job.finished:
        percent = 100
    elif job.stage:
        percent = None  # the rows are read; how long what follows takes is not known
    elif lines:
        percent = min(99, job.rows_read * 100 // lines)
    else:
        percent = None  # a workbook: how many rows it has is known only once read
    stopped = job.stopped
    return {
        "status": "stopped" if stopped else job.status,
        "status_label": "Stopped" if stopped else job.get_status_display(),
        "finished": job.finished,
        "rows_read": job.rows_read,
        "bad_rows": job.bad_rows,
        "rows_expected": lines or None,
        "percent": percent,
        "stage": "" if job.finished else job.stage,
    }


def job_file(*, job: Job) -> dict[str, str] | None:
    """The file a finished job made ({"stored": its storage name, "name": the download's}), or
    None."""
    if not job.finished or job.stopped:
        return None
    made = job.report.get("file")
    return made if isinstance(made, dict) else None
