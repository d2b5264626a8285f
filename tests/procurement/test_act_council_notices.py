"""The council's own Procurement Act notices: the pipeline notice (s.93) and the payments
compliance notice (s.69), on the calendar, by email, on their page and as OCDS."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ADMINISTRATORS
from procurement import act
from procurement.models import Contract, Notice, PipelineItem
from procurement.ocds_notices import package_errors, pipeline_release_package
from procurement.selectors import notices as selectors_notices
from procurement.selectors.council_notices import pipeline_notice_items, pipeline_years
from procurement.services import notices as act_services
from tests.factories import UserFactory
from tests.procurement.factories import (
    ContractFactory,
    PipelineItemFactory,
    SpendTransactionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 1)  # in 2026/27: its pipeline notice is due on 26 May 2026
MILLION = Decimal("1000000")


def _pipeline(year: int = 2026) -> None:
    """£101m planned to start in the year; four items over £2m in the 18 months (three in the
    year, one in the half-year after), one of exactly £2m, one cancelled."""
    PipelineItemFactory(
        title="Waste collection",
        estimated_value=90 * MILLION,
        planned_start=dt.date(year, 6, 1),
    )
    PipelineItemFactory(
        title="Highways", estimated_value=8 * MILLION, planned_start=dt.date(year, 4, 1)
    )
    PipelineItemFactory(
        title="Libraries", estimated_value=3 * MILLION, planned_start=dt.date(year + 1, 3, 31)
    )
    PipelineItemFactory(
        title="Exactly two million", estimated_value=2 * MILLION, planned_start=dt.date(year, 7, 1)
    )
    PipelineItemFactory(
        title="Fleet", estimated_value=5 * MILLION, planned_start=dt.date(year + 1, 9, 30)
    )
    PipelineItemFactory(
        title="Cancelled",
        estimated_value=50 * MILLION,
        planned_start=dt.date(year, 5, 1),
        status=PipelineItem.Status.CANCELLED,
    )


# -- the rules ---------------------------------------------------------------------------------


def test_a_pipeline_notice_is_due_56_days_beginning_with_1_april() -> None:
    assert act.pipeline_deadline(2025) == dt.date(2025, 5, 26)
    assert act.pipeline_reporting_period(2026) == (dt.date(2026, 4, 1), dt.date(2027, 9, 30))


def test_the_pipeline_line_is_more_than_100m_not_equal_to_it() -> None:
    assert not act.needs_pipeline_notice(100 * MILLION)
    assert act.needs_pipeline_notice(100 * MILLION + Decimal("0.01"))


@override_settings(ACT_PIPELINE_THRESHOLD=Decimal("50000000"))
def test_the_pipeline_line_is_a_setting() -> None:
    assert act.needs_pipeline_notice(51 * MILLION)


def test_a_payments_notice_is_due_30_days_beginning_with_the_periods_last_day() -> None:
    assert act.payments_compliance_deadline(dt.date(2026, 3, 31)) == dt.date(2026, 4, 29)
    assert act.payments_compliance_deadline(dt.date(2026, 9, 30)) == dt.date(2026, 10, 29)


def test_the_first_reporting_period_runs_from_commencement_to_31_march() -> None:
    assert act.payments_reporting_periods(today=dt.date(2026, 12, 2)) == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2027, 3, 31)),
    ]
    assert act.payments_reporting_periods(today=dt.date(2025, 12, 31)) == []


def test_a_light_touch_contracts_details_notice_has_120_days() -> None:
    signed = dt.date(2025, 4, 1)
    assert act.details_deadline(signed) == dt.date(2025, 4, 30)
    assert act.details_deadline(signed, is_light_touch=True) == dt.date(2025, 7, 29)


def test_an_assessment_before_s71_commenced_owes_no_performance_notice() -> None:
    assert not act.performance_notice_owed(dt.date(2025, 12, 31))
    assert act.performance_notice_owed(dt.date(2026, 1, 1))


# -- the pipeline notice -----------------------------------------------------------------------


def test_the_pipeline_years_total_and_list_in_one_query(django_assert_num_queries) -> None:
    _pipeline()

    with django_assert_num_queries(1):
        years = pipeline_years(first=2025, last=2027)

    by_year = {year.financial_year: year for year in years}
    # 90 + 8 + 3 + 2 in 2026/27; the cancelled £50m does not count, nor does Fleet (2027/28).
    assert by_year[2026].expected == Decimal("103000000")
    assert by_year[2026].needs_notice
    assert (by_year[2026].items, by_year[2026].items_value) == (4, Decimal("106000000"))
    assert by_year[2025].expected == 0 and not by_year[2025].needs_notice
    assert by_year[2027].expected == 5 * MILLION


def test_the_notice_lists_items_over_2m_in_the_18_months_soonest_first() -> None:
    _pipeline()

    titles = [item.title for item in pipeline_notice_items(financial_year=2026)]

    assert titles == ["Highways", "Waste collection", "Libraries", "Fleet"]


def test_a_pipeline_over_100m_makes_its_notice_due_by_26_may() -> None:
    _pipeline()

    assert act_services.notices_sync(today=TODAY) == 1

    notice = Notice.objects.get()
    assert (notice.kind, notice.contract, notice.due_on) == (
        Notice.Kind.PIPELINE,
        None,
        dt.date(2026, 5, 26),
    )
    assert (notice.period_start, notice.period_end) == (dt.date(2026, 4, 1), dt.date(2027, 9, 30))
    assert notice.reason == (
        "The pipeline's total for 2026/27 is £103,000,000, over £100,000,000: 4 procurements "
        "over £2,000,000 planned by 30 September 2027 (s.93)"
    )


def test_a_pipeline_that_falls_to_100m_drops_its_unpublished_notice() -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)
    PipelineItem.objects.filter(title="Highways").update(status=PipelineItem.Status.CANCELLED)

    act_services.notices_sync(today=TODAY)

    assert not Notice.objects.exists()


def test_a_published_pipeline_notice_stays_whatever_the_pipeline_does() -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)
    act_services.notice_publish(
        notice=Notice.objects.get(), published_on=TODAY, identifier="UK1-2026-1", user=None
    )
    PipelineItem.objects.all().delete()

    act_services.notices_sync(today=TODAY)

    assert Notice.objects.get().identifier == "UK1-2026-1"


def test_syncing_one_contract_leaves_the_councils_notices_alone() -> None:
    _pipeline()
    contract: Contract = ContractFactory.create()

    assert act_services.notices_sync(contract_ids=[contract.pk], today=TODAY) == 0
    assert not Notice.objects.exists()


def test_the_pipeline_notice_validates_as_an_ocds_release_package() -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)

    package = pipeline_release_package(Notice.objects.get())

    assert package_errors(package) == []
    assert [release["tag"] for release in package["releases"]] == [["planning"]] * 4
    first = package["releases"][0]
    assert first["tender"]["title"] == "Highways"
    assert first["tender"]["status"] == "planned"
    assert first["tender"]["value"] == {"currency": "GBP", "amount": 8000000.0}
    assert first["tender"]["communication"]["futureNoticeDate"] == "2026-04-01T00:00:00Z"
    assert len({release["ocid"] for release in package["releases"]}) == 4


def test_a_notice_names_its_contract_unless_it_is_the_councils() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(kind=Notice.Kind.CONTRACT_DETAILS, key="x", reason="r", due_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(
            kind=Notice.Kind.PIPELINE,
            key="y",
            reason="r",
            due_on=TODAY,
            contract=ContractFactory.create(),
        )


# -- the payments compliance notice ------------------------------------------------------------


def test_a_period_with_payments_makes_its_payments_notice_due() -> None:
    SpendTransactionFactory(paid_on=dt.date(2026, 2, 10), invoice_date=dt.date(2026, 1, 20))
    SpendTransactionFactory(paid_on=dt.date(2026, 3, 31), invoice_date=dt.date(2026, 3, 1))
    SpendTransactionFactory(paid_on=dt.date(2025, 12, 31))  # before s.69 commenced
    SpendTransactionFactory(paid_on=dt.date(2026, 5, 5), amount=Decimal("-10"))  # a credit

    act_services.notices_sync(today=dt.date(2026, 12, 2))

    notice = Notice.objects.get()
    assert (notice.kind, notice.due_on) == (Notice.Kind.PAYMENTS_COMPLIANCE, dt.date(2026, 4, 29))
    assert (notice.period_start, notice.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert notice.reason == (
        "Reporting period 1 January 2026 to 31 March 2026: 2 payments to suppliers (s.69, reg. 38)"
    )


# -- emails ------------------------------------------------------------------------------------


@override_settings(ACT_COUNCIL_NOTICE_EMAILS=["head.of.procurement@example.gov.uk"])
def test_the_councils_notices_email_the_head_of_procurement_once_before_and_once_after() -> None:
    _pipeline()

    for day in ("2026-05-20", "2026-05-21"):
        call_command("notice_alerts", "--today", day, stdout=io.StringIO())
    for day in ("2026-05-27", "2026-05-28"):
        call_command("notice_alerts", "--today", day, stdout=io.StringIO())

    assert [message.to for message in mail.outbox] == [["head.of.procurement@example.gov.uk"]] * 2
    assert mail.outbox[0].subject == "Pipeline notice for the council is due by 26 May 2026"
    assert mail.outbox[1].subject == "Pipeline notice for the council was due by 26 May 2026"
    assert "?kind=pipeline" in mail.outbox[0].body


def test_without_the_setting_the_administrators_are_emailed() -> None:
    _pipeline()
    admin: User = UserFactory.create(email="admin@example.gov.uk")
    admin.groups.add(Group.objects.get_or_create(name=ADMINISTRATORS)[0])
    UserFactory(email="officer@example.gov.uk")
    UserFactory(email="gone@example.gov.uk", is_active=False, is_superuser=True)

    act_services.notices_sync(today=TODAY)
    (alert,) = act_services.notice_alerts_due(today=dt.date(2026, 5, 20))

    assert alert.recipients == ["admin@example.gov.uk"]


# -- pages -------------------------------------------------------------------------------------


def test_the_calendar_lists_and_filters_the_councils_notices(member_client) -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)

    response = member_client.get(reverse("procurement:notice-list"), {"kind": "pipeline"})
    other = member_client.get(reverse("procurement:notice-list"), {"kind": "contract_details"})

    assert [n.kind for n in response.context["page"].object_list] == ["pipeline"]
    assert "The council" in response.content.decode()
    assert list(other.context["page"].object_list) == []


def test_the_calendar_csv_has_the_councils_notices_with_their_period(member_client) -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)

    response = member_client.get(reverse("procurement:notice-csv"))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",identifier,period_start,period_end")
    assert lines[1].startswith("Pipeline notice,,,,")
    assert lines[1].endswith(",2026-05-26,Overdue,,,2026-04-01,2027-09-30") or lines[1].endswith(
        ",2026-05-26,Due,,,2026-04-01,2027-09-30"
    )


def test_the_pipeline_notice_page_lists_its_procurements(member_client) -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)
    notice = Notice.objects.get()

    response = member_client.get(reverse("procurement:notice-detail", args=[notice.pk]))

    titles = [item.title for item in response.context["report"].pipeline]
    assert titles == ["Highways", "Waste collection", "Libraries", "Fleet"]
    assert response.context["report"].pipeline_total == Decimal("106000000")
    assert "£106,000,000 in all" in response.content.decode()


def test_the_payments_notice_page_shows_its_figures(member_client) -> None:
    SpendTransactionFactory(paid_on=dt.date(2026, 2, 10), invoice_date=dt.date(2026, 1, 20))
    SpendTransactionFactory(paid_on=dt.date(2026, 3, 31), invoice_date=dt.date(2026, 2, 2))
    act_services.notices_sync(today=dt.date(2026, 12, 2))
    notice = Notice.objects.get()

    response = member_client.get(reverse("procurement:notice-detail", args=[notice.pk]))
    json_response = member_client.get(reverse("procurement:notice-json", args=[notice.pk]))

    figures = response.context["report"].payments
    assert (figures.all.payments, figures.all.average_days) == (2, Decimal("39.0"))  # 21, 57
    assert figures.all.pct_within_30 == Decimal("50.0")
    assert json_response.status_code == 404  # no OCDS release for the council's figures


def test_the_pipeline_notice_downloads_as_an_ocds_package(member_client) -> None:
    _pipeline()
    act_services.notices_sync(today=TODAY)

    response = member_client.get(reverse("procurement:notice-json", args=[Notice.objects.get().pk]))

    assert package_errors(json.loads(response.content)) == []


def _detail_queries(client, size: int) -> int:
    PipelineItem.objects.all().delete()
    Notice.objects.all().delete()
    PipelineItemFactory(estimated_value=101 * MILLION, planned_start=dt.date(2026, 5, 1))
    for number in range(size):
        PipelineItemFactory(
            title=f"Item {size}-{number}",
            estimated_value=3 * MILLION,
            planned_start=dt.date(2026, 6, 1),
        )
    act_services.notices_sync(today=TODAY)
    notice = Notice.objects.get()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("procurement:notice-detail", args=[notice.pk]))
        assert response.status_code == 200
    return len(queries)


def test_the_notice_page_runs_the_same_queries_for_3_or_30_procurements(member_client) -> None:
    assert _detail_queries(member_client, 3) == _detail_queries(member_client, 30)


# -- the annual review's notices on time -------------------------------------------------------


def test_notices_on_time_against_late_by_kind_in_one_query(django_assert_num_queries) -> None:
    contract: Contract = ContractFactory.create()

    def notice(key: str, kind: str, due: str, published: str | None = None) -> None:
        council = kind in Notice.COUNCIL_KINDS
        Notice.objects.create(
            kind=kind,
            key=key,
            contract=None if council else contract,
            reason="r",
            due_on=dt.date.fromisoformat(due),
            published_on=dt.date.fromisoformat(published) if published else None,
        )

    notice("a", Notice.Kind.CONTRACT_DETAILS, "2025-05-19", "2025-05-19")  # on the day: on time
    notice("b", Notice.Kind.CONTRACT_DETAILS, "2025-06-01", "2025-06-02")  # a day late
    notice("c", Notice.Kind.CONTRACT_DETAILS, "2026-01-10")  # overdue, unpublished
    notice("d", Notice.Kind.PIPELINE, "2025-05-26", "2025-05-01")
    notice("e", Notice.Kind.CONTRACT_DETAILS, "2025-03-31", "2025-03-01")  # the year before
    notice("f", Notice.Kind.CONTRACT_CHANGE, "2026-03-01")  # not yet due on 1 February

    with django_assert_num_queries(1):
        rows = selectors_notices.notice_timeliness_by_kind(
            start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31), today=dt.date(2026, 2, 1)
        )

    by_kind = {row.kind: row for row in rows}
    assert [row.kind for row in rows] == list(Notice.Kind.values)
    details = by_kind[Notice.Kind.CONTRACT_DETAILS]
    assert (details.due, details.on_time, details.late, details.unpublished) == (3, 1, 1, 1)
    assert details.on_time_share == Decimal("33.3")
    assert (by_kind[Notice.Kind.PIPELINE].due, by_kind[Notice.Kind.PIPELINE].on_time) == (1, 1)
    assert by_kind[Notice.Kind.CONTRACT_CHANGE].due == 0
    assert by_kind[Notice.Kind.CONTRACT_CHANGE].on_time_share is None
