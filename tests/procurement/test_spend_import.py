from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from procurement.importers import spend, spend_copy
from procurement.importers.csvread import scan_bytes
from procurement.importers.spend import RowError, import_spend_file
from procurement.models import (
    Contract,
    SpendImport,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
)
from procurement.services.payment_matching import transactions_match_contracts
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import (
    ContractFactory,
    SpendTransactionFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "spend"
REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "spend"
HEADER = "Supplier Name,Amount,Date,Expense Area,Expense Type,Transaction Number"


def _csv(*lines: str, encoding: str = "utf-8", bom: bool = False, newline: str = "\n"):
    text = newline.join(lines) + newline
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))


def _table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_it_imports_a_transparency_code_file_with_a_title_line_above_the_header():
    result = import_spend_file(DATA / "worcestershire_2024_04.csv")

    assert result.status == "imported"
    assert result.errors == [] and result.file_error is None
    assert result.rows_imported == 5
    assert result.total_amount == Decimal("15500.50")
    assert result.suppliers_created == 2
    spend_import = SpendImport.objects.get()
    assert spend_import == result.spend_import
    assert spend_import.filename == "worcestershire_2024_04.csv"
    assert spend_import.rows_imported == 5
    assert spend_import.total_amount == Decimal("15500.50")
    assert spend_import.first_paid_on == dt.date(2024, 4, 2)
    assert spend_import.last_paid_on == dt.date(2024, 4, 30)
    first = SpendTransaction.objects.get(line_number=3)
    assert first.paid_on == dt.date(2024, 4, 2)
    assert first.amount == Decimal("12500.00")
    assert first.supplier_name == "Acme Ltd"
    assert first.service_area == "Adult Services"
    assert first.expense_type == "Residential Care"
    assert first.reference == "5100001"  # Transaction Number wins over Invoice Number
    highways = SpendTransaction.objects.get(line_number=7)
    assert highways.service_area == "Highways, Transport"
    assert highways.supplier.company_number == "02366686"


def test_a_title_line_makes_the_header_line_two_and_the_first_row_line_three():
    result = import_spend_file(
        _csv("Payments over £500: April 2024", HEADER, "Acme Ltd,600.00,01/04/2024,,,")
    )

    assert result.status == "imported"
    assert SpendTransaction.objects.get().line_number == 3


def test_up_to_ten_lines_above_the_header_are_skipped_and_no_more():
    titles = [f"Title line {n}" for n in range(9)]
    found = import_spend_file(_csv(*titles, HEADER, "Acme Ltd,600,01/04/2024,,,"))
    missed = import_spend_file(_csv("Extra", *titles, HEADER, "Acme Ltd,601,01/04/2024,,,"))

    assert found.status == "imported"
    assert SpendTransaction.objects.get().line_number == 11
    assert missed.status == "rejected"
    assert "No header row was found in the first 10 lines" in missed.file_error


ALIAS_CASES = [(field, alias) for field, aliases in spend.ALIASES.items() for alias in aliases] + [
    (spend.SUPPLIER, "Supplier name"),
    (spend.AMOUNT, "Net amount"),
]


@pytest.mark.parametrize("field,alias", ALIAS_CASES, ids=[f"{f}-{a}" for f, a in ALIAS_CASES])
def test_each_header_alias_is_recognised(field, alias):
    columns = {
        spend.SUPPLIER: "Supplier Name",
        spend.AMOUNT: "Amount",
        spend.DATE: "Date",
        spend.SERVICE_AREA: "Expense Area",
        spend.EXPENSE_TYPE: "Expense Type",
        spend.REFERENCE: "Transaction Number",
        spend.COMPANY_NUMBER: "Company Number",
    }
    columns[field] = alias
    values = ["Acme Ltd", "750.25", "15/05/2024", "Adult Services", "Care", "T-1", "1234567"]

    result = import_spend_file(_csv(",".join(f'"{c}"' for c in columns.values()), ",".join(values)))

    assert result.status == "imported", result.file_error
    row = SpendTransaction.objects.select_related("supplier").get()
    assert (row.supplier_name, row.amount, row.paid_on) == (
        "Acme Ltd",
        Decimal("750.25"),
        dt.date(2024, 5, 15),
    )
    assert (row.service_area, row.expense_type, row.reference) == ("Adult Services", "Care", "T-1")
    assert row.supplier.company_number == "01234567"


def test_headers_match_whatever_their_case_and_spacing_and_extra_columns_are_ignored():
    result = import_spend_file(
        _csv(
            " Body Name ,  SUPPLIER   NAME , vat ,amount,DatePaid,Irrelevant",
            "WCC,Acme Ltd,20.00,510.00,01/04/2024,whatever",
        )
    )

    assert result.status == "imported"
    row = SpendTransaction.objects.get()
    assert (row.supplier_name, row.amount) == ("Acme Ltd", Decimal("510.00"))


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", True), ("utf-8", False), ("cp1252", False)], ids=str
)
def test_it_reads_utf8_with_or_without_a_bom_and_windows_1252(encoding, bom):
    source = _csv(
        "Supplier Name,Amount,Date", "Café Rouge Ltd,£612.40,01/05/2024", encoding=encoding, bom=bom
    )

    result = import_spend_file(source)

    assert result.status == "imported"
    row = SpendTransaction.objects.get()
    assert row.supplier_name == "Café Rouge Ltd"
    assert row.amount == Decimal("612.40")


