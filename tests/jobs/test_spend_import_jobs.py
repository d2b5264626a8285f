"""A large spend file is imported by the task queue's worker: the upload queues a job, the
worker (django-tasks' database backend, `db_worker`, the real thing) runs it, and the job page
shows its progress and then the report the upload page shows for a small file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import roles
from jobs.models import STALE_AFTER, Job
from jobs.services import Progress
from procurement.importers import spend as spend_importer
from procurement.importers.spend import SPEND_FIELDS, import_spend_file
from procurement.models import SpendImport, SpendLayout, SpendTransaction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")

DATA = Path(__file__).resolve().parent.parent / "data" / "spend"
IMPORT_URL = reverse("procurement:spend-import")
ON_SQLITE = connection.vendor == "sqlite"


@pytest.fixture(autouse=True)
def every_file_in_the_background(settings, tmp_path):
    settings.SPEND_IMPORT_IN_REQUEST_BYTES = 0
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (DATA / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user(group: str, username: str) -> User:
    user = User.objects.create_user(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


def run_worker() -> None:
    """Run every queued task to the end with the database backend's own worker."""
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval=0", verbosity=0
    )


def _uploaded_job(client: Client, name: str, content: bytes | None = None, **data) -> Job:
    response = client.post(IMPORT_URL, {"file": _upload(name, content), **data})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", kwargs={"pk": job.pk})
    return job


def test_an_upload_queues_a_job_that_the_worker_imports_with_the_same_report():
    officer = _user(roles.OFFICERS, "officer1")
    client = _client(officer)

    job = _uploaded_job(client, "worcestershire_2024_04.csv")

    assert job.status == Job.Status.QUEUED and job.owner == officer
    assert job.params["lines"] == 7  # the file has a title line; "about" is enough
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    assert not SpendImport.objects.exists()  # nothing is imported inside the request
    waiting = client.get(reverse("jobs:job-detail", kwargs={"pk": job.pk})).content.decode()
    assert "Waiting to start" in waiting and 'http-equiv="refresh"' in waiting

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.rows_read, job.bad_rows) == (5, 0)
    assert job.report["succeeded"] is True
    assert job.report["messages"] == [
        "Imported 5 rows totalling £15,500.50 from worcestershire_2024_04.csv;"
        " 2 new suppliers added"
    ]
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    spend_import = SpendImport.objects.get()
    assert (spend_import.imported_by, spend_import.rows_imported) == (officer, 5)
    assert spend_import.total_amount == Decimal("15500.50")
    assert not list((Path(job.params["stored"]).parent).glob("*")), "the stored file is deleted"
    page = client.get(reverse("jobs:job-detail", kwargs={"pk": job.pk})).content.decode()
    assert "Imported 5 rows totalling £15,500.50" in page
    assert 'http-equiv="refresh"' not in page and "job-progress.js" not in page


def test_a_file_with_bad_rows_reports_them_as_the_upload_page_does():
    client = _client(_user(roles.OFFICERS, "officer1"))

    job = _uploaded_job(client, "bad_rows.csv")
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.report["succeeded"] is False
    assert job.bad_rows > 0
    errors = job.report["errors"]
    assert errors[0].startswith("bad_rows.csv was not imported because")
    assert any(error.startswith("Line ") for error in errors)
    assert (
        errors[-1] == "Correct the rows listed and upload the file again, or select “Skip bad rows”"
    )
    assert not SpendTransaction.objects.exists()
    page = client.get(reverse("jobs:job-detail", kwargs={"pk": job.pk})).content.decode()
    assert "There is a problem" in page and errors[0] in page


