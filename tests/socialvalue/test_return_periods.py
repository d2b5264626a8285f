"""A return is for a period that has ended: the last complete one by default, never an unfinished
quarter or year."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from socialvalue import services
from socialvalue.forms import ReturnStartForm
from socialvalue.models import SocialValueReturn
from socialvalue.periods import quarter, year_period
from tests.socialvalue.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)  # in the third quarter (October to December) of 2026/27


@pytest.fixture
def running(contract_a):
    contract_a.start_date = dt.date(2025, 1, 10)
    contract_a.end_date = None
    contract_a.save()
    return contract_a


def _keys(form: ReturnStartForm) -> list[str]:
    keys = []
    field = form.fields["period"]
    assert isinstance(field, forms.ChoiceField) and isinstance(field.choices, list)
    for key, label in field.choices:
        keys += [inner for inner, _ in label] if isinstance(label, list | tuple) else [key]
    return keys


def test_the_form_offers_only_periods_that_have_ended_newest_first(running):
    form = ReturnStartForm(contract=running, today=TODAY, taken=[])

    assert _keys(form) == [
        "2026-Q2",
        "2026-Q1",
        "2025-Q4",
        "2025-Q3",
        "2025-Q2",
        "2025-Q1",
        "2024-Q4",
        "2025-FY",
        "2024-FY",
    ]


def test_the_default_period_is_the_last_complete_quarter(running):
    form = ReturnStartForm(contract=running, today=TODAY, taken=[])

    assert form["period"].value() == "2026-Q2"


def test_with_last_quarter_returned_the_default_is_the_newest_free_period(running):
    form = ReturnStartForm(contract=running, today=TODAY, taken=[quarter(2026, 2)])

    assert form["period"].value() == "2026-Q1"


def test_on_the_last_day_of_a_quarter_that_quarter_has_not_ended(running):
    form = ReturnStartForm(contract=running, today=dt.date(2026, 12, 31), taken=[])

    assert "2026-Q3" not in _keys(form)
    assert "2026-Q3" in _keys(
        ReturnStartForm(contract=running, today=dt.date(2027, 1, 1), taken=[])
    )


def test_the_form_refuses_an_unfinished_quarter_posted_by_hand(running):
    form = ReturnStartForm({"period": "2026-Q3"}, contract=running, today=TODAY, taken=[])

    assert not form.is_valid()
    assert form.errors["period"] == ["Select the period"]


@pytest.mark.parametrize(
    "period", [quarter(2026, 3), year_period(2026)], ids=["this-quarter", "this-year"]
)
def test_the_service_refuses_a_period_that_has_not_ended(running, contact_a, period):
    with pytest.raises(ValidationError) as error:
        services.return_create(contract=running, period=period, user=contact_a.user, today=TODAY)

    assert error.value.message_dict["period"] == [
        f"{period.label} has not ended yet: its return can be started from "
        f"{period.end + dt.timedelta(days=1):%-d %B %Y}"
    ]
    assert SocialValueReturn.objects.count() == 0


def test_the_service_starts_a_return_for_a_period_that_ended_yesterday(running, contact_a):
    started = services.return_create(
        contract=running, period=quarter(2026, 2), user=contact_a.user, today=dt.date(2026, 10, 1)
    )

    assert (started.period_start, started.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_the_start_page_selects_last_quarter_for_the_supplier(running, contact_a, monkeypatch):
    monkeypatch.setattr("socialvalue.views.returns.timezone.localdate", lambda *args: TODAY)

    body = (
        client_for(contact_a.user)
        .get(reverse("socialvalue:return-create", args=[running.pk]))
        .content.decode()
    )

    assert '<option value="2026-Q2" selected>' in body
    assert 'value="2026-Q3"' not in body


def test_a_contract_that_started_this_quarter_has_no_period_to_return_yet(
    running, contact_a, monkeypatch
):
    monkeypatch.setattr("socialvalue.views.returns.timezone.localdate", lambda *args: TODAY)
    running.start_date = dt.date(2026, 10, 1)
    running.save()

    body = (
        client_for(contact_a.user)
        .get(reverse("socialvalue:return-create", args=[running.pk]))
        .content.decode()
    )

    assert "There is no period to return yet" in body
    assert "<select" not in body
