from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.financial_year import financial_year_label, financial_year_of
from procurement.flags import Kind
from procurement.models import Supplier
from procurement.services.spend_summary import spend_summary_rebuild
from procurement.views.spend_dashboard import CSV_TABLES
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory
from tests.procurement.test_spend_selectors import build_small_spend

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("procurement:spend-dashboard")
URL_2024 = f"{URL}?year=2024"


@pytest.fixture(autouse=True)
def empty_cache():
    """The payment checks are cached; no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def _csv(client, slug: str, **query) -> list[list[str]]:
    response = client.get(reverse("procurement:spend-csv", args=[slug]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_dashboard_opens_on_the_current_financial_year_and_says_it_has_no_spend(
    member_client,
):
    build_small_spend()

    response = member_client.get(URL)

    assert response.status_code == 200
    assert not response.context["dashboard"]  # None, read lazily
    current = financial_year_of(timezone.localdate())
    body = response.content.decode()
    assert f"Spend dashboard: {financial_year_label(current)}" in body
    assert f"No spend is recorded for {financial_year_label(current)}" in body


def test_a_member_sees_a_year_with_spend(member_client):
    build_small_spend()

    response = member_client.get(URL, {"year": 2024})

    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.headline.current.year == 2024
    assert dashboard.headline.current.total == D("17000")
    body = response.content.decode()
    assert "Spend dashboard: 2024/25" in body
    assert "£17,000" in body
    assert "26.4%" in body
    assert "-13.6 percentage points on 2023/24" in body
    assert "+8.0 percentage points on 2023/24" in body


def test_the_year_selector_lists_the_years_with_data_and_picks_one(member_client):
    build_small_spend()

    response = member_client.get(URL, {"year": 2023})

    current = financial_year_of(timezone.localdate())
    years = sorted({current, current - 1, 2024, 2023}, reverse=True)
    assert response.context["form"].fields["year"].choices == [
        (year, financial_year_label(year)) for year in years
    ]
    headline = response.context["dashboard"].headline
    assert (headline.current.year, headline.previous) == (2023, None)
    assert "No earlier year to compare with" in response.content.decode()


def test_a_year_not_listed_falls_back_to_the_current_year(member_client):
    build_small_spend()

    response = member_client.get(URL, {"year": 1999})

    assert response.status_code == 200
    assert not response.context["dashboard"]  # None, read lazily
    assert response.context["year_label"] == financial_year_label(
        financial_year_of(timezone.localdate())
    )


def test_with_no_spend_the_page_says_so(member_client):
    response = member_client.get(URL)

    assert response.status_code == 200
    assert not response.context["dashboard"]  # None, read lazily
    assert "No spend has been imported yet." in response.content.decode()


def test_imported_spend_without_a_summary_is_flagged(member_client):
    SpendTransactionFactory()

    response = member_client.get(URL)

    assert "have not been built from it yet" in response.content.decode()


def test_the_page_links_suppliers_and_offers_officers_a_contract_for_off_contract_ones(
    officer_client, member_client
):
    data = build_small_spend()
    supplier_url = reverse("procurement:supplier-detail", args=[data.gamma.pk])
    add_contract = f"{reverse('procurement:contract-create')}?supplier={data.gamma.pk}"

    officer_page = officer_client.get(URL_2024).content.decode()
    member_page = member_client.get(URL_2024).content.decode()

    assert f'href="{supplier_url}"' in officer_page
    assert add_contract in officer_page
    assert add_contract not in member_page
    assert f'href="{supplier_url}"' in member_page


def test_every_chart_has_its_summary_table_and_download(member_client):
    build_small_spend()

    body = member_client.get(URL_2024).content.decode()

    for name in (
        "by-year",
        "shares",
        "on-off-contract",
        "by-category",
        "by-sub-team",
        "top-suppliers",
    ):
        assert f'id="chart-{name}"' in body
        assert reverse("procurement:spend-csv", args=[name]) + "?year=2024" in body
    for slug in CSV_TABLES:
        assert reverse("procurement:spend-csv", args=[slug]) in body
    assert body.count('class="govuk-table"') == 9


def test_the_page_shows_the_top_flags_and_links_to_all_of_them(member_client):
    supplier = SupplierFactory(name="Repeat Ltd")
    for day, amount in ((1, "4990"), (2, "4990"), (20, "4995")):
        SpendTransactionFactory(supplier=supplier, amount=D(amount), paid_on=dt.date(2024, 6, day))
    spend_summary_rebuild()

    response = member_client.get(URL_2024)

    flags = response.context["dashboard"].flags
    assert [(row.flag.kind, row.flag.amount) for row in flags.top] == [
        (Kind.SPLIT, D("14975.00")),
        (Kind.DUPLICATE, D("4990.00")),
    ]
    body = response.content.decode()
    assert "The highest-scoring flags to check in 2024/25" in body
    assert reverse("procurement:spend-flag-list") + "?year=2024" in body
    for row in flags.top:
        assert reverse("procurement:spend-flag", args=[2024, row.flag.key]) in body


# -- CSV downloads -----------------------------------------------------------------------------


def test_the_year_csv_has_every_year(member_client):
    build_small_spend()

    rows = _csv(member_client, "by-year", year=2024)

    assert rows[0][:5] == [
        "Financial year",
        "Total spend (£)",
        "Payments",
        "Credit notes",
        "Suppliers paid",
    ]
    assert rows[1:] == [
        ["2023/24", "10000.00", "2", "0", "2", "10000.00", "0.00", "0.00"],
        ["2024/25", "17000.00", "7", "1", "3", "12000.00", "4300.00", "700.00"],
    ]


def test_the_share_csv_gives_spend_and_share(member_client):
    build_small_spend()

    rows = _csv(member_client, "shares", year=2024)

    assert rows[2] == [
        "2024/25",
        "16300.00",
        "4300.00",
        "26.4",
        "1300.00",
        "8.0",
        "3000.00",
        "18.4",
    ]


def test_the_csv_downloads_follow_the_year_asked_for(member_client):
    build_small_spend()

    assert _csv(member_client, "by-category", year=2024)[1:] == [
        ["Highways", "9000.00", "1"],
        ["Off-contract / uncategorised", "5000.00", "4"],
        ["Adult social care", "3000.00", "2"],
    ]
    assert _csv(member_client, "by-sub-team", year=2023)[1:] == [
        ["Place", "6000.00", "1"],
        ["People", "4000.00", "1"],
    ]
    assert _csv(member_client, "top-suppliers", year=2024)[1] == [
        "Gamma plc",
        "12000.00",
        "2",
        "No",
        "No",
        "No",
    ]
    assert _csv(member_client, "off-contract-suppliers", year=2024)[1:] == [
        ["Gamma plc", "3000.00", "1", "No", "No", "No"],
        ["Beta Trust", "1300.00", "2", "Yes", "Yes", "No"],
    ]
    assert _csv(member_client, "on-off-contract", year=2024)[1:] == [
        ["On-contract", "12000.00", "70.6"],
        ["Off-contract", "4300.00", "25.3"],
        ["Redacted (personal data)", "700.00", "4.1"],
    ]


def test_the_flags_csv_lists_each_flag_with_the_file_and_line_of_its_payments(member_client):
    supplier = SupplierFactory(name="=Formula Ltd", size=Supplier.Size.LARGE)
    for week in range(3):
        SpendTransactionFactory(
            supplier=supplier,
            amount=D("24500"),
            paid_on=dt.date(2024, 7, 1) + dt.timedelta(days=7 * week),
            reference=f"R{week}",
            spend_import__filename="july.csv",
            line_number=week + 2,
        )
    spend_summary_rebuild()

    response = member_client.get(reverse("procurement:spend-flag-csv"), {"year": 2024})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # A weekly series of one amount is recurring, not a duplicate; three payments under £25,000
    # that add up past it are a possible split.
    assert rows == [
        ["kind", "supplier", "amount", "first_paid_on", "last_paid_on", "score", "status", "lines"],
        [
            "split",
            "'=Formula Ltd",
            "73500.00",
            "2024-07-01",
            "2024-07-15",
            str(73500 * 5 + 5),
            "open",
            "july.csv:2;july.csv:3;july.csv:4",
        ],
    ]


def test_an_unknown_download_is_not_found(member_client):
    response = member_client.get(reverse("procurement:spend-csv", args=["everything"]))

    assert response.status_code == 404


def test_a_download_with_no_spend_is_just_the_header(member_client):
    assert _csv(member_client, "top-suppliers") == [
        ["Supplier", "Spend (£)", "Payments", "SME", "VCSE", "Local"]
    ]


# -- queries -----------------------------------------------------------------------------------


def _ten_payments() -> None:
    """Ten payments over three years, with a possible duplicate and split purchase in 2023/24
    and in 2024/25, so every query of the page runs at both sizes."""
    checked, other = SupplierFactory(), SupplierFactory()
    contract = ContractFactory(supplier=other)
    for day, amount, reference in (
        (dt.date(2024, 6, 1), "4900", "A"),
        (dt.date(2024, 6, 11), "4950", "A"),
        (dt.date(2024, 6, 21), "4990", "B"),
        (dt.date(2023, 6, 1), "24000", "C"),
        (dt.date(2023, 6, 5), "24000", "D"),
        (dt.date(2023, 6, 9), "24500", "E"),
    ):
        SpendTransactionFactory(
            supplier=checked, amount=D(amount), paid_on=day, reference=reference
        )
    SpendTransactionFactory(supplier=other, contract=contract, paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(supplier=other, paid_on=dt.date(2023, 5, 1))
    SpendTransactionFactory(supplier=other, contract=contract, paid_on=dt.date(2022, 5, 1))
    SpendTransactionFactory(supplier=None, paid_on=dt.date(2024, 7, 1))
    spend_summary_rebuild()


def _two_hundred_more() -> None:
    """200 more payments across 20 suppliers, four years and some contracts."""
    suppliers = [SupplierFactory() for _ in range(20)]
    contracts = [ContractFactory(supplier=supplier) for supplier in suppliers[:5]]
    for n in range(200):
        SpendTransactionFactory(
            supplier=suppliers[n % 20],
            contract=contracts[n % 5] if n % 20 < 5 else None,
            amount=D(4800 + n % 7 * 30),
            paid_on=dt.date(2021, 4, 1) + dt.timedelta(days=(n * 37) % 1460),
            reference=f"R{n % 50}",
        )
    spend_summary_rebuild()


def _queries(client, *urls: str) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    return counts


def test_the_dashboard_and_downloads_run_the_same_queries_for_10_or_210_payments(member_client):
    urls = [URL, f"{URL}?year=2023"] + [
        reverse("procurement:spend-csv", args=[slug]) + "?year=2023" for slug in CSV_TABLES
    ]
    _ten_payments()
    small = _queries(member_client, *urls)

    _two_hundred_more()
    large = _queries(member_client, *urls)

    assert small == large
    assert small[0] <= 15


def test_the_payment_checks_are_cached_until_the_summary_is_rebuilt(member_client):
    supplier = SupplierFactory()
    for day in (1, 3):
        SpendTransactionFactory(supplier=supplier, amount=D("640"), paid_on=dt.date(2024, 6, day))
    spend_summary_rebuild()
    (cold,) = _queries(member_client, URL_2024)
    # The page's body is cached too: drop it, so the next visit draws it with cached checks.
    page_key = member_client.get(URL_2024).context["page_key"]
    cache.delete(make_template_fragment_key("spend_dashboard", [page_key]))

    (warm,) = _queries(member_client, URL_2024)

    # The flags' six reads of payments and the register, and the years' UNION (kept by version).
    assert warm == cold - 7
    SpendTransactionFactory(supplier=supplier, amount=D("640"), paid_on=dt.date(2024, 6, 8))
    assert len(member_client.get(URL_2024).context["dashboard"].flags.flags[0].flag.payments) == 2
    spend_summary_rebuild()
    assert len(member_client.get(URL_2024).context["dashboard"].flags.flags) == 0  # a series
