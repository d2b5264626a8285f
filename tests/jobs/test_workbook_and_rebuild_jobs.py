"""The annual review's workbook and a rebuild of the spend summary run as background jobs on
the task queue's real worker (django-tasks' database backend, `db_worker`): the request queues
the job, the job's page shows it, and the workbook is downloaded from it at the end."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts import roles
from core.financial_year import default_financial_year, financial_year_label
from jobs.models import Job
from procurement.models import SpendYearSummary
from tests.jobs.test_spend_import_jobs import run_worker
from tests.procurement.factories import SpendTransactionFactory

YEAR = default_financial_year(review=True)  # a year the review offers with no data
LABEL = financial_year_label(YEAR)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _client_of(group: str, username: str) -> tuple[Client, User]:
    user = User.objects.create_user(username=username)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client, user


def test_a_member_asks_for_the_workbook_and_downloads_it_when_the_job_has_run():
    client, member = _client_of(roles.MEMBERS, "member1")

    response = client.post(reverse("dashboards:annual-review-workbook"), {"year": YEAR})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert job.kind == Job.Kind.REVIEW_WORKBOOK and job.owner == member
    assert job.title == f"Annual review {LABEL}" and job.status == Job.Status.QUEUED
    assert client.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    page = client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()
    assert f"The {LABEL} annual review workbook is ready." in page
    assert reverse("jobs:job-download", args=[job.pk]) in page
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert (
        f'filename="annual-review-{LABEL.replace("/", "-")}.xlsx"'
        in download["Content-Disposition"]
    )
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert any(LABEL in str(sheet["A1"].value) for sheet in workbook.worksheets)

    other, _ = _client_of(roles.MEMBERS, "member2")
    assert other.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:job-detail", args=[job.pk])).status_code == 404


def test_an_officer_rebuilds_the_spend_summary_as_a_job():
    client, officer = _client_of(roles.OFFICERS, "officer1")
    SpendTransactionFactory(amount=Decimal("120.00"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(amount=Decimal("80.00"), paid_on=dt.date(2024, 6, 1))
    SpendYearSummary.objects.all().delete()  # as after a correction made outside the app

    response = client.post(reverse("procurement:spend-summary-rebuild"))

    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert job.kind == Job.Kind.SUMMARY_REBUILD and job.owner == officer
    assert not SpendYearSummary.objects.exists()

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.report["succeeded"]
    rows = SpendYearSummary.objects.all()
    assert {row.financial_year for row in rows} == {2024}
    assert sum(row.amount for row in rows) == Decimal("200.00")
    assert sum(row.payments for row in rows) == 2
    assert job.rows_read == len(rows)
    assert f"rebuilt from every payment: {len(rows)} rows" in job.report["messages"][0]


def test_a_member_cannot_start_a_rebuild():
    client, _ = _client_of(roles.MEMBERS, "member1")

    assert client.post(reverse("procurement:spend-summary-rebuild")).status_code == 403
    assert not Job.objects.exists()
