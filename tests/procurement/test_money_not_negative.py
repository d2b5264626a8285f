"""Money and quantities that cannot be negative are refused by the forms and by the database,
and the policy checks list any contract value that cannot be right."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from procurement.models import Contract
from procurement.selectors.planning import contracts_with_impossible_values, policy_summary
from procurement.services.register import variation_record
from tests.procurement.factories import ContractFactory, PipelineItemFactory, SavingFactory
from tests.procurement.test_register_views import _contract_post
from tests.socialvalue.factories import (
    CommitmentFactory,
    MeasureFactory,
    ProxyValueFactory,
    verified_line,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)


def test_the_contract_form_refuses_a_negative_total_or_annual_value(officer_client):
    data = _contract_post(
        ContractFactory.build(reference="WCC-NEG"), total_value="-5", annual_value="-£1,000"
    )
    data.pop("version")

    response = officer_client.post(reverse("procurement:contract-create"), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "The total value must be £0 or more" in body
    assert "The annual value must be £0 or more" in body
    assert not Contract.objects.filter(reference="WCC-NEG").exists()


def test_a_variation_that_would_take_the_total_below_zero_is_refused(officer):
    contract = ContractFactory(total_value=Decimal("1000"))

    with pytest.raises(ValidationError) as error:
        variation_record(
            contract=contract,
            varied_on=dt.date(2025, 1, 1),
            reason="Scope cut",
            value_change=Decimal("-1000.01"),
            user=officer,
        )

    assert "below £0" in str(error.value)
    contract.refresh_from_db()
    assert contract.total_value == Decimal("1000")
    assert contract.variations.count() == 0


@pytest.mark.parametrize(
    "make,field",
    [
        (lambda: ContractFactory(), "total_value"),
        (lambda: ContractFactory(), "annual_value"),
        (lambda: ContractFactory(), "social_value_weighting"),
        (lambda: PipelineItemFactory(), "estimated_value"),
        (lambda: SavingFactory(), "amount"),
        (lambda: ProxyValueFactory(value_per_unit=Decimal("2")), "value_per_unit"),
        (lambda: CommitmentFactory(), "quantity"),
        (
            lambda: verified_line(contract=ContractFactory(), measure=MeasureFactory(), quantity=3),
            "quantity",
        ),
    ],
    ids=[
        "contract-total",
        "contract-annual",
        "contract-weighting",
        "pipeline-estimate",
        "saving",
        "proxy-value",
        "commitment",
        "return-line",
    ],
)
def test_the_database_refuses_a_negative_value(make, field):
    row = make()

    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: Decimal("-5")})


def test_the_database_refuses_a_weighting_above_100():
    contract = ContractFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(social_value_weighting=Decimal("100.01"))


def test_an_unknown_value_and_zero_are_still_allowed():
    contract = ContractFactory(total_value=None, annual_value=None, social_value_weighting=None)

    Contract.objects.filter(pk=contract.pk).update(total_value=0, annual_value=0)

    assert Contract.objects.filter(total_value=0, annual_value=0).count() == 1


def test_policy_checks_list_a_contract_whose_annual_value_is_above_its_total():
    ContractFactory(reference="OK", total_value=Decimal("300000"), annual_value=Decimal("100000"))
    ContractFactory(reference="ODD", total_value=Decimal("5"), annual_value=Decimal("125700"))
    ContractFactory(reference="UNKNOWN", total_value=None, annual_value=Decimal("10"))

    listed = [contract.reference for contract in contracts_with_impossible_values()]

    assert listed == ["ODD"]
    assert policy_summary(today=TODAY)["impossible_values"] == 1


def test_the_policy_checks_page_shows_the_impossible_values(member_client):
    ContractFactory(reference="ODD", total_value=Decimal("5"), annual_value=Decimal("125700"))

    body = member_client.get(reverse("procurement:policy-checks")).content.decode()

    assert "Values that cannot be right" in body
    assert "ODD" in body


def _allow_a_negative_total_for_this_test() -> None:
    """As a database from before the constraint: rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        else:
            cursor.execute(
                "ALTER TABLE procurement_contract DROP CONSTRAINT contract_total_value_not_negative"
            )


def test_the_migration_names_the_rows_that_break_the_new_checks_and_stops():
    migration = importlib.import_module("procurement.migrations.0005_money_not_negative")
    _allow_a_negative_total_for_this_test()
    contract = ContractFactory(reference="WCC-MINUS-5")
    try:
        Contract.objects.filter(pk=contract.pk).update(total_value=Decimal("-5"))
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = 0")

    with pytest.raises(RuntimeError) as error:
        migration.refuse_negative_values(django_apps, None)

    assert "Contract 'WCC-MINUS-5': total_value is -5.00, it must be £0 or more" in str(error.value)
    assert "nothing has been changed" in str(error.value)
