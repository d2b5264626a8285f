from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.dates import add_months
from core.history import history_note
from procurement.models import Contract, SubTeam, Supplier
from procurement.selectors import register as selectors
from procurement.services.spend_summary import spend_summary_rebuild
from tests.factories import UserFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SavingFactory,
    SpendTransactionFactory,
    SupplierFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 1, 15)


def _references(queryset) -> list[str]:
    return [contract.reference for contract in queryset]


def test_search_matches_reference_title_and_supplier_name():
    ContractFactory(reference="WCC-HOME", title="Home care")
    ContractFactory(reference="WCC-ROAD", title="Highways", supplier__name="Homefield Ltd")
    ContractFactory(reference="WCC-IT", title="Laptops")

    assert _references(selectors.contract_list(search="home")) == ["WCC-HOME", "WCC-ROAD"]
    assert _references(selectors.contract_list(search="wcc-it")) == ["WCC-IT"]
    assert _references(selectors.contract_list(search="  ")) == ["WCC-HOME", "WCC-IT", "WCC-ROAD"]


def test_it_filters_by_status_category_sub_team_owner_and_supplier():
    people = CategoryFactory(name="Care", sub_team=SubTeam.PEOPLE)
    place = CategoryFactory(name="Roads", sub_team=SubTeam.PLACE)
    owner = UserFactory()
    supplier = SupplierFactory()
    ContractFactory(reference="A", category=people, owner=owner)
    ContractFactory(reference="B", category=place, status=Contract.Status.EXPIRED)
    ContractFactory(reference="C", category=place, supplier=supplier)

    assert _references(selectors.contract_list(status="expired")) == ["B"]
    assert _references(selectors.contract_list(category=people)) == ["A"]
    assert _references(selectors.contract_list(sub_team="place")) == ["B", "C"]
    assert _references(selectors.contract_list(owner=owner)) == ["A"]
    assert _references(selectors.contract_list(supplier=supplier)) == ["C"]
    assert _references(selectors.contract_list(sub_team="place", status="live")) == ["C"]


@pytest.mark.parametrize(
    "band,expected",
    [
        ("under_25k", ["V1"]),
        ("25k_100k", ["V2", "V3"]),
        ("100k_1m", ["V4", "V5"]),
        ("over_1m", ["V6"]),
    ],
)
def test_value_bands_split_contracts_on_total_value(band, expected):
    for reference, value in [
        ("V1", "24999.99"),
        ("V2", "25000"),
        ("V3", "99999.99"),
        ("V4", "100000"),
        ("V5", "1000000"),
        ("V6", "1000000.01"),
    ]:
        ContractFactory(reference=reference, total_value=Decimal(value))
    ContractFactory(reference="NONE", total_value=None)

    assert _references(selectors.contract_list(value_band=band)) == expected


def test_ending_within_counts_months_from_today_and_leaves_out_ended_contracts():
    ContractFactory(reference="ENDED", end_date=dt.date(2025, 1, 14))
    ContractFactory(reference="TODAY", end_date=TODAY)
    ContractFactory(reference="3M", end_date=dt.date(2025, 4, 15))
    ContractFactory(reference="4M", end_date=dt.date(2025, 4, 16))
    ContractFactory(reference="2Y", end_date=dt.date(2027, 1, 15))
    ContractFactory(reference="OPEN", end_date=None)

    assert _references(selectors.contract_list(ending_within=3, today=TODAY)) == ["3M", "TODAY"]
    assert _references(selectors.contract_list(ending_within=24, today=TODAY)) == [
        "2Y",
        "3M",
        "4M",
        "TODAY",
    ]


def test_add_months_clips_to_the_end_of_a_short_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 1, 15), 24) == dt.date(2027, 1, 15)


