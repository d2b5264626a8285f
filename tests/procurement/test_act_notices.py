"""The Procurement Act 2023 in the register: KPIs, ratings, notices due, the calendar, emails."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.forms.register import VariationForm
from procurement.models import Contract, Kpi, KpiRating, Notice, Route
from procurement.selectors.notices import (
    contract_act,
    contracts_needing_kpis,
    kpi_coverage,
    notice_timeliness,
)
from procurement.services import notices as act_services
from procurement.services import register as services
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)
SIX_MILLION = Decimal("6000000")


def _six_million_contract(**fields: object) -> Contract:
    values: dict[str, object] = {
        "reference": "WCC-ACT-1",
        "title": "Highways maintenance",
        "supplier": SupplierFactory(),
        "owner": UserFactory(email="owner@example.org"),
        "start_date": dt.date(2025, 5, 1),
        "end_date": dt.date(2028, 4, 30),
        "signed_on": dt.date(2025, 4, 20),
        "awarded_on": dt.date(2025, 4, 1),
        "procedure": Contract.Procedure.OPEN,
        "total_value": Decimal("5000000"),
        "value_including_vat": SIX_MILLION,
        **fields,
    }
    return services.contract_create(user=None, **values)


def _kinds(contract: Contract) -> list[tuple[str, dt.date]]:
    return list(Notice.objects.filter(contract=contract).values_list("kind", "due_on"))


def test_a_6m_contract_needs_three_kpis_and_its_details_notice_is_due() -> None:
    contract = _six_million_contract()

    summary = contract_act(contract=contract, today=TODAY)

    assert (summary.needs_kpis, summary.kpis_missing) == (True, 3)
    assert list(contracts_needing_kpis()) == [contract]
    assert _kinds(contract) == [(Notice.Kind.CONTRACT_DETAILS, dt.date(2025, 5, 19))]


def test_three_kpis_take_it_off_the_list() -> None:
    contract = _six_million_contract()
    for name in ("Response time", "Defects fixed", "Complaints"):
        act_services.kpi_create(
            contract=contract, name=name, good_looks_like="95%", measured_by="Monthly", user=None
        )

    assert contract_act(contract=contract, today=TODAY).kpis_missing == 0
    assert not contracts_needing_kpis().exists()


def test_a_rating_makes_a_performance_notice_due_30_days_later() -> None:
    contract = _six_million_contract()
    kpi = act_services.kpi_create(
        contract=contract, name="Response", good_looks_like="95%", measured_by="Log", user=None
    )

    act_services.kpi_ratings_record(
        contract=contract,
        rated_on=dt.date(2026, 4, 30),
        period_start=dt.date(2025, 5, 1),
        ratings={kpi.pk: (KpiRating.Rating.APPROACHING, "")},
        user=None,
    )

    assert (Notice.Kind.CONTRACT_PERFORMANCE, dt.date(2026, 5, 30)) in _kinds(contract)
    summary = contract_act(contract=contract, today=TODAY)
    assert summary.next_rating_due == dt.date(2027, 4, 30)


def test_a_rating_before_s71_commenced_makes_no_performance_notice_due() -> None:
    contract = _six_million_contract()
    kpi = act_services.kpi_create(
        contract=contract, name="Response", good_looks_like="95%", measured_by="Log", user=None
    )

    act_services.kpi_ratings_record(
        contract=contract,
        rated_on=dt.date(2025, 12, 31),
        period_start=dt.date(2025, 5, 1),
        ratings={kpi.pk: (KpiRating.Rating.GOOD, "")},
        user=None,
    )

    assert [kind for kind, _ in _kinds(contract)] == [Notice.Kind.CONTRACT_DETAILS]


def test_a_light_touch_contracts_details_notice_is_due_in_120_days() -> None:
    contract = _six_million_contract(route=Route.LIGHT_TOUCH)  # signed 20 April 2025

    assert _kinds(contract) == [(Notice.Kind.CONTRACT_DETAILS, dt.date(2025, 8, 17))]


def test_other_needs_an_explanation() -> None:
    contract = _six_million_contract()
    kpi = act_services.kpi_create(
        contract=contract, name="Response", good_looks_like="95%", measured_by="Log", user=None
    )
    with pytest.raises(Exception, match="Explain"):
        act_services.kpi_ratings_record(
            contract=contract,
            rated_on=TODAY,
            period_start=TODAY,
            ratings={kpi.pk: (KpiRating.Rating.OTHER, " ")},
            user=None,
        )


def test_a_12_percent_variation_is_flagged_before_saving_then_makes_a_change_notice_due() -> None:
    contract = _six_million_contract()
    data = {
        "varied_on_0": "1",
        "varied_on_1": "9",
        "varied_on_2": "2025",
        "reason": "More roads",
        "value_change": "600000",  # 12% of £5,000,000
    }

    warned = VariationForm(data, contract=contract)
    confirmed = VariationForm({**data, "change_notice_understood": "on"}, contract=contract)

    assert not warned.is_valid()
    assert "s.75" in str(warned.non_field_errors())
    assert confirmed.is_valid()
    services.variation_record(contract=contract, user=None, **confirmed.cleaned_data)
    assert (Notice.Kind.CONTRACT_CHANGE, dt.date(2025, 9, 1)) in _kinds(contract)


def test_two_small_variations_that_together_cross_10_percent_need_a_notice() -> None:
    contract = _six_million_contract()
    services.variation_record(
        contract=contract,
        varied_on=dt.date(2025, 7, 1),
        reason="Extra",
        value_change=Decimal("300000"),
        user=None,
    )
    assert not Notice.objects.filter(kind=Notice.Kind.CONTRACT_CHANGE).exists()

    services.variation_record(
        contract=contract,
        varied_on=dt.date(2025, 8, 1),
        reason="Extra",
        value_change=Decimal("250000"),
        user=None,
    )

    (change,) = Notice.objects.filter(kind=Notice.Kind.CONTRACT_CHANGE)
    assert change.due_on == dt.date(2025, 8, 1)
    assert "11.0%" in change.reason


def test_an_expired_contracts_termination_notice_is_due_30_days_after_its_end() -> None:
    contract = _six_million_contract(end_date=dt.date(2026, 3, 31))

    act_services.notices_sync(today=dt.date(2026, 4, 1))

    assert (Notice.Kind.CONTRACT_TERMINATION, dt.date(2026, 4, 30)) in _kinds(contract)


def test_a_new_end_date_replaces_an_unpublished_termination_notice() -> None:
    contract = _six_million_contract(end_date=dt.date(2026, 3, 31))
    act_services.notices_sync(today=dt.date(2026, 4, 1))
    contract.end_date = dt.date(2026, 1, 31)
    contract.save()

    act_services.notices_sync(today=dt.date(2026, 4, 1))

    ends = Notice.objects.filter(kind=Notice.Kind.CONTRACT_TERMINATION)
    assert list(ends.values_list("due_on", flat=True)) == [dt.date(2026, 3, 2)]


def test_a_contract_procured_before_the_act_owes_nothing() -> None:
    contract: Contract = ContractFactory.create(
        total_value=SIX_MILLION, start_date=dt.date(2023, 4, 1)
    )

    act_services.notices_sync(today=dt.date(2026, 6, 1))

    assert _kinds(contract) == []


def test_owners_are_emailed_once_before_the_deadline_and_once_after() -> None:
    _six_million_contract()  # details notice due 19 May 2025

    call_command("notice_alerts", "--today", "2025-05-15", stdout=io.StringIO())
    call_command("notice_alerts", "--today", "2025-05-16", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    assert "is due by 19 May 2025" in mail.outbox[0].subject

    call_command("notice_alerts", "--today", "2025-05-20", stdout=io.StringIO())
    call_command("notice_alerts", "--today", "2025-05-21", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert "was due by 19 May 2025" in mail.outbox[1].subject


def test_a_published_notice_is_not_emailed() -> None:
    contract = _six_million_contract()
    (notice,) = Notice.objects.filter(contract=contract)
    act_services.notice_publish(
        notice=notice, published_on=dt.date(2025, 5, 10), identifier="UK7-123", user=None
    )

    assert act_services.notice_alerts_send(today=dt.date(2025, 5, 30)) == []


# -- pages -------------------------------------------------------------------------------------


def test_the_calendar_lists_notices_with_their_status(member_client) -> None:
    _six_million_contract()

    response = member_client.get(reverse("procurement:notice-list"), {"status": "overdue"})

    (notice,) = response.context["page"].object_list
    assert notice.status == "overdue"
    assert "Contract details notice" in response.content.decode()


def test_the_calendar_csv_has_every_notice(member_client) -> None:
    _six_million_contract()

    response = member_client.get(reverse("procurement:notice-csv"))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("notice,contract_reference")
    assert lines[1].startswith("Contract details notice,WCC-ACT-1,")
    assert ",2025-05-19,Overdue,," in lines[1]


def test_an_officer_marks_a_notice_published(officer_client) -> None:
    contract = _six_million_contract()
    (notice,) = Notice.objects.filter(contract=contract)

    response = officer_client.post(
        reverse("procurement:notice-publish", args=[notice.pk]),
        {
            "published_on_0": "15",
            "published_on_1": "5",
            "published_on_2": "2025",
            "identifier": "UK7-2025-0001",
        },
    )

    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.published_on, notice.identifier) == (dt.date(2025, 5, 15), "UK7-2025-0001")


def test_an_officer_adds_kpis_and_rates_them_from_the_contract_page(officer_client) -> None:
    contract = _six_million_contract()
    page = officer_client.get(reverse("procurement:contract-detail", args=[contract.pk]))
    assert "needs at least three KPIs" in page.content.decode()

    officer_client.post(
        reverse("procurement:kpi-create", args=[contract.pk]),
        {"name": "Potholes fixed", "good_looks_like": "95% in 7 days", "measured_by": "Log"},
    )
    (kpi,) = Kpi.objects.filter(contract=contract)
    response = officer_client.post(
        reverse("procurement:kpi-rate", args=[contract.pk]),
        {
            "rated_on_0": "1",
            "rated_on_1": "5",
            "rated_on_2": "2026",
            "period_start_0": "1",
            "period_start_1": "5",
            "period_start_2": "2025",
            f"rating_{kpi.pk}": "good",
        },
    )

    assert response.status_code == 302
    assert Notice.objects.filter(kind=Notice.Kind.CONTRACT_PERFORMANCE).count() == 1


def test_the_contracts_list_filters_by_what_the_act_asks(member_client) -> None:
    needing = _six_million_contract()
    ContractFactory(total_value=Decimal("1000"))

    response = member_client.get(reverse("procurement:contract-list"), {"act": "needs_kpis"})

    assert list(response.context["page"].object_list) == [needing]


def _calendar_queries(client, size: int) -> int:
    for number in range(size):
        _six_million_contract(reference=f"WCC-Q-{size}-{number}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("procurement:notice-list")).status_code == 200
    return len(queries)


def test_the_calendar_runs_the_same_queries_for_3_or_30_notices(member_client) -> None:
    few = _calendar_queries(member_client, 3)
    many = _calendar_queries(member_client, 30)
    assert few == many


# -- evidence for the self-assessment ------------------------------------------------------------


def test_kpi_coverage_counts_contracts_with_three_kpis_and_a_recent_rating() -> None:
    covered = _six_million_contract()
    _six_million_contract(reference="WCC-ACT-2")  # no KPIs
    kpis = [
        act_services.kpi_create(
            contract=covered, name=f"KPI {n}", good_looks_like="Good", measured_by="Log", user=None
        )
        for n in range(3)
    ]
    act_services.kpi_ratings_record(
        contract=covered,
        rated_on=dt.date(2026, 1, 31),
        period_start=dt.date(2025, 5, 1),
        ratings={kpi.pk: (KpiRating.Rating.GOOD, "") for kpi in kpis},
        user=None,
    )

    assert kpi_coverage(today=dt.date(2026, 3, 31)) == {"total": 2, "covered": 1}
    assert kpi_coverage(today=dt.date(2027, 3, 31)) == {"total": 2, "covered": 0}


def test_notice_timeliness_counts_on_time_late_and_unpublished() -> None:
    on_time, late, _ = (
        _six_million_contract(reference=f"WCC-T-{n}", signed_on=dt.date(2025, 5, 1))
        for n in range(3)
    )
    for contract, published in ((on_time, dt.date(2025, 5, 30)), (late, dt.date(2025, 5, 31))):
        act_services.notice_publish(
            notice=Notice.objects.get(contract=contract),
            published_on=published,
            identifier="UK7",
            user=None,
        )

    counts = notice_timeliness(
        start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 31), today=dt.date(2026, 6, 1)
    )

    assert counts == {"total": 3, "on_time": 1, "late": 1, "unpublished": 1}
