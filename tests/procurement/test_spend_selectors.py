from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from procurement.models import SpendYearSummary, SubTeam, Supplier
from procurement.selectors import spend
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


def build_small_spend() -> SimpleNamespace:
    """Three suppliers and ten payments over two years, with the summary built.

    2024/25: Alpha (small, local) £1,000 + £2,000 on its care contract; Beta (micro, VCSE)
    £500 + £800 off-contract; Gamma (large) £10,000 on its highways contract, a £1,000 credit
    note, and £3,000 off-contract on 31 March 2025; one redacted payment of £700.
    2023/24: Alpha £4,000 and Gamma £6,000 (on 31 March 2024), both on contract.
    """
    alpha = SupplierFactory(name="Alpha Care", size=Supplier.Size.SMALL, is_local=True)
    beta = SupplierFactory(name="Beta Trust", size=Supplier.Size.MICRO, is_vcse=True)
    gamma = SupplierFactory(name="Gamma plc", size=Supplier.Size.LARGE)
    care = ContractFactory(
        supplier=alpha,
        category=CategoryFactory(name="Adult social care", sub_team=SubTeam.PEOPLE),
    )
    roads = ContractFactory(
        supplier=gamma, category=CategoryFactory(name="Highways", sub_team=SubTeam.PLACE)
    )
    payments = [
        (alpha, "1000", dt.date(2024, 5, 1), care, "INV-1"),
        (alpha, "2000", dt.date(2024, 6, 1), care, "INV-2"),
        (beta, "500", dt.date(2024, 7, 1), None, ""),
        (gamma, "10000", dt.date(2024, 8, 1), roads, "G-1"),
        (gamma, "-1000", dt.date(2024, 9, 1), roads, "G-CN"),
        (None, "700", dt.date(2024, 10, 1), None, ""),
        (gamma, "3000", dt.date(2025, 3, 31), None, "G-2"),
        (beta, "800", dt.date(2025, 1, 15), None, ""),
        (alpha, "4000", dt.date(2023, 6, 1), care, "INV-0"),
        (gamma, "6000", dt.date(2024, 3, 31), roads, "G-0"),
    ]
    for supplier, amount, paid_on, contract, reference in payments:
        SpendTransactionFactory(
            supplier=supplier,
            amount=D(amount),
            paid_on=paid_on,
            contract=contract,
            reference=reference,
        )
    spend_summary_rebuild()
    return SimpleNamespace(alpha=alpha, beta=beta, gamma=gamma, care=care, roads=roads)


@pytest.fixture
def small_spend() -> SimpleNamespace:
    return build_small_spend()


def _year(year: int) -> spend.YearSpend:
    return next(row for row in spend.spend_by_year() if row.year == year)


# -- summary rebuild ---------------------------------------------------------------------------


def test_the_summary_holds_one_row_per_year_supplier_and_contract(small_spend):
    rows = SpendYearSummary.objects.filter(financial_year=2024, supplier=small_spend.gamma)

    by_contract = {row.contract_id: (row.amount, row.payments, row.credit_notes) for row in rows}
    assert by_contract == {small_spend.roads.pk: (D("9000"), 1, 1), None: (D("3000"), 1, 0)}
    assert SpendYearSummary.objects.count() == 7


def test_rebuilding_one_year_leaves_the_others_alone(small_spend):
    SpendTransactionFactory(supplier=small_spend.beta, amount=D("250"), paid_on=dt.date(2024, 4, 1))
    SpendTransactionFactory(supplier=small_spend.beta, amount=D("999"), paid_on=dt.date(2023, 4, 1))

    written = spend_summary_rebuild(years=[2024])

    assert written == 5
    assert _year(2024).total == D("17250")
    assert _year(2023).total == D("10000")  # the 2023 payment waits for its year's rebuild
    assert spend_summary_rebuild() == 8
    assert _year(2023).total == D("10999")


def test_a_rebuild_with_no_years_does_nothing(small_spend):
    assert spend_summary_rebuild(years=[]) == 0
    assert SpendYearSummary.objects.count() == 7


def test_the_dashboard_says_when_spend_was_never_summarised():
    assert spend.spend_summary_missing(by_year=[]) is False
    SpendTransactionFactory()

    assert spend.spend_summary_missing(by_year=spend.spend_by_year()) is True
    spend_summary_rebuild()
    assert spend.spend_summary_missing(by_year=spend.spend_by_year()) is False


# -- headline and years ------------------------------------------------------------------------


def test_each_year_is_totalled_net_of_credit_notes(small_spend):
    rows = spend.spend_by_year()

    assert [(row.year, row.label) for row in rows] == [(2023, "2023/24"), (2024, "2024/25")]
    latest = rows[1]
    assert latest.total == D("17000")
    assert latest.payments == 7
    assert latest.credit_notes == 1
    assert latest.suppliers == 3
    assert latest.named_total == D("16300")
    assert (rows[0].total, rows[0].payments, rows[0].suppliers) == (D("10000"), 2, 2)