def test_supplier_type_filters_each_narrow_the_list():
    ContractFactory(reference="SME", supplier__size=Supplier.Size.MICRO)
    ContractFactory(reference="LARGE", supplier__size=Supplier.Size.LARGE)
    ContractFactory(reference="VCSE", supplier__size=Supplier.Size.LARGE, supplier__is_vcse=True)
    ContractFactory(
        reference="LOCAL-SME", supplier__size=Supplier.Size.MEDIUM, supplier__is_local=True
    )

    assert _references(selectors.contract_list(supplier_types=["sme"])) == ["LOCAL-SME", "SME"]
    assert _references(selectors.contract_list(supplier_types=["vcse"])) == ["VCSE"]
    assert _references(selectors.contract_list(supplier_types=["sme", "local"])) == ["LOCAL-SME"]


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("reference", ["A", "B", "C"]),
        ("-reference", ["C", "B", "A"]),
        ("title", ["B", "C", "A"]),
        ("supplier", ["C", "A", "B"]),
        ("-supplier", ["B", "A", "C"]),
        ("end_date", ["A", "C", "B"]),
        ("-end_date", ["C", "A", "B"]),
        ("total_value", ["B", "A", "C"]),
        ("-total_value", ["C", "A", "B"]),
        ("nonsense", ["A", "B", "C"]),
    ],
)
def test_it_sorts_by_each_column_with_empty_values_last(sort, expected):
    ContractFactory(
        reference="A",
        title="Zebra",
        supplier__name="Middle",
        end_date=dt.date(2025, 1, 1),
        total_value=Decimal("500"),
    )
    ContractFactory(
        reference="B",
        title="Apple",
        supplier__name="Zulu",
        end_date=None,
        total_value=Decimal("100"),
    )
    ContractFactory(
        reference="C",
        title="Mango",
        supplier__name="Alpha",
        end_date=dt.date(2026, 1, 1),
        total_value=Decimal("900"),
    )

    assert _references(selectors.contract_list(sort=sort)) == expected


def test_supplier_totals_count_contracts_and_sum_spend_without_fan_out():
    supplier = SupplierFactory(name="Acme")
    ContractFactory.create_batch(3, supplier=supplier)
    SpendTransactionFactory.create_batch(4, supplier=supplier, amount=Decimal("250.50"))
    SupplierFactory(name="Idle")
    spend_summary_rebuild()  # as every import and contract change does

    rows = {s.name: s for s in selectors.supplier_list()}

    # A join of 3 contracts to 4 payments would give 12 contracts and £3,006 of spend.
    assert rows["Acme"].contract_count == 3
    assert rows["Acme"].spend_total == Decimal("1002.00")
    assert rows["Idle"].contract_count == 0
    assert rows["Idle"].spend_total == Decimal("0")


def test_supplier_list_filters_and_sorts_by_totals():
    big = SupplierFactory(name="Big", size=Supplier.Size.LARGE, is_strategic=True)
    small = SupplierFactory(name="Small", size=Supplier.Size.SMALL, is_local=True, is_vcse=True)
    SupplierFactory(name="Unknown", size=Supplier.Size.UNKNOWN)
    SpendTransactionFactory(supplier=big, amount=Decimal("900"))
    SpendTransactionFactory(supplier=small, amount=Decimal("100"))
    ContractFactory.create_batch(2, supplier=small)

    def names(**kwargs):
        return [s.name for s in selectors.supplier_list(**kwargs)]

    assert names(supplier_types=["sme"]) == ["Small"]
    assert names(supplier_types=["vcse", "local"]) == ["Small"]
    assert names(supplier_types=["strategic"]) == ["Big"]
    assert names(size="unknown") == ["Unknown"]
    assert names(search="sma") == ["Small"]
    assert names(sort="-spend") == ["Big", "Small", "Unknown"]
    assert names(sort="-contracts") == ["Small", "Big", "Unknown"]


def test_contract_detail_gives_spend_to_date_as_pounds_and_share_of_value():
    contract = ContractFactory(total_value=Decimal("200000"))
    SpendTransactionFactory(supplier=contract.supplier, contract=contract, amount=Decimal("30000"))
    SpendTransactionFactory(supplier=contract.supplier, contract=contract, amount=Decimal("-5000"))
    SpendTransactionFactory(supplier=contract.supplier, contract=None, amount=Decimal("999"))

    detail = selectors.contract_detail(contract_id=contract.pk)

    assert detail["spend_to_date"] == Decimal("25000")
    assert detail["spend_payments"] == 2
    assert detail["spend_share"] == Decimal("12.5")


