"""The red flags' pages: the ranked list, one flag and its review, the payments page, the
spend_flags command, and a review that survives the period being imported again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from procurement.flags import Kind
from procurement.importers.spend import import_spend_file
from procurement.models import SpendFlagReview, SpendImport
from procurement.selectors.flags import spend_flags
from procurement.services.register import supplier_update
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("procurement:spend-flag-list")
PAYMENTS = reverse("procurement:spend-payment-list")
HEADER = "Supplier Name,Amount,Date,Expense Area,Expense Type,Transaction Number\n"
JUNE = (
    "Acme Plant Ltd,2450.00,02/06/2024,Highways,Plant hire,PH-1001\n"
    "Acme Plant Ltd,2450.00,05/06/2024,Highways,Plant hire,PH-1001A\n"
    "Other Firm Ltd,700.00,03/06/2024,Highways,Materials,OF-1\n"
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _import(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    result = import_spend_file(path)
    assert result.status == "imported", result.file_error


def _only_flag():
    (item,) = spend_flags(year=2024).flags
    return item


def _duplicate_pair() -> None:
    supplier = SupplierFactory(name="Acme Plant Ltd")
    for day, reference in ((2, "PH-1001"), (5, "PH-1001A")):
        SpendTransactionFactory(
            supplier=supplier,
            amount=D("2450"),
            paid_on=dt.date(2024, 6, day),
            reference=reference,
        )
    spend_summary_rebuild()


def test_the_list_shows_each_flag_with_a_link_to_it(member_client):
    _duplicate_pair()

    response = member_client.get(LIST, {"year": 2024})

    assert response.status_code == 200
    item = _only_flag()
    assert item.flag.kind == Kind.DUPLICATE
    body = response.content.decode()
    assert reverse("procurement:spend-flag", args=[2024, item.flag.key]) in body
    assert "references one character apart" in body


def test_the_flag_page_lists_its_payments_with_file_and_line_and_links_to_the_payments(
    member_client,
):
    _duplicate_pair()
    item = _only_flag()

    response = member_client.get(reverse("procurement:spend-flag", args=[2024, item.flag.key]))

    body = response.content.decode()
    for payment in item.flag.payments:
        assert payment.file_line in body
    assert f"{PAYMENTS}?{item.payments_query}".replace("&", "&amp;") in body
    assert "Review this flag" not in body  # a member reads, an officer reviews


def test_an_officer_explains_a_flag_and_it_leaves_the_dashboards_counts(officer_client, officer):
    _duplicate_pair()
    item = _only_flag()
    url = reverse("procurement:spend-flag", args=[2024, item.flag.key])

    refused = officer_client.post(url, {"status": "explained", "reason": "", "note": ""})
    response = officer_client.post(
        url, {"status": "explained", "reason": "staged", "note": "Two stages of one hire."}
    )

    assert refused.status_code == 200
    assert "Choose why the payments are in order" in refused.content.decode()
    assert response.status_code == 302
    review = SpendFlagReview.objects.get(key=item.flag.key)
    assert (review.status, review.reason, review.updated_by) == ("explained", "staged", officer)
    flags = spend_flags(year=2024)
    assert [f.status for f in flags.flags] == ["explained"]
    assert flags.counted == []
    page = officer_client.get(url).content.decode()
    assert "Two stages of one hire." in page
    assert officer.get_username() in page


def test_a_second_review_keeps_the_first_in_the_history(officer_client):
    _duplicate_pair()
    url = reverse("procurement:spend-flag", args=[2024, _only_flag().flag.key])
    officer_client.post(url, {"status": "confirmed", "note": "Paid twice."})
    review = SpendFlagReview.objects.get()

    officer_client.post(url, {"status": "recovered", "note": "Refunded.", "version": 1})
    stale = officer_client.post(url, {"status": "open", "version": 1})

    assert [h.status for h in review.history.order_by("history_date")] == [
        "confirmed",
        "recovered",
    ]
    assert "Someone else changed this" in stale.content.decode()


def test_a_review_survives_the_period_being_imported_again(tmp_path, officer_client):
    _import(tmp_path, "june.csv", JUNE)
    SpendImport.objects.update(is_own=True)
    spend_summary_rebuild()
    key = _only_flag().flag.key
    officer_client.post(
        reverse("procurement:spend-flag", args=[2024, key]),
        {"status": "explained", "reason": "separate", "note": "Two hires."},
    )

    SpendImport.objects.all().delete()
    _import(
        tmp_path, "june-republished.csv", "Extra Ltd,900.00,01/06/2024,Parks,Seeds,EX-1\n" + JUNE
    )
    SpendImport.objects.update(is_own=True)
    spend_summary_rebuild()

    item = _only_flag()
    assert item.flag.key == key
    assert item.status == "explained"
    assert item.flag.lines == "june-republished.csv:3;june-republished.csv:4"


def test_the_payments_page_filters_by_supplier_dates_amount_and_file(member_client):
    _duplicate_pair()
    other = SupplierFactory(name="Other Firm Ltd")
    SpendTransactionFactory(supplier=other, amount=D("2450"), paid_on=dt.date(2024, 6, 3))
    acme = _only_flag().flag.supplier_id

    def shown(**query: object) -> list[tuple[str, D]]:
        page = member_client.get(PAYMENTS, query).context["page"]
        return [(p.supplier.name, p.amount) for p in page.object_list]

    assert len(shown()) == 3
    assert shown(supplier=acme) == [("Acme Plant Ltd", D("2450.00"))] * 2
    assert shown(paid_from="2024-06-03", paid_to="2024-06-04") == [("Other Firm Ltd", D("2450"))]
    assert shown(amount_min="2000", amount_max="2000") == []
    assert shown(reference="PH-1001A") == [("Acme Plant Ltd", D("2450.00"))]
    assert shown(supplier_name="other") == [("Other Firm Ltd", D("2450.00"))]
    assert len(shown(source_file="spend-")) == 3


def _payments(n: int) -> None:
    suppliers = [SupplierFactory() for _ in range(5)]
    contract = ContractFactory(supplier=suppliers[0], total_value=D("1000"))
    for i in range(n):
        SpendTransactionFactory(
            supplier=suppliers[i % 5],
            contract=contract if i % 5 == 0 else None,
            amount=D(600 + (i % 3) * 2000),
            paid_on=dt.date(2024, 4, 1) + dt.timedelta(days=i % 300),
            reference=f"R{i}",
        )
    spend_summary_rebuild()


@pytest.mark.parametrize("url", [LIST, PAYMENTS, reverse("procurement:spend-dashboard")])
def test_the_flag_pages_run_the_same_queries_for_10_or_200_payments(
    member_client, django_assert_max_num_queries, url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (10, 190):
        _payments(n)
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert member_client.get(url, {"year": 2024}).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        member_client.get(url, {"year": 2024})


def test_the_command_prints_the_flags_and_writes_the_csv(tmp_path):
    _duplicate_pair()
    out = io.StringIO()
    target = tmp_path / "flags.csv"

    call_command("spend_flags", "--year", "2024", "--csv", str(target), stdout=out)

    assert "1 flags in 2024/25" in out.getvalue()
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == [
        "kind",
        "supplier",
        "amount",
        "first_paid_on",
        "last_paid_on",
        "score",
        "status",
        "lines",
    ]
    assert rows[1][:5] == ["duplicate", "Acme Plant Ltd", "2450.00", "2024-06-02", "2024-06-05"]
    assert rows[1][7].count(";") == 1


def test_the_cached_flags_move_when_an_officer_gives_two_records_one_company_number():
    first = SupplierFactory(name="Severn Lifts Ltd", company_number="04512877")
    second = SupplierFactory(name="Malvern Hoist Services")
    for supplier, day in ((first, 3), (second, 20)):
        SpendTransactionFactory(
            supplier=supplier, amount=D("8120.00"), paid_on=dt.date(2024, 6, day)
        )
    spend_summary_rebuild()
    assert spend_flags(year=2024).flags == []

    supplier_update(
        supplier=second,
        expected_version=second.version,
        changes={"company_number": "04512877"},
        user=None,
    )

    assert [item.flag.kind for item in spend_flags(year=2024).flags] == [Kind.TWIN_SUPPLIER]
