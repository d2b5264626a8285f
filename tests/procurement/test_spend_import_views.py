from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import SpendImport, SpendTransaction, Supplier
from tests.procurement.factories import SpendImportFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "spend"
IMPORT_URL = reverse("procurement:spend-import")
LIST_URL = reverse("procurement:spend-import-list")


def _upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (DATA / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_officer_sees_the_upload_form(officer_client):
    response = officer_client.get(IMPORT_URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file"' in body and "govuk-file-upload" in body
    assert "Skip bad rows" in body


def test_an_officer_imports_a_file_and_sees_the_counts(officer_client, officer):
    response = officer_client.post(
        IMPORT_URL, {"file": _upload("worcestershire_2024_04.csv")}, follow=True
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Imported 5 rows totalling £15,500.50 from worcestershire_2024_04.csv;"
        " 2 new suppliers added"
    ]
    spend_import = SpendImport.objects.get()
    assert (spend_import.imported_by, spend_import.rows_imported) == (officer, 5)
    assert spend_import.total_amount == Decimal("15500.50")
    body = response.content.decode()
    assert "Imported 5 rows totalling £15,500.50" in body
    assert "worcestershire_2024_04.csv" in body
    assert "£15,500.50" in body
    assert "2 Apr 2024" in body and "30 Apr 2024" in body


def test_a_large_upload_streamed_to_a_temporary_file_is_imported(officer_client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file

    response = officer_client.post(IMPORT_URL, {"file": _upload("excel_cp1252.csv")})

    assert response.status_code == 302
    assert SpendTransaction.objects.count() == 2
    assert SpendTransaction.objects.get(line_number=2).supplier_name == "Café Rouge Ltd"


def test_a_member_cannot_open_the_form_or_upload(member_client):
    assert member_client.get(IMPORT_URL).status_code == 403

    response = member_client.post(IMPORT_URL, {"file": _upload("worcestershire_2024_04.csv")})

    assert response.status_code == 403
    assert SpendImport.objects.count() == SpendTransaction.objects.count() == 0


def test_a_file_with_a_bad_row_shows_its_line_number_and_nothing_is_written(officer_client):
    response = officer_client.post(IMPORT_URL, {"file": _upload("bad_rows.csv")})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "bad_rows.csv was not imported because 2 rows have errors" in body
    assert "Line 4: amount &quot;12,3x4.00&quot; is not a number" in body
    assert "Line 5: date &quot;31/02/2024&quot; is not a real date" in body
    assert "select “Skip bad rows”" in body
    assert SpendImport.objects.count() == SpendTransaction.objects.count() == 0
    assert Supplier.objects.count() == 0


def test_only_the_first_fifty_row_errors_are_listed(officer_client):
    rows = "".join(f"Acme Ltd,bad{n},01/04/2024\n" for n in range(60))
    content = f"Supplier Name,Amount,Date\n{rows}".encode()

    response = officer_client.post(IMPORT_URL, {"file": _upload("many.csv", content)})

    body = response.content.decode()
    assert "60 rows have errors" in body
    assert "Line 51: amount" in body
    assert "Line 52: amount" not in body
    assert "…and 10 more" in body


def test_skipping_bad_rows_imports_the_rest_and_says_which_were_left_out(officer_client):
    response = officer_client.post(
        IMPORT_URL, {"file": _upload("bad_rows.csv"), "skip_bad_rows": "on"}, follow=True
    )

    assert "Imported 3 rows totalling £800.00 from bad_rows.csv" in response.content.decode()
    assert "2 bad rows skipped (lines 4, 5)" in response.content.decode()
    assert SpendImport.objects.get().rows_skipped == 2


def test_a_file_error_is_shown_and_nothing_is_written(officer_client):
    response = officer_client.post(IMPORT_URL, {"file": _upload("tab_delimited.txt")})

    assert response.status_code == 200
    body = response.content.decode()
    assert "tab_delimited.txt could not be imported" in body
    assert "looks tab-delimited" in body
    assert SpendImport.objects.count() == 0


def test_a_file_imported_before_is_not_imported_again(officer_client):
    officer_client.post(IMPORT_URL, {"file": _upload("excel_cp1252.csv")})

    response = officer_client.post(IMPORT_URL, {"file": _upload("excel_cp1252.csv")})

    assert response.status_code == 200
    assert "This file was already imported on" in response.content.decode()
    assert SpendImport.objects.count() == 1
    assert SpendTransaction.objects.count() == 2


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("spend.xlsx", b"PK\x03\x04", "The selected file must be a CSV"),
        ("spend.csv", b"", "The selected file is empty"),
    ],
)
def test_the_form_refuses_files_that_are_not_csv(officer_client, name, content, message):
    response = officer_client.post(IMPORT_URL, {"file": _upload(name, content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert SpendImport.objects.count() == 0


def test_the_form_asks_for_a_file(officer_client):
    response = officer_client.post(IMPORT_URL, {})

    assert "Select a spend file" in response.content.decode()


def test_the_form_refuses_a_file_over_100_mb(officer_client, monkeypatch):
    from procurement.forms import spend as forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 10)

    response = officer_client.post(IMPORT_URL, {"file": _upload("excel_cp1252.csv")})

    assert "The selected file must be smaller than 100 MB" in response.content.decode()
    assert SpendImport.objects.count() == 0


def test_a_member_reads_the_list_of_imports_without_the_import_button(member_client):
    SpendImportFactory(filename="april.csv", rows_imported=1200, total_amount=Decimal("98765.4"))

    response = member_client.get(LIST_URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "april.csv" in body and "1,200" in body and "£98,765.40" in body
    assert IMPORT_URL not in body


def test_an_officer_sees_the_import_button_on_the_list(officer_client):
    assert IMPORT_URL in officer_client.get(LIST_URL).content.decode()


def _list_queries(client, user, count: int) -> int:
    SpendImport.objects.all().delete()
    SpendImportFactory.create_batch(count, imported_by=user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL)
    assert response.content.decode().count(user.get_full_name()) == count + 1  # + "Signed in as"
    return len(captured)


def test_the_list_runs_the_same_number_of_queries_for_two_imports_or_forty(officer_client, officer):
    assert _list_queries(officer_client, officer, 2) == _list_queries(officer_client, officer, 40)
