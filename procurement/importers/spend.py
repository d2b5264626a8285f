"""Import a council's "spend over £500" CSV (Local Government Transparency Code 2015).

The file is read three times and never held in memory:

1. bytes: the checksum (importing the same file again is a no-op), binary and encoding checks;
2. every row is validated and the distinct suppliers collected; nothing is written, so one bad
   row rejects the file before anything changes (unless the caller asks to skip bad rows);
3. inside one transaction: the new suppliers are created, the rows written a chunk at a time
   (PostgreSQL: COPY into a temporary staging table and one INSERT ... SELECT at the end;
   SQLite: bulk_create), the import totalled by one aggregate query, the payments linked
   to the contracts that cover them and the dashboard's totals rebuilt for the years covered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import BinaryIO, NamedTuple

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.financial_year import financial_year_of
from procurement.importers.csvread import (
    CsvRecords,
    FileProblem,
    find_header,
    normalise_company_number,
    parse_amount,
    parse_date,
    scan_bytes,
)
from procurement.matching import normalise_name
from procurement.models import Contract, SpendImport, SpendTransaction, Supplier
from procurement.services.matching import transactions_match_contracts
from procurement.services.spend_summary import spend_summary_rebuild

IMPORTED = "imported"
ALREADY_IMPORTED = "already_imported"
REJECTED = "rejected"
DRY_RUN = "dry_run"

SUPPLIER, AMOUNT, DATE = "supplier", "amount", "date"
SERVICE_AREA, EXPENSE_TYPE, REFERENCE = "service area", "expense type", "reference"
COMPANY_NUMBER = "company number"
# In order of preference: where a file has two columns for an optional field, the first wins.
ALIASES: dict[str, tuple[str, ...]] = {
    SUPPLIER: ("Supplier Name", "Beneficiary", "Supplier", "Vendor name"),
    AMOUNT: ("Amount", "Net Amount", "Value", "Amount (£)"),
    DATE: ("Date", "Transaction Date", "Date Paid", "Payment Date"),
    SERVICE_AREA: ("Expense Area", "Service Area", "Department", "Directorate", "Service"),
    EXPENSE_TYPE: ("Expense Type", "Purpose", "Description", "Expenditure Category"),
    REFERENCE: ("Transaction Number", "Reference", "Transaction ID", "Invoice Number"),
    COMPANY_NUMBER: ("Supplier Company Number", "Company Number", "Companies House Number"),
}
REQUIRED = (SUPPLIER, AMOUNT, DATE)
REDACTED_FORMS = frozenset(
    {
        "redacted",
        "redacted personal data",
        "personal data redacted",
        "redacted personal information",
        "personal information redacted",
    }
)
MAX_ERRORS_KEPT = 1000  # a file of bad rows must not fill the memory with messages
# Names per IN (...) query and suppliers per INSERT: SQLite allows 999 variables a statement.
BATCH = {"sqlite": 500}
DEFAULT_BATCH = 5000
MATCH_BATCH = 500

_TEXT_MAX = SpendTransaction._meta.get_field("service_area").max_length
_REFERENCE_MAX = SpendTransaction._meta.get_field("reference").max_length
_NAME_MAX = SpendTransaction._meta.get_field("supplier_name").max_length

SupplierKey = tuple[str, str]  # (normalised name, company number or "")


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file (header is line 1)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class SpendImportResult:
    status: str  # "imported" | "already_imported" | "rejected" | "dry_run"
    spend_import: SpendImport | None
    rows_imported: int
    rows_skipped: int
    total_amount: Decimal
    suppliers_created: int
    errors: list[RowError]
    file_error: str | None  # whole-file problem: no header, not CSV, wrong encoding, empty
    # How many rows had errors: `errors` keeps only the first MAX_ERRORS_KEPT of them.
    error_count: int | None = field(default=None)

    def __post_init__(self) -> None:
        if self.error_count is None:
            self.error_count = len(self.errors)


class SpendRow(NamedTuple):
    line: int
    paid_on: dt.date
    supplier_name: str
    supplier_key: SupplierKey | None  # None where the name is redacted
    amount: Decimal
    service_area: str
    expense_type: str
    reference: str


def import_spend_file(
    source: str | Path | BinaryIO,
    *,
    filename: str | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    chunk_size: int = 50_000,
) -> SpendImportResult:
    """Validate a spend file, then (unless it has bad rows or this is a dry run) import it."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    with _binary(source) as (stream, default_name):
        name = (filename or default_name or "spend.csv")[:255]
        try:
            scan = scan_bytes(stream)
        except FileProblem as problem:
            return _rejected(file_error=str(problem))
        previous = SpendImport.objects.filter(sha256=scan.sha256).first()
        if previous is not None:
            return _already(previous)
        today = timezone.localdate()
        try:
            checked = _validate(stream, encoding=scan.encoding, today=today)
        except FileProblem as problem:
            return _rejected(file_error=str(problem))
        if checked.rows == 0 and checked.error_count == 0:
            return _rejected(file_error="The file has a header row but no data rows")
        if checked.error_count and (not skip_bad_rows or checked.rows == 0):
            return _rejected(errors=checked.errors, error_count=checked.error_count)
        if dry_run:
            _, new = _suppliers_resolve(checked.suppliers, create=False, user=None, reason="")
            return SpendImportResult(
                status=DRY_RUN,
                spend_import=None,
                rows_imported=checked.rows,
                rows_skipped=checked.error_count,
                total_amount=checked.total,
                suppliers_created=new,
                errors=checked.errors,
                file_error=None,
                error_count=checked.error_count,
            )
        return _write(
            stream,
            encoding=scan.encoding,
            sha256=scan.sha256,
            filename=name,
            user=user if user is not None and user.is_authenticated else None,
            checked=checked,
            today=today,
            chunk_size=chunk_size,
        )


