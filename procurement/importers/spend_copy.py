"""PostgreSQL's fast path for a clean spend file: the database reads the CSV, Python checks the
few distinct values.

A file of a million payments has a few thousand distinct suppliers and a few hundred distinct
dates, but a million amounts. So the file's data lines go to PostgreSQL by COPY exactly as
written (every cell text, into a temporary table with the line's position), and Python reads
back only what is distinct: each date and supplier is checked by the same code the careful
path uses (parse_date, the row parser's supplier rules), and the answers are copied back as
small lookup tables. Amounts in the usual forms ("1234.56", "£1,234.56", "-£1,234.56") are
converted in SQL with the rule parse_amount uses for them; any other form is parsed in Python,
one cell at a time. Then one INSERT ... SELECT writes the rows, each with its supplier and the
contract that covers it, sorted by supplier and date so the indexes fill in order.

The fast path only ever imports a file the careful path would import identically. At the first
sign of anything else (a row of a different width, a line break inside a cell, a bad amount,
date or supplier, a reference too long, an encoding error) it gives up: `import_clean_file`
returns None, its savepoint is rolled back, and the caller reads the file the careful way,
which names every bad row and its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, Protocol

from django.db import DatabaseError, connection, transaction

from procurement.importers.csvread import (
    MAX_AMOUNT,
    CsvRecords,
    FileProblem,
    find_header,
    parse_amount,
    parse_date,
)
from procurement.models import SpendTransaction
from procurement.services.matching import covering_contracts_sql

SupplierKey = tuple[str, str]  # (normalised name, company number or "")

# Python's str.strip() removes exactly these characters; PostgreSQL's btrim(text, chars) is
# given the same set, so a cell trims the same on both paths.
WHITESPACE = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
# The usual amount forms, as csvread's _COMMON, exactly as written (an amount with blanks
# around it is parsed in Python) and with ASCII digits only: Python's \d is wider.
USUAL_AMOUNT = r"^-?£?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$"
ODD_AMOUNTS_MAX = 10_000  # more than this many unusual amounts: not worth a lookup table
_ENCODINGS = {"utf-8-sig": "UTF8", "cp1252": "WIN1252"}


class NotClean(Exception):
    """The file needs the careful path; the message says why (for the tests and the log)."""


@dataclass(frozen=True)
class Fields:
    """The spend importer's field names (its header aliases' keys) and limits."""

    aliases: Mapping[str, Sequence[str]]
    required: Sequence[str]
    supplier: str
    amount: str
    date: str
    service_area: str
    expense_type: str
    reference: str
    company_number: str
    reference_max: int
    text_max: int


class RowRules(Protocol):
    """What the careful path's row parser decides for one supplier cell and one row."""

    def _name(self, cell: str) -> tuple[str, str | None, str | None]: ...

    def _number(self, row: Sequence[str]) -> str: ...


@dataclass(frozen=True)
class Written:
    rows: int
    total: Decimal
    first_paid_on: dt.date
    last_paid_on: dt.date
    redacted: bool  # some rows have no supplier