def test_a_mapped_file_imports_in_the_background_and_its_layout_is_remembered():
    client = _client(_user(roles.OFFICERS, "officer1"))
    content = b"Payee,Paid,Updated\nAcme Ltd,1200.00,02/04/2024\nBeta Ltd,800.00,03/04/2024\n"
    response = client.post(IMPORT_URL, {"file": _upload("odd.csv", content)})
    assert response.url.endswith("/columns/")
    fields = {field: "" for field, _label, _required in SPEND_FIELDS}
    fields.update(date="Updated", supplier="Payee", amount="Paid")

    response = client.post(response.url, fields)

    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", kwargs={"pk": job.pk})
    run_worker()
    job.refresh_from_db()
    assert job.report["succeeded"] is True, job.report
    assert SpendTransaction.objects.count() == 2
    assert SpendLayout.objects.get().mapping["amount"] == "Paid"
    assert not list(Path(job.params["stored"]).parent.glob("*")), "the kept file is deleted"


def test_the_importer_reports_rows_read_and_bad_rows_as_it_goes(tmp_path, monkeypatch):
    monkeypatch.setattr(spend_importer, "PROGRESS_EVERY", 100)
    lines = ["Supplier Name,Amount,Date"]
    lines += [f"Supplier {i % 7} Ltd,{600 + i}.00,{1 + i % 28:02d}/05/2024" for i in range(350)]
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []

    result = import_spend_file(path, progress=lambda rows, bad: seen.append((rows, bad)))

    assert result.status == "imported"
    assert seen[-1] == (350, 0)
    assert seen == sorted(seen), "progress never goes back"
    if ON_SQLITE:  # the row loop: every 100 rows, then the end
        assert seen == [(100, 0), (200, 0), (300, 0), (350, 0)]


def test_bad_rows_are_counted_in_the_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(spend_importer, "PROGRESS_EVERY", 2)
    path = tmp_path / "spend.csv"
    path.write_text(
        "Supplier Name,Amount,Date\nA Ltd,600.00,01/05/2024\nB Ltd,lots,01/05/2024\n"
        "C Ltd,700.00,not a date\nD Ltd,800.00,02/05/2024\n"
    )
    seen: list[tuple[int, int]] = []

    result = import_spend_file(path, progress=lambda rows, bad: seen.append((rows, bad)))

    assert result.status == "rejected"
    assert seen[-1] == (4, 2)


def test_progress_written_during_the_work_is_seen_outside_its_transaction_on_postgresql():
    job = Job.objects.create(
        kind=Job.Kind.SPEND_IMPORT, title="f.csv", owner=_user(roles.OFFICERS, "officer1")
    )
    progress = Progress(job.pk)
    reader = connections["jobs"] if not ON_SQLITE else connection

    with transaction.atomic():
        progress(20_000, 3)
        if not ON_SQLITE:
            assert Job.objects.using("jobs").get(pk=job.pk).rows_read == 20_000
    progress(30_000, 4)  # outside a transaction, on SQLite too

    assert Job.objects.using(reader.alias).get(pk=job.pk).rows_read == 30_000
    assert (progress.rows_read, progress.bad_rows) == (30_000, 4)


def test_a_job_that_raises_is_marked_failed_and_says_nothing_was_written(monkeypatch):
    client = _client(_user(roles.OFFICERS, "officer1"))
    job = _uploaded_job(client, "worcestershire_2024_04.csv")

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("procurement.importers.spend.import_spend_file", broken)
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "nothing was written" in job.report["errors"][0]
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


# -- who sees which job ----------------------------------------------------------------------------


def test_an_officer_sees_only_their_own_jobs_and_an_administrator_sees_all():
    mine, theirs = _user(roles.OFFICERS, "officer1"), _user(roles.OFFICERS, "officer2")
    administrator = _user(roles.ADMINISTRATORS, "admin1")
    member = _user(roles.MEMBERS, "member1")
    my_job = _uploaded_job(_client(mine), "worcestershire_2024_04.csv")
    their_job = Job.objects.create(kind=Job.Kind.SPEND_IMPORT, title="theirs.csv", owner=theirs)

    def status(user, name: str, job: Job) -> int:
        return _client(user).get(reverse(name, kwargs={"pk": job.pk})).status_code

    for name in ("jobs:job-detail", "jobs:job-status"):
        assert status(mine, name, my_job) == 200
        assert status(mine, name, their_job) == 404
        assert status(administrator, name, their_job) == 200
        assert status(member, name, my_job) == 404  # a member sees only their own (workbooks)
    listed = _client(mine).get(reverse("jobs:job-list")).content.decode()
    assert "worcestershire_2024_04.csv" in listed and "theirs.csv" not in listed
    everyone = _client(administrator).get(reverse("jobs:job-list")).content.decode()
    assert "worcestershire_2024_04.csv" in everyone and "theirs.csv" in everyone