def test_shares_are_of_spend_with_named_suppliers(small_spend):
    latest = _year(2024)

    assert (latest.sme, latest.vcse, latest.local) == (D("4300"), D("1300"), D("3000"))
    # 4,300 / 16,300; 1,300 / 16,300; 3,000 / 16,300
    assert (latest.sme_share, latest.vcse_share, latest.local_share) == (
        D("26.4"),
        D("8.0"),
        D("18.4"),
    )


def test_the_headline_gives_the_change_in_percentage_points(small_spend):
    headline = spend.spend_headline(year=2024, by_year=spend.spend_by_year())

    assert headline.previous.year == 2023
    assert headline.previous.sme_share == D("40.0")
    assert headline.sme_change == D("-13.6")
    assert headline.vcse_change == D("8.0")
    assert headline.local_change == D("-21.6")


def test_the_first_year_has_no_change_to_show(small_spend):
    headline = spend.spend_headline(year=2023, by_year=spend.spend_by_year())

    assert headline.previous is None
    assert (headline.sme_change, headline.vcse_change, headline.local_change) == (None, None, None)
    assert spend.spend_headline(year=2019, by_year=spend.spend_by_year()) is None


def test_on_and_off_contract_spend_keep_redacted_payments_apart(small_spend):
    headline = spend.spend_headline(year=2024, by_year=spend.spend_by_year())

    rows = spend.spend_on_off_contract(headline=headline)

    assert [(row.name, row.total, row.share) for row in rows] == [
        ("On-contract", D("12000"), D("70.6")),
        ("Off-contract", D("4300"), D("25.3")),
        ("Redacted (personal data)", D("700"), D("4.1")),
    ]


# -- category, sub-team and suppliers ----------------------------------------------------------


def test_spend_takes_the_category_of_its_contract(small_spend):
    rows = spend.spend_by_category(year=2024)

    assert [(row.name, row.total, row.payments) for row in rows] == [
        ("Highways", D("9000"), 1),
        ("Off-contract / uncategorised", D("5000"), 4),
        ("Adult social care", D("3000"), 2),
    ]


def test_spend_under_a_contract_with_no_category_is_uncategorised(small_spend):
    contract = ContractFactory(supplier=small_spend.beta, category=None)
    SpendTransactionFactory(
        supplier=small_spend.beta, contract=contract, amount=D("400"), paid_on=dt.date(2024, 5, 5)
    )
    spend_summary_rebuild(years=[2024])

    rows = {row.name: row.total for row in spend.spend_by_category(year=2024)}

    assert rows["Off-contract / uncategorised"] == D("5400")


def test_spend_by_sub_team(small_spend):
    rows = spend.spend_by_sub_team(year=2024)

    assert [(row.name, row.total, row.payments) for row in rows] == [
        ("Place", D("9000"), 1),
        ("Off-contract / uncategorised", D("5000"), 4),
        ("People", D("3000"), 2),
    ]


def test_top_suppliers_come_largest_first_with_their_status(small_spend):
    rows = spend.spend_top_suppliers(year=2024)

    assert [(row.name, row.total, row.payments) for row in rows] == [
        ("Gamma plc", D("12000"), 2),
        ("Alpha Care", D("3000"), 2),
        ("Beta Trust", D("1300"), 2),
    ]
    assert [(row.is_sme, row.is_vcse, row.is_local) for row in rows] == [
        (False, False, False),
        (True, False, True),
        (True, True, False),
    ]
    assert [row.name for row in spend.spend_top_suppliers(year=2024, limit=2)] == [
        "Gamma plc",
        "Alpha Care",
    ]


def test_off_contract_suppliers_are_those_paid_with_no_contract(small_spend):
    rows = spend.spend_off_contract_suppliers(year=2024)

    assert [(row.supplier_id, row.total, row.payments) for row in rows] == [
        (small_spend.gamma.pk, D("3000"), 1),
        (small_spend.beta.pk, D("1300"), 2),
    ]


# -- the whole page ----------------------------------------------------------------------------


def test_the_dashboard_gathers_every_part_for_the_year(small_spend):
    by_year = spend.spend_by_year()

    dashboard = spend.spend_dashboard(year=2024, by_year=by_year)

    assert dashboard.headline.current.total == D("17000")
    assert [row.name for row in dashboard.by_sub_team][0] == "Place"
    assert dashboard.top_suppliers[0].name == "Gamma plc"
    assert dashboard.flags.flags == []
    assert spend.spend_dashboard(year=2010, by_year=by_year) is None
