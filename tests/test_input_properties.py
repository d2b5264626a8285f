"""Property-based tests: random text, rows, JSON and form input never cause an unhandled error.

The parsers may only return a value or raise ValueError; the importers may only return their
result (and, when they reject a file, leave every table as it was); the forms may only be valid
or carry errors. Hypothesis runs derandomized, so CI sees the same examples every time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from maturity.forms import AssessmentForm
from procurement.forms.register import ContractForm
from procurement.forms.spend import SpendImportForm
from procurement.importers.csvread import (
    MAX_AMOUNT,
    CsvRecords,
    FileProblem,
    find_header,
    fold_header,
    normalise_company_number,
    parse_amount,
    parse_date,
)
from procurement.importers.ocds import MONEY_LIMIT, import_ocds_file
from procurement.importers.spend import ALIASES, REQUIRED, import_spend_file
from procurement.models import Contract, SpendTransaction
from socialvalue.importers import import_measures_file
from tests.tables import table_counts

pytestmark = pytest.mark.django_db

settings.register_profile(
    "deterministic",
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=150,
    # The database is shared by a test's examples on purpose: each import meets the rows the
    # ones before it wrote, as a real second import would.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DETERMINISTIC = settings.get_profile("deterministic")
WITH_DATABASE = settings(DETERMINISTIC, max_examples=60)

TODAY = dt.date(2026, 11, 25)
TEXT = st.text(alphabet=st.characters(codec="utf-8"))
OCDS = Path(__file__).resolve().parent / "data" / "bad" / "ocds" / "value_abc.json"


def _looks_like(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


AMOUNT_TEXT = st.one_of(
    TEXT,
    st.text(alphabet="0123456789,.£-+() CRcrEe\u00a0\t", max_size=24),
    _looks_like(r"\(?-?£?[0-9]{0,13}(,[0-9]{3}){0,4}(\.[0-9]{0,4})?\)?( ?CR|-)?"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
)
DATE_TEXT = st.one_of(
    TEXT,
    _looks_like(r" ?[0-9]{1,3}[/.-][0-9]{1,3}[/.-][0-9]{1,5}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)? ?"),
    _looks_like(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2})?"),
    _looks_like(r"[0-9]{1,2}[ -][A-Za-z]{3,10}\.?[ -][0-9]{2,4}"),
)
CELL = st.one_of(
    TEXT,
    AMOUNT_TEXT,
    DATE_TEXT,
    st.sampled_from(["Acme Ltd", "ACME LIMITED", "Redacted", "The Ltd", "", " "]),
    _looks_like(r"[A-Z]{0,2}[0-9]{1,9}"),
)


# -- csvread: the pure parsers --------------------------------------------------------------------


@DETERMINISTIC
@given(AMOUNT_TEXT)
def test_an_amount_is_pennies_within_the_limit_or_a_value_error_naming_it(text):
    try:
        amount = parse_amount(text)
    except ValueError as error:
        assert str(error).startswith("amount ")
        return
    assert amount.is_finite()
    assert amount.as_tuple().exponent == -2
    assert abs(amount) <= MAX_AMOUNT


@DETERMINISTIC
@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2))
def test_an_amount_reads_back_in_every_form_a_council_writes_it(amount):
    pounds = f"{amount:,.2f}"

    assert parse_amount(f"{amount:.2f}") == amount
    assert parse_amount(f"£{pounds}") == amount
    assert parse_amount(f"-£{pounds}") == -amount
    assert parse_amount(f"({pounds})") == -amount
    assert parse_amount(f"{pounds} CR") == -amount
    assert parse_amount(f"{amount:.2f}-") == -amount


@DETERMINISTIC
@given(DATE_TEXT, st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_is_a_recent_date_or_a_value_error_naming_it(text, today):
    try:
        day = parse_date(text, today=today)
    except ValueError as error:
        assert str(error).startswith("date ")
        return
    a_year_on = today + dt.timedelta(days=366)
    assert dt.date(2000, 1, 1) <= day <= a_year_on


@DETERMINISTIC
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=TODAY))
def test_a_date_reads_back_in_every_form_a_council_writes_it(day):
    for written in (
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%y"),
        day.isoformat(),
        day.strftime("%d %b %Y"),
        day.strftime("%d-%B-%Y"),
        day.strftime("%d/%m/%Y 00:00:00"),
    ):
        assert parse_date(written, today=TODAY) == day, written


@DETERMINISTIC
@given(st.one_of(TEXT, _looks_like(r"\s*[A-Za-z]{0,3}\s*[0-9]{0,10}\s*")))
def test_a_company_number_is_normalised_once_and_for_all_or_is_blank(text):
    number = normalise_company_number(text)

    assert number == "" or (len(number) == 8 and number == number.upper().strip())
    assert normalise_company_number(number) == number


PREFIXED_NUMBER = st.sampled_from(["", "SC", "NI", "OC"]).flatmap(
    lambda prefix: st.tuples(st.just(prefix), st.integers(1, 10 ** (8 - len(prefix)) - 1))
)


@DETERMINISTIC
@given(PREFIXED_NUMBER)
def test_a_company_number_without_its_leading_zeros_gets_them_back(prefixed):
    prefix, digits = prefixed

    assert normalise_company_number(f" {prefix.lower()}{digits} ") == (
        prefix + str(digits).zfill(8 - len(prefix))
    )


@pytest.mark.parametrize("written", ["SC12345678", "SC1234567", "123456789", "OC0000000"])
def test_a_number_too_long_for_companies_house_is_not_a_company_number(written):
    assert normalise_company_number(written) == ""


@st.composite
def _written_differently(draw, name: str) -> str:
    """The header name as someone might type it: any case, spaces anywhere."""
    spaces = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
    cells = [draw(spaces)]
    for char in name:
        cells.append(char.upper() if draw(st.booleans()) else char.lower())
        cells.append(draw(spaces))
    return "".join(cells)


ALIAS = st.sampled_from([name for names in ALIASES.values() for name in names])


@DETERMINISTIC
@given(st.data(), ALIAS)
def test_a_header_matches_whatever_its_case_and_spacing(data, name):
    written = data.draw(_written_differently(name))

    assert fold_header(written) == fold_header(name)
    assert not any(char.isspace() for char in fold_header(written))


def _no_alias(cell: str) -> bool:
    folded = fold_header(cell)
    names = {fold_header(name) for names in ALIASES.values() for name in names}
    return folded not in names and not any(char in cell for char in "\t;|")


ROW = st.lists(CELL, max_size=8)


@DETERMINISTIC
@given(st.lists(ROW, max_size=14))
def test_finding_the_header_in_random_rows_gives_a_header_or_a_file_problem(rows):
    records = iter([(line, row) for line, row in enumerate(rows, start=1)])
    try:
        header = find_header(records, aliases=ALIASES, required=REQUIRED)
    except FileProblem as problem:
        assert str(problem)
        return
    row = rows[header.line - 1]
    for field in REQUIRED:
        names = {fold_header(name) for name in ALIASES[field]}
        assert fold_header(row[header.columns[field]]) in names


@DETERMINISTIC
@given(
    st.lists(st.lists(TEXT.filter(_no_alias), max_size=4), max_size=9),
    st.permutations(["Supplier Name", "Amount", "Date", "Expense Area"]),
)
def test_the_header_is_found_below_up_to_nine_lines_of_anything_else(junk, header):
    rows = [*junk, header]
    records = iter([(line, row) for line, row in enumerate(rows, start=1)])

    found = find_header(records, aliases=ALIASES, required=REQUIRED)

    assert found.line == len(rows)
    assert header[found.columns["amount"]] == "Amount"


@DETERMINISTIC
@given(TEXT)
def test_csv_records_are_rows_on_rising_lines_or_a_file_problem(text):
    lines = []
    try:
        for line, row in CsvRecords(io.StringIO(text, newline="")):
            assert "".join(row).strip()
            lines.append(line)
    except FileProblem as problem:
        assert "line" in str(problem)
    assert lines == sorted(set(lines)) and all(line >= 1 for line in lines)


# -- the importers, on small files made of random rows ------------------------------------------


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def _assert_rejected_cleanly(result, before: dict[str, int]) -> None:
    assert result.file_error or result.errors
    assert table_counts() == before


@WITH_DATABASE
@given(st.binary(max_size=400))
def test_random_bytes_are_a_spend_file_error_or_an_import(content):
    before = table_counts()

    result = import_spend_file(io.BytesIO(content))
    event(result.status)

    assert result.status in {"imported", "rejected", "needs_mapping", "already_imported"}
    if result.status in {"rejected", "needs_mapping"}:
        _assert_rejected_cleanly(result, before)


GOOD_PAYMENT = {"supplier": "Acme Ltd", "amount": "£1,250.00", "date": "02/04/2024"}


@st.composite
def _spend_rows(draw) -> list[list[str]]:
    """A header naming the required columns (and some others), random rows, and perhaps a
    payment that parses, so that some examples are imported."""
    fields = [
        f for f in draw(st.permutations(list(ALIASES))) if f in REQUIRED or draw(st.booleans())
    ]
    header = [draw(st.sampled_from(ALIASES[field])) for field in fields]
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 1), min_size=1, max_size=6))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), [GOOD_PAYMENT.get(f, "") for f in fields])
    return [header, *rows]


@WITH_DATABASE
@given(_spend_rows(), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), st.booleans())
def test_random_spend_rows_are_imported_or_rejected_naming_each_bad_line(rows, encoding, skip):
    before = table_counts()

    result = import_spend_file(io.BytesIO(_csv_bytes(rows, encoding)), skip_bad_rows=skip)
    event(result.status)

    assert result.status in {"imported", "rejected", "needs_mapping", "already_imported"}
    if result.status in {"rejected", "needs_mapping"}:
        _assert_rejected_cleanly(result, before)
    for error in result.errors:
        assert error.line >= 2 and error.message
    if result.status == "imported":
        written = SpendTransaction.objects.count() - before["procurement.SpendTransaction"]
        assert written == result.rows_imported >= 1


MEASURE_COLUMNS = st.sampled_from(
    ["code", "goal", "theme", "description", "unit", "proxy value", "source", "year", "other"]
)
MEASURE_CELL = st.one_of(
    TEXT,
    AMOUNT_TEXT,
    st.sampled_from(["number", "hours", "£", "tonnes", "2024", "2024/25", "2023-24", "TEST-1"]),
)


@WITH_DATABASE
@given(
    st.lists(MEASURE_COLUMNS, min_size=1, max_size=8),
    st.lists(st.lists(MEASURE_CELL, max_size=8), max_size=5),
)
def test_random_measure_rows_are_imported_or_rejected_naming_each_bad_line(header, rows):
    before = table_counts()

    result = import_measures_file(io.BytesIO(_csv_bytes([header, *rows], "utf-8")))
    event("imported" if result.ok else "rejected")

    if not result.ok:
        assert table_counts() == before
        assert all(error.line >= 1 and error.message for error in result.errors)
    else:
        assert result.rows >= 1


def _or_random(*usual: str) -> st.SearchStrategy[str]:
    """Usually a value the importer accepts, so that some examples are imported."""
    return st.one_of(st.sampled_from(usual), MEASURE_CELL)


@WITH_DATABASE
@given(
    st.tuples(
        _or_random("TEST-1.1", "TEST-1.2", "WCC-1.4"),
        _or_random("Test theme: jobs", "TEST THEME: JOBS", "Test theme: environment"),
        _or_random("Apprentices", "Local people employed"),
        _or_random("number", "Hours", "£", "tonnes CO2e"),
        st.one_of(st.just(""), AMOUNT_TEXT),
        _or_random("", "2024", "2024/25", "2023-24", "1989", "2024/26"),
    )
)
def test_a_measure_with_random_values_is_imported_or_rejected_naming_its_line(row):
    header = ["code", "goal", "description", "unit", "proxy value", "year"]
    before = table_counts()

    result = import_measures_file(io.BytesIO(_csv_bytes([header, list(row)], "utf-8")))
    event("imported" if result.ok else "rejected")

    if not result.ok:
        assert table_counts() == before
        # Line 2 is the row; line 1 when the row is blank and the file has no measures.
        assert {error.line for error in result.errors} <= {1, 2}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(TEXT.filter(lambda key: len(key) < 12), children, max_size=4),
    max_leaves=12,
)


@WITH_DATABASE
@given(st.one_of(JSON, JSON.map(lambda v: {"releases": v}), JSON.map(lambda v: {"releases": [v]})))
def test_random_json_is_an_ocds_file_error_or_an_import(value):
    before = table_counts()

    result = import_ocds_file(json.dumps(value).encode())
    event(result.status)

    assert result.status in {"imported", "rejected"}
    if result.status == "rejected":
        _assert_rejected_cleanly(result, before)


def _release() -> dict:
    return json.loads(OCDS.read_text(encoding="utf-8"))["releases"][0]


OCDS_VALUE = st.one_of(
    JSON,
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: json.loads(str(d))),
    st.integers(min_value=-(10**14), max_value=10**14),
    DATE_TEXT,
    _looks_like(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?"),
)
OCDS_PLACES = {
    "amount": lambda release: release["contracts"][0]["value"],
    "currency": lambda release: release["contracts"][0]["value"],
    "startDate": lambda release: release["contracts"][0]["period"],
    "endDate": lambda release: release["contracts"][0]["period"],
    "date": lambda release: release,
    "ocid": lambda release: release,
    "title": lambda release: release["contracts"][0],
    "status": lambda release: release["contracts"][0],
    "name": lambda release: release["parties"][0],
    "postalCode": lambda release: release["parties"][0]["address"],
    "id": lambda release: release["parties"][0]["identifier"],
}


@WITH_DATABASE
@given(st.dictionaries(st.sampled_from(sorted(OCDS_PLACES)), OCDS_VALUE, min_size=1, max_size=4))
def test_a_release_with_random_field_values_is_imported_or_rejected_naming_it(changes):
    release = _release()
    release["contracts"][0]["value"]["amount"] = 18500
    for key, value in changes.items():
        OCDS_PLACES[key](release)[key] = value
    before = table_counts()

    result = import_ocds_file(json.dumps({"releases": [release]}).encode())
    event(result.status)

    assert result.status in {"imported", "rejected"}
    if result.status == "rejected":
        _assert_rejected_cleanly(result, before)
        return
    values = Contract.objects.exclude(total_value=None).values_list("total_value", flat=True)
    assert all(Decimal(0) <= value < MONEY_LIMIT for value in values)


# -- forms ---------------------------------------------------------------------------------------

# Up to twelve digits: ten or more overflow a C int, which date() refuses with OverflowError.
DATE_PART = st.one_of(st.text(max_size=12), _looks_like(r" ?[0-9]{1,12} ?"))


def _date_data(name: str, parts: tuple[str, str, str]) -> dict[str, str]:
    return {f"{name}_{index}": part for index, part in enumerate(parts)}


@DETERMINISTIC
@given(st.text(max_size=80), st.binary(max_size=200), st.one_of(st.just(""), st.text()))
def test_the_spend_upload_form_is_valid_or_has_errors_for_any_file(name, content, skip):
    try:
        upload = SimpleUploadedFile(name, content, content_type="text/csv")
    except SuspiciousFileOperation:  # "", "." or "..": Django's upload parser drops such files
        assume(False)
    form = SpendImportForm(data={"skip_bad_rows": skip}, files={"file": upload})

    assert form.is_valid() or form.errors


@WITH_DATABASE
@given(
    st.fixed_dictionaries(
        {
            "total_value": st.one_of(AMOUNT_TEXT, TEXT),
            "annual_value": AMOUNT_TEXT,
            "social_value_weighting": st.one_of(AMOUNT_TEXT, TEXT),
            "reference": TEXT,
            "title": TEXT,
            "supplier": TEXT,
        }
    ),
    st.tuples(DATE_PART, DATE_PART, DATE_PART),
    st.tuples(DATE_PART, DATE_PART, DATE_PART),
)
def test_the_contract_form_is_valid_or_has_errors_for_any_values_and_dates(fields, start, end):
    data = {**fields, **_date_data("start_date", start), **_date_data("end_date", end)}
    form = ContractForm(data=data)

    assert form.is_valid() or form.errors


@DETERMINISTIC
@given(
    st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), st.text(max_size=5)),
    st.tuples(DATE_PART, DATE_PART, DATE_PART),
    TEXT,
    TEXT,
)
def test_the_assessment_form_is_valid_or_has_errors_for_any_input(level, day, evidence, comment):
    data = {"level": level, **_date_data("assessed_on", day), "evidence": evidence}
    form = AssessmentForm(data={**data, "commentary": comment}, descriptors={})

    assert form.is_valid() or form.errors


TOO_BIG = "3000000000"  # more than a C int: datetime.date() raises OverflowError, not ValueError
OUT_OF_RANGE = [
    "day is out of range for month",
    "month must be in 1..12",
    f"year {TOO_BIG} is out of range",
]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["day", "month", "year"])
@pytest.mark.parametrize(
    "form_class,name",
    [(AssessmentForm, "assessed_on"), (ContractForm, "start_date")],
    ids=["assessment", "contract"],
)
def test_a_date_part_too_big_for_a_date_is_a_form_error(form_class, name, index):
    parts = ["1", "4", "2024"]
    parts[index] = TOO_BIG
    data = {"level": "1", "evidence": "Minutes", **_date_data(name, tuple(parts))}
    kwargs = {"descriptors": {}} if form_class is AssessmentForm else {}
    form = form_class(data=data, **kwargs)

    assert not form.is_valid()
    assert form.errors[name] == [OUT_OF_RANGE[index]]