# -- reading -------------------------------------------------------------------------------------


@contextmanager
def _binary(source: str | Path | BinaryIO) -> Iterator[tuple[BinaryIO, str | None]]:
    """A seekable binary stream (it is read three times) and the file's own name, if it has one."""
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
        yield spool, name


@contextmanager
def _rows(
    stream: BinaryIO, *, encoding: str, today: dt.date
) -> Iterator[Iterator[SpendRow | RowError]]:
    """Each data row of the file, parsed, or the error that stops it being imported."""
    start = stream.tell()
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        records = iter(CsvRecords(text))
        header = find_header(records, aliases=ALIASES, required=REQUIRED)
        parse = _RowParser(header.columns, today)
        yield (parse(line, row) for line, row in records)
    finally:
        text.detach()  # leave the caller's stream open
        stream.seek(start)


@lru_cache(maxsize=100_000)
def _supplier_key(name: str) -> str | None:
    """The name to match suppliers on, or None if the name is a redaction marker."""
    folded = " ".join("".join(c if c.isalpha() else " " for c in name.lower()).split())
    return None if folded in REDACTED_FORMS else normalise_name(name)


def _quote(value: str) -> str:
    return f'"{value[:60]}…"' if len(value) > 60 else f'"{value}"'


class _RowParser:
    """Turns a record into a SpendRow or a RowError; built once a pass, called once a row."""

    def __init__(self, columns: Mapping[str, int], today: dt.date) -> None:
        self.supplier, self.amount, self.date = (columns[f] for f in REQUIRED)
        self.service_area = columns.get(SERVICE_AREA)
        self.expense_type = columns.get(EXPENSE_TYPE)
        self.reference = columns.get(REFERENCE)
        self.company_number = columns.get(COMPANY_NUMBER)
        self.width = max(columns.values()) + 1
        self.today = today

    @staticmethod
    def _optional(row: Sequence[str], index: int | None) -> str:
        return row[index].strip() if index is not None else ""

    def __call__(self, line: int, row: list[str]) -> SpendRow | RowError:
        if len(row) < self.width:  # a short row: the missing cells are blank
            row = row + [""] * (self.width - len(row))
        problems: list[str] = []
        name = row[self.supplier].strip()
        key: SupplierKey | None = None
        if not name:
            problems.append("supplier is blank")
        elif len(name) > _NAME_MAX:
            problems.append(f"supplier {_quote(name)} is longer than {_NAME_MAX} characters")
        elif (normalised := _supplier_key(name)) is None:
            name = SpendTransaction.REDACTED
        elif not normalised:
            problems.append(f'supplier {_quote(name)} has no name left once "Ltd" and "The" go')
        else:
            number = self._optional(row, self.company_number)
            key = (normalised, normalise_company_number(number) if number else "")
        amount = paid_on = None
        try:
            amount = parse_amount(row[self.amount])
        except ValueError as error:
            problems.append(str(error))
        try:
            paid_on = parse_date(row[self.date], today=self.today)
        except ValueError as error:
            problems.append(str(error))
        reference = self._optional(row, self.reference)
        if len(reference) > _REFERENCE_MAX:
            problems.append(
                f"reference {_quote(reference)} is longer than {_REFERENCE_MAX} characters"
            )
        if problems:
            return RowError(line, "; ".join(problems))
        return SpendRow(
            line,
            paid_on,
            name,
            key,
            amount,
            self._optional(row, self.service_area)[:_TEXT_MAX],
            self._optional(row, self.expense_type)[:_TEXT_MAX],
            reference,
        )


