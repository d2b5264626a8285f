from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import add_months, months_left
from procurement.models import Contract, ContractAlert
from procurement.services.alerts import (
    alert_months,
    contract_alerts_due,
    contract_alerts_send,
    latest_end_date_due,
)
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory

pytestmark = pytest.mark.django_db

MONTHS = (9, 6, 3)
END = dt.date(2026, 3, 31)


@pytest.fixture
def owner():
    return UserFactory(username="cmanager", email="contract.manager@example.gov.uk")


@pytest.fixture
def contract(owner):
    return ContractFactory(
        reference="CR-123",
        title="Home care framework",
        supplier__name="Caring Hands Ltd",
        owner=owner,
        end_date=END,
        extension_options="2 × 12 months",
    )


def _sent(contract: Contract) -> list[int]:
    return sorted(
        ContractAlert.objects.filter(contract=contract).values_list("months_before", flat=True)
    )


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2025, 5, 31), -3) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 5, 31), -3) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 3, 31), -9) == dt.date(2025, 6, 30)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)
    assert add_months(dt.date(2026, 1, 31), -13) == dt.date(2024, 12, 31)


def test_on_the_last_day_of_a_month_every_end_date_in_the_month_ahead_is_due():
    assert latest_end_date_due(today=dt.date(2025, 2, 28), months=3) == dt.date(2025, 5, 31)
    assert latest_end_date_due(today=dt.date(2025, 2, 27), months=3) == dt.date(2025, 5, 27)


def test_months_left_counts_whole_calendar_months():
    assert months_left(today=dt.date(2025, 7, 31), end_date=END) == 8
    assert months_left(today=dt.date(2025, 8, 1), end_date=END) == 7
    assert months_left(today=dt.date(2026, 3, 1), end_date=END) == 0
    assert months_left(today=dt.date(2026, 1, 31), end_date=dt.date(2026, 2, 28)) == 1


def test_the_lead_times_come_from_settings_largest_first(settings):
    settings.CONTRACT_ALERT_MONTHS = (3, 12, 6)

    assert alert_months() == (12, 6, 3)


def test_a_contract_eight_months_from_its_end_gets_the_nine_month_alert_only(contract, mailoutbox):
    alerts = contract_alerts_send(today=dt.date(2025, 7, 31), months=MONTHS)

    assert len(alerts) == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["contract.manager@example.gov.uk"]
    assert email.subject == "Contract CR-123 ends on 31 March 2026: renewal decision needed"
    assert "Home care framework" in email.body
    assert "Caring Hands Ltd" in email.body
    assert "Months left: 8" in email.body
    assert "2 × 12 months" in email.body
    assert f"/procurement/contracts/{contract.pk}/" in email.body
    assert _sent(contract) == [9]
    assert ContractAlert.objects.get().recipient == "contract.manager@example.gov.uk"


def test_running_twice_sends_the_alert_once(contract, mailoutbox):
    contract_alerts_send(today=dt.date(2025, 7, 31), months=MONTHS)
    again = contract_alerts_send(today=dt.date(2025, 7, 31), months=MONTHS)
    later = contract_alerts_send(today=dt.date(2025, 8, 20), months=MONTHS)

    assert again == [] and later == []
    assert len(mailoutbox) == 1
    assert ContractAlert.objects.count() == 1


def test_a_contract_first_seen_two_months_from_its_end_gets_one_email_and_three_records(
    contract, mailoutbox
):
    contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS)

    assert len(mailoutbox) == 1
    assert "This is the 3-month renewal warning" in mailoutbox[0].body
    assert _sent(contract) == [3, 6, 9]


def test_each_threshold_sends_its_own_email_as_the_end_date_nears(contract, mailoutbox):
    for day in ("2025-06-29", "2025-06-30", "2025-09-29", "2025-09-30", "2025-12-31"):
        contract_alerts_send(today=dt.date.fromisoformat(day), months=MONTHS)

    assert len(mailoutbox) == 3
    assert _sent(contract) == [3, 6, 9]