def test_an_excel_windows_1252_file_keeps_its_pound_signs_and_accents():
    assert b"\xa3" in (DATA / "excel_cp1252.csv").read_bytes()  # "£" in Windows-1252

    result = import_spend_file(DATA / "excel_cp1252.csv")

    assert result.status == "imported"
    assert result.total_amount == Decimal("1632.40")
    assert set(Supplier.objects.values_list("name", flat=True)) == {
        "Café Rouge Ltd",
        "Société Générale",
    }
    assert SpendTransaction.objects.get(line_number=2).expense_type == "Hospitality"


@pytest.mark.parametrize(
    "written",
    [
        "01/04/2024",
        "1/4/2024",
        "01-04-2024",
        "01.04.2024",
        "2024-04-01",
        "01-Apr-2024",
        "1 April 2024",
        "01/04/24",
        "1 apr 2024",
        "2024-04-01 00:00:00",
        "01/04/2024 09:30",
    ],
)
def test_dates_are_read_day_first_in_the_formats_councils_use(written):
    result = import_spend_file(_csv("Supplier Name,Amount,Date", f"Acme Ltd,600,{written}"))

    assert result.status == "imported", result.errors
    assert SpendTransaction.objects.get().paid_on == dt.date(2024, 4, 1)


@pytest.mark.parametrize(
    "written,amount",
    [
        ('"£1,234.50"', "1234.50"),
        ('"1,234,567.89"', "1234567.89"),
        ("£ 600", "600.00"),
        ("-250.00", "-250.00"),
        ("250.00-", "-250.00"),
        ('"(1,234.50)"', "-1234.50"),
        ('"-£1,000"', "-1000.00"),
        ("99.999", "100.00"),
        ('" 510.1 "', "510.10"),
    ],
)
def test_amounts_with_pound_signs_separators_and_negatives_are_read(written, amount):
    result = import_spend_file(_csv("Supplier Name,Amount,Date", f"Acme Ltd,{written},01/04/2024"))

    assert result.status == "imported", result.errors
    assert SpendTransaction.objects.get().amount == Decimal(amount)


def test_credit_notes_are_stored_negative_and_net_off_the_total():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            'Acme Ltd,"1,000.00",01/04/2024',
            "Acme Ltd,(150.00),02/04/2024",
            "Acme Ltd,-50,03/04/2024",
        )
    )

    assert result.total_amount == Decimal("800.00")
    assert SpendImport.objects.get().total_amount == Decimal("800.00")
    assert sorted(SpendTransaction.objects.values_list("amount", flat=True)) == [
        Decimal("-150.00"),
        Decimal("-50.00"),
        Decimal("1000.00"),
    ]


@pytest.mark.parametrize(
    "written",
    ["REDACTED PERSONAL DATA", "Redacted personal data", "Redacted", "Personal data redacted"],
)
def test_redacted_names_are_kept_with_no_supplier(written):
    result = import_spend_file(
        _csv("Supplier Name,Amount,Date", f"{written},600,01/04/2024", "Acme Ltd,700,01/04/2024")
    )

    assert result.status == "imported"
    assert result.suppliers_created == 1
    redacted = SpendTransaction.objects.get(line_number=2)
    assert redacted.supplier is None
    assert redacted.supplier_name == SpendTransaction.REDACTED == "REDACTED PERSONAL DATA"
    assert list(Supplier.objects.values_list("name", flat=True)) == ["Acme Ltd"]


def test_a_bad_row_is_reported_with_its_line_number_and_nothing_is_written():
    before = _table_counts()

    result = import_spend_file(DATA / "bad_rows.csv")

    assert result.status == "rejected"
    assert result.spend_import is None
    assert result.errors == [
        RowError(4, 'amount "12,3x4.00" is not a number'),
        RowError(5, 'date "31/02/2024" is not a real date'),
    ]
    assert str(result.errors[0]) == 'line 4: amount "12,3x4.00" is not a number'
    assert result.rows_imported == 0
    assert _table_counts() == before


def test_skipping_bad_rows_imports_the_rest_and_counts_the_skipped():
    result = import_spend_file(DATA / "bad_rows.csv", skip_bad_rows=True)

    assert result.status == "imported"
    assert result.rows_imported == 3
    assert result.rows_skipped == 2
    assert [error.line for error in result.errors] == [4, 5]
    spend_import = SpendImport.objects.get()
    assert (spend_import.rows_imported, spend_import.rows_skipped) == (3, 2)
    assert spend_import.total_amount == Decimal("800.00")
    assert sorted(SpendTransaction.objects.values_list("line_number", flat=True)) == [2, 3, 6]


def test_a_row_with_several_problems_is_one_error_naming_each():
    name = "A" * 300
    result = import_spend_file(_csv("Supplier Name,Amount,Date", f"{name},abc,32/01/2024"))

    assert result.errors == [
        RowError(
            2,
            f'supplier "{"A" * 60}…" is longer than 255 characters; amount "abc" is not a number;'
            ' date "32/01/2024" is not a real date',
        )
    ]


@pytest.mark.parametrize(
    "row,message",
    [
        ("Acme Ltd,,01/04/2024", "amount is blank"),
        ("Acme Ltd,600,", "date is blank"),
        ("Acme Ltd,600,31/02/2024", 'date "31/02/2024" is not a real date'),
        ("Acme Ltd,600,04/31/2024", 'date "04/31/2024" is not a real date'),
        ("Acme Ltd,600,April 2024", 'date "April 2024" is not a date'),
        ("Acme Ltd,600,01/04/1999", 'date "01/04/1999" is before 2000'),
        ("Acme Ltd,600,01/04/2999", 'date "01/04/2999" is more than a year in the future'),
        ('Acme Ltd,"£2,000,000,000",01/04/2024', 'amount "£2,000,000,000" is more than'),
        ('Acme Ltd,"1.234,50",01/04/2024', 'amount "1.234,50" is not a number'),
    ],
)
def test_each_kind_of_bad_value_is_a_row_error_naming_the_field_and_value(row, message):
    result = import_spend_file(_csv("Supplier Name,Amount,Date", "Acme Ltd,600,02/04/2024", row))

    assert result.status == "rejected"
    assert len(result.errors) == 1
    assert result.errors[0].line == 3
    assert result.errors[0].message.startswith(message)
    assert SpendTransaction.objects.count() == 0