@dataclass
class _Checked:
    rows: int = 0
    total: Decimal = Decimal("0.00")
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # Distinct suppliers in the file, with the name as first written: bounded by the number
    # of suppliers, not of rows.
    suppliers: dict[SupplierKey, str] = field(default_factory=dict)


def _validate(stream: BinaryIO, *, encoding: str, today: dt.date) -> _Checked:
    checked = _Checked()
    with _rows(stream, encoding=encoding, today=today) as rows:
        for row in rows:
            if isinstance(row, RowError):
                checked.error_count += 1
                if len(checked.errors) < MAX_ERRORS_KEPT:
                    checked.errors.append(row)
                continue
            checked.rows += 1
            checked.total += row.amount
            if row.supplier_key is not None:
                checked.suppliers.setdefault(row.supplier_key, row.supplier_name)
    return checked


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# -- suppliers -----------------------------------------------------------------------------------


def _suppliers_resolve(
    keys: Mapping[SupplierKey, str],
    *,
    create: bool,
    user: AbstractBaseUser | None,
    reason: str,
) -> tuple[dict[SupplierKey, int | None], int]:
    """Map each supplier in the file to a Supplier id, creating the new ones when `create`.

    A company number in the file matches first; otherwise the normalised name ("Acme Ltd",
    "ACME LIMITED" and "acme limited." are one supplier). Where the register already holds
    two suppliers with the same name, the older one is used. Returns the map and the number
    of suppliers created (or that would be).
    """
    batch_size = BATCH.get(connection.vendor, DEFAULT_BATCH)
    by_name: dict[str, int] = {}
    by_number: dict[str, int] = {}
    names = sorted({name for name, _ in keys})
    numbers = sorted({number for _, number in keys if number})
    for batch in _batches(names, batch_size):
        found = Supplier.objects.filter(normalised_name__in=batch).order_by("id")
        for pk, name in found.values_list("id", "normalised_name"):
            by_name.setdefault(name, pk)
    for batch in _batches(numbers, batch_size):
        # Also look up the number as the register may hold it, without Excel's lost zeros.
        written = set(batch) | {number.lstrip("0") for number in batch}
        found = Supplier.objects.filter(company_number__in=written).order_by("id")
        for pk, number in found.values_list("id", "company_number"):
            by_number.setdefault(normalise_company_number(number), pk)

    resolved: dict[SupplierKey, int | Supplier] = {}
    new: list[Supplier] = []
    new_by_name: dict[str, Supplier] = {}
    new_by_number: dict[str, Supplier] = {}
    for (name, number), written_as in keys.items():
        existing = (by_number.get(number) if number else None) or by_name.get(name)
        if existing is not None:
            resolved[(name, number)] = existing
            continue
        supplier = (new_by_number.get(number) if number else None) or new_by_name.get(name)
        if supplier is None:
            supplier = Supplier(name=written_as, normalised_name=name, company_number=number)
            new.append(supplier)
        elif number and not supplier.company_number:
            supplier.company_number = number
        new_by_name.setdefault(name, supplier)
        if number:
            new_by_number.setdefault(number, supplier)
        resolved[(name, number)] = supplier

    if create and new:
        # bulk_create skips Supplier.save(), which is why normalised_name is set above.
        bulk_create_with_history(
            new, Supplier, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
    ids = {
        key: (value.pk if isinstance(value, Supplier) else value) for key, value in resolved.items()
    }
    return ids, len(new)


# -- writing -------------------------------------------------------------------------------------

_COLUMNS = (
    "line_number",
    "paid_on",
    "supplier_id",
    "supplier_name",
    "amount",
    "service_area",
    "expense_type",
    "reference",
)


class _BulkCreateWriter:
    """SQLite (and any database without COPY): bulk_create a chunk at a time."""

    def __init__(self, spend_import: SpendImport, *, batch_size: int) -> None:
        self.spend_import = spend_import
        self.batch_size = batch_size

    def write(self, rows: Sequence[tuple]) -> None:
        SpendTransaction.objects.bulk_create(
            [
                SpendTransaction(
                    spend_import=self.spend_import, **dict(zip(_COLUMNS, row, strict=True))
                )
                for row in rows
            ],
            batch_size=self.batch_size,
        )

    def finish(self) -> None:
        pass


class _CopyWriter:
    """PostgreSQL: COPY each chunk into a temporary staging table, then one INSERT ... SELECT.

    The staging table has no indexes or constraints, so COPY runs at disk speed; the single
    INSERT then checks the foreign keys and fills the real table's indexes in one go.
    """

    def __init__(self, spend_import: SpendImport) -> None:
        self.spend_import = spend_import
        self.table = f"spend_import_staging_{spend_import.pk}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} ("
                " line_number integer NOT NULL, paid_on date NOT NULL, supplier_id bigint,"
                " supplier_name varchar(255) NOT NULL, amount numeric(14, 2) NOT NULL,"
                " service_area varchar(255) NOT NULL, expense_type varchar(255) NOT NULL,"
                " reference varchar(120) NOT NULL) ON COMMIT DROP"
            )

    def write(self, rows: Sequence[tuple]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        # An empty unquoted field is NULL in COPY's CSV format: right for supplier_id (redacted
        # names), wrong for blank text, hence FORCE_NOT_NULL on the text columns.
        sql = (
            f"COPY {self.table} ({', '.join(_COLUMNS)}) FROM STDIN WITH (FORMAT csv,"
            " FORCE_NOT_NULL (supplier_name, service_area, expense_type, reference))"
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, buffer)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(buffer.getvalue())

    def finish(self) -> None:
        table = SpendTransaction._meta.db_table
        columns = ", ".join(_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (spend_import_id, {columns})"
                f" SELECT %s, {columns} FROM {self.table} ORDER BY line_number",
                [self.spend_import.pk],
            )
            cursor.execute(f"DROP TABLE {self.table}")


def _write(
    stream: BinaryIO,
    *,
    encoding: str,
    sha256: str,
    filename: str,
    user: AbstractBaseUser | None,
    checked: _Checked,
    today: dt.date,
    chunk_size: int,
) -> SpendImportResult:
    try:
        with transaction.atomic():
            spend_import = SpendImport(
                filename=filename,
                sha256=sha256,
                imported_by=user,
                rows_skipped=checked.error_count,
            )
            spend_import.full_clean(validate_unique=False)
            try:
                with transaction.atomic():
                    spend_import.save()
            except IntegrityError as error:  # the same file, imported a moment ago
                raise _AlreadyImported from error
            supplier_ids, created = _suppliers_resolve(
                checked.suppliers, create=True, user=user, reason=f"Spend import: {filename}"
            )
            if connection.vendor == "postgresql":
                writer = _CopyWriter(spend_import)
            else:
                writer = _BulkCreateWriter(spend_import, batch_size=chunk_size)
            with _rows(stream, encoding=encoding, today=today) as rows:
                good = (row for row in rows if isinstance(row, SpendRow))
                for chunk in _batches(good, chunk_size):
                    writer.write([_values(row, supplier_ids) for row in chunk])
            writer.finish()
            _spend_import_total(spend_import)
            _transactions_match(spend_import)
            _spend_summary_rebuild(spend_import)
    except _AlreadyImported:
        return _already(SpendImport.objects.get(sha256=sha256))
    return SpendImportResult(
        status=IMPORTED,
        spend_import=spend_import,
        rows_imported=spend_import.rows_imported,
        rows_skipped=spend_import.rows_skipped,
        total_amount=spend_import.total_amount,
        suppliers_created=created,
        errors=checked.errors,
        file_error=None,
        error_count=checked.error_count,
    )


class _AlreadyImported(Exception):
    pass


def _values(row: SpendRow, supplier_ids: Mapping[SupplierKey, int | None]) -> tuple:
    supplier_id = supplier_ids[row.supplier_key] if row.supplier_key is not None else None
    return (
        row.line,
        row.paid_on,
        supplier_id,
        row.supplier_name,
        row.amount,
        row.service_area,
        row.expense_type,
        row.reference,
    )


def _spend_import_total(spend_import: SpendImport) -> None:
    """Record the rows, total and date range of what was written: one aggregate, one update."""
    totals = SpendTransaction.objects.filter(spend_import=spend_import).aggregate(
        rows=Count("id"), total=Sum("amount"), first=Min("paid_on"), last=Max("paid_on")
    )
    spend_import.rows_imported = totals["rows"]
    spend_import.total_amount = (totals["total"] or Decimal("0")).quantize(Decimal("0.01"))
    spend_import.first_paid_on = totals["first"]
    spend_import.last_paid_on = totals["last"]
    spend_import.save(
        update_fields=["rows_imported", "total_amount", "first_paid_on", "last_paid_on"]
    )


def _transactions_match(spend_import: SpendImport) -> None:
    """Link the new payments to the contracts that cover them.

    Only suppliers holding a contract can have a payment linked, so only they are matched: most
    suppliers in a spend file have none, and the matching UPDATE rewrites every payment of each
    supplier it is given, old ones included.
    """
    paid = SpendTransaction.objects.filter(spend_import=spend_import).values("supplier_id")
    holders = (
        Contract.objects.filter(supplier_id__in=paid)
        .order_by("supplier_id")
        .values_list("supplier_id", flat=True)
        .distinct()
    )
    for batch in _batches(list(holders), MATCH_BATCH):
        transactions_match_contracts(supplier_ids=batch)


def _spend_summary_rebuild(spend_import: SpendImport) -> None:
    """Rebuild the spend dashboard's totals for the financial years the file covers.

    The matching above rebuilds them only for suppliers holding a contract; payments to every
    other supplier in the file count in the totals too.
    """
    first, last = spend_import.first_paid_on, spend_import.last_paid_on
    if first is not None and last is not None:
        spend_summary_rebuild(years=range(financial_year_of(first), financial_year_of(last) + 1))


def _rejected(
    *,
    file_error: str | None = None,
    errors: list[RowError] | None = None,
    error_count: int | None = None,
) -> SpendImportResult:
    return SpendImportResult(
        status=REJECTED,
        spend_import=None,
        rows_imported=0,
        rows_skipped=0,
        total_amount=Decimal("0.00"),
        suppliers_created=0,
        errors=errors or [],
        file_error=file_error,
        error_count=error_count,
    )


def _already(previous: SpendImport) -> SpendImportResult:
    return SpendImportResult(
        status=ALREADY_IMPORTED,
        spend_import=previous,
        rows_imported=0,
        rows_skipped=0,
        total_amount=Decimal("0.00"),
        suppliers_created=0,
        errors=[],
        file_error=None,
    )


def format_pounds(amount: Decimal) -> str:
    """Pounds as messages show them: "£1,234.50", or "-£20.00" for a net credit."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
