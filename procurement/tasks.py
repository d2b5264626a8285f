"""Work the task queue's worker runs (django-tasks; `manage.py db_worker`)."""

from __future__ import annotations

from typing import BinaryIO, cast

from django.core.files.storage import default_storage
from django_tasks import task

from jobs.models import Job
from jobs.services import Progress, Report, job_run


@task()
def spend_import(job_id: int) -> None:
    """Import a stored spend file for a job queued by spend_upload_queue."""
    job_run(job_id=job_id, work=_spend_import)


def _spend_import(job: Job, progress: Progress) -> Report:
    # Imported here: the services module queues this task.
    from procurement.importers.spend import ALREADY_IMPORTED, IMPORTED, import_spend_file
    from procurement.models import SpendLayout
    from procurement.services.spend_layouts import spend_layout_save
    from procurement.spend_messages import spend_import_report

    params = job.params
    stored = params["stored"]
    with default_storage.open(stored, "rb") as source:
        result = import_spend_file(
            cast(BinaryIO, source),  # a storage File reads bytes like the files it wraps
            filename=params["filename"],
            user=job.owner,
            skip_bad_rows=params["skip_bad_rows"],
            mapping=params["mapping"],
            publisher=params["publisher"] or None,
            progress=progress,
            stage=progress.stage,
        )
    if result.status == IMPORTED and params["headings"]:
        spend_layout_save(headings=params["headings"], mapping=params["mapping"], user=job.owner)
    kept_token = params["kept_token"]
    if result.status in (IMPORTED, ALREADY_IMPORTED) or not kept_token:
        default_storage.delete(stored)  # a refused mapped file stays for the mapping step
        kept_token = ""
    layout_id = params["layout_id"]
    return spend_import_report(
        result,
        name=params["filename"],
        skip_bad_rows=params["skip_bad_rows"],
        layout=SpendLayout.objects.filter(pk=layout_id).first() if layout_id else None,
        kept_token=kept_token,
    )


@task()
def spend_summary_rebuild(job_id: int) -> None:
    """Rebuild the whole spend summary for a job queued by spend_summary_rebuild_queue."""
    job_run(job_id=job_id, work=_spend_summary_rebuild)


def _spend_summary_rebuild(job: Job, progress: Progress) -> Report:
    from django.urls import reverse

    from procurement.services.spend_summary import spend_summary_rebuild as rebuild

    rows = rebuild()  # one transaction: a worker killed part-way leaves the summary as it was
    progress(rows, 0)
    return {
        "succeeded": True,
        "messages": [f"The spend summary was rebuilt from every payment: {rows:,} rows."],
        "warnings": [],
        "errors": [],
        "links": [{"url": reverse("procurement:spend-dashboard"), "text": "The spend dashboard"}],
    }