def test_importing_the_same_file_again_adds_nothing():
    first = import_spend_file(DATA / "worcestershire_2024_04.csv")
    before = _table_counts()

    again = import_spend_file(DATA / "worcestershire_2024_04.csv", filename="renamed.csv")

    assert again.status == "already_imported"
    assert again.spend_import == first.spend_import
    assert again.rows_imported == 0
    assert _table_counts() == before


def test_a_dry_run_reports_the_counts_and_writes_nothing():
    SupplierFactory(name="Acme Limited")
    before = _table_counts()

    result = import_spend_file(DATA / "worcestershire_2024_04.csv", dry_run=True)

    assert result.status == "dry_run"
    assert result.spend_import is None
    assert result.rows_imported == 5
    assert result.total_amount == Decimal("15500.50")
    assert result.suppliers_created == 1  # Acme exists; Severn Trent would be new
    assert _table_counts() == before
    assert import_spend_file(DATA / "worcestershire_2024_04.csv").status == "imported"


def test_a_dry_run_of_a_file_with_bad_rows_says_it_would_be_rejected():
    result = import_spend_file(DATA / "bad_rows.csv", dry_run=True)

    assert result.status == "rejected"
    assert [error.line for error in result.errors] == [4, 5]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"Supplier Name,Amount,Date\nAcme\x00Ltd,600,01/04/2024\n", "binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "Excel workbook"),
        ("Supplier Name,Amount,Date\n".encode("utf-16"), "UTF-16"),
        (b"", "The file is empty"),
        (b"\r\n  \n\n", "The file is empty"),
        (b"Supplier Name,Amount,Date\r\n", "header row but no data rows"),
        (b"Supplier Name,Amount,Date\n,,\n\n", "header row but no data rows"),
        (b"Supplier Name;Amount;Date\nAcme;600;01/04/2024\n", "semicolon-delimited"),
        (b"Supplier Name,Amount,Date\n\x81\xc3\n", "neither UTF-8 nor Windows-1252"),
    ],
    ids=[
        "nul-bytes",
        "xlsx",
        "utf-16",
        "empty",
        "blank-lines",
        "header-only",
        "header-and-empty-cells",
        "semicolons",
        "bad-encoding",
    ],
)
def test_whole_file_problems_are_a_file_error_and_write_nothing(content, message):
    before = _table_counts()

    result = import_spend_file(io.BytesIO(content))

    assert result.status == "rejected"
    assert message in result.file_error
    assert result.errors == []
    assert _table_counts() == before


def test_a_tab_delimited_file_is_refused():
    result = import_spend_file(DATA / "tab_delimited.txt")

    assert result.status == "rejected"
    assert "looks tab-delimited" in result.file_error


def test_a_tab_delimited_header_under_a_title_line_is_refused_as_tab_delimited():
    result = import_spend_file(
        _csv("Spend over £500, April 2024", "Supplier Name\tAmount\tDate", "Acme\t600\t01/04/2024")
    )

    assert "looks tab-delimited" in result.file_error


@pytest.mark.parametrize(
    "header,message,status",
    [
        ("Supplier Name,Amount,Amount,Date", 'has the column "Amount" twice', "rejected"),
        ("Supplier Name,amount ,AMOUNT,Date", 'has the column "amount" twice', "rejected"),
        ("Supplier Name,Amount,Net Amount,Date", "more than one amount column", "needs_mapping"),
        ("Supplier,Supplier Name,Amount,Date", "more than one supplier column", "needs_mapping"),
        (
            "Supplier Name,Amount,Date,Expense Type,Expense Type",
            'column "Expense Type" twice',
            "rejected",
        ),
    ],
)
def test_a_header_with_a_recognised_column_twice_is_a_file_error_naming_it(header, message, status):
    result = import_spend_file(_csv(header, "Acme Ltd,600,600,01/04/2024,x"))

    assert result.status == status
    assert message in result.file_error
    assert "line 1" in result.file_error


def test_of_two_optional_columns_for_one_field_the_more_specific_is_used():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Invoice Number,Transaction Number,Service,Department",
            "Acme Ltd,600,01/04/2024,INV-1,T-1,Libraries,Communities",
        )
    )

    assert result.status == "imported"
    row = SpendTransaction.objects.get()
    assert (row.reference, row.service_area) == ("T-1", "Communities")


def test_suppliers_written_differently_are_matched_to_one_supplier():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,600,01/04/2024",
            "ACME LIMITED,700,02/04/2024",
            "acme limited.,800,03/04/2024",
            "Beta Services,900,03/04/2024",
        )
    )

    assert result.suppliers_created == 2
    acme = Supplier.objects.get(normalised_name="acme")
    assert acme.name == "Acme Ltd"  # as first written
    assert acme.size == Supplier.Size.UNKNOWN
    assert acme.transactions.count() == 3
    assert acme.history.count() == 1  # created with an audit record, though in bulk
    assert SpendTransaction.objects.filter(supplier__isnull=True).count() == 0