def test_the_warning_date_is_a_calendar_month_clamped_to_the_month_end(owner, mailoutbox):
    contract = ContractFactory(owner=owner, end_date=dt.date(2025, 5, 31))

    contract_alerts_send(today=dt.date(2025, 2, 27), months=(3,))
    assert mailoutbox == []
    contract_alerts_send(today=dt.date(2025, 2, 28), months=(3,))

    assert len(mailoutbox) == 1
    assert _sent(contract) == [3]


def test_a_variation_that_moves_the_end_date_starts_the_alerts_again(contract, mailoutbox):
    contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS)
    Contract.objects.filter(pk=contract.pk).update(end_date=dt.date(2026, 9, 30))

    contract_alerts_send(today=dt.date(2026, 2, 1), months=MONTHS)

    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == (
        "Contract CR-123 ends on 30 September 2026: renewal decision needed"
    )
    new = ContractAlert.objects.filter(contract=contract, end_date=dt.date(2026, 9, 30))
    assert list(new.values_list("months_before", flat=True)) == [9]
    assert ContractAlert.objects.filter(contract=contract).count() == 4


def test_contracts_with_no_owner_or_no_email_get_no_alert(mailoutbox):
    ContractFactory(owner=None, end_date=END)
    ContractFactory(owner=UserFactory(username="noemail", email=""), end_date=END)

    alerts = contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS)

    assert alerts == []
    assert mailoutbox == []
    assert ContractAlert.objects.count() == 0


def test_contracts_that_are_not_live_or_have_ended_get_no_alert(owner, mailoutbox):
    ContractFactory(owner=owner, end_date=END, status=Contract.Status.EXPIRED)
    ContractFactory(owner=owner, end_date=END, status=Contract.Status.DRAFT)
    ContractFactory(owner=owner, end_date=dt.date(2026, 1, 30))
    ContractFactory(owner=owner, end_date=None)
    ContractFactory(owner=owner, end_date=dt.date(2026, 11, 1))

    contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS)

    assert mailoutbox == []


def test_a_contract_on_its_last_day_still_gets_its_alert(contract, mailoutbox):
    contract_alerts_send(today=END, months=MONTHS)

    assert len(mailoutbox) == 1
    assert "in less than a month" in mailoutbox[0].body


def test_a_dry_run_lists_the_alerts_but_sends_and_records_nothing(contract, mailoutbox):
    alerts = contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS, dry_run=True)

    assert [(a.contract, a.months_before) for a in alerts] == [(contract, [9, 6, 3])]
    assert mailoutbox == []
    assert ContractAlert.objects.count() == 0


def test_the_command_reports_how_many_alerts_it_sent(contract, owner, mailoutbox, settings):
    settings.CONTRACT_ALERT_MONTHS = (9, 6, 3)
    ContractFactory(owner=owner, end_date=dt.date(2026, 2, 28))
    out = StringIO()

    call_command("contract_alerts", "--today", "2025-07-31", stdout=out)

    assert out.getvalue().strip() == "Sent 2 renewal alerts"
    assert len(mailoutbox) == 2


def test_the_command_dry_run_lists_what_it_would_send(contract, mailoutbox):
    out = StringIO()

    call_command("contract_alerts", "--today", "2025-07-31", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Would send to contract.manager@example.gov.uk: Contract CR-123 ends on" in text
    assert "Would send 1 renewal alerts (dry run)" in text
    assert mailoutbox == []
    assert ContractAlert.objects.count() == 0


def test_the_command_refuses_a_bad_date():
    with pytest.raises(Exception, match="--today must be a date"):
        call_command("contract_alerts", "--today", "31/03/2026")


def _queries_to_send(count: int, owner) -> int:
    ContractAlert.objects.all().delete()
    Contract.objects.all().delete()
    for _ in range(count):
        ContractFactory(owner=owner, end_date=END)
    with CaptureQueriesContext(connection) as queries:
        sent = contract_alerts_send(today=dt.date(2026, 1, 31), months=MONTHS)
    assert len(sent) == count
    return len(queries)


def test_finding_and_recording_alerts_takes_the_same_queries_for_two_contracts_or_twenty(
    owner, mailoutbox, django_assert_num_queries
):
    assert _queries_to_send(2, owner) == _queries_to_send(20, owner)
    assert ContractAlert.objects.count() == 60
    with django_assert_num_queries(2):
        contract_alerts_due(today=dt.date(2026, 1, 31), months=MONTHS)
