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
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import DatabaseError, DataError, connection, transaction

from procurement.importers import spend_rules as rules
from procurement.importers.csvread import MAX_AMOUNT, FileProblem, csv_records, parse_amount
from procurement.importers.spend_rules import (
    Recognition,
    RowParser,
    SupplierKey,
    find_spend_header,
)
from procurement.models import SpendTransaction
from procurement.services.payment_matching import covering_contracts_sql

# What a payment holds where the file has no such column.
ABSENT = {
    rules.SERVICE_AREA: "''",
    rules.EXPENSE_TYPE: "''",
    rules.REFERENCE: "''",
    rules.PURPOSE: "''",
    rules.MERCHANT_CATEGORY: "''",
    rules.CAPITAL_REVENUE: "''",
    rules.PROCUREMENT_CARD: "NULL::boolean",
    rules.IRRECOVERABLE_VAT: "NULL::numeric",
    rules.INVOICE_DATE: "NULL::date",
}

# Python's str.strip() removes exactly these characters; PostgreSQL's btrim(text, chars) is
# given the same set, so a cell trims the same on both paths.
WHITESPACE = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
# The usual amount forms, as csvread's _COMMON, exactly as written (an amount with blanks
# around it is parsed in Python) and with ASCII digits only: Python's \d is wider.
USUAL_AMOUNT = r"^-?£?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$"
_SPACE_CODES = ", ".join(str(ord(char)) for char in WHITESPACE)
ODD_AMOUNTS_MAX = 10_000  # more than this many unusual amounts: not worth a lookup table
_ENCODINGS = {"utf-8-sig": "UTF8", "cp1252": "WIN1252"}


class NotClean(Exception):
    """The file needs the careful path; the message says why (for the tests and the log)."""


