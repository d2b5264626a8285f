"""The contract admin keeps spend matched to contracts, as the contract pages do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Contract, Risk, SpendTransaction, SpendYearSummary
from tests.procurement.factories import CategoryFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_a_contract_added_in_the_admin_takes_the_payments_it_covers(admin_client_):
    supplier = SupplierFactory()
    payment = SpendTransactionFactory(
        supplier=supplier, paid_on=dt.date(2024, 6, 1), amount=Decimal("900.00")
    )

    response = admin_client_.post(
        reverse("admin:procurement_contract_add"),
        {
            "reference": "ADM-1",
            "title": "Added by an administrator",
            "supplier": supplier.pk,
            "category": CategoryFactory().pk,
            "status": Contract.Status.LIVE,
            "route": Contract._meta.get_field("route").default or "",
            "risk_rating": Risk.UNKNOWN,
            "modern_slavery_risk": Risk.UNKNOWN,
            "start_date": "2024-04-01",
            "end_date": "2025-03-31",
            "variations-TOTAL_FORMS": 0,
            "variations-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get(reference="ADM-1")
    assert SpendTransaction.objects.get(pk=payment.pk).contract == contract
    assert SpendYearSummary.objects.get(contract=contract).amount == Decimal("900.00")
