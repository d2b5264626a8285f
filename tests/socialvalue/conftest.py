"""Fixtures for the social value tests: the measures fixture, evidence storage, supplier users."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from socialvalue.models import Measure
from tests.procurement.factories import ContractFactory, SupplierFactory
from tests.socialvalue.factories import CommitmentFactory, SupplierContactFactory


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def measures(db) -> dict[str, Measure]:
    """The strategy's goals and measures from fixtures/socialvalue.json, by code."""
    call_command("loaddata", "socialvalue", verbosity=0)
    return {measure.code: measure for measure in Measure.objects.all()}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supplier_a(db):
    return SupplierFactory(name="Alpha Care Ltd", is_local=True)


@pytest.fixture
def supplier_b(db):
    return SupplierFactory(name="Beta Roads Ltd")


@pytest.fixture
def contact_a(supplier_a):
    return SupplierContactFactory(supplier=supplier_a, user__username="alpha-user")


@pytest.fixture
def contact_b(supplier_b):
    return SupplierContactFactory(supplier=supplier_b, user__username="beta-user")


@pytest.fixture
def contract_a(supplier_a, measures):
    contract = ContractFactory(
        supplier=supplier_a, reference="WCC-A-001", title="Home care north", total_value=900000
    )
    CommitmentFactory(contract=contract, measure=measures["WCC-1.4"], quantity=400)
    CommitmentFactory(contract=contract, measure=measures["WCC-2.1"], quantity=12)
    return contract