@dataclass(frozen=True)
class Written:
    rows: int
    total: Decimal
    first_paid_on: dt.date
    last_paid_on: dt.date
    redacted: bool  # some rows have no supplier
    placeholders: list[tuple[str, tuple[int, Decimal]]]  # placeholder -> rows, pounds
    organisations: list[tuple[str, int]]  # the organisation column's values and their rows
    has_reference: bool


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
    )

    def __init__(
        self,
        *,
        stream: IO[bytes],
        encoding: str,
        today: dt.date,
        mapping: Mapping[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.stream, self.encoding, self.today = stream, encoding, today
        self.mapping, self.progress = mapping, progress

    # -- staging ---------------------------------------------------------------------------------

    def stage(self) -> None:
        """COPY the data lines, as written, into a temporary table of text cells.

        Each record must be exactly one line, so that a row's line number is its position
        after the header: the line feeds are counted on the way to COPY and compared.
        """
        self.first_line, self.width, self.header = self._layout()
        self.parser = RowParser(self.header.columns, self.today, len(self.header.headings))
        self.columns = self.parser.columns  # the columns each field is read from
        cells = ", ".join(f"c{index} text" for index in range(self.width))
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_encoding")
            self.utf8 = cursor.fetchone()[0] == "UTF8"
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self.tables)}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.staging} (position bigint GENERATED ALWAYS AS"
                f" IDENTITY, {cells}) ON COMMIT DROP"
            )
        start = self.stream.tell()
        try:
            _skip_lines(self.stream, self.first_line - 1)
            lines = _LineCounter(self.stream, progress=self.progress)
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
            # copy_expert is psycopg's own call, so its errors come unwrapped by Django; each
            # backend's wrapper class sets `Database` (the DB-API module), the base class does not.
            except (DatabaseError, connection.Database.Error) as error:  # type: ignore[attr-defined]
                raise NotClean(f"COPY refused the file: {str(error).splitlines()[0]}") from error
        finally:
            self.stream.seek(start)
        if lines.lone_returns or records != lines.count:
            raise NotClean("a cell holds a line break, so line numbers need the careful path")
        if lines.stray_quote:
            raise NotClean("a quote mark inside an unquoted cell, which COPY reads otherwise")
        self.line_offset = self.first_line - first_position

    def _layout(self) -> tuple[int, int, Recognition]:
        """The first data line, the number of cells on it, and the columns of each field."""
        try:
            with csv_records(self.stream, self.encoding) as records:
                header, _ = find_spend_header(records, mapping=self.mapping)
                first = next(records, None)
        except FileProblem as problem:
            raise NotClean(str(problem)) from problem
        if first is None:
            raise NotClean("no data rows")
        line, row = first
        if len(row) <= max(header.columns.values()):
            raise NotClean("the first data row is shorter than the header")
        return line, len(row), header

    # -- checking --------------------------------------------------------------------------------

    def _cell(self, name: str | None) -> str:
        """SQL for a field's cell: '' when the file has no such column (NULL is '' too)."""
        index = None if name is None else self.columns.get(name)
        return "''" if index is None else f"coalesce(c{index}, '')"

    def _trimmed(self, name: str | None) -> str:
        """SQL for a field's cell trimmed as str.strip() trims it. btrim with a set of
        multibyte characters is slow, so it runs only on a cell whose first or last character
        is one of them (few are; about 0.4 s of CPU fewer for three text columns at a million
        lines). In UTF-8, ascii() is a character's code point."""
        cell = self._cell(name)
        if cell == "''":
            return cell
        trimmed = f"btrim({cell}, %(ws)s)"
        if not self.utf8:
            return trimmed
        return (
            f"CASE WHEN ascii({cell}) IN ({_SPACE_CODES}) OR ascii(right({cell}, 1))"
            f" IN ({_SPACE_CODES}) THEN {trimmed} ELSE {cell} END"
        )

    @property
    def params(self) -> dict[str, str]:
        return {"ws": WHITESPACE, "usual": USUAL_AMOUNT}

    def check(self) -> None:
        """Check each distinct date and supplier in Python, then convert the rows into a typed
        table and check what is left there: a few cheap scans."""
        if self._dates():
            self._drop_blank_rows()
            self._dates(blank_rows_gone=True)
        self.suppliers = self._supplier_cells()
        self._scan()

    def _drop_blank_rows(self) -> None:
        """Rows of empty cells (Excel leaves them at the end of a sheet) are skipped, as the
        careful path skips them. Only a file with a blank date can hold one, so only such a file
        pays for this scan."""
        blank = " AND ".join(  # the required cells first: nearly every row stops at the first
            f"btrim({cell}, %(ws)s) = ''"
            for cell in dict.fromkeys(
                [self._cell(rules.SUPPLIER), self._cell(rules.AMOUNT), self._cell(rules.DATE)]
                + [f"coalesce(c{index}, '')" for index in range(self.width)]
            )
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.staging} WHERE {blank}", self.params)

    def _dates(self, *, blank_rows_gone: bool = False) -> bool:
        """Each distinct date cell, of the payment date and of any invoice date, read in
        Python; a blank invoice date is no date. A blank payment date returns True (the caller
        drops the rows of empty cells and asks again) the first time, and is a row to read
        carefully once those rows are gone."""
        with connection.cursor() as cursor:
            days = {}
            for name in (rules.DATE, rules.INVOICE_DATE):
                if name not in self.columns:
                    continue
                cursor.execute(f"SELECT DISTINCT {self._cell(name)} FROM {self.staging}")
                for (raw,) in cursor.fetchall():
                    if raw in days or (name != rules.DATE and not raw.strip()):
                        continue
                    if not raw.strip() and not blank_rows_gone:
                        return True
                    try:
                        days[raw] = self.parser.day(raw)
                    except ValueError as error:
                        raise NotClean(str(error)) from error
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_dates (raw text PRIMARY KEY, day date NOT NULL)"
                " ON COMMIT DROP"
            )
            _copy_rows(cursor, "spend_copy_dates", ("raw", "day"), days.items(), not_null=("raw",))
        return False

    def _supplier_cells(self) -> dict[tuple[str, str], tuple[str, SupplierKey | None, str | None]]:
        """Each distinct (name, company number) pair of cells, in order of first appearance,
        with the name to store, the key to match on (None where there is no supplier) and the
        placeholder standing for no supplier."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self._cell(rules.SUPPLIER)}, {self._cell(rules.COMPANY_NUMBER)}"
                f" FROM {self.staging} GROUP BY 1, 2 ORDER BY min(position)"
            )
            pairs = cursor.fetchall()
        found: dict[tuple[str, str], tuple[str, SupplierKey | None, str | None]] = {}
        for name_cell, number_cell in pairs:
            name = self.parser.name(name_cell)
            if name.problem:
                raise NotClean(name.problem)
            key = None if name.key is None else (name.key, self.parser.number(number_cell))
            found[(name_cell, number_cell)] = (name.stored, key, name.placeholder)
        return found

    def _pounds(self, name: str) -> str:
        """SQL converting an amount cell known to be in a usual form, by the rule parse_amount
        applies to them: the pound sign and commas dropped, the sign kept, rounded half away
        from zero to the penny."""
        return f"round(translate({self._cell(name)}, '£,', '')::numeric, 2)"

    def _amount_sql(self, name: str) -> str:
        """SQL converting an amount cell in the usual forms; NULL for any other form."""
        return f"CASE WHEN {self._cell(name)} ~ %(usual)s THEN {self._pounds(name)} END"

    def _scan(self) -> None:
        """One scan of the staged cells for what the write cannot check for itself: the rows,
        the amounts in unusual forms (parsed in Python), and references too long to store."""
        vat = rules.IRRECOVERABLE_VAT in self.columns
        reference = rules.REFERENCE in self.columns
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {self._cell(rules.AMOUNT)} !~ %(usual)s),"
                + (
                    f" count(*) FILTER (WHERE {self._cell(rules.IRRECOVERABLE_VAT)} !~ %(usual)s"
                    f" AND {self._trimmed(rules.IRRECOVERABLE_VAT)} <> ''),"
                    if vat
                    else " 0,"
                )
                # A cell's length before trimming bounds it after: trimmed only if needed.
                + (f" max(length({self._cell(rules.REFERENCE)}))" if reference else " 0")
                + f" FROM {self.staging}",
                self.params,
            )
            self.rows, odd, odd_vat, longest = cursor.fetchone()
            if longest and longest > rules.REFERENCE_MAX:
                cursor.execute(
                    f"SELECT max(length({self._trimmed(rules.REFERENCE)})) FROM {self.staging}",
                    self.params,
                )
                (longest,) = cursor.fetchone()
        self.has_reference = bool(longest)
        if self.rows == 0:
            raise NotClean("no data rows")
        if longest and longest > rules.REFERENCE_MAX:
            raise NotClean("a reference is too long")
        if odd_vat:  # rare: the careful path reads them
            raise NotClean(f"{odd_vat} irrecoverable VAT amounts in unusual forms")
        if odd > ODD_AMOUNTS_MAX:
            raise NotClean(f"{odd} amounts in unusual forms")
        self.odd_amounts = bool(odd)
        if odd:
            self._odd_amounts()

    def _odd_amounts(self) -> None:
        """Amounts in other forms ("(1,234.56)", "1234.56 CR"), parsed by parse_amount."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT position, {self._cell(rules.AMOUNT)} FROM {self.staging}"
                f" WHERE {self._cell(rules.AMOUNT)} !~ %(usual)s",
                self.params,
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

    def _amount(self) -> str:
        """SQL for a row's amount: converted in SQL in the usual forms, else parsed in Python.

        The scan has found every cell not in a usual form, and each is in spend_copy_amounts,
        so the pattern is not matched again a million times here."""
        usual = self._pounds(rules.AMOUNT)
        if not self.odd_amounts:
            return usual
        return f"CASE WHEN odd.position IS NULL THEN {usual} ELSE odd.amount END"

    def _payments_sql(self, cursor: Any) -> str:
        """A subquery of the typed payments, read from the staged cells: each column of
        SpendTransaction, the line and the supplier. Its parameters are bound into it, so it can
        go twice into one statement (the payments, and the contracts that cover them)."""
        text = f"left(%s, {rules.TEXT_MAX})"
        card = self._trimmed(rules.PROCUREMENT_CARD)
        yes, no = (", ".join(f"'{word}'" for word in sorted(words)) for words in rules.CARD_WORDS)
        typed = {
            "line_number": f"staged.position + {self.line_offset}",
            "paid_on": "dates.day",
            "amount": self._amount(),
            **{
                name: text % self._trimmed(name)
                for name in (
                    rules.SERVICE_AREA,
                    rules.EXPENSE_TYPE,
                    rules.PURPOSE,
                    rules.MERCHANT_CATEGORY,
                    rules.REFERENCE,
                )
            },
            rules.CAPITAL_REVENUE: (
                f"left({self._trimmed(rules.CAPITAL_REVENUE)}, {rules.SHORT_MAX})"
            ),
            rules.PROCUREMENT_CARD: f"CASE WHEN lower({card}) IN ({yes}) THEN true"
            f" WHEN lower({card}) IN ({no}) THEN false END",
            rules.IRRECOVERABLE_VAT: self._amount_sql(rules.IRRECOVERABLE_VAT),
            rules.INVOICE_DATE: "invoiced.day",
        }
        # A column the file lacks is a constant, not a million blank cells to convert.
        columns = ", ".join(
            f"{ABSENT[name] if name in ABSENT and name not in self.columns else typed[name]}"
            f" AS {name}"
            for name in rules.PAYMENT_COLUMNS
        )
        sql = (
            f"(SELECT {columns}, supplier.supplier_id, supplier.supplier_name"
            f" FROM {self.staging} staged"
            f" JOIN spend_copy_dates dates ON dates.raw = {self._cell(rules.DATE)}"
            " JOIN spend_copy_suppliers supplier"
            f" ON supplier.name_cell = {self._cell(rules.SUPPLIER)}"
            f" AND supplier.number_cell = {self._cell(rules.COMPANY_NUMBER)}"
            + (
                " LEFT JOIN spend_copy_dates invoiced"
                f" ON invoiced.raw = {self._cell(rules.INVOICE_DATE)}"
                if rules.INVOICE_DATE in self.columns
                else ""
            )
            + (
                " LEFT JOIN spend_copy_amounts odd ON odd.position = staged.position"
                if self.odd_amounts
                else ""
            )
            + ")"
        )
        bound: str = cursor.mogrify(sql, self.params).decode()
        if "%" in bound:  # the statement it goes into has parameters of its own
            raise NotClean("a percent sign in the SQL of the payments")
        return bound

    # -- writing ---------------------------------------------------------------------------------

    def write(
        self, *, spend_import_id: int, supplier_ids: Mapping[SupplierKey, int | None]
    ) -> Written:
        """Insert the rows, each with its supplier and the contract covering it, in one
        statement that also sums what it wrote."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE spend_copy_suppliers (name_cell text NOT NULL,"
                " number_cell text NOT NULL, supplier_id bigint, supplier_name text NOT NULL,"
                " placeholder text, PRIMARY KEY (name_cell, number_cell)) ON COMMIT DROP"
            )
            _copy_rows(
                cursor,
                "spend_copy_suppliers",
                ("name_cell", "number_cell", "supplier_id", "supplier_name", "placeholder"),
                (
                    (name, number, None if key is None else supplier_ids[key], stored, held)
                    for (name, number), (stored, key, held) in self.suppliers.items()
                ),
                not_null=("name_cell", "number_cell", "supplier_name"),
            )
            payments = self._payments_sql(cursor)
            covering, params = covering_contracts_sql(payments=payments, key="line_number")
            try:
                self._insert(cursor, spend_import_id, payments, covering, params)
            except DataError as error:  # an amount too large to store: the careful path names it
                raise NotClean(f"the database refused a value: {error}") from error
            rows, total, first, last, largest = cursor.fetchone()
            if rows != self.rows:  # every row found its date and supplier
                raise NotClean(f"{rows} of {self.rows} rows written")
            if largest is not None and largest > MAX_AMOUNT:  # parse_amount refuses it
                raise NotClean("an amount is over the limit")
            placeholders = self._placeholders(cursor)
            written = Written(
                rows,
                total,
                first,
                last,
                redacted=bool(placeholders),
                placeholders=placeholders,
                organisations=self._organisations(cursor),
                has_reference=self.has_reference,
            )
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(self.tables)}")
        return written

    def _insert(
        self, cursor: Any, spend_import_id: int, payments: str, covering: str, params: list[Any]
    ) -> None:
        """The one INSERT, sorted by supplier and day so the rows fill the (supplier, paid_on)
        index, and the (contract, paid_on) one that follows it, in order rather than at random;
        it returns the count, total, first and last day and the largest amount it wrote."""
        columns = ", ".join(rules.PAYMENT_COLUMNS)
        cursor.execute(
            f"WITH written AS (INSERT INTO {SpendTransaction._meta.db_table}"
            f" (spend_import_id, {columns}, supplier_id, supplier_name, contract_id)"
            f" SELECT %s, {columns}, supplier_id, supplier_name, covered.contract_id"
            f" FROM {payments} payment LEFT JOIN ({covering}) covered USING (line_number)"
            " ORDER BY supplier_id, paid_on, line_number"
            " RETURNING amount, paid_on, irrecoverable_vat)"
            " SELECT count(*), coalesce(sum(amount), 0), min(paid_on), max(paid_on),"
            " greatest(max(abs(amount)), max(abs(irrecoverable_vat))) FROM written",
            [spend_import_id, *params],
        )

    def _placeholders(self, cursor: Any) -> list[tuple[str, tuple[int, Decimal]]]:
        """The rows and pounds of each placeholder standing for no supplier (rare rows: only
        they are converted)."""
        if all(held is None for _, _, held in self.suppliers.values()):
            return []
        cursor.execute(
            f"SELECT supplier.placeholder, count(*), sum({self._amount()})"
            f" FROM {self.staging} staged JOIN spend_copy_suppliers supplier"
            f" ON supplier.name_cell = {self._cell(rules.SUPPLIER)}"
            f" AND supplier.number_cell = {self._cell(rules.COMPANY_NUMBER)}"
            + (
                " LEFT JOIN spend_copy_amounts odd ON odd.position = staged.position"
                if self.odd_amounts
                else ""
            )
            + " WHERE supplier.placeholder IS NOT NULL GROUP BY 1 ORDER BY 1",
            self.params,
        )
        return [(name, (rows, total)) for name, rows, total in cursor.fetchall()]

    def _organisations(self, cursor: Any) -> list[tuple[str, int]]:
        """The organisation column's values and their rows, most first: the distinct cells are
        counted in SQL and trimmed here, as the careful path trims them."""
        if rules.ORGANISATION not in self.columns:
            return []
        cursor.execute(
            f"SELECT {self._cell(rules.ORGANISATION)}, count(*) FROM {self.staging} GROUP BY 1"
        )
        counts: Counter[str] = Counter()
        for cell, rows in cursor.fetchall():
            counts[cell.strip()] += rows
        return counts.most_common(20)


# A quote mark inside a cell that was not quoted (Acme "Ltd" x): Python's csv keeps it as
# written, COPY opens a quoted section there. (Inside a quoted cell quotes come doubled, and
# the quotes around one touch a comma, a line end or each other.) Found as `a"a` once every
# other byte is mapped to `a`: a plain substring search, where a regular expression whose
# first byte can be almost anything tries every position of a 100 MB file.
_DELIMITERS = b',\r\n"'
_OTHERS_AS_A = bytes(byte if byte in _DELIMITERS else ord("a") for byte in range(256))
_STRAY_QUOTE = b'a"a'


def _stray_quote(data: bytes) -> bool:
    """A quote mark with neither a delimiter nor a quote on either side."""
    return b'"' in data and _STRAY_QUOTE in data.translate(_OTHERS_AS_A)


class _LineCounter:
    """A binary stream for COPY that counts the line feeds, and any carriage return not
    followed by one (Python's csv reads a lone one as a line break too), as they go by, and
    notes any quote mark the two CSV readers would read differently.

    `progress` is told the lines read and no bad rows at each block (a megabyte, about ten
    thousand lines), so the fast path reports progress without a cost a row."""

    def __init__(
        self, stream: IO[bytes], *, progress: Callable[[int, int], None] | None = None
    ) -> None:
        self.stream, self.progress = stream, progress
        self.feeds = self.lone_returns = 0
        self.stray_quote = False
        self.tail = b""
        self.last = b"\n"

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        if block:
            # Two bytes of the last block go first, so a stray quote split across blocks shows.
            self.stray_quote = self.stray_quote or _stray_quote(self.tail + block)
            self.tail = (self.tail + block)[-2:]
            self.feeds += block.count(b"\n")
            returns = block.count(b"\r")
            if returns:  # most files end their lines with a line feed alone
                returns -= block.count(b"\r\n")
            if self.last == b"\r" and block[:1] == b"\n":
                returns -= 1  # a CRLF split between two blocks: counted as lone last time
            self.lone_returns += returns
            self.last = block[-1:]
            if self.progress is not None:
                self.progress(self.feeds, 0)
        return block

    @property
    def count(self) -> int:
        """Lines read: one per line feed, and one more if the last line has none."""
        return self.feeds + (0 if self.last in (b"\n", b"") else 1)


def _skip_lines(stream: IO[bytes], count: int) -> None:
    """Move the stream past `count` line feeds (the header and any title lines above it)."""
    for _ in range(count):
        if not stream.readline():
            raise NotClean("the file ended before its data rows")


def _copy_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
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
