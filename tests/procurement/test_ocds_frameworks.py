"""An award to several suppliers is one framework agreement with all of them: imported so, and
kept right by the spend matching, the dashboards and the register's pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from dashboards.selectors import high_risk_suppliers
from procurement.importers.ocds import IMPORTED, import_ocds_file
from procurement.importers.spend import import_spend_file
from procurement.models import Contract, Risk, SpendTransaction, Supplier
from procurement.selectors.register import supplier_list
from procurement.services.payment_matching import transactions_match_contracts
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "ocds"
NATIONAL = REAL / "contracts_finder_2020_100_releases.json"
LEEDS = {"buyers": ["Leeds City Council"]}
LEEDS_PPE = "ocds-b5fd17raw-56aecdd9-b2a0-42ed-92d6-6de7776b508d"
PPE_SUPPLIERS = [
    "1st Coverall Company Limited",
    "Arco Limited",
    "Arden Winch & Co Ltd",
    "CMT Equipment Ltd",
    "Direct Corporate Clothing PLC (DCC)",
]


def _ppe() -> Contract:
    return Contract.objects.select_related("supplier").get(ocid=LEEDS_PPE)


def _names(contract: Contract) -> list[str]:
    return sorted(contract.framework_suppliers.values_list("name", flat=True))


def test_an_award_to_five_suppliers_is_one_framework_with_all_five():
    import_ocds_file(NATIONAL, **LEEDS)

    ppe = _ppe()
    assert ppe.is_framework is True
    assert ppe.total_value == Decimal("2040000.00")  # the framework's maximum, once
    assert _names(ppe) == PPE_SUPPLIERS
    assert ppe.supplier.name == "Direct Corporate Clothing PLC (DCC)"  # the first named
    assert Contract.objects.filter(ocid=LEEDS_PPE).count() == 1


def test_a_second_import_changes_no_framework_and_writes_no_history():
    import_ocds_file(NATIONAL, **LEEDS)
    history = (Contract.history.count(), Supplier.history.count())
    memberships = sorted(Contract.framework_suppliers.through.objects.values_list("pk", flat=True))

    result = import_ocds_file(NATIONAL, **LEEDS)

    assert (result.contracts_created, result.contracts_updated, result.suppliers_created) == (
        0,
        0,
        0,
    )
    assert (Contract.history.count(), Supplier.history.count()) == history
    assert (
        sorted(Contract.framework_suppliers.through.objects.values_list("pk", flat=True))
        == memberships
    )


def _later_release_without(name: str) -> bytes:
    """A later release of the PPE framework whose award no longer names `name`."""
    package = json.loads(NATIONAL.read_text(encoding="utf-8"))
    release = next(r for r in package["releases"] if r["ocid"] == LEEDS_PPE)
    gone = next(p["id"] for p in release["parties"] if p["name"] == name)
    release["awards"][0]["suppliers"] = [
        s for s in release["awards"][0]["suppliers"] if s["id"] != gone
    ]
    release["date"] = "2021-01-01T00:00:00Z"
    return json.dumps({"releases": [release]}).encode()


def test_a_later_release_with_fewer_suppliers_takes_the_one_left_off_the_framework():
    import_ocds_file(NATIONAL, **LEEDS)

    result = import_ocds_file(_later_release_without("Arco Limited"), **LEEDS)

    assert (result.status, result.contracts_updated) == (IMPORTED, 1)
    assert _names(_ppe()) == [name for name in PPE_SUPPLIERS if name != "Arco Limited"]
    assert _ppe().history.count() == 2  # the change of suppliers is dated in the history
    assert Supplier.objects.filter(name="Arco Limited").exists()  # the supplier stays


def test_an_award_that_names_one_firm_twice_is_no_framework():
    package = json.loads(NATIONAL.read_text(encoding="utf-8"))
    release = next(
        r for r in package["releases"] if r["buyer"]["name"] == "Places for People Group"
    )

    import_ocds_file(json.dumps({"releases": [release]}).encode(), buyers=[])

    contract = Contract.objects.get()
    assert contract.is_framework is False
    assert contract.supplier.name == "Civica Uk Limited"
    assert contract.framework_suppliers.count() == 0


# -- spend matching: a payment to any of the framework's suppliers falls under it ---------------


def test_a_payment_to_a_framework_supplier_other_than_the_first_is_matched_to_the_framework():
    import_ocds_file(NATIONAL, **LEEDS)
    arco = Supplier.objects.get(name="Arco Limited")
    inside = SpendTransactionFactory(supplier=arco, paid_on=dt.date(2021, 6, 1))
    outside = SpendTransactionFactory(supplier=arco, paid_on=dt.date(2024, 6, 1))

    transactions_match_contracts(supplier_ids=[arco.pk])

    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.contract == _ppe()
    assert outside.contract is None  # after the framework ended on 17 May 2023


def _framework(*suppliers: Supplier, **fields: object) -> Contract:
    contract: Contract = ContractFactory.create(supplier=suppliers[0], is_framework=True, **fields)
    contract.framework_suppliers.set(suppliers)
    return contract


def test_a_spend_import_matches_a_payment_to_a_framework_supplier_on_either_database():
    first, second = SupplierFactory(name="Acme Ltd"), SupplierFactory(name="Brightside Ltd")
    framework = _framework(
        first, second, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    own = ContractFactory(
        supplier=second, start_date=dt.date(2024, 6, 1), end_date=dt.date(2024, 6, 30)
    )
    csv = (
        "Supplier Name,Amount,Date\nBrightside Ltd,600,01/03/2024\nBrightside Ltd,700,10/06/2024\n"
    )

    import_spend_file(io.BytesIO(csv.encode()))

    matched = dict(SpendTransaction.objects.values_list("amount", "contract_id"))
    # The framework covers March; in June the supplier's own contract started last, so wins.
    assert matched == {Decimal("600.00"): framework.pk, Decimal("700.00"): own.pk}


# -- dashboards: a framework's maximum is no one supplier's contract value ----------------------


def test_a_high_risk_suppliers_live_value_leaves_out_the_frameworks_it_is_first_on():
    risky = SupplierFactory(name="Risky Ltd", financial_risk=Risk.HIGH)
    other = SupplierFactory(name="Other Ltd")
    ContractFactory(supplier=risky, status=Contract.Status.LIVE, total_value=Decimal("50000.00"))
    _framework(risky, other, status=Contract.Status.LIVE, total_value=Decimal("470184791.00"))
    SpendTransactionFactory(supplier=risky, paid_on=dt.date(2024, 6, 1), amount=Decimal("900"))
    spend_summary_rebuild()

    [row] = high_risk_suppliers(year=2024)

    assert (row.name, row.live_contracts, row.live_value) == ("Risky Ltd", 2, Decimal("50000.00"))


# -- the register's pages ---------------------------------------------------------------------


def test_the_contract_page_lists_the_frameworks_suppliers(
    officer_client, django_assert_max_num_queries
):
    import_ocds_file(NATIONAL, **LEEDS)
    url = reverse("procurement:contract-detail", args=[_ppe().pk])

    with django_assert_max_num_queries(10):  # 8, and the Procurement Act's KPIs and notices
        response = officer_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Suppliers on the framework (5)" in page
    for name in PPE_SUPPLIERS:
        assert f">{name.replace('&', '&amp;')}</a>" in page
    assert "the most that may be spent under it by all its suppliers" in page


def test_a_contract_that_is_no_framework_shows_no_framework_table(officer_client):
    contract = ContractFactory()

    page = officer_client.get(reverse("procurement:contract-detail", args=[contract.pk]))

    assert "Suppliers on the framework" not in page.content.decode()


def test_the_supplier_page_lists_a_framework_the_supplier_is_on_but_not_first(officer_client):
    import_ocds_file(NATIONAL, **LEEDS)
    arco = Supplier.objects.get(name="Arco Limited")

    response = officer_client.get(reverse("procurement:supplier-detail", args=[arco.pk]))

    assert [contract.ocid for contract in response.context["contracts"]] == [LEEDS_PPE]
    assert "framework maximum, shared by its suppliers" in response.content.decode()


def test_the_supplier_list_counts_a_framework_once_for_each_of_its_suppliers():
    import_ocds_file(NATIONAL, **LEEDS)
    ContractFactory(supplier=Supplier.objects.get(name="Arco Limited"))

    counts = {row.name: row.contract_count for row in supplier_list()}

    assert counts["Arco Limited"] == 2  # its own contract and the PPE framework
    assert counts["1st Coverall Company Limited"] == 1
    assert counts["Direct Corporate Clothing PLC (DCC)"] == 1  # the first named: not twice
    assert sum(counts.values()) == 10 + 1
