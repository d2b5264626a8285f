"""A piece of long work an officer started (a spend import of a large file), run by the task
queue's worker, with the progress and the report the job page shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        SPEND_IMPORT = "spend_import", "Spend import"

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
    # What the officer reads at the end: {"succeeded", "messages", "warnings", "errors", "links"}.
    report = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task queue's result id.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
