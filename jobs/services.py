"""Starting a job on the task queue, and running it in the worker with its progress and
report recorded on the Job row."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connections, transaction
from django.utils import timezone
from django_tasks.base import Task

from jobs.models import Job

logger = logging.getLogger(__name__)

Report = dict[str, Any]
FAILED_REPORT: Report = {
    "succeeded": False,
    "messages": [],
    "warnings": [],
    "errors": [
        "The job stopped with an unexpected error, so nothing was written. Try again; if it"
        " happens again, tell an administrator."
    ],
    "links": [],
}


class Progress:
    """The work's progress callback: rows read and bad rows so far, written to the job row,
    and (`stage`) what the work does once the rows are read.

    On PostgreSQL it writes on the "jobs" connection, outside the work's transaction, so the
    job page sees it at once. SQLite has one writer: while the work's transaction holds it,
    the figures are kept here and written when the job finishes.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.rows_read = 0
        self.bad_rows = 0
        self.alias = "jobs" if "jobs" in connections.databases else "default"

    def __call__(self, rows_read: int, bad_rows: int) -> None:
        self.rows_read, self.bad_rows = rows_read, bad_rows
        self._write(rows_read=rows_read, bad_rows=bad_rows)

    def stage(self, text: str) -> None:
        """Say what the work is doing now, e.g. "Saving the payments"."""
        self._write(stage=text[: Job._meta.get_field("stage").max_length])

    def _write(self, **fields: object) -> None:
        if self.alias == "default" and connections["default"].in_atomic_block:
            return
        Job.objects.using(self.alias).filter(pk=self.job_id).update(
            **fields, heartbeat_at=timezone.now()
        )


Work = Callable[[Job, Progress], Report]


def job_start(
    *,
    task: Task[[int], None],
    kind: str,
    owner: User,
    title: str,
    params: dict[str, Any],
) -> Job:
    """Record a job and put `task(job_id)` on the queue, both or neither."""
    with transaction.atomic():
        job = Job(kind=kind, owner=owner, title=title[:255], params=params)
        job.full_clean()
        job.save()
        result = task.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def job_run(*, job_id: int, work: Work) -> None:
    """Run `work` for the job (in the worker): mark it running, then done with the report the
    work returns, or failed (and re-raise, so the queue records the error too)."""
    job = Job.objects.get(pk=job_id)
    job.status = Job.Status.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    progress = Progress(job_id)
    try:
        report = work(job, progress)
    except Exception:
        logger.exception("Job %s failed", job_id)
        _finish(job, progress, status=Job.Status.FAILED, report=FAILED_REPORT)
        raise
    _finish(job, progress, status=Job.Status.DONE, report=report)


def _finish(job: Job, progress: Progress, *, status: str, report: Report) -> None:
    job.status, job.report, job.finished_at = status, report, timezone.now()
    job.rows_read, job.bad_rows = progress.rows_read, progress.bad_rows
    job.save(update_fields=["status", "report", "finished_at", "rows_read", "bad_rows"])