def test_contract_detail_lists_variations_and_savings():
    contract = ContractFactory()
    VariationFactory(contract=contract, varied_on=dt.date(2024, 1, 1))
    VariationFactory(contract=contract, varied_on=dt.date(2024, 6, 1))
    SavingFactory(contract=contract, amount=Decimal("1234"))
    SavingFactory()

    detail = selectors.contract_detail(contract_id=contract.pk)

    assert [v.varied_on for v in detail["variations"]] == [dt.date(2024, 6, 1), dt.date(2024, 1, 1)]
    assert [s.amount for s in detail["savings"]] == [Decimal("1234")]


def test_history_lists_each_change_newest_first_with_before_and_after():
    officer = UserFactory(first_name="Priya", last_name="Shah")
    contract = ContractFactory(title="Old title", total_value=Decimal("1000"))
    contract.title = "New title"
    contract.total_value = Decimal("1500")
    history_note(contract, user=officer)
    contract.save()
    contract.status = Contract.Status.EXPIRED
    history_note(contract, user=officer)
    contract.save()

    history = selectors.contract_detail(contract_id=contract.pk)["history"]

    assert [entry.action for entry in history] == ["Changed", "Changed", "Created"]
    assert [entry.who for entry in history[:2]] == ["Priya Shah", "Priya Shah"]
    assert [(c.label, c.before, c.after) for c in history[0].changes] == [
        ("Status", "Live", "Expired")
    ]
    assert [(c.label, c.before, c.after) for c in history[1].changes] == [
        ("Title", "Old title", "New title"),
        ("Total value", "£1,000.00", "£1,500.00"),
    ]
    assert history[2].changes == []


def test_history_shows_a_changed_supplier_by_name():
    contract = ContractFactory(supplier__name="First Ltd")
    contract.supplier = SupplierFactory(name="Second Ltd")
    contract.save()

    history = selectors.contract_detail(contract_id=contract.pk)["history"]

    assert [(c.before, c.after) for c in history[0].changes] == [("First Ltd", "Second Ltd")]


def test_supplier_detail_groups_spend_by_financial_year():
    supplier = SupplierFactory()
    contract = ContractFactory(supplier=supplier)
    for paid_on, amount, on_contract in [
        (dt.date(2023, 3, 31), "100", False),
        (dt.date(2023, 4, 1), "200", True),
        (dt.date(2024, 3, 31), "300", False),
        (dt.date(2024, 4, 1), "400", True),
    ]:
        SpendTransactionFactory(
            supplier=supplier,
            paid_on=paid_on,
            amount=Decimal(amount),
            contract=contract if on_contract else None,
        )
    SpendTransactionFactory(amount=Decimal("5000"))

    detail = selectors.supplier_detail(supplier_id=supplier.pk)

    assert [
        (row["label"], row["total"], row["on_contract"], row["off_contract"], row["payments"])
        for row in detail["spend_by_year"]
    ] == [
        ("2022/23", Decimal("100"), Decimal("0"), Decimal("100"), 1),
        ("2023/24", Decimal("500"), Decimal("200"), Decimal("300"), 2),
        ("2024/25", Decimal("400"), Decimal("400"), Decimal("0"), 1),
    ]
    assert detail["spend_total"] == Decimal("1000")
    assert [c.spend_to_date for c in detail["contracts"]] == [Decimal("600")]


def test_history_shows_an_empty_owner_as_not_set_and_a_new_one_by_full_name():
    contract = ContractFactory(owner=None)
    contract.owner = UserFactory(first_name="Ann", last_name="Lee")
    contract.save()

    history = selectors.contract_detail(contract_id=contract.pk)["history"]

    assert [(c.label, c.before, c.after) for c in history[0].changes] == [
        ("Owner", "Not set", "Ann Lee")
    ]