def test_existing_suppliers_are_matched_by_name_or_company_number_not_created_again():
    by_name = SupplierFactory(name="The Acme Company Limited")
    by_number = SupplierFactory(name="Severn Trent Plc", company_number="2366686")

    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Company Number",
            "Acme Ltd,600,01/04/2024,",
            "STW (water),700,01/04/2024,02366686",
        )
    )

    assert result.suppliers_created == 0
    assert Supplier.objects.count() == 2
    assert SpendTransaction.objects.get(line_number=2).supplier == by_name
    assert SpendTransaction.objects.get(line_number=3).supplier == by_number


def test_a_new_supplier_takes_the_company_number_from_any_of_its_rows():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Companies House Number",
            "Acme Ltd,600,01/04/2024,",
            "ACME LTD,700,02/04/2024,SC012345",
            "Acme Trading,800,03/04/2024,SC012345",
            "Acme Trading,900,04/04/2024,",
        )
    )

    assert result.suppliers_created == 1
    acme = Supplier.objects.get()
    assert (acme.name, acme.company_number) == ("Acme Ltd", "SC012345")
    assert acme.transactions.count() == 4


def test_payments_are_linked_to_the_contract_that_covers_their_date():
    acme = SupplierFactory(name="Acme Ltd")
    contract = ContractFactory(
        supplier=acme, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    ContractFactory(supplier=acme, status=Contract.Status.DRAFT, start_date=None, end_date=None)

    import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "ACME LIMITED,600,01/04/2024",
            "Acme Ltd,700,01/02/2025",
            "Beta Ltd,800,01/04/2024",
        )
    )

    linked = dict(SpendTransaction.objects.values_list("line_number", "contract_id"))
    assert linked == {2: contract.pk, 3: None, 4: None}


def test_line_numbers_count_physical_lines_when_a_field_spans_lines():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Expense Type",
            'Acme Ltd,600,01/04/2024,"Care,\nresidential"',
            "Beta Ltd,abc,01/04/2024,Care",
            newline="\r\n",
        )
    )

    assert result.errors == [RowError(4, 'amount "abc" is not a number')]


def test_only_the_first_thousand_errors_are_kept_but_all_are_counted():
    rows = [f"Acme Ltd,bad{n},01/04/2024" for n in range(1005)]

    result = import_spend_file(_csv("Supplier Name,Amount,Date", *rows))

    assert len(result.errors) == spend.MAX_ERRORS_KEPT == 1000
    assert result.error_count == 1005
    assert result.errors[-1].line == 1001


@pytest.mark.parametrize("chunk_size", [1, 2, 50_000])
def test_the_chunk_size_does_not_change_what_is_imported(chunk_size):
    result = import_spend_file(DATA / "worcestershire_2024_04.csv", chunk_size=chunk_size)

    assert result.rows_imported == 5
    assert result.total_amount == Decimal("15500.50")
    assert SpendTransaction.objects.count() == 5
    assert Supplier.objects.count() == 2


def test_a_stream_that_cannot_seek_is_read_too():
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            return self._data.readinto(buffer)

    content = (DATA / "worcestershire_2024_04.csv").read_bytes()

    result = import_spend_file(io.BufferedReader(Pipe(content)), filename="piped.csv")

    assert result.status == "imported"
    assert result.rows_imported == 5
    assert SpendImport.objects.get().filename == "piped.csv"


def test_the_importer_records_who_imported_the_file(officer):
    result = import_spend_file(DATA / "excel_cp1252.csv", user=officer)

    assert result.spend_import.imported_by == officer
    assert Supplier.history.filter(history_user=officer).count() == 2


def _import_queries(rows: int) -> int:
    lines = [f"Supplier {n} Ltd,{500 + n},01/04/2024" for n in range(rows)]
    with CaptureQueriesContext(connection) as captured:
        result = import_spend_file(_csv("Supplier Name,Amount,Date", *lines), chunk_size=1000)
    assert result.rows_imported == rows
    return len(captured)


def test_an_import_runs_the_same_number_of_queries_for_ten_rows_or_forty():
    # Forty: SQLite's 999-variable limit splits bulk inserts of about 50 suppliers' history.
    assert _import_queries(10) == _import_queries(40)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite batches bulk inserts")
