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
        ("spend.pdf", b"%PDF-1.7", "The selected file must be a CSV or an Excel workbook (.xlsx)"),
        ("spend.xlsx", b"PK\x03\x04", "The selected file is not an Excel workbook"),
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


# -- the mapping step, remembered layouts and whose file ----------------------------------------

UNKNOWN_LAYOUT = (
    'Updated,Payee,Value,Notes\n02/05/2025,Severn Care Ltd,"12,500.00",Home care\n'
    "09/05/2025,Malvern Print Ltd,1250.50,Leaflets\n30/05/2025,Severn Care Ltd,749.99,\n"
)
NEXT_MONTH = "Updated,Payee,Value,Notes\n03/06/2025,Severn Care Ltd,100.00,\n"
MAPPING = {"date": "Updated", "supplier": "Payee", "amount": "Value"}


def _mapping_post(**fields: str) -> dict[str, str]:
    from procurement.importers.spend import SPEND_FIELDS

    return {field: fields.get(field, "") for field, _label, _required in SPEND_FIELDS}


@pytest.fixture
def uploads(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT / "spend-uploads"


def _start(client, content: str = UNKNOWN_LAYOUT, name: str = "may.csv", **data) -> str:
    """Upload a file of a layout the app does not know; return the mapping page's URL."""
    response = client.post(IMPORT_URL, {"file": _upload(name, content.encode()), **data})
    assert response.status_code == 302
    assert "/columns/" in response.url
    return response.url


def test_a_file_whose_columns_are_not_recognised_goes_to_the_mapping_step_and_nothing_is_written(
    officer_client, uploads
):
    mapping_url = _start(officer_client)

    assert SpendImport.objects.count() == SpendTransaction.objects.count() == 0
    kept = list(uploads.iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".csv"  # a random name, not the officer's
    assert kept[0].name != "may.csv" and kept[0].read_text() == UNKNOWN_LAYOUT
    response = officer_client.get(mapping_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Match the columns of may.csv" in body
    for cell in ("Updated", "Payee", "02/05/2025", "Malvern Print Ltd", "Leaflets"):
        assert f">{cell}<" in body
    form = response.context["form"]
    assert form["amount"].value() == "Value"  # recognised, so prefilled
    assert ("", "Not in this file") in form.fields["date"].choices
    assert ("Notes", "Notes") in form.fields["reference"].choices


def test_the_officer_maps_the_columns_and_the_file_is_imported_and_its_layout_remembered(
    officer_client, officer, uploads
):
    from procurement.models import SpendLayout

    mapping_url = _start(officer_client)

    response = officer_client.post(mapping_url, _mapping_post(**MAPPING), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Imported 3 rows totalling £14,500.49 from may.csv; 2 new suppliers added"
    ]
    assert SpendTransaction.objects.count() == 3
    layout = SpendLayout.objects.get()
    assert layout.headings == ["Updated", "Payee", "Value", "Notes"]
    assert layout.mapping == MAPPING
    assert layout.saved_by == officer
    assert layout.history.get().history_user == officer
    assert list(uploads.iterdir()) == []  # the kept file is deleted once imported
    assert officer_client.session["spend_uploads"] == {}


def test_the_next_file_of_a_remembered_layout_imports_with_no_mapping_step(officer_client):
    officer_client.post(_start(officer_client), _mapping_post(**MAPPING))

    response = officer_client.post(
        IMPORT_URL, {"file": _upload("june.csv", NEXT_MONTH.encode())}, follow=True
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Imported 1 row totalling £100.00 from june.csv" in response.content.decode()
    assert SpendTransaction.objects.filter(spend_import__filename="june.csv").count() == 1


def test_a_mapping_without_a_required_field_or_with_one_column_twice_is_refused(
    officer_client, uploads
):
    mapping_url = _start(officer_client)

    response = officer_client.post(
        mapping_url, _mapping_post(supplier="Payee", amount="Value", reference="Payee")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date"][0].startswith("Select the column that holds the")
    assert errors["reference"][0].startswith("“Payee” is already chosen for")
    assert "There is a problem" in response.content.decode()
    assert SpendImport.objects.count() == 0
    assert len(list(uploads.iterdir())) == 1  # still kept, to be mapped again


def test_a_wrong_mapping_shows_the_bad_rows_and_keeps_the_file(officer_client, uploads):
    mapping_url = _start(officer_client)

    response = officer_client.post(
        mapping_url, _mapping_post(date="Updated", supplier="Payee", amount="Notes")
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "may.csv was not imported because 3 rows have errors" in body
    assert "Line 2: amount" in body
    assert SpendImport.objects.count() == 0
    assert officer_client.get(mapping_url).status_code == 200  # the officer can try again


def test_a_member_cannot_open_or_post_the_mapping_step(officer_client, member_client, uploads):
    mapping_url = _start(officer_client)

    assert member_client.get(mapping_url).status_code == 403
    assert member_client.post(mapping_url, _mapping_post(**MAPPING)).status_code == 403
    assert SpendImport.objects.count() == 0


def test_an_unknown_token_or_another_sessions_token_goes_back_to_the_upload(
    officer_client, admin_client_, uploads
):
    mapping_url = _start(officer_client)

    for client, url in (
        (officer_client, reverse("procurement:spend-import-mapping", args=["not-a-token"])),
        (admin_client_, mapping_url),  # the token is only good in the session that uploaded
    ):
        response = client.post(url, _mapping_post(**MAPPING), follow=True)
        assert response.redirect_chain == [(IMPORT_URL, 302)]
        assert "is no longer kept" in response.content.decode()
    assert SpendImport.objects.count() == 0


def test_a_kept_file_more_than_a_day_old_is_gone_and_deleted(officer_client, uploads):
    import datetime as dt

    from django.utils import timezone

    from procurement.services.spend_uploads import spend_uploads_purge

    mapping_url = _start(officer_client)
    session = officer_client.session
    token = next(iter(session["spend_uploads"]))
    day_ago = timezone.now() - dt.timedelta(days=1, minutes=1)
    session["spend_uploads"][token]["kept_at"] = day_ago.isoformat()
    session.save()

    response = officer_client.get(mapping_url)

    assert response.status_code == 302 and response.url == IMPORT_URL
    assert list(uploads.iterdir()) == []
    _start(officer_client)  # another officer's abandoned file, older than a day, is purged
    (kept,) = uploads.iterdir()
    stale = (timezone.now() - dt.timedelta(days=2)).timestamp()
    import os

    os.utime(kept, (stale, stale))
    assert spend_uploads_purge() == 1
    assert list(uploads.iterdir()) == []


def test_the_mapping_page_runs_a_fixed_number_of_queries(
    officer_client, uploads, django_assert_max_num_queries
):
    mapping_url = _start(officer_client)

    with django_assert_max_num_queries(2):
        assert officer_client.get(mapping_url).status_code == 200


def test_importing_a_mapped_file_runs_a_fixed_number_of_queries_whatever_its_rows(
    officer_client, uploads
):
    def queries(rows: int) -> int:
        row = "0{day}/05/2025,Supplier {rows}-{payee},{n}.00,\n"  # new suppliers each time
        lines = "".join(
            row.format(day=1 + n % 9, rows=rows, payee=n % 3, n=n + 1) for n in range(rows)
        )
        content = f"Paid {rows},Payee,Value,Notes\n{lines}"  # a new layout each time
        url = _start(officer_client, content, name=f"rows-{rows}.csv")
        with CaptureQueriesContext(connection) as captured:
            mapping = _mapping_post(**{**MAPPING, "date": f"Paid {rows}"})
            response = officer_client.post(url, mapping)
        assert response.status_code == 302
        return len(captured)

    assert queries(3) == queries(60)


def test_a_neighbours_file_is_imported_with_its_publisher_and_listed_as_theirs(officer_client):
    # No organisation column, so the officer's choice says whose it is.
    content = "Date,Supplier Name,Amount\n02/04/2024,Acme Ltd,500.00\n"
    response = officer_client.post(
        IMPORT_URL,
        {
            "file": _upload("wychavon.csv", content.encode()),
            "whose": "other",
            "publisher": "Wychavon District Council",
        },
        follow=True,
    )

    spend_import = SpendImport.objects.get()
    assert (spend_import.is_own, spend_import.publisher) == (False, "Wychavon District Council")
    row = response.content.decode().split("wychavon.csv</th>")[1].split("</tr>")[0]
    assert "Wychavon District Council" in row and "For comparison" in row


def test_the_files_organisation_column_says_whose_it_is(officer_client):
    content = (DATA / "worcestershire_2024_04.csv").read_bytes()
    theirs = content.replace(b"Worcestershire County Council", b"Wychavon District Council")

    officer_client.post(IMPORT_URL, {"file": _upload("wychavon.csv", theirs)})

    spend_import = SpendImport.objects.get()
    assert (spend_import.is_own, spend_import.publisher) == (False, "Wychavon District Council")


def test_another_publisher_must_be_named(officer_client):
    response = officer_client.post(
        IMPORT_URL, {"file": _upload("worcestershire_2024_04.csv"), "whose": "other"}
    )

    assert response.context["form"].errors["publisher"] == [
        "Enter the name of the council or organisation"
    ]
    assert SpendImport.objects.count() == 0


def test_the_councils_own_file_is_its_own_by_default(officer_client, settings):
    content = b"Date,Supplier Name,Amount\n02/04/2024,Acme Ltd,500.00\n"

    response = officer_client.post(IMPORT_URL, {"file": _upload("ours.csv", content)}, follow=True)

    spend_import = SpendImport.objects.get()
    assert (spend_import.is_own, spend_import.publisher) == (True, settings.COUNCIL_NAME)
    assert "For comparison" not in response.content.decode()


# -- remembered layouts --------------------------------------------------------------------------


@pytest.fixture
def layout(officer):
    from procurement.services.spend_layouts import spend_layout_save

    return spend_layout_save(
        headings=["Updated", "Payee", "Value", "Notes"], mapping=MAPPING, user=officer
    )


def test_a_member_reads_the_remembered_layouts_but_cannot_change_them(member_client, layout):
    listed = member_client.get(reverse("procurement:spend-layout-list")).content.decode()
    detail = member_client.get(reverse("procurement:spend-layout-detail", args=[layout.pk]))

    assert "Updated, Payee, Value, Notes" in listed
    assert detail.status_code == 200
    assert detail.context["fields"][0].heading == "Updated"
    edit = reverse("procurement:spend-layout-edit", args=[layout.pk])
    assert edit not in detail.content.decode()
    assert member_client.post(edit, _mapping_post(**MAPPING)).status_code == 403
    forget = reverse("procurement:spend-layout-delete", args=[layout.pk])
    assert member_client.post(forget).status_code == 403


def test_an_officer_changes_a_layout_and_the_history_says_what_moved(officer_client, layout):
    edit = reverse("procurement:spend-layout-edit", args=[layout.pk])
    changed = {**MAPPING, "service_area": "Notes"}

    response = officer_client.post(edit, {**_mapping_post(**changed), "version": layout.version})

    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.mapping == changed and layout.version == 2
    detail = officer_client.get(reverse("procurement:spend-layout-detail", args=[layout.pk]))
    (newest, first) = detail.context["history"]
    assert newest.action == "Changed" and first.action == "Saved"
    assert (newest.changes[0].before, newest.changes[0].after) == ("Not in this file", "Notes")


def test_a_stale_change_to_a_layout_is_refused(officer_client, layout):
    edit = reverse("procurement:spend-layout-edit", args=[layout.pk])
    old_version = layout.version
    officer_client.post(edit, {**_mapping_post(**MAPPING, reference="Notes"), "version": 1})

    response = officer_client.post(
        edit, {**_mapping_post(**MAPPING, service_area="Notes"), "version": old_version}
    )

    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    layout.refresh_from_db()
    assert layout.mapping == {**MAPPING, "reference": "Notes"}


def test_forgetting_a_layout_brings_back_the_mapping_step(officer_client, layout, uploads):
    forget = reverse("procurement:spend-layout-delete", args=[layout.pk])
    assert "Are you sure" in officer_client.get(forget).content.decode()

    response = officer_client.post(forget)

    assert response.status_code == 302
    from procurement.models import SpendLayout

    assert not SpendLayout.objects.exists()
    assert SpendLayout.history.filter(history_type="-").count() == 1
    _start(officer_client, NEXT_MONTH)  # asks for the mapping again


def test_the_layout_pages_run_a_fixed_number_of_queries(
    officer_client, officer, layout, django_assert_max_num_queries
):
    from procurement.services.spend_layouts import spend_layout_save, spend_layout_update

    for version, column in enumerate(["Notes", "", "Notes", ""], start=1):  # history to list
        spend_layout_update(
            layout=layout,
            mapping={**MAPPING, "reference": column},
            expected_version=version,
            user=officer,
        )
    for n in range(5):
        spend_layout_save(
            headings=[f"Paid {n}", "Payee", "Value"],
            mapping={"date": f"Paid {n}", "supplier": "Payee", "amount": "Value"},
            user=officer,
        )
    for name in ("spend-layout-detail", "spend-layout-edit"):
        with django_assert_max_num_queries(4):  # session, user and roles, layout, history
            officer_client.get(reverse(f"procurement:{name}", args=[layout.pk]))
    with django_assert_max_num_queries(7):
        response = officer_client.get(reverse("procurement:spend-layout-list"))
    assert len(response.context["layouts"]) == 6


def test_an_excel_workbook_of_an_unknown_layout_is_mapped_and_imported(officer_client, uploads):
    import datetime as dt
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Updated", "Payee", "Value"])
    sheet.append([dt.datetime(2025, 5, 2), "Severn Care Ltd", 12500])
    sheet.append([dt.datetime(2025, 5, 9), "Malvern Print Ltd", 1250.5])
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("may.xlsx", content.getvalue())

    response = officer_client.post(IMPORT_URL, {"file": upload})
    assert "/columns/" in response.url
    assert [path.suffix for path in uploads.iterdir()] == [".xlsx"]
    page = officer_client.get(response.url).content.decode()
    assert ">Severn Care Ltd<" in page

    response = officer_client.post(response.url, _mapping_post(**MAPPING), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Imported 2 rows totalling £13,750.50 from may.xlsx; 2 new suppliers added"
    ]
    assert sorted(SpendTransaction.objects.values_list("paid_on", flat=True)) == [
        dt.date(2025, 5, 2),
        dt.date(2025, 5, 9),
    ]


def test_two_columns_that_could_each_be_the_date_are_asked_about(officer_client, uploads):
    content = "Payment Date,Paid Date,Supplier Name,Amount\n02/05/2025,03/05/2025,Acme Ltd,10\n"

    mapping_url = _start(officer_client, content)

    response = officer_client.get(mapping_url)
    assert "“Payment Date” and “Paid Date” could each be the date paid: choose one." in (
        response.content.decode()
    )
    response = officer_client.post(
        mapping_url,
        _mapping_post(date="Paid Date", supplier="Supplier Name", amount="Amount"),
    )
    assert response.status_code == 302
    assert SpendTransaction.objects.get().paid_on.isoformat() == "2025-05-03"


def test_a_remembered_layout_that_reads_rows_wrongly_says_so(officer_client, officer):
    from procurement.services.spend_layouts import spend_layout_save

    spend_layout_save(
        headings=["Updated", "Payee", "Value", "Notes"],
        mapping={"date": "Updated", "supplier": "Payee", "amount": "Notes"},
        user=officer,
    )

    response = officer_client.post(
        IMPORT_URL, {"file": _upload("may.csv", UNKNOWN_LAYOUT.encode())}
    )

    body = response.content.decode()
    assert "may.csv was not imported because 3 rows have errors" in body
    assert "The columns were read as remembered for this layout on" in body
    assert SpendImport.objects.count() == 0
