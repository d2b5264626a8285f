"""Reading CSV files as councils publish them: encodings, title lines, loose headers and values.

Nothing here knows about the database. `procurement.importers.spend` uses it to read the
"spend over £500" files; the helpers are general enough for other published CSVs.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, BinaryIO, cast

from core.money import to_penny

# The Companies House number rule is procurement.identity's, re-exported for the readers.
from procurement.identity import normalise_company_number as normalise_company_number

BLOCK_SIZE = 1 << 20
HEADER_SEARCH_LINES = 10
MAX_AMOUNT = Decimal("1000000000")
EARLIEST_YEAR = 2000
NOT_TEXT = 'The file is neither UTF-8 nor Windows-1252 text: save it as "CSV UTF-8" and try again'
UTF16 = 'The file is saved as UTF-16 ("Unicode text"){detail}: save it as "CSV UTF-8" and try again'
# The bytes Windows-1252 leaves undefined: Python's cp1252 codec refuses them.
UNDEFINED_IN_CP1252 = b"\x81\x8d\x8f\x90\x9d"


@contextmanager
def binary_source(source: str | Path | BinaryIO) -> Iterator[tuple[BinaryIO, str | None]]:
    """A seekable binary stream (it is read more than once) and the file's own name, if any."""
    if isinstance(source, str | Path):
        path = Path(source)
        with path.open("rb") as stream:
            yield stream, path.name
        return
    name = getattr(source, "name", None)
    name = Path(name).name if isinstance(name, str) else None
    if getattr(source, "seekable", lambda: False)():
        yield source, name
        return
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
        shutil.copyfileobj(source, spool)
        spool.seek(0)
        # A binary spooled file has every method of a binary file; typeshed types it as IO.
        yield cast(BinaryIO, spool), name


class FileProblem(Exception):
    """The whole file cannot be read; the message says why in terms an officer can act on."""


@dataclass(frozen=True)
class ByteScan:
    sha256: str
    size: int
    encoding: str


def scan_bytes(stream: IO[bytes]) -> ByteScan:
    """Hash the raw bytes and work out the encoding in one pass, refusing binary files.

    UTF-8 (with or without a byte order mark) is tried first; a file that is not valid UTF-8
    is read as Windows-1252, which is what Excel on Windows writes for "CSV (Comma delimited)",
    unless it holds one of the few bytes Windows-1252 leaves undefined. A problem on a line
    names the line, counted again from the start only then.
    """
    start = stream.tell()
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    size = 0
    non_blank = False
    undefined: int | None = None  # offset of the first byte undefined in Windows-1252
    while block := stream.read(BLOCK_SIZE):
        if size == 0:
            _refuse_known_binary(block)
        digest.update(block)
        if (nul := block.find(b"\x00")) >= 0:
            if size == 0 and _looks_utf16(block):
                raise FileProblem(UTF16.format(detail=" without a byte order mark"))
            line = _line_of(stream, start=start, offset=size + nul)
            raise FileProblem(
                f"The file contains binary data (a NUL byte on line {line}), so it is not a CSV"
                " file"
            )
        text = block.removeprefix(codecs.BOM_UTF8) if size == 0 else block
        non_blank = non_blank or bool(text.strip())
        if undefined is None and (found := _first_of(block, UNDEFINED_IN_CP1252)) is not None:
            undefined = size + found
        if is_utf8:
            try:
                utf8.decode(block)
            except UnicodeDecodeError:
                is_utf8 = False
        size += len(block)
    stream.seek(start)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if not non_blank:
        raise FileProblem("The file is empty")
    if not is_utf8 and undefined is not None:
        stream.seek(start + undefined)
        byte = stream.read(1)[0]
        line = _line_of(stream, start=start, offset=undefined)
        raise FileProblem(
            f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X} on line {line}"
            ' is in neither): save it as "CSV UTF-8" and try again'
        )
    return ByteScan(digest.hexdigest(), size, "utf-8-sig" if is_utf8 else "cp1252")


def _refuse_known_binary(block: bytes) -> None:
    if block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(UTF16.format(detail=""))
    if block.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileProblem(
            'The file is an Excel workbook, not a CSV file: save it as "CSV UTF-8" and try again'
        )


def _looks_utf16(block: bytes) -> bool:
    """UTF-16 without a byte order mark: in English text every other byte is NUL."""
    sample = block[:4096]
    for zeros, others in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if len(zeros) >= 4 and zeros.count(0) >= 0.9 * len(zeros) and not others.count(0):
            return True
    return False


def _first_of(block: bytes, values: bytes) -> int | None:
    """The offset of the first of `values` in `block`, or None (a memchr a value: quick)."""
    found = [at for value in values if (at := block.find(value)) >= 0]
    return min(found) if found else None


def _line_of(stream: IO[bytes], *, start: int, offset: int) -> int:
    """The line holding the byte `offset` bytes after `start`, counting line endings as csv
    does (CR LF, LF or a lone CR). Leaves the stream at `start`."""
    stream.seek(start)
    line, left, last = 1, offset, b""
    while left > 0 and (block := stream.read(min(BLOCK_SIZE, left))):
        line += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
        if last == b"\r" and block.startswith(b"\n"):  # a CR LF split between blocks
            line -= 1
        left, last = left - len(block), block[-1:]
    stream.seek(start)
    return line


