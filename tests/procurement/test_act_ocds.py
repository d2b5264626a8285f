"""Every Procurement Act notice as an OCDS release, valid against the shipped 1.1 schema."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Contract, KpiRating, Notice, Supplier
from procurement.ocds_notices import (
    SCHEMA_DIR,
    contract_release_package,
    notice_release,
    package_errors,
    release_errors,
)
from procurement.services import notices as act_services
from procurement.services import register as services
from tests.factories import UserFactory
from tests.procurement.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _codes(name: str) -> set[str]:
    with (SCHEMA_DIR / "codelists" / name).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@pytest.fixture
def contract_with_every_notice() -> Contract:
    supplier = SupplierFactory(
        size=Supplier.Size.SMALL, company_number="01234567", ppon="PABC-1234-WXYZ", is_vcse=True
    )
    contract = services.contract_create(
        user=None,
        reference="WCC-OCDS-1",
        title="Home care",
        supplier=supplier,
        owner=UserFactory(),
        start_date=dt.date(2025, 5, 1),
        end_date=dt.date(2026, 3, 31),
        signed_on=dt.date(2025, 4, 20),
        awarded_on=dt.date(2025, 4, 1),
        procedure=Contract.Procedure.OPEN,
        total_value=Decimal("5500000"),
        value_including_vat=Decimal("6600000"),
    )
    kpi = act_services.kpi_create(
        contract=contract,
        name="Visits on time",
        good_looks_like="95%",
        measured_by="Log",
        user=None,
    )
    act_services.kpi_ratings_record(
        contract=contract,
        rated_on=dt.date(2026, 3, 31),
        period_start=dt.date(2025, 5, 1),
        ratings={kpi.pk: (KpiRating.Rating.OTHER, "New service; no baseline yet")},
        user=None,
    )
    services.variation_record(
        contract=contract,
        varied_on=dt.date(2025, 10, 1),
        reason="More hours",
        value_change=Decimal("700000"),
        user=None,
    )
    act_services.notices_sync(today=dt.date(2026, 4, 2))
    return contract


def test_every_kind_of_notice_validates_as_an_ocds_release(contract_with_every_notice) -> None:
    notices = list(Notice.objects.filter(contract=contract_with_every_notice))
    assert {n.kind for n in notices} == set(Notice.Kind.values) - set(Notice.COUNCIL_KINDS)

    for notice in notices:
        release = notice_release(notice)
        assert release_errors(release) == [], notice.kind
        assert set(release["tag"]) <= _codes("releaseTag.csv")
        assert release["contracts"][0]["status"] in _codes("contractStatus.csv")


def test_the_release_carries_the_supplier_identifiers_and_values(contract_with_every_notice):
    details = Notice.objects.get(kind=Notice.Kind.CONTRACT_DETAILS)

    release = notice_release(details)

    supplier = release["parties"][1]
    assert supplier["id"] == "GB-PPON-PABC-1234-WXYZ"
    assert supplier["details"]["scale"] == "sme"
    assert supplier["details"]["vcse"] is True
    assert release["contracts"][0]["value"] == {
        "currency": "GBP",
        "amount": 6200000.0,  # £5.5m and the £700,000 variation
        "amountGross": 6600000.0,
    }
    assert release["contracts"][0]["dateSigned"] == "2025-04-20T00:00:00Z"


def test_a_contracts_notices_validate_as_a_release_package(contract_with_every_notice):
    package = contract_release_package(contract_with_every_notice)

    assert package_errors(package) == []
    assert len(package["releases"]) == 4


def test_an_invalid_release_is_caught() -> None:
    assert release_errors({"ocid": "x", "tag": "contract"})


def test_the_downloads_are_json(member_client, contract_with_every_notice) -> None:
    notice = Notice.objects.get(kind=Notice.Kind.CONTRACT_CHANGE)

    one = member_client.get(reverse("procurement:notice-json", args=[notice.pk]))
    every = member_client.get(
        reverse("procurement:contract-notices-json", args=[contract_with_every_notice.pk])
    )

    assert json.loads(one.content)["tag"] == ["contractAmendment"]
    assert package_errors(json.loads(every.content)) == []