def test_the_status_endpoint_gives_the_progress_the_page_script_shows():
    client = _client(_user(roles.OFFICERS, "officer1"))
    job = _uploaded_job(client, "worcestershire_2024_04.csv")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, rows_read=3, bad_rows=1)

    response = client.get(reverse("jobs:job-status", kwargs={"pk": job.pk}))

    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "running",
        "status_label": "Running",
        "finished": False,
        "rows_read": 3,
        "bad_rows": 1,
        "rows_expected": 7,
        "percent": 42,
        "stage": "",
    }


@pytest.mark.parametrize("jobs", [1, 30])
def test_the_job_pages_take_a_fixed_number_of_queries(jobs, django_assert_max_num_queries):
    officer = _user(roles.OFFICERS, "officer1")
    Job.objects.bulk_create(
        Job(kind=Job.Kind.SPEND_IMPORT, title=f"file {i}.csv", owner=officer) for i in range(jobs)
    )
    job = Job.objects.first()
    client = _client(officer)
    client.get(reverse("jobs:job-list"))  # the session and the user are loaded once

    for url in (
        reverse("jobs:job-list"),
        reverse("jobs:job-detail", kwargs={"pk": job.pk}),
        reverse("jobs:job-status", kwargs={"pk": job.pk}),
    ):
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200


def test_a_running_job_silent_for_longer_than_any_import_shows_as_stopped():
    client = _client(_user(roles.OFFICERS, "officer1"))
    job = _uploaded_job(client, "worcestershire_2024_04.csv")
    silent = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=silent, heartbeat_at=silent
    )

    status = client.get(reverse("jobs:job-status", kwargs={"pk": job.pk})).json()
    page = client.get(reverse("jobs:job-detail", kwargs={"pk": job.pk})).content.decode()

    assert (status["status"], status["finished"]) == ("stopped", True)
    assert "The job stopped before it finished (its worker ended), so nothing was written" in page
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    status = client.get(reverse("jobs:job-status", kwargs={"pk": job.pk})).json()
    assert (status["status"], status["finished"]) == ("running", False)


def test_the_importer_says_what_it_does_once_the_rows_are_read(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("Supplier Name,Amount,Date\nA Ltd,600.00,01/05/2024\nB Ltd,700.00,02/05/2024\n")
    stages: list[str] = []

    result = import_spend_file(path, progress=lambda rows, bad: None, stage=stages.append)

    assert result.status == "imported"
    saving, totalling = spend_importer.SAVING, spend_importer.TOTALLING
    expected = [saving, totalling] if ON_SQLITE else [spend_importer.CHECKING, saving, totalling]
    assert stages == expected


def test_a_stage_is_seen_outside_the_works_transaction_and_makes_the_bar_indeterminate():
    client = _client(_user(roles.OFFICERS, "officer1"))
    job = _uploaded_job(client, "worcestershire_2024_04.csv")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, rows_read=7)
    progress = Progress(job.pk)

    with transaction.atomic():
        progress.stage(spend_importer.SAVING)
        if not ON_SQLITE:
            status = client.get(reverse("jobs:job-status", kwargs={"pk": job.pk})).json()
            assert (status["stage"], status["percent"]) == ("Saving the payments.", None)
            page = client.get(reverse("jobs:job-detail", kwargs={"pk": job.pk}))
            assert "7 rows read, 0 bad. Saving the payments." in page.content.decode()
    progress.stage(spend_importer.TOTALLING)  # outside a transaction, on SQLite too

    status = client.get(reverse("jobs:job-status", kwargs={"pk": job.pk})).json()
    assert (status["stage"], status["percent"]) == ("Updating the spend dashboard's totals.", None)