def test_on_postgresql_the_queries_do_not_grow_with_the_rows_or_suppliers():
    assert _import_queries(10) == _import_queries(2000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's alone")
def test_on_postgresql_a_clean_file_is_copied_and_inserted_in_one_statement():
    with CaptureQueriesContext(connection) as captured:
        result = import_spend_file(DATA / "worcestershire_2024_04.csv")

    sql = [query["sql"] for query in captured]
    inserts = [s for s in sql if "INSERT INTO procurement_spendtransaction" in s]
    assert len(inserts) == 1
    assert "FROM spend_copy_staging staged" in inserts[0]
    assert sum(s.startswith("CREATE TEMPORARY TABLE spend_copy_staging") for s in sql) == 1
    assert result.rows_imported == SpendTransaction.objects.count() == 5


# Everything the fast path converts in SQL or looks up, and what it must skip: a byte order
# mark and a title line, company numbers, a redacted name, three spellings of one supplier,
# brackets and "CR" (parsed in Python), "£" and thousands, one and three decimals (rounded half
# up), blanks around cells (non-breaking spaces too), ISO and named dates, a service area too
# long to keep whole, a row of empty cells, and a contract covering some of the payments.
_MIXED = [
    "Spend over £500 - April 2024",
    "Supplier Name,Supplier Company Number,Amount,Date,Expense Area,Expense Type,Reference",
    'Acme Ltd,01234567,"£12,500.00",02/04/2024,Adult Services,Care,R1',
    "ACME LIMITED,1234567,1250.5,03/04/2024,Adult Services,Care, R2 ",
    'acme limited.,,"(2,000.00)",2024-04-04,Adult Services,Credit note,R3',
    "Redacted personal data,,612.005,5 Apr 2024,Children\u00a0,Foster care,R4",
    "Beta Services,,-£40.10,06/04/24,\u00a0Highways,Repairs,R5",
    "Beta Services,,700.00 CR,07/04/2024," + "X" * 300 + ",Repairs,R6",
    'Gamma & Sons,," £1,000.995 ",08/04/2024,Corporate,IT,',
    ",,,,,,",
]
# The LGA 2015 layout with every optional column, an organisation, placeholders and a blank
# (withheld) supplier name.
_LGA = [
    "Organisation Label,Payment Date,Transaction Number,Beneficiary Name,Amount,"
    "Irrecoverable VAT Amount,Invoice Date,Procurement Card,Capital Or Revenue,Purpose,"
    "Merchant Category,Service Division Label",
    "Leeds City Council,02/04/2024,T-1,Acme Ltd,100.00,0.00,28/03/2024,No,R,Care,,Adults",
    "Leeds City Council,02/04/2024,T-2,,250.00,,,Yes,C,Repairs,Hardware,Highways",
    "Leeds City Council,03/04/2024,T-3,REDACTED COMMERCIAL CONFIDENTIALITY,75.50,1.25,,,R,,,",
    "Another Body,03/04/2024,T-4,Various - Total Expenses,10.00,,01/04/2024,no,r,x,y,z",
]


def _import_careful(content: bytes) -> spend.SpendImportResult:
    """The row-by-row path the fast path must match, called directly."""
    stream = io.BytesIO(content)
    scan = scan_bytes(stream)
    target = spend._Target(
        stream=stream,
        encoding=scan.encoding,
        sha256=scan.sha256,
        filename="spend.csv",
        user=None,
        today=dt.date(2025, 6, 1),
        skip_bad_rows=False,
    )
    return spend._import_streaming(target)


def _written() -> dict:
    rows = SpendTransaction.objects.order_by("line_number").values_list(
        "line_number",
        "paid_on",
        "supplier__normalised_name",
        "supplier__company_number",
        "supplier_name",
        "amount",
        "service_area",
        "expense_type",
        "reference",
        "contract__reference",
        "purpose",
        "merchant_category",
        "capital_revenue",
        "procurement_card",
        "irrecoverable_vat",
        "invoice_date",
    )
    imports = SpendImport.objects.values_list(
        "rows_imported",
        "rows_skipped",
        "total_amount",
        "first_paid_on",
        "last_paid_on",
        "publisher",
        "is_own",
    )
    suppliers = Supplier.objects.order_by("normalised_name").values_list(
        "name", "normalised_name", "company_number"
    )
    summary = SpendYearSummary.objects.order_by(
        "financial_year", "supplier__normalised_name", "contract__reference", "amount"
    ).values_list("financial_year", "supplier__name", "contract__reference", "amount", "payments")
    return {
        "rows": list(rows),
        "imports": list(imports),
        "suppliers": list(suppliers),
        "summary": list(summary),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's alone")
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(("\ufeff" + "\n".join(_MIXED) + "\n").encode(), id="mixed-utf8-bom"),
        pytest.param("\r\n".join(_MIXED[1:]).encode("cp1252"), id="mixed-cp1252-crlf"),
        pytest.param((DATA / "worcestershire_2024_04.csv").read_bytes(), id="worcestershire"),
        pytest.param((DATA / "excel_cp1252.csv").read_bytes(), id="excel-cp1252"),
        pytest.param(("\n".join(_LGA) + "\n").encode(), id="lga-every-column"),
        pytest.param((REAL / "leeds_2020_06.csv").read_bytes(), id="leeds-2020-06"),
    ],
)
def test_the_copy_path_writes_exactly_what_the_row_by_row_path_writes(content):
    beta = SupplierFactory(name="Beta Services", company_number="")
    ContractFactory(
        reference="BETA-1",
        supplier=beta,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2024, 4, 6),
        status=Contract.Status.LIVE,
    )
    with transaction.atomic():
        careful = _import_careful(content)
        expected = _written()
        transaction.set_rollback(True)
    with CaptureQueriesContext(connection) as captured:
        fast = import_spend_file(io.BytesIO(content))

    assert any("FROM spend_copy_staging staged" in query["sql"] for query in captured)
    assert careful.status == fast.status == "imported"
    assert (fast.rows_imported, fast.total_amount, fast.suppliers_created) == (
        careful.rows_imported,
        careful.total_amount,
        careful.suppliers_created,
    )
    assert _written() == expected
    assert fast.placeholders == careful.placeholders
    assert (fast.publisher, fast.mapping, fast.ignored) == (
        careful.publisher,
        careful.mapping,
        careful.ignored,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's alone")
@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(['Acme Ltd,600,01/04/2024,"two\nlines"'], id="line-break-in-a-cell"),
        pytest.param(['Acme Ltd,600,01/04/2024,"carriage\rreturn"'], id="return-in-a-cell"),
        pytest.param(['Acme "Trading" Ltd,600,01/04/2024,x'], id="quote-in-an-unquoted-cell"),
        pytest.param(["Acme Ltd,600,01/04/2024,x", "Beta Ltd,700,02/04/2024"], id="short-row"),
        pytest.param(["Acme Ltd,600,01/04/2024,x", "", "Beta,7,02/04/2024,y"], id="blank-line"),
    ],
)
def test_a_file_copy_cannot_number_exactly_is_read_row_by_row_instead(lines):
    content = "\n".join(["Supplier Name,Amount,Date,Reference", *lines]).encode()

    with CaptureQueriesContext(connection) as captured:
        result = import_spend_file(io.BytesIO(content))

    assert result.status == "imported"
    assert not any("FROM spend_copy_staging staged" in query["sql"] for query in captured)
    assert (
        list(SpendTransaction.objects.order_by("line_number").values_list("line_number", flat=True))
        == [line for line, text in enumerate(content.decode().split("\n")[1:], start=2) if text][
            : result.rows_imported
        ]
    )


