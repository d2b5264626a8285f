"""Excel workbooks (.xlsx) as the spend importer reads them: one sheet, as CSV.

openpyxl reads the sheet in read-only mode, a row at a time, and each row is written as one CSV
line to a temporary file on disk, so memory stays flat whatever the size of the sheet, and the
line numbers the importer reports are the sheet's row numbers. Dates stored as Excel dates come
out as ISO dates and numbers as written, so the CSV rules then read them exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from procurement.importers.csvread import HEADER_SEARCH_LINES, FileProblem
from procurement.importers.spend_rules import recognise

if TYPE_CHECKING:  # openpyxl itself is imported where a workbook is read
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

WORKBOOK_MAGIC = b"PK\x03\x04"


def is_workbook(stream: BinaryIO) -> bool:
    """An .xlsx file: a zip holding xl/workbook.xml (an old .xls is refused as binary)."""
    start = stream.tell()
    try:
        if stream.read(4) != WORKBOOK_MAGIC:
            return False
        stream.seek(start)
        try:
            with zipfile.ZipFile(stream) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            return False
    finally:
        stream.seek(start)


def reads_as_workbook(stream: BinaryIO, *, filename: str) -> bool:
    """Whether to read the file as a workbook: it is one, and its name does not say CSV (a
    workbook named .csv is refused as not CSV: its name and content disagree)."""
    return Path(filename).suffix.lower() not in (".csv", ".txt") and is_workbook(stream)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 1234.5, not 1234.4999..
        return format(Decimal(repr(value)), "f") if value == value else ""
    # A line break inside a cell would make one row two lines, and its line number wrong.
    return " ".join(str(value).splitlines())


def _rows(sheet: Worksheet) -> Iterator[list[str]]:
    # In read-only mode a ReadOnlyWorksheet, which openpyxl's stubs give as a Worksheet.
    for row in sheet.iter_rows(values_only=True):
        yield [_text(value) for value in row]


def _open(stream: BinaryIO) -> Workbook:
    from openpyxl import load_workbook  # imported here: most imports are CSV

    stream.seek(0)
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(
            f"The Excel workbook could not be read ({error}): open it in Excel, save it again"
            " as .xlsx or as CSV UTF-8, and try again"
        ) from error


def choose_sheet(
    workbook: Workbook, *, sheet: str | None, mapping: Mapping[str, str] | None = None
) -> str:
    """The sheet named, or the first whose header has every required field (else the one
    with most fields recognised, so the refusal names its columns)."""
    names = workbook.sheetnames
    if sheet is not None:
        if sheet not in names:
            listed = ", ".join(f'"{name}"' for name in names)
            raise FileProblem(f'The workbook has no sheet "{sheet}": its sheets are {listed}')
        return sheet
    best, best_placed = names[0], -1
    for name in names:
        for line, row in enumerate(_rows(workbook[name]), start=1):
            if line > HEADER_SEARCH_LINES:
                break
            found = recognise(row, line=line, mapping=mapping)
            if found.complete:
                return name
            if found.placed > best_placed:
                best, best_placed = name, found.placed
    return best


def workbook_as_csv(
    stream: BinaryIO,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    max_rows: int | None = None,
) -> tuple[IO[bytes], str]:
    """The chosen sheet written as UTF-8 CSV to a temporary file (the caller closes it), and
    the sheet's name."""
    workbook = _open(stream)
    try:
        name = choose_sheet(workbook, sheet=sheet, mapping=mapping)
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        for number, row in enumerate(_rows(workbook[name]), start=1):
            writer.writerow(row)
            if max_rows is not None and number >= max_rows:
                break
        text.flush()
        text.detach()
        spool.seek(0)
        return spool, name
    finally:
        workbook.close()
