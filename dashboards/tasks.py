"""Work the task queue's worker runs for the annual review (django-tasks; `manage.py db_worker`)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from jobs.models import Job
from jobs.services import Progress, Report, job_run


@task()
def review_workbook(job_id: int) -> None:
    """Write the annual review of the job's year as an XLSX workbook, for review_workbook_queue."""
    job_run(job_id=job_id, work=_review_workbook)


def _review_workbook(job: Job, progress: Progress) -> Report:
    # Imported here: the services module queues this task.
    from dashboards import selectors
    from dashboards.exports import review_workbook as workbook

    review = selectors.annual_review(
        year=int(job.params["year"]),
        today=timezone.localdate(),
        by_year=selectors.spend_by_year_cached(),
    )
    name = f"annual-review-{review.label.replace('/', '-')}.xlsx"
    stored = default_storage.save(f"jobs/{job.pk}/{name}", ContentFile(workbook(review)))
    return {
        "succeeded": True,
        "messages": [f"The {review.label} annual review workbook is ready."],
        "warnings": [],
        "errors": [],
        "links": [{"url": reverse("jobs:job-download", args=[job.pk]), "text": f"Download {name}"}],
        "file": {"stored": stored, "name": name},
    }
