from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

import pytest

from procurement.models import Contract
from socialvalue import selectors
from socialvalue.demo import generate_social_value_demo, social_value_demo_delete
from socialvalue.models import Commitment, ProxyValue, ReturnLine, SocialValueReturn
from tests.procurement.factories import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def contracts(measures):
    rng = random.Random(7)
    for n in range(60):
        ContractFactory(
            start_date=dt.date(2023, 4, 1),
            end_date=dt.date(2027, 3, 31),
            total_value=Decimal(rng.choice([50_000, 250_000, 1_200_000, 8_000_000])),
            carbon_commitment=n % 4 == 0,
        )
    return Contract.objects.all()


def test_the_demo_makes_commitments_and_a_mix_of_returns_quickly(contracts):
    started = time.perf_counter()
    counts = generate_social_value_demo(rng=random.Random(1), contracts=contracts, today=TODAY)
    seconds = time.perf_counter() - started

    over = contracts.filter(total_value__gt=100_000).count()
    committed = Commitment.objects.values("contract").distinct().count()
    assert 0.7 * over <= committed < over
    assert not Commitment.objects.filter(contract__total_value__lte=100_000).exists()
    assert counts["commitments"] == Commitment.objects.count()
    assert counts["returns"] == SocialValueReturn.objects.count()
    assert counts["return lines"] == ReturnLine.objects.count()
    for status in ("verified", "submitted", "draft", "rejected", "missing"):
        assert counts[f"returns {status}"] > 0, status
    assert counts["returns verified"] > counts["returns submitted"]
    rejected = SocialValueReturn.objects.filter(status="rejected")
    assert not rejected.filter(rejection_reason="").exists()
    assert not SocialValueReturn.objects.filter(submitted_at__date__gt=TODAY).exists()
    assert ProxyValue.objects.filter(source__startswith="Made-up").count() == counts["proxy values"]
    overdue = selectors.returns_overdue(periods=selectors.recent_periods(today=TODAY, quarters=6))
    assert len(overdue) >= counts["returns missing"]
    dashboard = selectors.social_value_dashboard(year=2024, today=TODAY)
    assert dashboard.total_value > 0
    assert seconds < 10


def test_a_second_run_leaves_contracts_with_commitments_alone_and_all_can_be_removed(contracts):
    first = generate_social_value_demo(rng=random.Random(3), contracts=contracts, today=TODAY)
    before = set(Commitment.objects.values_list("pk", "contract_id", "quantity"))
    returns_before = set(SocialValueReturn.objects.values_list("pk", "contract_id", "status"))

    again = generate_social_value_demo(rng=random.Random(3), contracts=contracts, today=TODAY)

    assert before <= set(Commitment.objects.values_list("pk", "contract_id", "quantity"))
    assert returns_before <= set(
        SocialValueReturn.objects.values_list("pk", "contract_id", "status")
    )
    assert not {contract for _, contract, _ in before} & set(
        Commitment.objects.exclude(pk__in=[pk for pk, _, _ in before]).values_list(
            "contract_id", flat=True
        )
    )
    removed = social_value_demo_delete()

    assert removed["returns"] == first["returns"] + again["returns"]
    assert removed["commitments"] == first["commitments"] + again["commitments"]
    assert SocialValueReturn.objects.count() == Commitment.objects.count() == 0
    assert ProxyValue.objects.count() == 0
