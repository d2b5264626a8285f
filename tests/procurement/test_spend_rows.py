"""What a row says: withheld and placeholder names, rows that are not payments, optional
columns, the publisher, and lines republished from an earlier file. On both databases."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.importers.spend import import_spend_file
from procurement.importers.spend_rules import WITHHELD
from procurement.models import SpendImport, SpendTransaction, SpendYearSummary, Supplier

pytestmark = pytest.mark.django_db


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _held(result) -> dict[str, tuple[int, Decimal]]:
    return {name: (held.rows, held.total) for name, held in result.placeholders.items()}


def test_a_blank_supplier_is_a_withheld_name_counted_as_redacted_spend():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,100.00,01/04/2024",
            ",250.50,02/04/2024",
            "  ,49.50,03/04/2024",
        )
    )

    assert result.status == "imported"
    assert (result.rows_imported, result.total_amount) == (3, Decimal("400.00"))
    assert _held(result) == {WITHHELD: (2, Decimal("300.00"))}
    withheld = SpendTransaction.objects.filter(supplier__isnull=True)
    assert withheld.count() == 2
    assert set(withheld.values_list("supplier_name", flat=True)) == {SpendTransaction.REDACTED}
    summary = SpendYearSummary.objects.get(supplier__isnull=True)
    assert (summary.amount, summary.payments) == (Decimal("300.00"), 2)
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "REDACTED COMMERCIAL CONFIDENTIALITY",
        "REDACTED - THIRD PARTY",
        "Withheld",
        "Personal Data",
        "Unspecified",
        "VARIOUS",
        "Various - Total Expenses",
        "Non Employee Expenses Supplier",
    ],
)
def test_placeholder_names_never_become_suppliers(name):
    result = import_spend_file(
        _csv("Supplier Name,Amount,Date", f"{name},75.25,01/04/2024", f"{name},24.75,01/04/2024")
    )

    assert result.status == "imported"
    assert _held(result) == {name: (2, Decimal("100.00"))}
    assert Supplier.objects.count() == 0
    assert list(SpendTransaction.objects.values_list("supplier_name", flat=True)) == [name, name]


def test_a_name_that_only_starts_like_a_placeholder_is_a_supplier():
    import_spend_file(_csv("Supplier Name,Amount,Date", "Various Artists Ltd,10.00,01/04/2024"))

    assert list(Supplier.objects.values_list("name", flat=True)) == ["Various Artists Ltd"]


def test_the_placeholder_list_is_a_setting(settings):
    settings.SPEND_PLACEHOLDER_SUPPLIERS = ["Sundry*"]

    result = import_spend_file(
        _csv("Supplier Name,Amount,Date", "Sundry payees,10.00,01/04/2024", "Various,5,01/04/2024")
    )

    assert _held(result) == {"Sundry payees": (1, Decimal("10.00"))}
    assert list(Supplier.objects.values_list("name", flat=True)) == ["Various"]


def test_the_command_reports_each_placeholder_with_its_rows_and_pounds(tmp_path, capsys):
    path = tmp_path / "spend.csv"
    path.write_text(
        "Supplier Name,Amount,Date\nUnspecified,10.00,01/04/2024\n,5.00,01/04/2024\n"
        "Acme Ltd,1.00,01/04/2024\n"
    )

    call_command("import_spend", str(path))

    out = capsys.readouterr().out
    assert 'No supplier: "Unspecified" on 1 row (£10.00), counted as redacted spend' in out
    assert "No supplier: a blank supplier (name withheld) on 1 row (£5.00)" in out


def test_a_row_with_no_date_supplier_or_amount_is_skipped_with_a_note():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Expense Type",
            "Acme Ltd,10.00,01/04/2024,Care",
            ",,,Subtotal for care",
            "Acme Ltd,5.00,01/04/2024,Care",
        )
    )

    assert result.status == "imported"
    assert (result.rows_imported, result.rows_skipped) == (2, 0)
    assert result.notes == ["line 3: skipped, no date, supplier or amount"]


def test_a_total_footer_equal_to_the_rows_above_is_skipped_with_a_note():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Acme Ltd,10.50,01/04/2024",
            'Bravo Ltd,"1,000.00",01/04/2024',
            'Total,"1,010.50",',
        )
    )

    assert result.status == "imported"
    assert (result.rows_imported, result.total_amount) == (2, Decimal("1010.50"))
    assert result.notes == [
        "line 4: skipped, a total (£1,010.50) equal to the sum of the rows above"
    ]
    assert not Supplier.objects.filter(name="Total").exists()


def test_a_total_footer_that_does_not_add_up_is_a_bad_row():
    result = import_spend_file(
        _csv("Supplier Name,Amount,Date", "Acme Ltd,10.50,01/04/2024", "Grand Total,99.00,")
    )

    assert result.status == "rejected"
    assert [str(error) for error in result.errors] == [
        "line 3: this looks like a total (£99.00) but the rows above it sum to £10.50: remove"
        " it, or correct the rows"
    ]


def test_empty_cells_past_the_headers_width_are_ignored():
    result = import_spend_file(
        _csv("Supplier Name,Amount,Date,,", "Acme Ltd,10.00,01/04/2024,,,", "Bravo,2,01/04/2024")
    )

    assert result.status == "imported"
    assert result.rows_imported == 2


def test_a_short_row_that_fails_is_named_by_its_cells_not_a_column():
    result = import_spend_file(
        _csv(
            "Body,Department,Supplier Name,Date,Amount,Description",
            "Lambeth,Care,Acme Ltd,25/06/2012,900.00,Care",
            "Lambeth,Care,Acme Ltd,25/06/2012900,Care",
        )
    )

    assert result.status == "rejected"
    assert [str(error) for error in result.errors] == ["line 3 has 5 cells; the header has 6"]


def test_every_optional_column_is_kept():
    result = import_spend_file(
        _csv(
            "Payment Date,Beneficiary Name,Amount,Transaction Number,Service Area,Expense Type,"
            "Purpose,Beneficiary Registration Number,Irrecoverable VAT Amount,Invoice Date,"
            "Procurement Card,Capital Or Revenue,Merchant Category",
            "03/04/2024,Acme Ltd,120.00,T-9,Libraries,Books,Stock for Hereford library,"
            "1234567,4.20,28/03/2024,Yes,C,Book shops",
        )
    )

    assert result.status == "imported"
    assert result.ignored == []
    row = SpendTransaction.objects.select_related("supplier").get()
    assert (row.reference, row.service_area, row.expense_type, row.purpose) == (
        "T-9",
        "Libraries",
        "Books",
        "Stock for Hereford library",
    )
    assert (row.irrecoverable_vat, row.invoice_date) == (Decimal("4.20"), dt.date(2024, 3, 28))
    assert (row.procurement_card, row.capital_revenue, row.merchant_category) == (
        True,
        "C",
        "Book shops",
    )
    assert row.supplier.company_number == "01234567"


def test_a_bad_irrecoverable_vat_amount_is_a_row_error_naming_it():
    result = import_spend_file(
        _csv("Date,Supplier,Amount,Irrecoverable VAT", "01/04/2024,Acme Ltd,10.00,lots")
    )

    assert [str(error) for error in result.errors] == [
        'line 2: irrecoverable vat: amount "lots" is not a number'
    ]


def test_the_publisher_is_the_most_common_organisation_in_the_file():
    result = import_spend_file(
        _csv(
            "Organisation Label,Date,Supplier,Amount",
            "Leeds City Council,01/04/2024,Acme Ltd,1",
            "Leeds City Council as Accountable Body,01/04/2024,Acme Ltd,1",
            "Leeds City Council,01/04/2024,Acme Ltd,1",
        ),
        publisher="Somebody else",
    )

    spend_import = SpendImport.objects.get()
    assert (spend_import.publisher, spend_import.is_own) == ("Leeds City Council", False)
    assert (result.publisher, result.is_own) == ("Leeds City Council", False)


def test_without_an_organisation_column_the_publisher_is_as_given_else_the_council(settings):
    settings.COUNCIL_NAME = "Worcestershire County Council"
    import_spend_file(_csv("Date,Supplier,Amount", "01/04/2024,Acme Ltd,1"))
    import_spend_file(
        _csv("Date,Supplier,Amount", "02/04/2024,Acme Ltd,1"), publisher="Herefordshire Council"
    )
    import_spend_file(
        _csv(
            "Date,Supplier,Amount,Body Name", "03/04/2024,Acme Ltd,1,WORCESTERSHIRE COUNTY COUNCIL"
        )
    )

    assert list(SpendImport.objects.order_by("id").values_list("publisher", "is_own")) == [
        ("Worcestershire County Council", True),
        ("Herefordshire Council", False),
        ("WORCESTERSHIRE COUNTY COUNCIL", True),
    ]


def test_lines_republished_from_an_earlier_file_are_counted_and_not_added_again():
    header = "Transaction Number,Date,Supplier,Amount"
    import_spend_file(_csv(header, "T-1,01/04/2024,Acme Ltd,100.00", "T-2,02/04/2024,Acme Ltd,50"))

    result = import_spend_file(
        _csv(
            header,
            "T-2,02/04/2024,Acme Ltd,50.00",  # republished
            "T-2,02/04/2024,Acme Ltd,55.00",  # same number, another amount: a new payment
            "T-3,03/04/2024,Acme Ltd,7.00",
            ",02/04/2024,Acme Ltd,50.00",  # no transaction number: nothing to match on
        )
    )

    assert result.status == "imported"
    assert (result.republished_rows, result.republished_total) == (1, Decimal("50.00"))
    assert (result.rows_imported, result.total_amount) == (3, Decimal("112.00"))
    second = SpendImport.objects.order_by("id").last()
    assert (second.rows_imported, second.total_amount) == (3, Decimal("112.00"))
    assert sorted(second.transactions.values_list("line_number", flat=True)) == [3, 4, 5]
    assert SpendTransaction.objects.count() == 5
    summary = SpendYearSummary.objects.get()
    assert (summary.amount, summary.payments) == (Decimal("262.00"), 5)


def test_the_command_says_how_many_lines_were_already_imported(tmp_path, capsys):
    first, second = tmp_path / "april.csv", tmp_path / "april_again.csv"
    first.write_text("Transaction Number,Date,Supplier,Amount\nT-1,01/04/2024,Acme Ltd,100.00\n")
    second.write_text(
        "Transaction Number,Date,Supplier,Amount\nT-1,01/04/2024,Acme Ltd,100.00\n"
        "T-2,01/04/2024,Acme Ltd,1.00\n"
    )
    call_command("import_spend", str(first))

    call_command("import_spend", str(second))

    out = capsys.readouterr().out
    assert "Already imported: 1 line (£100.00) republished from an earlier file" in out


def test_a_dry_run_counts_the_lines_an_import_would_find_already_imported():
    header = "Transaction Number,Date,Supplier,Amount"
    import_spend_file(_csv(header, "T-1,01/04/2024,Acme Ltd,100.00"))

    result = import_spend_file(
        _csv(header, "T-1,01/04/2024,Acme Ltd,100.00", "T-2,01/04/2024,Acme Ltd,9.00"),
        dry_run=True,
    )

    assert (result.republished_rows, result.republished_total) == (1, Decimal("100.00"))
    assert (result.rows_imported, result.total_amount) == (1, Decimal("9.00"))
    assert SpendTransaction.objects.count() == 1


def test_rows_of_empty_cells_at_the_end_are_skipped_on_the_copy_path_too():
    lines = ["Supplier Name,Amount,Date"] + [f"Acme Ltd,{n}.00,0{n}/04/2024" for n in range(1, 4)]
    with CaptureQueriesContext(connection) as captured:
        result = import_spend_file(_csv(*lines, ",,", ",,"))

    assert result.status == "imported"
    assert (result.rows_imported, result.total_amount) == (3, Decimal("6.00"))
    if connection.vendor == "postgresql":  # the blank rows did not send it down the careful path
        assert any("FROM spend_copy_staging staged" in query["sql"] for query in captured)


def _analyzed() -> int:
    """How many times the spend table has been ANALYZEd by a command (autovacuum's are counted
    apart), read afresh rather than from the transaction's snapshot of the statistics."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relid = %s::regclass",
            [SpendTransaction._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.parametrize("analyze_from_rows", [1, 1_000])
def test_a_large_import_over_other_files_dates_refreshes_the_planners_statistics(
    monkeypatch, analyze_from_rows
):
    """Without fresh statistics the republished-lines check took a million-line file for a
    file of no rows and ran for more than 13 minutes; a small file leaves them alone."""
    import procurement.importers.spend as spend

    monkeypatch.setattr(spend, "ANALYZE_FROM_ROWS", analyze_from_rows)
    header = "Transaction Number,Date,Supplier,Amount"
    import_spend_file(_csv(header, "T-1,01/04/2024,Acme Ltd,100.00", "T-2,02/04/2024,Acme Ltd,50"))
    before = _analyzed()

    result = import_spend_file(
        _csv(header, "T-2,02/04/2024,Acme Ltd,50.00", "T-3,03/04/2024,Acme Ltd,7.00")
    )

    assert (result.status, result.republished_rows) == ("imported", 1)
    assert _analyzed() - before == (1 if analyze_from_rows == 1 else 0)
