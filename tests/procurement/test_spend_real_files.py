"""The spend importer on files councils really published (tests/data/real, with attribution).

Run on SQLite and on PostgreSQL (DATABASE_URL): a clean file takes the COPY path there.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext

from procurement.importers.spend import import_spend_file
from procurement.models import SpendImport, SpendTransaction, Supplier

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "spend"
LEEDS = REAL / "leeds_2020_06.csv"
LAMBETH = REAL / "lambeth_2012_06.csv"
PENNY = Decimal("0.01")


def _pounds(amount: Decimal) -> Decimal:
    """SQLite sums decimals as floats: to the penny, as PostgreSQL gives them."""
    return amount.quantize(PENNY)


def test_leeds_june_2020_imports_every_payment_to_the_penny():
    result = import_spend_file(LEEDS)

    assert result.status == "imported", result.file_error
    assert (result.rows_imported, result.rows_skipped) == (16176, 0)
    assert result.total_amount == Decimal("104445727.45")
    found = SpendTransaction.objects.aggregate(
        rows=Count("id"),
        total=Sum("amount"),
        redacted=Sum("amount", filter=Q(supplier__isnull=True)),
        cards=Count("id", filter=Q(procurement_card=True)),
        capital=Count("id", filter=Q(capital_revenue="C")),
        vat=Sum("irrecoverable_vat"),
    )
    found["total"], found["redacted"] = _pounds(found["total"]), _pounds(found["redacted"])
    assert found == {
        "rows": 16176,
        "total": Decimal("104445727.45"),
        "redacted": Decimal("685712.71"),
        "cards": 3993,
        "capital": 457,
        "vat": Decimal("0.00"),
    }
    first = SpendTransaction.objects.get(line_number=2)
    assert (first.reference, first.purpose, first.service_area, first.expense_type) == (
        "2006-00001",
        "Sheltered Accommodation",
        "Adults and Health",
        "Third Party Payments",
    )
    spend_import = SpendImport.objects.get()
    assert (spend_import.publisher, spend_import.is_own) == ("Leeds City Council", False)
    assert not Supplier.objects.filter(
        Q(name__istartswith="redacted") | Q(name__istartswith="various")
    ).exists()


def test_leeds_placeholders_are_counted_as_redacted_spend_and_never_become_suppliers():
    result = import_spend_file(LEEDS, dry_run=True)

    assert {name: (held.rows, held.total) for name, held in result.placeholders.items()} == {
        "REDACTED PERSONAL DATA": (1118, Decimal("401274.51")),
        "REDACTED COMMERCIAL CONFIDENTIALITY": (39, Decimal("98575.70")),
        "Various - Total Expenses": (160, Decimal("185862.50")),
    }
    assert result.total_amount == Decimal("104445727.45")


def test_leeds_lists_which_heading_went_to_which_field_and_which_were_left_out():
    result = import_spend_file(LEEDS, dry_run=True)

    assert result.mapping["date"] == "Payment Date"
    assert result.mapping["supplier"] == "Beneficiary Name"
    assert result.mapping["capital_revenue"] == "Capital Or Revenue"
    assert result.ignored == [
        "Organisation Code",
        "Effective Date",
        "Service Division Label",
        "Detailed Expenditure Code",
    ]


def test_lambeth_june_2012_names_each_fused_row_by_line_and_recognises_its_total():
    result = import_spend_file(LAMBETH)

    assert result.status == "rejected"
    assert result.error_count == 639  # 638 rows of 5 cells, and one of 4
    assert str(result.errors[0]) == "line 19 has 5 cells; the header has 6"
    assert "line 1382 has 4 cells; the header has 6" in [str(e) for e in result.errors]
    assert SpendTransaction.objects.count() == 0


def test_lambeth_june_2012_imports_the_rest_when_bad_rows_are_skipped():
    result = import_spend_file(LAMBETH, skip_bad_rows=True)

    assert result.status == "imported"
    assert (result.rows_imported, result.rows_skipped) == (2516, 639)
    assert result.total_amount == Decimal("39775940.53")
    assert _pounds(SpendTransaction.objects.aggregate(total=Sum("amount"))["total"]) == Decimal(
        "39775940.53"
    )
    assert result.header_line == 10
    assert any("invoice date" in note for note in result.notes)
    assert any(
        note.startswith("line 3167: skipped, a total (£40,292,334.84)") for note in result.notes
    )
    assert (result.publisher, result.is_own) == ("Lambeth", False)


def test_a_summary_of_totals_per_supplier_is_refused_as_not_payments():
    result = import_spend_file(REAL / "lambeth_2012_05_summary.csv")

    assert result.status == "needs_mapping"
    assert "is a summary, not payments, and cannot be imported" in result.file_error
    assert result.missing == ["date", "amount"]
    assert SpendTransaction.objects.count() == 0


def test_an_empty_file_is_refused_as_empty():
    result = import_spend_file(REAL / "leeds_2018_10_empty.csv")

    assert (result.status, result.file_error) == ("rejected", "The file is empty")


def test_a_date_column_headed_updated_needs_a_map_and_then_imports(capsys):
    path = REAL / "openlylocal_fixture_title_line_latin1.csv"
    with pytest.raises(CommandError):
        call_command("import_spend", str(path))
    assert "--map date=Updated" in capsys.readouterr().err

    call_command("import_spend", str(path), "--map", "date=Updated")

    out = capsys.readouterr().out
    assert out.startswith("Imported 19 rows (£34,135.36)")
    assert "  date: Updated" in out
    assert "  not imported: Service, Type" in out
    total = SpendTransaction.objects.aggregate(total=Sum("amount"))["total"]
    assert _pounds(total) == Decimal("34135.36")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's alone")
def test_on_postgresql_leeds_takes_the_copy_path_with_every_optional_column():
    with CaptureQueriesContext(connection) as captured:
        result = import_spend_file(LEEDS)

    inserts = [q["sql"] for q in captured if "INSERT INTO procurement_spend" in q["sql"]]
    assert len([sql for sql in inserts if "FROM spend_copy_staging staged" in sql]) == 1
    assert result.rows_imported == 16176
    assert SpendTransaction.objects.filter(procurement_card=True).count() == 3993
