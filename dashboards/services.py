"""Writes for the annual review: queueing its workbook as a background job."""

from __future__ import annotations

from django.contrib.auth.models import User

from core.financial_year import financial_year_label
from dashboards import tasks
from jobs.models import Job
from jobs.services import job_start


def review_workbook_queue(*, year: int, user: User) -> Job:
    """Queue the workbook of the review of `year`; the worker runs
    dashboards.tasks.review_workbook and the job's page offers the file at the end."""
    return job_start(
        task=tasks.review_workbook,
        kind=Job.Kind.REVIEW_WORKBOOK,
        owner=user,
        title=f"Annual review {financial_year_label(year)}",
        params={"year": year},
    )
