"""What the first week of returns tripped over: the words after saving a rejected return, and
the order of the officers' queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from socialvalue.models import SocialValueReturn
from tests.procurement.factories import ContractFactory
from tests.socialvalue.conftest import client_for
from tests.socialvalue.factories import ReturnLineFactory, SocialValueReturnFactory

pytestmark = pytest.mark.django_db

Status = SocialValueReturn.Status


def _save(client, the_return, measure, quantity: str):
    return client.post(
        reverse("socialvalue:return-edit", args=[the_return.pk]),
        {"version": the_return.version, f"line-{measure.pk}-quantity": quantity},
    )


def test_saving_a_rejected_return_says_it_is_still_rejected_not_a_draft(
    contract_a, contact_a, measures
):
    the_return = SocialValueReturnFactory(
        contract=contract_a, status=Status.REJECTED, rejection_reason="No timesheets"
    )
    ReturnLineFactory(social_value_return=the_return, measure=measures["WCC-1.4"], quantity=40)
    supplier = client_for(contact_a.user)

    response = _save(supplier, the_return, measures["WCC-1.4"], "35")

    assert response.status_code == 302
    the_return.refresh_from_db()
    assert the_return.status == Status.REJECTED  # until it is submitted again
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Return saved. It stays rejected until you submit it again."]
    detail = supplier.get(response["Location"]).content.decode()
    assert "saved as a draft" not in detail
    assert "Rejected" in detail


def test_saving_a_draft_return_still_says_draft(contract_a, contact_a, measures):
    the_return = SocialValueReturnFactory(contract=contract_a)
    ReturnLineFactory(social_value_return=the_return, measure=measures["WCC-1.4"], quantity=0)

    response = _save(client_for(contact_a.user), the_return, measures["WCC-1.4"], "12")

    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Return saved as a draft."]


def test_the_returns_queue_lists_the_longest_waiting_return_first(officer_client):
    now = timezone.now()
    waits = {"WCC-NEW": 1, "WCC-OLDEST": 30, "WCC-MIDDLE": 10}
    for reference, days in waits.items():
        SocialValueReturnFactory(
            contract=ContractFactory(reference=reference),
            status=Status.SUBMITTED,
            # As usual, the return waiting longest is for the earliest period.
            period_start=dt.date(2024, 4, 1) - dt.timedelta(days=days * 3),
            period_end=dt.date(2024, 6, 30) - dt.timedelta(days=days * 3),
            submitted_at=now - dt.timedelta(days=days),
        )

    page = officer_client.get(reverse("socialvalue:return-list")).content.decode()

    order = re.findall(r"WCC-(?:NEW|OLDEST|MIDDLE)", page)
    assert order == ["WCC-OLDEST", "WCC-MIDDLE", "WCC-NEW"]
    assert "longest waiting first" in page