@pytest.mark.parametrize("size", [1, 2, 3, 1 << 20])
def test_the_line_counter_counts_line_feeds_and_lone_returns_across_blocks(size):
    counter = spend_copy._LineCounter(io.BytesIO(b"a\r\nb\rc\nd"))

    while counter.read(size):
        pass

    assert (counter.feeds, counter.lone_returns, counter.count) == (2, 1, 3)
    assert not counter.stray_quote


@pytest.mark.parametrize(
    ("data", "stray"),
    [
        (b'"Acme, Ltd",1\n"He said ""hi""",2\n', False),
        (b'Acme "Ltd" x,1\n', True),
        (b'5" pipe,1\n', True),
        (b'"a"b,1\n', True),
    ],
)
@pytest.mark.parametrize("size", [1, 3, 1 << 20])
def test_the_line_counter_notes_a_quote_the_two_readers_read_differently(data, stray, size):
    counter = spend_copy._LineCounter(io.BytesIO(data))

    while counter.read(size):
        pass

    assert counter.stray_quote is stray


@pytest.mark.skipif(connection.vendor != "sqlite", reason="bulk_create is the SQLite path")
def test_on_sqlite_rows_are_bulk_created_a_chunk_at_a_time():
    with CaptureQueriesContext(connection) as captured:
        import_spend_file(DATA / "worcestershire_2024_04.csv", chunk_size=2)

    inserts = [
        q["sql"]
        for q in captured
        if q["sql"].startswith('INSERT INTO "procurement_spendtransaction"')
    ]
    assert len(inserts) == 3  # 5 rows in chunks of 2
    assert SpendTransaction.objects.count() == 5


# -- the management command ------------------------------------------------------------------


def test_the_command_imports_a_file_and_says_what_it_did(capsys):
    call_command("import_spend", str(DATA / "worcestershire_2024_04.csv"))

    out = capsys.readouterr().out
    assert "Imported 5 rows (£15,500.50) from" in out
    assert "worcestershire_2024_04.csv; 2 suppliers created" in out
    assert SpendTransaction.objects.count() == 5


def test_the_command_lists_each_bad_row_and_fails_when_a_file_is_rejected(capsys):
    with pytest.raises(CommandError, match="Rejected: nothing was written"):
        call_command("import_spend", str(DATA / "bad_rows.csv"))

    err = capsys.readouterr().err
    assert 'line 4: amount "12,3x4.00" is not a number' in err
    assert 'line 5: date "31/02/2024" is not a real date' in err
    assert SpendImport.objects.count() == 0


def test_the_command_names_a_file_error(capsys):
    with pytest.raises(CommandError, match="Rejected"):
        call_command("import_spend", str(DATA / "tab_delimited.txt"))

    assert "looks tab-delimited" in capsys.readouterr().err


def test_the_command_skips_bad_rows_when_asked(capsys):
    call_command("import_spend", str(DATA / "bad_rows.csv"), "--skip-bad-rows")

    out = capsys.readouterr().out
    assert "Imported 3 rows (£800.00)" in out
    assert "Skipped 2 bad rows" in out


def test_the_command_does_nothing_the_second_time(capsys):
    call_command("import_spend", str(DATA / "excel_cp1252.csv"))
    capsys.readouterr()

    call_command("import_spend", str(DATA / "excel_cp1252.csv"))

    assert capsys.readouterr().out.startswith("Already imported on ")
    assert SpendImport.objects.count() == 1


def test_the_command_dry_run_writes_nothing(capsys):
    call_command("import_spend", str(DATA / "excel_cp1252.csv"), "--dry-run")

    assert "Dry run: would import 2 rows (£1,632.40)" in capsys.readouterr().out
    assert SpendImport.objects.count() == 0


def test_the_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_spend", str(DATA / "no_such_file.csv"))


# -- one pass on PostgreSQL: rows are staged as they are read, so a late problem rolls back -----


def _good_rows(count: int) -> list[str]:
    return [f"Supplier {n % 7} Ltd,{500 + n}.25,01/04/2024" for n in range(count)]


def test_a_bad_row_after_many_staged_rows_rejects_the_file_and_writes_nothing():
    before = _table_counts()
    rows = _good_rows(1200)  # more than two COPY blocks on PostgreSQL

    result = import_spend_file(_csv("Supplier Name,Amount,Date", *rows, "Acme Ltd,600,31/02/2024"))

    assert result.status == "rejected"
    assert result.errors == [RowError(1202, 'date "31/02/2024" is not a real date')]
    assert _table_counts() == before


def test_every_bad_row_is_reported_though_writing_stops_at_the_first():
    rows = _good_rows(1200)
    rows[1] = "Acme Ltd,abc,01/04/2024"  # line 3
    rows[1100] = "Acme Ltd,600,31/02/2024"  # line 1102

    result = import_spend_file(_csv("Supplier Name,Amount,Date", *rows))

    assert [(error.line, error.message) for error in result.errors] == [
        (3, 'amount "abc" is not a number'),
        (1102, 'date "31/02/2024" is not a real date'),
    ]
    assert result.error_count == 2
    assert SpendTransaction.objects.count() == 0