def fold_header(cell: str) -> str:
    """Header cells compare without case or spaces: " Supplier  name" matches "SupplierName"."""
    return "".join(cell.replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class Header:
    line: int
    columns: Mapping[str, int]  # field -> index of its column


def _join(names: Sequence[str]) -> str:
    quoted = [f'"{name}"' for name in names]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def match_header(
    row: Sequence[str],
    *,
    line: int,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> Header | None:
    """The columns of `row` if it is a header holding every required field, else None.

    Alias lists are in order of preference. A required field with two columns is ambiguous
    (which "amount" is the payment?), so it is refused; so is the same heading twice. An
    optional field with several candidate columns takes the most specific one, so the standard
    Transparency Code layout with both "Transaction Number" and "Invoice Number" works.
    """
    folded_aliases = {
        field: {fold_header(name): rank for rank, name in enumerate(names)}
        for field, names in aliases.items()
    }
    found: dict[str, list[tuple[int, int]]] = {}
    for index, cell in enumerate(row):
        folded = fold_header(cell)
        for field, ranks in folded_aliases.items():
            if folded in ranks:
                found.setdefault(field, []).append((ranks[folded], index))
    if not all(field in found for field in required):
        return None
    columns: dict[str, int] = {}
    for field, candidates in found.items():
        headings = [row[index].strip() for _, index in candidates]
        repeated = {fold_header(h) for h in headings if fold_header(h) in _seen_twice(headings)}
        if repeated:
            name = next(h for h in headings if fold_header(h) in repeated)
            raise FileProblem(f'The header on line {line} has the column "{name}" twice')
        if field in required and len(candidates) > 1:
            raise FileProblem(
                f"The header on line {line} has more than one {field} column ({_join(headings)}):"
                " remove or rename all but one"
            )
        columns[field] = min(candidates)[1]
    return Header(line=line, columns=columns)


def _seen_twice(headings: Sequence[str]) -> set[str]:
    folded = [fold_header(h) for h in headings]
    return {f for f in folded if folded.count(f) > 1}


def _recognised(row: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> set[str]:
    folded = {fold_header(cell) for cell in row}
    return {field for field, names in aliases.items() if folded & {fold_header(n) for n in names}}


OTHER_DELIMITERS = {"\t": "tab", ";": "semicolon", "|": "pipe"}


def other_delimiter(line: str) -> str | None:
    """The name of the delimiter a line of one cell seems to use instead of commas, if any."""
    if "," in line:
        return None
    # Two or more, so a title line such as "Spend; April 2024" is not mistaken for a header.
    count, name = max((line.count(char), name) for char, name in OTHER_DELIMITERS.items())
    return name if count >= 2 else None


UNCLOSED_QUOTE = (
    'The row on line {line} opens a quote mark (") that is never closed, so the rest of the file'
    " would be read into one cell: close the quote and try again"
)


class CsvRecords:
    """The records of a CSV text stream with the physical line each one starts on.

    Blank lines and rows of empty cells (Excel leaves them at the end of a sheet) are skipped.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self._ended = False
        self._reader = csv.reader(self._lines(text))

    def _lines(self, text: io.TextIOBase) -> Iterator[str]:
        # Not "yield from", which would close the caller's stream when this generator is closed.
        for line in text:  # noqa: UP028
            yield line
        # csv asks for a line after the last only to end a quoted cell still open (it is not
        # strict, so it takes the end of the file as the closing quote) or to find none left.
        self._ended = True

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                raise FileProblem(NOT_TEXT) from error
            except csv.Error as error:
                raise FileProblem(_unreadable(error, start=start, end=reader.line_num)) from error
            if self._ended:
                raise FileProblem(UNCLOSED_QUOTE.format(line=start))
            if "".join(row).strip():
                yield start, row


@contextmanager
def csv_records(stream: IO[bytes], encoding: str) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The records of a CSV file of bytes (see CsvRecords); the stream is left open, where it
    was, for the next reading."""
    start = stream.tell()
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield iter(CsvRecords(text))
    finally:
        text.detach()
        stream.seek(start)


def _unreadable(error: csv.Error, *, start: int, end: int) -> str:
    if "field limit" not in str(error):
        return f"The file could not be read as CSV near line {start} ({error})"
    limit = f"{csv.field_size_limit():,}"
    if end > start:  # the cell ran on over many lines: a quote left open, most likely
        return (
            f"The file could not be read as CSV: a cell starting on line {start} runs on to line"
            f' {end}, past {limit} characters ({error}); check for a quote mark (") that is'
            " opened but not closed"
        )
    return (
        f"Line {start} has a cell of more than {limit} characters ({error}), far too long for"
        " a payment: check that line"
    )


DELIMITED_OTHERWISE = (
    'The file looks {name}-delimited, not comma-separated: save it as "CSV UTF-8'
    ' (comma delimited)" and try again'
)


def find_header(
    records: Iterator[tuple[int, list[str]]],
    *,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> Header:
    """Read up to the header row, skipping title lines some councils put above it."""
    best: tuple[int, int, list[str]] | None = None  # (fields recognised, line, row)
    delimiter: str | None = None  # the name of the first other delimiter a line seemed to use
    for line, row in records:
        if line > HEADER_SEARCH_LINES:
            break
        if len(row) == 1 and (seen := other_delimiter(row[0])):
            if best is None and delimiter is None:  # e.g. the first line: say so now
                raise FileProblem(DELIMITED_OTHERWISE.format(name=seen))
            delimiter = delimiter or seen
        header = match_header(row, line=line, aliases=aliases, required=required)
        if header is not None:
            return header
        recognised = _recognised(row, aliases)
        if len(recognised) >= 2 and (best is None or len(recognised) > best[0]):
            best = (len(recognised), line, row)
    if delimiter is not None:
        raise FileProblem(DELIMITED_OTHERWISE.format(name=delimiter))
    if best is not None:
        _, line, row = best
        missing = [f for f in required if f not in _recognised(row, aliases)]
        detail = "; ".join(f"no {field} column (use {_join(aliases[field])})" for field in missing)
        raise FileProblem(f"The header on line {line} has {detail}")
    needs = "; ".join(f"{field}: {_join(aliases[field])}" for field in required)
    raise FileProblem(
        f"No header row was found in the first {HEADER_SEARCH_LINES} lines. The file needs"
        f" columns for {needs}"
    )


# The forms nearly every file uses ("1234.56", "£1,234.56", "-£1,234.56"): one match, no clean-up.
_COMMON = re.compile(r"(-?)£?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
_GROUPED = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?$")


def parse_amount(raw: str) -> Decimal:
    """Pounds as Decimal to the penny. Raises ValueError with a message naming the value.

    Accepts "£1,234.50", "-1234.5", "1234.50-", "(1,234.50)" and "1,234.50 CR" (negatives are
    credit notes).
    """
    text = raw.strip()
    if common := _COMMON.fullmatch(text):  # a spend file has a million of these: be quick
        amount = _pennies(common[2], text)
        return -amount if common[1] else amount
    if not text:
        raise ValueError("amount is blank")
    value = text.replace("£", "").replace("\u00a0", "").replace(" ", "").upper()
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.endswith("CR"):
        negative, value = True, value[:-2]
    if value.startswith(("-", "+")):
        negative, value = negative or value[0] == "-", value[1:]
    elif value.endswith("-"):
        negative, value = True, value[:-1]
    if not any(c.isdigit() for c in value) or not _GROUPED.match(value):
        raise ValueError(f'amount "{text}" is not a number')
    amount = _pennies(value, text)
    return -amount if negative else amount


def _pennies(digits: str, text: str) -> Decimal:
    """Unsigned digits (with or without thousands commas) rounded to the penny, within limits."""
    plain = digits.replace(",", "")
    try:
        amount = Decimal(plain)
        if plain[-3:-2] != ".":  # not already in pence, as most amounts are: round it
            amount = to_penny(amount)
    except InvalidOperation:  # more digits than Decimal's precision: far too large anyway
        amount = None
    if amount is None or amount > MAX_AMOUNT:
        raise ValueError(f'amount "{text}" is more than £1,000,000,000, which cannot be right')
    return amount


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_NAMED = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})" + _TIME + "$")


def parse_date(raw: str, *, today: dt.date) -> dt.date:
    """A day-first date; raises ValueError with a message naming the value.

    Years before 2000 or more than a year after `today` are refused: they are typing errors
    (or month-first dates) in a file of recent payments.
    """
    result = _parse_date(raw.strip(), today)
    if isinstance(result, str):
        raise ValueError(result)
    return result


@lru_cache(maxsize=8192)
def _parse_date(text: str, today: dt.date) -> dt.date | str:
    # A month's file holds a few dozen distinct dates, so the cache turns parsing into a lookup.
    if not text:
        return "date is blank"
    if match := _DAY_FIRST.match(text):
        day, month, year = int(match[1]), int(match[3]), match[4]
    elif match := _ISO.match(text):
        day, month, year = int(match[3]), int(match[2]), match[1]
    elif (match := _NAMED.match(text)) and match[2].lower() in _MONTHS:
        day, month, year = int(match[1]), _MONTHS[match[2].lower()], match[3]
    else:
        return f'date "{text}" is not a date (use day/month/year, for example 01/04/2024)'
    full_year = int(year) if len(year) == 4 else 2000 + int(year)
    try:
        day_paid = dt.date(full_year, month, day)
    except ValueError:
        return f'date "{text}" is not a real date'
    if day_paid.year < EARLIEST_YEAR:
        return f'date "{text}" is before {EARLIEST_YEAR}'
    if day_paid > _a_year_after(today):
        return f'date "{text}" is more than a year in the future'
    return day_paid


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
