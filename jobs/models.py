"""A piece of long work someone started (a spend import of a large file, the annual review's
workbook, a rebuild of the spend summary), run by the task queue's worker, with the progress
and the report the job page shows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# Longer than any import goes without a word: on SQLite the write of a million rows reports
# nothing until it ends.
STALE_AFTER = dt.timedelta(minutes=30)
STOPPED_REPORT = {
    "succeeded": False,
    "messages": [],
    "warnings": [],
    "errors": [
        "The job stopped before it finished (its worker ended), so nothing was written."
        " Start it again."
    ],
    "links": [],
}


class Job(models.Model):
    class Kind(models.TextChoices):
        SPEND_IMPORT = "spend_import", "Spend import"
        REVIEW_WORKBOOK = "review_workbook", "Annual review workbook"
        SUMMARY_REBUILD = "summary_rebuild", "Spend summary rebuild"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=Kind.choices, help_text="What the job does.")
    title = models.CharField(max_length=255, help_text="What it works on, e.g. the file's name.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jobs",
        help_text="Who started it: only they and administrators see it.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The work's input (a stored file's name, the officer's choices): JSON the task reads.
    params = models.JSONField(default=dict, blank=True)
    rows_read = models.PositiveBigIntegerField(default=0, help_text="Rows read so far.")
    bad_rows = models.PositiveBigIntegerField(default=0, help_text="Bad rows found so far.")
    stage = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the work is doing once the rows are read, e.g. saving the payments.",
    )
    # What the officer reads at the end: {"succeeded", "messages", "warnings", "errors", "links"},
    # and "file" ({"stored", "name"}) when the job made a file to download.
    report = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task queue's result id.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When the work last said it was alive (started, or reported progress outside its
    # transaction): a running job silent for longer than STALE_AFTER has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.stopped

    @property
    def stopped(self) -> bool:
        """Running, but silent for so long that its worker must have ended (killed, or the
        machine restarted): its work was one transaction, so it wrote nothing."""
        if self.status != self.Status.RUNNING:
            return False
        alive = self.heartbeat_at or self.started_at
        return alive is not None and timezone.now() - alive > STALE_AFTER
