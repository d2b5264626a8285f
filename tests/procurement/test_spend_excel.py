"""Excel workbooks (.xlsx) import like CSV: same rules, same report, same checksum refusal."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from procurement.importers.spend import import_spend_file
from procurement.models import SpendTransaction, Supplier

pytestmark = pytest.mark.django_db


def _workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = Workbook()
    first = book.active
    assert isinstance(first, Worksheet)
    book.remove(first)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


JUNE = [
    ["Spend over £500, June 2024"],  # a title row above the header
    ["Payment Date", "Supplier Name", "Amount", "Transaction Number", "Procurement Card"],
    [dt.datetime(2024, 6, 3), "Acme Ltd", 1250.5, 1001, "No"],
    [dt.date(2024, 6, 28), "Bravo plc", 99.99, "T-1002", True],
    [dt.datetime(2024, 6, 30, 14, 5), "Acme Ltd", -20, 1003, None],
]


def test_a_workbook_imports_with_excel_dates_and_numbers_read_right(tmp_path):
    path = tmp_path / "june.xlsx"
    path.write_bytes(_workbook(("June", JUNE)))

    result = import_spend_file(path)

    assert result.status == "imported", result.file_error
    assert (result.rows_imported, result.total_amount) == (3, Decimal("1330.49"))
    assert (result.sheet, result.header_line) == ("June", 2)
    rows = SpendTransaction.objects.order_by("line_number")
    assert [(r.line_number, r.paid_on, r.amount, r.reference) for r in rows] == [
        (3, dt.date(2024, 6, 3), Decimal("1250.50"), "1001"),
        (4, dt.date(2024, 6, 28), Decimal("99.99"), "T-1002"),
        (5, dt.date(2024, 6, 30), Decimal("-20.00"), "1003"),
    ]
    assert [r.procurement_card for r in rows] == [False, True, None]
    assert Supplier.objects.count() == 2


def test_the_same_workbook_again_is_already_imported(tmp_path):
    path = tmp_path / "june.xlsx"
    path.write_bytes(_workbook(("June", JUNE)))
    import_spend_file(path)

    again = import_spend_file(path)

    assert again.status == "already_imported"
    assert SpendTransaction.objects.count() == 3


def test_the_first_sheet_with_a_header_is_read_unless_one_is_named(tmp_path):
    other = [["Payment Date", "Supplier Name", "Amount"], [dt.date(2024, 5, 1), "Other Ltd", 5]]
    path = tmp_path / "spend.xlsx"
    path.write_bytes(
        _workbook(("Notes", [["Published under the OGL"]]), ("June", JUNE), ("May", other))
    )

    assert import_spend_file(path, dry_run=True).total_amount == Decimal("1330.49")
    result = import_spend_file(path, sheet="May")
    assert (result.sheet, result.total_amount) == ("May", Decimal("5.00"))


def test_a_sheet_the_workbook_lacks_is_named_with_the_sheets_it_has(tmp_path):
    path = tmp_path / "spend.xlsx"
    path.write_bytes(_workbook(("June", JUNE)))

    result = import_spend_file(path, sheet="July")

    assert result.status == "rejected"
    assert result.file_error == 'The workbook has no sheet "July": its sheets are "June"'


def test_a_bad_row_in_a_workbook_is_named_by_its_row_number(tmp_path):
    rows = [*JUNE, ["not a date", "Acme Ltd", 5]]
    path = tmp_path / "june.xlsx"
    path.write_bytes(_workbook(("June", rows)))

    result = import_spend_file(path)

    assert result.status == "rejected"
    assert [str(error) for error in result.errors] == [
        'line 6: date "not a date" is not a date (use day/month/year, for example 01/04/2024)'
    ]
    assert SpendTransaction.objects.count() == 0


def test_the_command_imports_a_named_sheet(tmp_path, capsys):
    path = tmp_path / "june.xlsx"
    path.write_bytes(_workbook(("Notes", []), ("June", JUNE)))

    call_command("import_spend", str(path), "--sheet", "June")

    out = capsys.readouterr().out
    assert out.startswith("Imported 3 rows (£1,330.49)")
    assert "Header: sheet 'June', line 2" in out
