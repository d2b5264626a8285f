"""The preview the upload page's mapping step shows, and the layout signature it remembers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from procurement.importers.spend import SPEND_FIELDS, layout_signature, preview_spend_file

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "spend"


def test_spend_fields_lists_the_three_required_fields_first():
    assert [(name, required) for name, _, required in SPEND_FIELDS[:3]] == [
        ("date", True),
        ("supplier", True),
        ("amount", True),
    ]
    assert not any(required for _, _, required in SPEND_FIELDS[3:])
    assert len({name for name, _, _ in SPEND_FIELDS}) == len(SPEND_FIELDS) == 14


def test_a_known_layout_is_mapped_with_nothing_missing():
    preview = preview_spend_file(REAL / "leeds_2020_06.csv", filename="leeds_2020_06.csv")

    assert preview.problem == ""
    assert preview.header_line == 1
    assert len(preview.headings) == 15
    assert preview.mapping["date"] == "Payment Date"
    assert preview.mapping["supplier"] == "Beneficiary Name"
    assert preview.mapping["amount"] == "Amount"
    assert preview.mapping["reference"] == "Transaction Number"
    assert preview.mapping["irrecoverable_vat"] == "Irrecoverable VAT Amount"
    assert (preview.missing, preview.ambiguous, preview.needs_mapping) == ([], {}, False)
    assert len(preview.sample) == 5
    assert preview.sample[0][preview.headings.index("Amount")] == "5400.00"


def test_an_unknown_date_heading_is_missing_and_the_message_names_the_map_that_fixes_it():
    preview = preview_spend_file(
        REAL / "openlylocal_fixture_title_line_latin1.csv", filename="x.csv", rows=2
    )

    assert preview.header_line == 3
    assert preview.headings == [
        "Directorate",
        "Updated",
        "Service",
        "Supplier Name",
        "Amount",
        "Type",
    ]
    assert preview.missing == ["date"]
    assert preview.needs_mapping
    assert "--map date=Updated" in preview.message
    assert [row[1] for row in preview.sample] == ["17/03/2010", "04/02/2010"]


def test_two_amount_columns_are_ambiguous():
    content = b"Supplier,Amount,Net Amount,Date\nAcme,1,1,01/04/2024\n"

    preview = preview_spend_file(io.BytesIO(content), filename="x.csv")

    assert preview.ambiguous == {"amount": ["Amount", "Net Amount"]}
    assert "amount" not in preview.mapping
    assert preview.missing == []


def test_an_empty_file_is_a_problem_and_nothing_else():
    preview = preview_spend_file(REAL / "leeds_2018_10_empty.csv", filename="empty.csv")

    assert preview.problem == "The file is empty"
    assert (preview.headings, preview.sample, preview.header_line) == ([], [], 0)


def test_a_workbook_is_previewed_from_its_first_sheet_with_a_header():
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Published under the Open Government Licence"])
    sheet = book.create_sheet("June")
    sheet.append(["Spend over £500, June 2024"])
    sheet.append(["Payment Date", "Supplier", "Amount"])
    sheet.append([dt.datetime(2024, 6, 3), "Acme Ltd", 1250.5])
    stream = io.BytesIO()
    book.save(stream)

    preview = preview_spend_file(io.BytesIO(stream.getvalue()), filename="june.xlsx")

    assert (preview.sheet, preview.header_line) == ("June", 2)
    assert preview.sample == [["2024-06-03", "Acme Ltd", "1250.5"]]
    assert preview.mapping == {"date": "Payment Date", "supplier": "Supplier", "amount": "Amount"}


@pytest.mark.parametrize(
    "headings",
    [
        ["payment_date", "supplier_name", "net_amount"],
        ["PaymentDate", "SupplierName", "NetAmount", "", ""],
        [" Payment Date ", "Supplier  Name", "Net-Amount"],
    ],
)
def test_the_layout_signature_ignores_case_spacing_and_punctuation(headings):
    assert layout_signature(headings) == layout_signature(
        ["Payment Date", "Supplier Name", "Net Amount"]
    )


def test_the_layout_signature_differs_for_another_order():
    assert layout_signature(["Date", "Supplier", "Amount"]) != layout_signature(
        ["Supplier", "Date", "Amount"]
    )
    assert len(layout_signature(["Date"])) == 64
