from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import StaleEdit
from procurement.models import Contract, Supplier, Variation
from procurement.services import register as services
from tests.factories import UserFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(first_name="Sam", last_name="Okafor")


def _contract_fields(**overrides):
    fields = {
        "reference": "WCC-NEW",
        "title": "Grounds maintenance",
        "supplier": SupplierFactory(),
        "category": CategoryFactory(),
        "start_date": dt.date(2024, 4, 1),
        "end_date": dt.date(2027, 3, 31),
        "total_value": Decimal("300000"),
    }
    return {**fields, **overrides}


def test_creating_a_contract_links_its_suppliers_off_contract_spend(user):
    supplier = SupplierFactory()
    during = SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2024, 6, 1))
    before = SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2024, 3, 31))
    other = SpendTransactionFactory(paid_on=dt.date(2024, 6, 1))

    contract = services.contract_create(user=user, **_contract_fields(supplier=supplier))

    during.refresh_from_db()
    before.refresh_from_db()
    other.refresh_from_db()
    assert during.contract_id == contract.pk
    assert before.contract_id is None
    assert other.contract_id is None
    assert contract.history.get().history_user == user


def test_a_contract_that_ends_before_it_starts_is_refused(user):
    with pytest.raises(ValidationError) as error:
        services.contract_create(
            user=user,
            **_contract_fields(start_date=dt.date(2025, 1, 1), end_date=dt.date(2024, 1, 1)),
        )

    assert "end_date" in error.value.message_dict
    assert Contract.objects.count() == 0


def test_a_duplicate_reference_is_refused(user):
    ContractFactory(reference="WCC-NEW")

    with pytest.raises(ValidationError) as error:
        services.contract_create(user=user, **_contract_fields())

    assert "reference" in error.value.message_dict


def test_an_edit_saves_bumps_the_version_and_records_the_officer(user):
    contract = ContractFactory(title="Old")

    updated = services.contract_update(
        contract=contract, expected_version=1, changes={"title": "New"}, user=user
    )

    contract.refresh_from_db()
    assert (contract.title, contract.version) == ("New", 2)
    assert updated.history.first().history_user == user


def test_a_stale_edit_is_refused_and_changes_nothing(user):
    contract = ContractFactory(title="Original")
    services.contract_update(
        contract=contract, expected_version=1, changes={"title": "Theirs"}, user=user
    )

    with pytest.raises(StaleEdit):
        services.contract_update(
            contract=contract, expected_version=1, changes={"title": "Mine"}, user=user
        )

    contract.refresh_from_db()
    assert (contract.title, contract.version) == ("Theirs", 2)
    assert contract.history.count() == 2


def test_moving_a_contract_to_another_supplier_rematches_both_suppliers_spend(user):
    first, second = SupplierFactory(), SupplierFactory()
    contract = ContractFactory(supplier=first)
    first_spend = SpendTransactionFactory(supplier=first, paid_on=dt.date(2024, 6, 1))
    second_spend = SpendTransactionFactory(supplier=second, paid_on=dt.date(2024, 6, 1))
    services.contract_update(
        contract=contract, expected_version=1, changes={"title": "Same"}, user=user
    )
    first_spend.refresh_from_db()
    assert first_spend.contract_id == contract.pk

    services.contract_update(
        contract=contract, expected_version=2, changes={"supplier": second}, user=user
    )

    first_spend.refresh_from_db()
    second_spend.refresh_from_db()
    assert first_spend.contract_id is None
    assert second_spend.contract_id == contract.pk


def test_a_variation_changes_the_value_and_end_date_and_shows_in_history(user):
    contract = ContractFactory(total_value=Decimal("250000"), end_date=dt.date(2026, 3, 31))
    late = SpendTransactionFactory(supplier=contract.supplier, paid_on=dt.date(2026, 6, 1))

    variation = services.variation_record(
        contract=contract,
        varied_on=dt.date(2025, 2, 1),
        reason="Extension for a further year",
        value_change=Decimal("80000"),
        new_end_date=dt.date(2027, 3, 31),
        approved_by="Director of Commercial",
        user=user,
    )

    contract.refresh_from_db()
    late.refresh_from_db()
    assert contract.total_value == Decimal("330000")
    assert contract.end_date == dt.date(2027, 3, 31)
    assert contract.version == 2
    assert variation.recorded_by == user
    latest = contract.history.first()
    assert latest.history_user == user
    delta = latest.diff_against(latest.prev_record)
    assert sorted(delta.changed_fields) == ["end_date", "total_value"]
    assert late.contract_id == contract.pk


def test_a_negative_variation_reduces_the_value_and_leaves_the_end_date(user):
    contract = ContractFactory(total_value=Decimal("100000"), end_date=dt.date(2026, 3, 31))

    services.variation_record(
        contract=contract,
        varied_on=dt.date(2025, 2, 1),
        reason="Reduced scope",
        value_change=Decimal("-15000.50"),
        user=user,
    )

    contract.refresh_from_db()
    assert contract.total_value == Decimal("84999.50")
    assert contract.end_date == dt.date(2026, 3, 31)


def test_two_variations_both_count_even_from_a_stale_contract_object(user):
    contract = ContractFactory(total_value=Decimal("1000"))
    for _ in range(2):
        services.variation_record(
            contract=contract,
            varied_on=dt.date(2025, 2, 1),
            reason="More",
            value_change=Decimal("100"),
            user=user,
        )

    contract.refresh_from_db()
    assert contract.total_value == Decimal("1200")
    assert contract.version == 3


def test_a_variation_ending_before_the_contract_starts_records_nothing(user):
    contract = ContractFactory(start_date=dt.date(2024, 4, 1), end_date=dt.date(2026, 3, 31))

    with pytest.raises(ValidationError):
        services.variation_record(
            contract=contract,
            varied_on=dt.date(2025, 2, 1),
            reason="Typo",
            new_end_date=dt.date(2020, 1, 1),
            user=user,
        )

    contract.refresh_from_db()
    assert Variation.objects.count() == 0
    assert (contract.end_date, contract.version) == (dt.date(2026, 3, 31), 1)


def test_suppliers_are_created_and_edited_with_stale_protection(user):
    supplier = services.supplier_create(
        user=user, name="The Acme Company Ltd", size=Supplier.Size.SMALL, is_local=True
    )
    assert supplier.normalised_name == "acme"
    assert supplier.history.get().history_user == user

    services.supplier_update(
        supplier=supplier, expected_version=1, changes={"is_vcse": True}, user=user
    )
    with pytest.raises(StaleEdit):
        services.supplier_update(
            supplier=supplier, expected_version=1, changes={"name": "Overwritten"}, user=user
        )

    supplier.refresh_from_db()
    assert (supplier.name, supplier.is_vcse, supplier.version) == ("The Acme Company Ltd", True, 2)