class CleanFile:
    """A spend file staged by COPY, checked, and ready to be written into SpendTransaction.

    Everything happens inside the caller's transaction; NotClean is raised to leave it.
    """

    staging = "spend_copy_staging"
    # Dropped at commit, and by hand once written: the import may run inside a longer
    # transaction (a test, a management command wrapping several files).
    tables = (
        staging,
        "spend_copy_dates",
        "spend_copy_amounts",
        "spend_copy_suppliers",
        "spend_copy_rows",
    )

    def __init__(
        self,
        *,
        stream: BinaryIO,
        encoding: str,
        today: dt.date,
        fields: Fields,
        rules_for: Callable[[Mapping[str, int], dt.date], RowRules],
    ) -> None:
        self.stream, self.encoding, self.today = stream, encoding, today
        self.fields = fields
        self._rules_for = rules_for

    # -- staging ---------------------------------------------------------------------------------

    def stage(self) -> None:
        """COPY the data lines, as written, into a temporary table of text cells.

        Each record must be exactly one line, so that a row's line number is its position
        after the header: the line feeds are counted on the way to COPY and compared.
        """
        self.first_line, self.width, self.columns = self._layout()
        self.parser = self._rules_for(self.columns, self.today)
        cells = ", ".join(f"c{index} text" for index in range(self.width))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self.tables)}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.staging} (position bigint GENERATED ALWAYS AS"
                f" IDENTITY, {cells}) ON COMMIT DROP"
            )
        start = self.stream.tell()
        try:
            _skip_lines(self.stream, self.first_line - 1)
            lines = _LineCounter(self.stream)
            names = ", ".join(f"c{index}" for index in range(self.width))
            sql = (
                f"COPY {self.staging} ({names}) FROM STDIN WITH (FORMAT csv,"
                f" ENCODING '{_ENCODINGS[self.encoding]}')"
            )
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.cursor.copy_expert(sql, lines, size=1 << 20)
                    records = cursor.cursor.rowcount
                    cursor.execute(f"SELECT min(position) FROM {self.staging}")
                    (first_position,) = cursor.fetchone()
            except (DatabaseError, connection.Database.Error) as error:
                raise NotClean(f"COPY refused the file: {str(error).splitlines()[0]}") from error
        finally:
            self.stream.seek(start)
        if lines.lone_returns or records != lines.count:
            raise NotClean("a cell holds a line break, so line numbers need the careful path")
        if lines.stray_quote:
            raise NotClean("a quote mark inside an unquoted cell, which COPY reads otherwise")
        self.line_offset = self.first_line - first_position

    def _layout(self) -> tuple[int, int, dict[str, int]]:
        """The first data line, the number of cells on it, and the columns of each field."""
        stream = self.stream
        start = stream.tell()
        text = io.TextIOWrapper(stream, encoding=self.encoding, newline="")
        try:
            records = iter(CsvRecords(text))
            header = find_header(
                records, aliases=self.fields.aliases, required=self.fields.required
            )
            first = next(records, None)
        except FileProblem as problem:
            raise NotClean(str(problem)) from problem
        finally:
            text.detach()
            stream.seek(start)
        if first is None:
            raise NotClean("no data rows")
        line, row = first
        if len(row) <= max(header.columns.values()):
            raise NotClean("the first data row is shorter than the header")
        return line, len(row), dict(header.columns)

    # -- checking --------------------------------------------------------------------------------

    def _cell(self, field: str | None) -> str:
        """SQL for a field's cell: '' when the file has no such column (NULL is '' too)."""
        index = None if field is None else self.columns.get(field)
        return "''" if index is None else f"coalesce(c{index}, '')"

    def _trimmed(self, field: str | None) -> str:
        return f"btrim({self._cell(field)}, %(ws)s)"

    @property
    def params(self) -> dict[str, str]:
        return {"ws": WHITESPACE, "usual": USUAL_AMOUNT}

    def check(self) -> None:
        """Drop the empty rows, check each distinct date and supplier in Python, then convert
        the rows into a typed table and check what is left there: a few cheap scans."""
        fields = self.fields
        blank = " AND ".join(  # the required cells first: nearly every row stops at the first
            f"btrim({cell}, %(ws)s) = ''"
            for cell in dict.fromkeys(
                [self._cell(fields.supplier), self._cell(fields.amount), self._cell(fields.date)]
                + [f"coalesce(c{index}, '')" for index in range(self.width)]
            )
        )
        with connection.cursor() as cursor:
            # Rows of empty cells (Excel leaves them at the end of a sheet) are skipped, as the
            # careful path skips them.
            cursor.execute(f"DELETE FROM {self.staging} WHERE {blank}", self.params)
        self._dates()
        self.suppliers = self._supplier_cells()
        self._rows()

    def _dates(self) -> None:
        cell = self._cell(self.fields.date)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT {cell} FROM {self.staging}")
            days = []
            for (raw,) in cursor.fetchall():
                try:
                    days.append((raw, parse_date(raw, today=self.today)))
                except ValueError as error:
                    raise NotClean(str(error)) from error
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_dates (raw text PRIMARY KEY, day date NOT NULL)"
                " ON COMMIT DROP"
            )
            _copy_rows(cursor, "spend_copy_dates", ("raw", "day"), days, not_null=("raw",))

    def _supplier_cells(self) -> dict[tuple[str, str], tuple[str, SupplierKey | None]]:
        """Each distinct (name, company number) pair of cells, in order of first appearance,
        with the name to store and the key to match on (None where redacted)."""
        fields = self.fields
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self._cell(fields.supplier)}, {self._cell(fields.company_number)}"
                f" FROM {self.staging} GROUP BY 1, 2 ORDER BY min(position)"
            )
            pairs = cursor.fetchall()
        found: dict[tuple[str, str], tuple[str, SupplierKey | None]] = {}
        row = [""] * self.width
        for name_cell, number_cell in pairs:
            stored, normalised, problem = self.parser._name(name_cell)
            if problem:
                raise NotClean(problem)
            if fields.company_number in self.columns:
                row[self.columns[fields.company_number]] = number_cell
            key = None if normalised is None else (normalised, self.parser._number(row))
            found[(name_cell, number_cell)] = (stored, key)
        return found

    def _rows(self) -> None:
        """The typed rows, without their suppliers' ids yet (suppliers are created after every
        check has passed). Amounts in the usual forms are converted here, by the rule
        parse_amount applies to them; the rest are parsed in Python."""
        fields = self.fields
        amount = self._cell(fields.amount)
        pounds = f"round(translate({amount}, '-£,', '')::numeric, 2)"
        text = f"left(%s, {fields.text_max})"
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_rows ON COMMIT DROP AS SELECT"
                f" staged.position, staged.position + {self.line_offset} AS line_number,"
                f" {self._cell(fields.supplier)} AS name_cell,"
                f" {self._cell(fields.company_number)} AS number_cell,"
                " dates.day AS paid_on,"
                f" CASE WHEN {amount} ~ %(usual)s THEN CASE WHEN strpos({amount}, '-') > 0"
                f" THEN -{pounds} ELSE {pounds} END END AS amount,"
                f" {text % self._trimmed(fields.service_area)} AS service_area,"
                f" {text % self._trimmed(fields.expense_type)} AS expense_type,"
                f" {self._trimmed(fields.reference)} AS reference"
                f" FROM {self.staging} staged"
                f" JOIN spend_copy_dates dates ON dates.raw = {self._cell(fields.date)}",
                self.params,
            )
            self.rows = cursor.rowcount
            cursor.execute(
                "SELECT count(*) FILTER (WHERE amount IS NULL), coalesce(max(abs(amount)), 0),"
                " coalesce(max(length(reference)), 0) FROM spend_copy_rows"
            )
            odd, largest, longest_reference = cursor.fetchone()
        if self.rows == 0:
            raise NotClean("no data rows")
        if longest_reference > fields.reference_max:
            raise NotClean("a reference is too long")
        if largest > MAX_AMOUNT:  # parse_amount refuses it, naming the line
            raise NotClean("an amount is over the limit")
        if odd > ODD_AMOUNTS_MAX:
            raise NotClean(f"{odd} amounts in unusual forms")
        if odd:
            self._odd_amounts()

    def _odd_amounts(self) -> None:
        """Amounts in other forms ("(1,234.56)", "1234.56 CR"), parsed by parse_amount."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT staged.position, {self._cell(self.fields.amount)}"
                f" FROM {self.staging} staged JOIN spend_copy_rows typed USING (position)"
                " WHERE typed.amount IS NULL"
            )
            parsed = []
            for position, raw in cursor.fetchall():
                try:
                    parsed.append((position, parse_amount(raw)))
                except ValueError as error:
                    raise NotClean(str(error)) from error
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_amounts (position bigint PRIMARY KEY,"
                " amount numeric(14, 2) NOT NULL) ON COMMIT DROP"
            )
            _copy_rows(cursor, "spend_copy_amounts", ("position", "amount"), parsed)
            cursor.execute(
                "UPDATE spend_copy_rows typed SET amount = odd.amount FROM spend_copy_amounts odd"
                " WHERE odd.position = typed.position"
            )

    # -- writing ---------------------------------------------------------------------------------

    def write(
        self, *, spend_import_id: int, supplier_ids: Mapping[SupplierKey, int | None]
    ) -> Written:
        """Insert the rows, each with its supplier and the contract covering it."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_suppliers (name_cell text NOT NULL,"
                " number_cell text NOT NULL, supplier_id bigint, supplier_name text NOT NULL,"
                " PRIMARY KEY (name_cell, number_cell)) ON COMMIT DROP"
            )
            _copy_rows(
                cursor,
                "spend_copy_suppliers",
                ("name_cell", "number_cell", "supplier_id", "supplier_name"),
                (
                    (name, number, None if key is None else supplier_ids[key], stored)
                    for (name, number), (stored, key) in self.suppliers.items()
                ),
                not_null=("name_cell", "number_cell", "supplier_name"),
            )
            columns = "line_number, paid_on, amount, service_area, expense_type, reference"
            payments = (
                f"(SELECT {columns}, supplier.supplier_id, supplier.supplier_name"
                " FROM spend_copy_rows typed JOIN spend_copy_suppliers supplier"
                " USING (name_cell, number_cell))"
            )
            covering, params = covering_contracts_sql(payments=payments, key="line_number")
            # Sorted by supplier and day, the rows fill the (supplier, paid_on) index, and the
            # (contract, paid_on) one that follows it, in order rather than at random.
            cursor.execute(
                f"INSERT INTO {SpendTransaction._meta.db_table}"
                f" (spend_import_id, {columns}, supplier_id, supplier_name, contract_id)"
                f" SELECT %s, {columns}, supplier_id, supplier_name, covered.contract_id"
                f" FROM {payments} payment LEFT JOIN ({covering}) covered USING (line_number)"
                " ORDER BY supplier_id, paid_on, line_number",
                [spend_import_id, *params],
            )
            if cursor.rowcount != self.rows:  # every row found its supplier
                raise NotClean(f"{cursor.rowcount} of {self.rows} rows written")
            cursor.execute(
                "SELECT count(*), coalesce(sum(amount), 0), min(paid_on), max(paid_on)"
                " FROM spend_copy_rows"
            )
            redacted = any(key is None for _, key in self.suppliers.values())
            written = Written(*cursor.fetchone(), redacted=redacted)
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self.tables)}")
        return written