def test_skipping_bad_rows_spread_through_a_long_file_imports_every_good_one():
    rows = _good_rows(1200)
    for index in (0, 600, 1199):
        rows[index] = "Acme Ltd,600,32/01/2024"

    result = import_spend_file(_csv("Supplier Name,Amount,Date", *rows), skip_bad_rows=True)

    assert (result.status, result.rows_imported, result.rows_skipped) == ("imported", 1197, 3)
    lines = set(SpendTransaction.objects.values_list("line_number", flat=True))
    assert len(lines) == 1197
    assert lines.isdisjoint({2, 602, 1201})
    assert result.total_amount == SpendImport.objects.get().total_amount
    assert result.total_amount == sum(
        SpendTransaction.objects.values_list("amount", flat=True), Decimal("0")
    )


def test_a_file_that_turns_unreadable_after_many_rows_is_a_file_error_and_writes_nothing():
    before = _table_counts()
    rows = [f"Café {n % 7} Ltd,{500 + n},01/04/2024" for n in range(1500)]
    content = "\n".join(["Supplier Name,Amount,Date", *rows]).encode("cp1252")
    # 0x81 means nothing in Windows-1252: found only when the reader reaches it, near the end.
    content += b"\nBad \x81 Ltd,600,01/04/2024\n"

    result = import_spend_file(io.BytesIO(content))

    assert result.status == "rejected"
    assert "neither UTF-8 nor Windows-1252" in result.file_error
    assert _table_counts() == before


def test_the_import_records_its_rows_total_and_dates_from_the_rows_written():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,600.10,15/06/2024",
            "REDACTED,700,02/04/2024",
            "Beta Ltd,-50,30/03/2025",
        )
    )

    spend_import = SpendImport.objects.get()
    assert (spend_import.rows_imported, spend_import.total_amount) == (3, Decimal("1250.10"))
    assert (spend_import.first_paid_on, spend_import.last_paid_on) == (
        dt.date(2024, 4, 2),
        dt.date(2025, 3, 30),
    )
    assert result.total_amount == Decimal("1250.10")


def test_a_carriage_return_inside_a_quoted_cell_is_kept():
    content = b'Supplier Name,Amount,Date,Expense Type\r\nAcme Ltd,600,01/04/2024,"Care\rhome"\r\n'

    result = import_spend_file(io.BytesIO(content))

    assert result.status == "imported", result.errors
    assert SpendTransaction.objects.get().expense_type == "Care\rhome"


@pytest.mark.parametrize(
    "written,amount",
    [
        ("£600", "600.00"),
        ("-£600.5", "-600.50"),
        ('"£12,345.67"', "12345.67"),
        ('"-£1,000,000.004"', "-1000000.00"),
        ("0.995", "1.00"),
        ("-0.005", "-0.01"),
        ("1000000000", "1000000000.00"),
    ],
)
def test_the_common_amount_forms_are_read_to_the_penny(written, amount):
    result = import_spend_file(_csv("Supplier Name,Amount,Date", f"Acme Ltd,{written},01/04/2024"))

    assert result.status == "imported", result.errors
    assert SpendTransaction.objects.get().amount == Decimal(amount)


@pytest.mark.parametrize("written", ["1" * 40, "£" + "9" * 30 + ".99", "1000000000.01"])
def test_an_amount_too_large_for_any_payment_is_a_row_error(written):
    result = import_spend_file(_csv("Supplier Name,Amount,Date", f"Acme Ltd,{written},01/04/2024"))

    assert result.status == "rejected"
    assert result.errors[0].message.startswith(f'amount "{written}" is more than £1,000,000,000')


# -- contracts and the spend summary after an import ---------------------------------------------


def test_an_import_links_payments_exactly_as_a_full_rematch_would():
    acme = SupplierFactory(name="Acme Ltd")
    beta = SupplierFactory(name="Beta Ltd")
    older = ContractFactory(supplier=acme, start_date=dt.date(2023, 1, 1), end_date=None)
    newer = ContractFactory(
        supplier=acme, start_date=dt.date(2024, 6, 1), end_date=dt.date(2024, 12, 31)
    )
    ContractFactory(
        supplier=acme,
        status=Contract.Status.DRAFT,
        start_date=dt.date(2024, 9, 1),
        end_date=dt.date(2024, 9, 30),
    )
    undated = ContractFactory(supplier=beta, start_date=None, end_date=dt.date(2024, 5, 31))
    ContractFactory(supplier=beta, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 8, 31))

    import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,600,01/04/2024",  # only the older contract is running
            "Acme Ltd,700,15/09/2024",  # both: the one that started last wins; not the draft
            "Acme Ltd,800,01/02/2025",  # the newer one has ended
            "Beta Ltd,900,01/04/2024",  # the undated contract alone
            "Beta Ltd,950,15/05/2024",  # both Beta contracts: the rule as matching applies it
            "Beta Ltd,990,01/10/2024",  # neither
            "REDACTED,1000,01/04/2024",
        )
    )
    linked = dict(SpendTransaction.objects.values_list("line_number", "contract_id"))
    transactions_match_contracts()

    assert dict(SpendTransaction.objects.values_list("line_number", "contract_id")) == linked
    assert {line: linked[line] for line in (2, 3, 4, 5, 7, 8)} == {
        2: older.pk,
        3: newer.pk,
        4: older.pk,
        5: undated.pk,
        7: None,
        8: None,
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the INSERT from staging is PostgreSQL's"
)
def test_on_postgresql_payments_are_linked_to_contracts_as_they_are_inserted():
    contract = ContractFactory(supplier=SupplierFactory(name="Acme Ltd"))

    with CaptureQueriesContext(connection) as captured:
        import_spend_file(_csv("Supplier Name,Amount,Date", "Acme Ltd,600,01/06/2024"))

    assert SpendTransaction.objects.get().contract == contract
    updates = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "procurement_spendtr')]
    assert updates == []


