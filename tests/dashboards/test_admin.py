from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.models import SavingsTarget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_an_administrator_sets_a_savings_target_and_is_recorded_as_setting_it(
    superuser_client, superuser
):
    response = superuser_client.post(
        reverse("admin:dashboards_savingstarget_add"),
        {"financial_year": 2024, "amount": "1250000", "note": "Budget 2024/25"},
    )

    assert response.status_code == 302
    target = SavingsTarget.objects.get()
    assert (target.financial_year, target.amount, target.set_by) == (
        2024,
        Decimal("1250000.00"),
        superuser,
    )
    assert str(target) == "Savings target 2024/25: £1,250,000.00"


def test_a_year_has_one_savings_target(superuser_client):
    SavingsTarget.objects.create(financial_year=2024, amount=Decimal("1"))

    response = superuser_client.post(
        reverse("admin:dashboards_savingstarget_add"), {"financial_year": 2024, "amount": "2"}
    )

    assert response.status_code == 200
    assert SavingsTarget.objects.count() == 1