# A quote mark inside a cell that was not quoted (Acme "Ltd" x): Python's csv keeps it as
# written, COPY opens a quoted section there. (Inside a quoted cell quotes come doubled, and
# the quotes around one touch a comma, a line end or each other.)
_STRAY_QUOTE = re.compile(rb'[^,\r\n"]"[^,\r\n"]')


class _LineCounter:
    """A binary stream for COPY that counts the line feeds, and any carriage return not
    followed by one (Python's csv reads a lone one as a line break too), as they go by, and
    notes any quote mark the two CSV readers would read differently."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.feeds = self.lone_returns = 0
        self.stray_quote = False
        self.tail = b""
        self.last = b"\n"

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        if block:
            # Two bytes of the last block go first, so a stray quote split across blocks shows.
            self.stray_quote = self.stray_quote or bool(_STRAY_QUOTE.search(self.tail + block))
            self.tail = (self.tail + block)[-2:]
            self.feeds += block.count(b"\n")
            returns = block.count(b"\r") - block.count(b"\r\n")
            if self.last == b"\r" and block[:1] == b"\n":
                returns -= 1  # a CRLF split between two blocks: counted as lone last time
            self.lone_returns += returns
            self.last = block[-1:]
        return block

    @property
    def count(self) -> int:
        """Lines read: one per line feed, and one more if the last line has none."""
        return self.feeds + (0 if self.last in (b"\n", b"") else 1)


def _skip_lines(stream: BinaryIO, count: int) -> None:
    """Move the stream past `count` line feeds (the header and any title lines above it)."""
    for _ in range(count):
        if not stream.readline():
            raise NotClean("the file ended before its data rows")


def _copy_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    not_null: Sequence[str] = (),
) -> None:
    """COPY a few thousand Python rows into a temporary table (None is NULL; "" stays "")."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    options = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    cursor.cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{options})", buffer
    )
