"""A worker killed part-way through a spend import job leaves no partial data, and a new job
for the same file then imports it in full.

The worker is a real `manage.py db_worker` in another process, killed with SIGKILL while the
import writes (as tests/procurement/test_import_interrupted.py kills `import_spend`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage

from jobs.models import Job
from procurement.models import SpendImport, SpendTransaction
from procurement.services.spend_uploads import spend_upload_queue
from tests.factories import UserFactory
from tests.processes import manage, manage_start, python, row_counts
from tests.procurement.test_import_interrupted import (
    ON_SQLITE,
    ROWS_TO_KILL,
    _earlier_data,
    _spend_file,
    database_for_another_process,
    kill_while_writing,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WORKER = ("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval=0")


def _validated(database_file: Path | None) -> bool:
    """SQLite: the job has read every row (its progress says so), so the next write is the
    import's own transaction, not a progress update or the queue's claim."""
    if not ON_SQLITE:
        return True
    reader = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True, timeout=0.05)
    try:
        (rows,) = reader.execute("SELECT rows_read FROM jobs_job").fetchone()
    except sqlite3.OperationalError:  # locked for a moment by a commit
        return False
    finally:
        reader.close()
    return rows == ROWS_TO_KILL


def test_a_worker_killed_part_way_through_an_import_job_writes_nothing(
    tmp_path, settings, monkeypatch
):
    uploads = tmp_path / "uploads"
    settings.MEDIA_ROOT = uploads
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(uploads))  # the worker's storage too
    _earlier_data()
    spend_file = _spend_file(tmp_path / "spend.csv", rows=ROWS_TO_KILL)
    with spend_file.open("rb") as source:
        stored = default_storage.save("spend-uploads/killed.csv", File(source))
    job = spend_upload_queue(
        stored=stored,
        filename="spend.csv",
        user=UserFactory(),
        skip_bad_rows=False,
        publisher="",
    )
    database_file, url = database_for_another_process(tmp_path)
    before = row_counts(url=url)

    worker = manage_start(*WORKER, url=url)
    kill_while_writing(worker, database_file=database_file, ready=lambda: _validated(database_file))

    assert row_counts(url=url) == before
    assert default_storage.exists(stored), "the file stays for another try"

    # The officer uploads it again: a new job imports it in full.
    python(
        "from jobs.models import Job\n"
        "from procurement.services.spend_uploads import spend_upload_queue\n"
        f"old = Job.objects.get(pk={job.pk})\n"
        "spend_upload_queue(stored=old.params['stored'], filename='spend.csv',"
        " user=old.owner, skip_bad_rows=False, publisher='')\n",
        url=url,
    )
    rerun = manage(*WORKER, url=url)
    assert rerun.returncode == 0, rerun.stderr
    after = row_counts(url=url)
    transactions, imports = SpendTransaction._meta.label, SpendImport._meta.label
    assert after[transactions] == before[transactions] + ROWS_TO_KILL
    assert after[imports] == before[imports] + 1
    statuses = python(
        "from jobs.models import Job\nprint(sorted(Job.objects.values_list('status', flat=True)))",
        url=url,
    )
    assert statuses.strip() == str(sorted([Job.Status.DONE.value, Job.Status.RUNNING.value]))