def test_the_import_leaves_other_imports_payments_alone_when_it_links_contracts():
    acme = SupplierFactory(name="Acme Ltd")
    earlier = SpendTransactionFactory(supplier=acme, paid_on=dt.date(2024, 6, 1), contract=None)
    ContractFactory(supplier=acme, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))

    import_spend_file(_csv("Supplier Name,Amount,Date", "Acme Ltd,600,01/07/2024"))

    earlier.refresh_from_db()
    assert earlier.contract is None  # linked when its own import or a contract change rematches
    assert SpendTransaction.objects.exclude(pk=earlier.pk).get().contract is not None


def test_matching_one_import_updates_only_that_imports_covered_payments():
    acme = SupplierFactory(name="Acme Ltd")
    contract = ContractFactory(
        supplier=acme, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    mine = SpendTransactionFactory(supplier=acme, paid_on=dt.date(2024, 6, 1))
    uncovered = SpendTransactionFactory(
        supplier=acme, paid_on=dt.date(2025, 6, 1), spend_import=mine.spend_import
    )
    other = SpendTransactionFactory(supplier=acme, paid_on=dt.date(2024, 6, 1))

    updated = transactions_match_contracts(
        spend_import_id=mine.spend_import_id, rebuild_summary=False
    )

    assert updated == 1
    contracts = dict(SpendTransaction.objects.values_list("pk", "contract_id"))
    assert contracts == {mine.pk: contract.pk, uncovered.pk: None, other.pk: None}
    assert SpendYearSummary.objects.count() == 0


def test_the_summary_is_rebuilt_for_the_suppliers_and_years_the_file_touched():
    acme = SupplierFactory(name="Acme Ltd")
    other = SupplierFactory(name="Other Ltd")
    SpendTransactionFactory(supplier=acme, amount=Decimal("100"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(supplier=None, amount=Decimal("40"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(supplier=other, amount=Decimal("300"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(supplier=acme, amount=Decimal("999"), paid_on=dt.date(2022, 5, 1))
    spend_summary_rebuild()
    # Make the untouched rows tell-tale: a rebuild of them would put the real totals back.
    SpendYearSummary.objects.filter(supplier=other).update(amount=Decimal("1"))
    SpendYearSummary.objects.filter(financial_year=2022).update(amount=Decimal("2"))

    import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,600,01/06/2024",
            "Acme Ltd,-50,01/07/2024",
            "REDACTED,700,01/06/2024",
            "Newco Ltd,80,01/04/2025",
        )
    )

    summary = {
        (row.financial_year, row.supplier.name if row.supplier else None): (
            row.amount,
            row.payments,
            row.credit_notes,
        )
        for row in SpendYearSummary.objects.select_related("supplier")
    }
    assert summary == {
        (2024, "Acme Ltd"): (Decimal("650.00"), 2, 1),
        (2024, None): (Decimal("740.00"), 2, 0),
        (2025, "Newco Ltd"): (Decimal("80.00"), 1, 0),
        (2024, "Other Ltd"): (Decimal("1.00"), 1, 0),  # not in the file: left alone
        (2022, "Acme Ltd"): (Decimal("2.00"), 1, 0),  # a year the file does not cover
    }


def test_the_summary_rebuild_takes_redacted_payments_with_the_given_suppliers():
    acme = SupplierFactory(name="Acme Ltd")
    SpendTransactionFactory(supplier=acme, amount=Decimal("100"), paid_on=dt.date(2024, 5, 1))
    SpendTransactionFactory(supplier=None, amount=Decimal("40"), paid_on=dt.date(2024, 5, 1))

    assert spend_summary_rebuild(years=[2024], supplier_ids=[acme.pk]) == 1
    assert spend_summary_rebuild(years=[2024], supplier_ids=[acme.pk], redacted=True) == 2
    assert spend_summary_rebuild(years=[2024], supplier_ids=[], redacted=True) == 1
    assert SpendYearSummary.objects.count() == 2


def test_the_keys_the_database_does_not_hold_are_held_by_django():
    """SpendTransaction's keys have no database constraints (see the model): Django's
    on_delete must still keep them whole."""
    payment = SpendTransactionFactory()
    contract = ContractFactory(supplier=payment.supplier)
    SpendTransaction.objects.filter(pk=payment.pk).update(contract=contract)

    with pytest.raises(ProtectedError):
        payment.supplier.delete()
    contract.delete()
    payment.refresh_from_db()
    assert payment.contract is None
    payment.spend_import.delete()
    assert not SpendTransaction.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_at_once_naming_the_same_new_supplier_create_it_once():
    """Two officers upload different files at the same moment, each paying a supplier the
    register does not know yet: one supplier, both files imported."""
    files = [
        _csv("Supplier Name,Amount,Date", f"Brand New Ltd,{600 + n},0{n + 1}/04/2024").getvalue()
        for n in range(2)
    ]
    start = threading.Barrier(2)
    results = []

    def upload(content: bytes) -> None:
        try:
            start.wait()
            results.append(import_spend_file(io.BytesIO(content)).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(content,)) for content in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["imported", "imported"]
    assert Supplier.objects.filter(normalised_name="brand new").count() == 1
    assert SpendTransaction.objects.count() == 2
