"""Which heading is which field: the published standards' names, folded spellings, mapping."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procurement.importers.spend import NEEDS_MAPPING, import_spend_file
from procurement.importers.spend_rules import fold_heading, recognise
from procurement.models import SpendTransaction

pytestmark = pytest.mark.django_db


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


@pytest.mark.parametrize(
    "date,supplier,amount",
    [
        ("Payment Date", "Beneficiary Name", "Amount"),  # LGA 2015 spend schema
        ("Paid Date", "Supplier", "Net Amount"),
        ("Date Paid", "Vendor Name", "Amount £ (Excl VAT)"),
        ("paid_date", "supplier_name", "Net amount "),
        ("paymentDate", "supplierName", "netAmount"),
        ("PAYMENT-DATE", "Beneficiary", "Invoice Nett Amount"),
        ("Date", "Vendor", "Amount (GBP)"),
    ],
)
def test_the_published_headings_and_their_spellings_place_themselves(date, supplier, amount):
    result = import_spend_file(
        _csv(f'"{date}","{supplier}","{amount}"', "02/05/2024,Acme Ltd,612.40")
    )

    assert result.status == "imported", result.file_error
    assert result.mapping == {"date": date.strip(), "supplier": supplier, "amount": amount.strip()}
    row = SpendTransaction.objects.get()
    assert (row.paid_on, row.supplier_name, row.amount) == (
        dt.date(2024, 5, 2),
        "Acme Ltd",
        Decimal("612.40"),
    )


@pytest.mark.parametrize(
    "heading,folded",
    [
        ("Amount £ (Excl VAT)", "amountexclvat"),
        ("amount_excl_vat", "amountexclvat"),
        ("AmountExclVAT", "amountexclvat"),
        ("Net amount ", "netamount"),
        ("\ufeffSupplier  Name", "suppliername"),
        ("Value (GBP)", "value"),
    ],
)
def test_headings_fold_case_spaces_punctuation_and_currency_words(heading, folded):
    assert fold_heading(heading) == folded


def test_a_payment_date_is_preferred_and_the_invoice_date_kept_beside_it():
    result = import_spend_file(
        _csv("Invoice Date,Supplier,Amount,Payment Date", "01/05/2024,Acme Ltd,10.00,20/05/2024")
    )

    row = SpendTransaction.objects.get()
    assert (row.paid_on, row.invoice_date) == (dt.date(2024, 5, 20), dt.date(2024, 5, 1))
    assert result.mapping["date"] == "Payment Date"
    assert result.notes == []


def test_an_invoice_date_is_used_where_it_is_the_only_date_and_the_report_says_so():
    result = import_spend_file(_csv("Invoice Date,Supplier,Amount", "01/05/2024,Acme Ltd,10.00"))

    assert SpendTransaction.objects.get().paid_on == dt.date(2024, 5, 1)
    assert result.notes == [
        'The file has no payment date, so its invoice date ("Invoice Date") is used as the'
        " date paid"
    ]


def test_a_header_without_a_date_needs_mapping_and_lists_the_columns_and_the_fix():
    result = import_spend_file(
        _csv("Directorate,Updated,Supplier Name,Amount", "Resources,17/03/2024,Acme Ltd,10.00")
    )

    assert result.status == NEEDS_MAPPING
    assert result.missing == ["date"]
    assert result.headings == ["Directorate", "Updated", "Supplier Name", "Amount"]
    assert result.mapping == {
        "supplier": "Supplier Name",
        "amount": "Amount",
        "service_area": "Directorate",
    }
    assert (
        'The file\'s columns are "Directorate", "Updated", "Supplier Name", "Amount"'
        in result.file_error
    )
    assert result.file_error.endswith(
        "To say which column is which, import with --map date=Updated"
    )
    assert "No header row" not in result.file_error
    assert SpendTransaction.objects.count() == 0


def test_two_amount_columns_need_mapping_and_a_mapping_settles_them():
    content = "Supplier,Net Amount,Gross Amount,Amount,Date"
    row = "Acme Ltd,100.00,120.00,100.00,01/04/2024"

    refused = import_spend_file(_csv(content, row))
    assert refused.status == NEEDS_MAPPING
    assert refused.ambiguous == {"amount": ["Amount", "Net Amount"]}
    assert "--map amount=Amount" in refused.file_error

    result = import_spend_file(_csv(content, row), mapping={"amount": "Gross Amount"})
    assert result.status == "imported"
    assert SpendTransaction.objects.get().amount == Decimal("120.00")
    assert "Amount" in result.ignored and "Net Amount" in result.ignored


def test_a_mapping_overrides_recognition_for_the_column_it_names():
    result = import_spend_file(
        _csv("Supplier,Amount,Date,Posted", "Acme Ltd,10.00,01/04/2024,03/04/2024"),
        mapping={"date": "posted"},  # headings match as they fold
    )

    assert SpendTransaction.objects.get().paid_on == dt.date(2024, 4, 3)
    assert result.mapping["date"] == "Posted"
    assert result.ignored == ["Date"]


def test_a_mapping_to_a_heading_the_file_lacks_says_so():
    result = import_spend_file(
        _csv("Supplier,Amount,Date", "Acme Ltd,10.00,01/04/2024"), mapping={"date": "Updated"}
    )

    assert result.status == NEEDS_MAPPING
    assert 'the file has no column "Updated" to use as the date' in result.file_error


def test_a_mapping_to_a_field_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="not spend fields: colour"):
        import_spend_file(_csv("Supplier,Amount,Date"), mapping={"colour": "Supplier"})


def test_no_recognisable_heading_at_all_names_the_first_header_like_line():
    result = import_spend_file(_csv("Payee,Paid,When", "Acme Ltd,1250.00,02/04/2024"))

    assert result.status == NEEDS_MAPPING
    assert result.file_error.startswith("No header row was found in the first 10 lines")
    assert '(line 1) has "Payee", "Paid", "When"' in result.file_error
    assert result.missing == ["date", "supplier", "amount"]


def test_a_heading_the_file_has_twice_cannot_be_mapped_and_is_refused():
    found = recognise(["Supplier", "Amount", "Date", "Purpose", "purpose"], line=1)

    assert found.repeated == "Purpose"


def test_the_command_maps_columns_and_prints_the_mapping(tmp_path, capsys):
    path = tmp_path / "q1.csv"
    path.write_text("Updated,Vendor,Cost\n01/04/2024,Acme Ltd,10.00\n")

    call_command("import_spend", str(path), "--map", "date=Updated", "--map", "amount=Cost")

    out = capsys.readouterr().out
    assert out.startswith("Imported 1 row (£10.00)")
    assert "  date: Updated\n  supplier: Vendor\n  amount: Cost\n" in out
    assert SpendTransaction.objects.get().amount == Decimal("10.00")


@pytest.mark.parametrize(
    "argument,message",
    [
        ("date", "--map takes FIELD=HEADING"),
        ("colour=Updated", '"colour" is not a field'),
    ],
)
def test_the_command_refuses_a_map_it_cannot_read(tmp_path, argument, message):
    path = tmp_path / "q1.csv"
    path.write_text("Updated,Vendor,Amount\n01/04/2024,Acme Ltd,10.00\n")

    with pytest.raises(CommandError, match=message):
        call_command("import_spend", str(path), "--map", argument)
