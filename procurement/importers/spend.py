"""Import a council's "spend over £500" file (Local Government Transparency Code 2015), CSV or
an .xlsx workbook's sheet (read as CSV by `workbook`).

Which heading is which field, and what each row says, are `spend_rules`' decisions; this module
reads the file, counts, and writes. Every path below calls the same rules.

The file is never held in memory. On PostgreSQL a clean file takes the COPY path
(`spend_copy`); a file with anything unusual is read twice:

1. bytes: the checksum (importing the same file again is a no-op), binary and encoding checks;
2. inside one transaction, every row is validated and, while no row has failed, streamed into
   one COPY to a temporary staging table as it is read (the database stores rows on one CPU
   while Python parses the next ones on another). Once the file is read the new suppliers are
   created and one INSERT ... SELECT moves the rows into place, each with its supplier and the
   contract covering it. A bad row (unless the caller asks to skip bad rows) or a whole-file
   problem found part-way raises inside the transaction, so nothing is written; every bad row
   is still reported with its line number. Last, the dashboard's totals are rebuilt for the
   years and suppliers the file touched.

On SQLite (and for a dry run) the rows are validated in one pass and, if the file is clean,
read again and written with bulk_create a chunk at a time inside one transaction, then linked
to contracts by one UPDATE.

At a million lines (make bench, the COPY path) about three fifths of the CPU is the one INSERT
into the real table: converting the cells, writing the rows and keeping its four indexes
(docs/performance.md has the profile).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.db_errors import refusal_message
from core.financial_year import financial_year_of
from core.money import format_pounds
from procurement.identity import SupplierIndex
from procurement.importers import spend_rules as rules
from procurement.importers.csvread import (
    ByteScan,
    FileProblem,
    binary_source,
    csv_records,
    scan_bytes,
)
from procurement.importers.spend_copy import CleanFile, NotClean
from procurement.importers.spend_preview import SpendPreview, preview_spend_file
from procurement.importers.spend_rules import (
    SPEND_FIELDS,
    NeedsMapping,
    Recognition,
    RowError,
    RowParser,
    SkippedRow,
    SpendRow,
    SupplierKey,
    find_spend_header,
    layout_signature,
)
from procurement.importers.workbook import reads_as_workbook, workbook_as_csv
from procurement.models import SpendImport, SpendTransaction, Supplier
from procurement.services.payment_matching import (
    covering_contracts_sql,
    transactions_match_contracts,
)
from procurement.services.spend_summary import spend_summary_rebuild

__all__ = [
    "NEEDS_MAPPING",
    "SPEND_FIELDS",
    "RowError",
    "SpendPreview",
    "import_spend_file",
    "layout_signature",
    "preview_spend_file",
]

IMPORTED = "imported"
ALREADY_IMPORTED = "already_imported"
REJECTED = "rejected"
DRY_RUN = "dry_run"
# The header was found but a required field could not be placed, or two headings compete: the
# caller says which column is which (`mapping`) and tries again.
NEEDS_MAPPING = "needs_mapping"

# The field names, as `mapping` and `--map` take them (spend_rules holds the rules).
SUPPLIER, AMOUNT, DATE = rules.SUPPLIER, rules.AMOUNT, rules.DATE
SERVICE_AREA, EXPENSE_TYPE, REFERENCE = rules.SERVICE_AREA, rules.EXPENSE_TYPE, rules.REFERENCE
COMPANY_NUMBER = rules.COMPANY_NUMBER
ALIASES = rules.ALIASES
REQUIRED = rules.REQUIRED
MAX_ERRORS_KEPT = 1000  # a file of bad rows must not fill the memory with messages
# Names per IN (...) query and suppliers per INSERT: SQLite allows 999 variables a statement.
BATCH = {"sqlite": 500}
DEFAULT_BATCH = 5000
MATCH_BATCH = 500

DEFAULT_COUNCIL_NAME = "Worcestershire County Council"
logger = logging.getLogger(__name__)
# What a job's page says the import is doing once the rows are read.
CHECKING = "Checking the rows."
SAVING = "Saving the payments."
TOTALLING = "Updating the spend dashboard's totals."
IMPORT_LOCK = 0x5350454E44  # "SPEND": the advisory lock spend imports take turns on
# progress(rows read, bad rows so far), called every PROGRESS_EVERY rows (or COPY's block).
Progress = Callable[[int, int], None]
# stage(what the import does next), once the rows are read: a sentence, e.g. "Saving the payments."
Stage = Callable[[str], None]
PROGRESS_EVERY = 10_000
T = TypeVar("T")


@dataclass
class Placeholder:
    """Rows whose supplier cell stands for no one ("REDACTED", "Various", a blank cell)."""

    rows: int = 0
    total: Decimal = Decimal("0.00")


@dataclass
class SpendImportResult:
    status: str  # "imported" | "already_imported" | "rejected" | "dry_run" | "needs_mapping"
    spend_import: SpendImport | None
    rows_imported: int
    rows_skipped: int
    total_amount: Decimal
    suppliers_created: int
    errors: list[RowError]
    file_error: str | None  # whole-file problem: no header, not CSV, wrong encoding, empty
    # How many rows had errors: `errors` keeps only the first MAX_ERRORS_KEPT of them.
    error_count: int | None = field(default=None)
    # The layout: the header's line and headings, which heading went to which field (field ->
    # heading), the headings no field took, and (NEEDS_MAPPING) what could not be placed.
    header_line: int = 0
    headings: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    sheet: str | None = None  # the workbook's sheet read
    # What the import noticed that is not an error: an invoice date used, rows that are not
    # payments (blank rows, a total) skipped, each with its line.
    notes: list[str] = field(default_factory=list)
    # Placeholder name as written ("withheld" for a blank cell) -> rows and pounds: counted in
    # the totals as redacted spend, never a supplier.
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    # Lines whose transaction number, date and amount match a payment imported before.
    republished_rows: int = 0
    republished_total: Decimal = Decimal("0.00")
    publisher: str = ""
    is_own: bool = True
    # Names matching a supplier with a different company number: kept apart (procurement.identity).
    supplier_conflicts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.error_count is None:
            self.error_count = len(self.errors)


def import_spend_file(
    source: str | Path | BinaryIO,
    *,
    filename: str | None = None,
    user: User | AnonymousUser | None = None,
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    chunk_size: int = 50_000,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    publisher: str | None = None,
    progress: Progress | None = None,
    stage: Stage | None = None,
) -> SpendImportResult:
    """Validate a spend file (CSV, or an .xlsx workbook's sheet) and (unless it has bad rows
    or this is a dry run) import it.

    `mapping` (field -> heading as written in the file) places columns recognition cannot, and
    overrides it. `sheet` names a workbook's sheet (else the first with a recognisable header).
    `publisher` is who published the file where it has no organisation column (else the
    council). `chunk_size` is the rows per bulk_create where there is no COPY. `progress` is
    told the rows read and bad rows so far as the file is read, `stage` what it does after.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    unknown = sorted(set(mapping or {}) - set(rules.FIELD_NAMES))
    if unknown:
        raise ValueError(f"not spend fields: {', '.join(unknown)} ({', '.join(rules.FIELD_NAMES)})")
    with binary_source(source) as (stream, default_name):
        name = (filename or default_name or "spend.csv")[:255]
        try:
            with _as_csv(stream, name=name, sheet=sheet, mapping=mapping) as (
                text_stream,
                scan,
                chosen,
            ):
                previous = SpendImport.objects.filter(sha256=scan.sha256).first()
                if previous is not None:
                    return _already(previous)
                target = _Target(
                    stream=text_stream,
                    encoding=scan.encoding,
                    sha256=scan.sha256,
                    filename=name,
                    user=user if user is not None and user.is_authenticated else None,
                    today=timezone.localdate(),
                    skip_bad_rows=skip_bad_rows,
                    mapping=dict(mapping or {}),
                    publisher=(publisher or "").strip(),
                    sheet=chosen,
                    progress=progress,
                    stage=stage,
                )
                try:
                    result = _import(target, dry_run=dry_run, chunk_size=chunk_size)
                    result.sheet = chosen
                    return result
                except DatabaseError as error:  # a trigger, a full disk: rolled back, so say so
                    logger.exception("Spend import of %s refused by the database", name)
                    return _rejected(file_error=refusal_message(error))
        except FileProblem as problem:
            return _refused(problem)


@contextmanager
def _as_csv(
    stream: BinaryIO, *, name: str, sheet: str | None, mapping: Mapping[str, str] | None
) -> Iterator[tuple[IO[bytes], ByteScan, str | None]]:
    """The file as CSV bytes, its scan (checksum of the file as given) and the sheet read.

    A workbook named as a CSV file is refused by scan_bytes, as before: its name and its
    content disagree, and the officer should know which they meant.
    """
    if not reads_as_workbook(stream, filename=name):
        if sheet is not None:
            raise FileProblem(f'The file is not an Excel workbook, so it has no sheet "{sheet}"')
        yield stream, scan_bytes(stream), None
        return
    digest = hashlib.sha256()
    while block := stream.read(1 << 20):
        digest.update(block)
    stream.seek(0)
    spool, chosen = workbook_as_csv(stream, sheet=sheet, mapping=mapping)
    with spool:
        scan = scan_bytes(spool)
        yield spool, ByteScan(digest.hexdigest(), scan.size, scan.encoding), chosen


def _import(target: _Target, *, dry_run: bool, chunk_size: int) -> SpendImportResult:
    if not dry_run and connection.vendor == "postgresql":
        # A clean file (nearly every file) takes the fast path; anything else is read row by
        # row, which names each bad row and its line.
        return _import_clean(target) or _import_streaming(target)
    try:
        checked = _validate(target)
    except FileProblem as problem:
        return _refused(problem)
    if (verdict := _verdict(checked, skip_bad_rows=target.skip_bad_rows)) is not None:
        return verdict
    if dry_run:
        return _dry_run(checked, target)
    return _import_in_chunks(target, checked=checked, chunk_size=chunk_size)


@dataclass(frozen=True)
class _Target:
    """One file to import and who asked, as the writing paths need them."""

    stream: IO[bytes]
    encoding: str
    sha256: str
    filename: str
    user: User | None
    today: dt.date
    skip_bad_rows: bool
    mapping: dict[str, str] = field(default_factory=dict)
    publisher: str = ""
    sheet: str | None = None
    progress: Progress | None = None
    stage: Stage | None = None

    def say(self, text: str) -> None:
        if self.stage is not None:
            self.stage(text)


def _verdict(checked: _Checked, *, skip_bad_rows: bool) -> SpendImportResult | None:
    """The rejection a validated file earns, or None if it may be imported."""
    if checked.rows == 0 and checked.error_count == 0:
        return _rejected(file_error="The file has a header row but no data rows")
    if checked.error_count and (not skip_bad_rows or checked.rows == 0):
        return _rejected(errors=checked.errors, error_count=checked.error_count)
    return None


# -- reading -------------------------------------------------------------------------------------


@contextmanager
def _rows(
    target: _Target,
) -> Iterator[tuple[Recognition, Iterator[SpendRow | SkippedRow | RowError]]]:
    """The header's recognition, and each data row of the file, parsed, skipped as not a
    payment, or the error that stops it being imported."""
    with csv_records(target.stream, target.encoding) as records:
        header, _ = find_spend_header(records, mapping=target.mapping)
        parse = RowParser(header.columns, target.today, len(header.headings))
        yield header, (parse(line, row) for line, row in records)


@dataclass
class _Checked:
    """What one pass over the file found: counts, totals, errors and the distinct suppliers."""

    rows: int = 0
    total: Decimal = Decimal("0.00")
    first_paid_on: dt.date | None = None
    last_paid_on: dt.date | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    redacted: bool = False  # some good rows have no supplier
    # Distinct suppliers in the file, with the name as first written, in order of first
    # appearance: bounded by the number of suppliers, not of rows.
    suppliers: dict[SupplierKey, str] = field(default_factory=dict)
    # Each supplier's place in `suppliers`, counting from 1: the staging table holds this.
    positions: dict[SupplierKey, int] = field(default_factory=dict)
    header: Recognition | None = None
    notes: list[str] = field(default_factory=list)
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    organisations: Counter[str] = field(default_factory=Counter)
    has_reference: bool = False  # some good row has a transaction number
    republished_rows: int = 0
    republished_total: Decimal = Decimal("0.00")
    progress: Progress | None = None

    def good_rows(
        self, rows: Iterable[SpendRow | SkippedRow | RowError], *, keep_going: bool
    ) -> Iterator[tuple[SpendRow, int | None]]:
        """Count every row, and yield each good one with its supplier's position.

        After the first bad row nothing more is yielded unless `keep_going`, as the file will
        be rejected; the rest is still read, so that every bad row is reported.
        """
        positions, suppliers, errors = self.positions, self.suppliers, self.errors
        total, first, last = self.total, self.first_paid_on, self.last_paid_on
        counting_organisations = rules.ORGANISATION in (self.header.columns if self.header else {})
        progress, read = self.progress, 0
        for row in rows:
            if progress is not None:
                read += 1
                if read % PROGRESS_EVERY == 0:
                    progress(read, self.error_count)
            if isinstance(row, RowError):
                self.error_count += 1
                if len(errors) < MAX_ERRORS_KEPT:
                    errors.append(row)
                continue
            if isinstance(row, SkippedRow):
                self.total = total
                self._skip(row)
                continue
            self.rows += 1
            total += row.amount
            paid_on = row.paid_on
            if first is None or paid_on < first:
                first = paid_on
            if last is None or paid_on > last:
                last = paid_on
            if row.reference:
                self.has_reference = True
            if counting_organisations:
                self.organisations[row.organisation] += 1
            key = row.supplier_key
            if key is None:
                position = None
                self.redacted = True
                # The rules give a row with no supplier what stands for it (a blank: WITHHELD).
                assert row.placeholder is not None, row
                placeholder = self.placeholders.setdefault(row.placeholder, Placeholder())
                placeholder.rows += 1
                placeholder.total += row.amount
            elif (position := positions.get(key)) is None:
                position = positions[key] = len(positions) + 1
                suppliers[key] = row.supplier_name
            if keep_going or not self.error_count:
                yield row, position
        self.total, self.first_paid_on, self.last_paid_on = total, first, last
        if progress is not None:
            progress(read, self.error_count)

    def _skip(self, row: SkippedRow) -> None:
        """Note a row that is not a payment; a total must equal the rows above it."""
        if row.amount is None:
            if len(self.notes) < MAX_ERRORS_KEPT:
                self.notes.append(f"line {row.line}: skipped, {row.reason}")
            return
        shown = format_pounds(row.amount)
        if self.error_count:
            self.notes.append(
                f"line {row.line}: skipped, a total ({shown}); it could not be checked against"
                f" the rows above, as {self.error_count} of them are bad rows"
            )
        elif row.amount == self.total:
            self.notes.append(
                f"line {row.line}: skipped, a total ({shown}) equal to the sum of the rows above"
            )
        else:
            self.error_count += 1
            self.errors.append(
                RowError(
                    row.line,
                    f"this looks like a total ({shown}) but the rows above it sum to"
                    f" {format_pounds(self.total)}: remove it, or correct the rows",
                )
            )


def _validate(target: _Target) -> _Checked:
    """Read and check every row, writing nothing."""
    checked = _Checked(progress=target.progress)
    with _rows(target) as (header, rows):
        checked.header = header
        for _ in checked.good_rows(rows, keep_going=False):
            pass
    return checked


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# -- suppliers -----------------------------------------------------------------------------------


def _suppliers_resolve(
    keys: Mapping[SupplierKey, str],
    *,
    create: bool,
    user: User | None,
    reason: str,
) -> tuple[dict[SupplierKey, int], int, list[str]]:
    """Map each supplier in the file to a Supplier id, creating the new ones when `create`.

    procurement.identity decides who each is: a company number first, else the name key
    ("Acme Ltd", "ACME LIMITED" and "acme limited." are one supplier), the older of two
    suppliers of one name, never one with a different number (a conflict: a new supplier, and
    a message). Returns the map, the number of suppliers created (or that would be) and the
    conflicts.
    """
    batch_size = BATCH.get(connection.vendor, DEFAULT_BATCH)
    index = SupplierIndex(
        name_keys={name for name, _ in keys}, numbers={number for _, number in keys}
    )
    resolved: dict[SupplierKey, int | Supplier] = {}
    new: list[Supplier] = []
    conflicts: list[str] = []
    for (name, number), written_as in keys.items():
        found = index.find(key=name, number=number)
        if found.supplier_id is not None:
            resolved[(name, number)] = found.supplier_id
            continue
        supplier = index.find_new(key=name, number=number)
        if supplier is None:
            supplier = Supplier(name=written_as, normalised_name=name, company_number=number)
            new.append(supplier)
            if found.conflict is not None:
                conflicts.append(found.conflict_message(name=written_as, number=number))
        elif number and not supplier.company_number:
            supplier.company_number = number
        index.add(supplier, key=name, number=number)
        resolved[(name, number)] = supplier

    if create and new:
        # bulk_create skips Supplier.save(), which is why normalised_name is set above.
        bulk_create_with_history(
            new, Supplier, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
    ids = {
        key: (value.pk if isinstance(value, Supplier) else value) for key, value in resolved.items()
    }
    return ids, len(new), conflicts


# -- writing -------------------------------------------------------------------------------------

# The staging table's columns: the payment's, then its supplier's position and name as written.
_STAGED = (*rules.PAYMENT_COLUMNS, "supplier", "supplier_name")
# The text columns, whose empty cells COPY must read as '' rather than NULL.
_STAGED_TEXT = tuple(
    name for name in _STAGED if isinstance(SpendTransaction._meta.get_field(name), models.CharField)
)


def _import_streaming(target: _Target) -> SpendImportResult:
    """PostgreSQL: validate and stage the rows in one pass, all inside one transaction.

    Any whole-file problem or (unless skipping them) bad row is found only once rows have been
    staged, so it is raised out of the transaction, which rolls everything back.
    """
    try:
        with transaction.atomic():
            _bulk_settings()
            spend_import = _spend_import_create(target)
            staging = _Staging(spend_import)
            checked = _Checked(progress=target.progress)
            with _rows(target) as (header, rows):
                checked.header = header
                staging.copy(checked.good_rows(rows, keep_going=target.skip_bad_rows))
            if (verdict := _verdict(checked, skip_bad_rows=target.skip_bad_rows)) is not None:
                raise _Rejected(verdict)
            target.say(SAVING)
            supplier_ids, created, conflicts = _suppliers_resolve(
                checked.suppliers, create=True, user=target.user, reason=_reason(target)
            )
            staging.insert([supplier_ids[key] for key in checked.suppliers])
            _republished_remove(spend_import, checked)
            _spend_import_record(spend_import, checked, target)
            target.say(TOTALLING)
            _spend_summary_rebuild(supplier_ids.values(), checked)
    except _AlreadyImported:
        return _already(SpendImport.objects.get(sha256=target.sha256))
    except _Rejected as rejected:
        return rejected.result
    except FileProblem as problem:
        return _refused(problem)
    return _imported(spend_import, checked=checked, created=created, conflicts=conflicts)


def _import_clean(target: _Target) -> SpendImportResult | None:
    """PostgreSQL: import a file with no bad rows by COPY (see spend_copy), or return None,
    having written nothing, if the file needs reading row by row."""
    clean = CleanFile(
        stream=target.stream,
        encoding=target.encoding,
        today=target.today,
        mapping=target.mapping,
        progress=target.progress,
    )
    try:
        with transaction.atomic():
            _bulk_settings()
            clean.stage()
            target.say(CHECKING)
            clean.check()
            target.say(SAVING)
            spend_import = _spend_import_create(target)
            keys: dict[SupplierKey, str] = {}
            for stored, key, _ in clean.suppliers.values():  # in order of first appearance
                if key is not None:
                    keys.setdefault(key, stored)
            supplier_ids, created, conflicts = _suppliers_resolve(
                keys, create=True, user=target.user, reason=_reason(target)
            )
            written = clean.write(spend_import_id=spend_import.pk, supplier_ids=supplier_ids)
            checked = _Checked(
                rows=written.rows,
                total=written.total,
                first_paid_on=written.first_paid_on,
                last_paid_on=written.last_paid_on,
                redacted=written.redacted,
                header=clean.header,
                placeholders={
                    name: Placeholder(rows, total) for name, (rows, total) in written.placeholders
                },
                organisations=Counter(dict(written.organisations)),
                has_reference=written.has_reference,
            )
            if target.progress is not None:
                target.progress(written.rows, 0)
            _republished_remove(spend_import, checked)
            _spend_import_record(spend_import, checked, target)
            target.say(TOTALLING)
            _spend_summary_rebuild(supplier_ids.values(), checked)
    except NotClean as reason:
        logger.info("Spend file %s read row by row: %s", target.filename, reason)
        return None
    except _AlreadyImported:
        return _already(SpendImport.objects.get(sha256=target.sha256))
    return _imported(spend_import, checked=checked, created=created, conflicts=conflicts)


def _import_in_chunks(target: _Target, *, checked: _Checked, chunk_size: int) -> SpendImportResult:
    """Elsewhere: the file has been validated, so read it again and bulk_create each chunk,
    then link the new rows to contracts."""
    try:
        with transaction.atomic():
            target.say(SAVING)
            spend_import = _spend_import_create(target)
            supplier_ids, created, conflicts = _suppliers_resolve(
                checked.suppliers, create=True, user=target.user, reason=_reason(target)
            )
            with _rows(target) as (_, rows):
                good = (row for row in rows if type(row) is SpendRow)
                for chunk in _batches(good, chunk_size):
                    SpendTransaction.objects.bulk_create(
                        [_transaction(spend_import, row, supplier_ids) for row in chunk],
                        batch_size=chunk_size,
                    )
            _republished_remove(spend_import, checked)
            _spend_import_record(spend_import, checked, target)
            # Only this import's rows are matched: older payments' contracts have not changed.
            transactions_match_contracts(spend_import_id=spend_import.pk, rebuild_summary=False)
            target.say(TOTALLING)
            _spend_summary_rebuild(supplier_ids.values(), checked)
    except _AlreadyImported:
        return _already(SpendImport.objects.get(sha256=target.sha256))
    return _imported(spend_import, checked=checked, created=created, conflicts=conflicts)


class _AlreadyImported(Exception):
    pass


class _Rejected(Exception):
    """Raised inside the import's transaction to roll it back and return `result`."""

    def __init__(self, result: SpendImportResult) -> None:
        super().__init__(result.file_error or f"{result.error_count} bad rows")
        self.result = result


def _bulk_settings() -> None:
    """Settings for this one transaction (SET LOCAL), suited to a few statements of a million rows,
    and the lock that makes imports take turns.

    Imports take turns (a transaction-scoped advisory lock, released at commit or rollback) so
    that two files naming the same new supplier cannot both create it: the second waits, then
    finds the supplier the first created. synchronous_commit off: the commit returns before
    its WAL reaches the disk; a crash in that moment loses the whole import (it is simply run
    again), never half of it. jit off: the statements are plain scans and joins; compiling them
    cost more (a quarter of a second each at a million rows) than it saved. work_mem: the rows
    are sorted by supplier and day before they are written, in memory rather than on disk.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")


def _reason(target: _Target) -> str:
    return f"Spend import: {target.filename}"


def _spend_import_create(target: _Target) -> SpendImport:
    spend_import = SpendImport(
        filename=target.filename, sha256=target.sha256, imported_by=target.user
    )
    spend_import.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            spend_import.save()
    except IntegrityError as error:  # the same file, imported a moment ago
        raise _AlreadyImported from error
    return spend_import


class _Staging:
    """PostgreSQL: a temporary table the rows are COPYed into, then one INSERT ... SELECT.

    The staging table has no indexes or constraints, so COPY runs at disk speed, and it is fed
    while the file is being read. It holds each row's supplier as its position in the file's
    list of suppliers (the ids are only known once the whole file is read); the INSERT maps
    positions to ids with an array, checks the foreign keys and fills the real table's indexes.
    """

    BLOCK_ROWS = 500  # rows per piece of COPY data: about 60 KB

    def __init__(self, spend_import: SpendImport) -> None:
        self.spend_import = spend_import
        self.table = f"spend_import_staging_{spend_import.pk}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} ("
                " line_number integer NOT NULL, paid_on date NOT NULL,"
                " amount numeric(14, 2) NOT NULL, service_area text NOT NULL,"
                " expense_type text NOT NULL, reference text NOT NULL, purpose text NOT NULL,"
                " merchant_category text NOT NULL, capital_revenue text NOT NULL,"
                " procurement_card boolean, irrecoverable_vat numeric(14, 2), invoice_date date,"
                " supplier integer, supplier_name text NOT NULL"
                ") ON COMMIT DROP"
            )

    def copy(self, rows: Iterable[tuple[SpendRow, int | None]]) -> None:
        """Stream the rows into the staging table with one COPY."""
        # An empty unquoted field is NULL in COPY's CSV format: right for the supplier
        # (redacted names), wrong for blank text, hence FORCE_NOT_NULL on the text columns.
        sql = (
            f"COPY {self.table} ({', '.join(_STAGED)}) FROM STDIN"
            f" WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(_STAGED_TEXT)}))"
        )
        blocks = _BlockReader(_csv_blocks(rows, rows_per_block=self.BLOCK_ROWS))
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, blocks)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    while block := blocks.read():
                        copy.write(block)
        blocks.raise_failure()

    def insert(self, supplier_ids: Sequence[int]) -> None:
        """Move the staged rows into place, each with its supplier and the contract covering it.

        `supplier_ids` are in the order of the positions staged. Setting the contract here
        rather than by an UPDATE afterwards writes each row once instead of twice.
        """
        columns = ", ".join((*rules.PAYMENT_COLUMNS, "supplier_id", "supplier_name"))
        ids = list(supplier_ids)
        staged = (
            f"(SELECT {', '.join(rules.PAYMENT_COLUMNS)},"
            f" (%s::bigint[])[supplier] AS supplier_id, supplier_name FROM {self.table})"
        )
        # The staged rows are read twice rather than through a CTE, which PostgreSQL would
        # write out in full; the contracts' side costs nothing when no supplier holds one.
        covering, covering_params = covering_contracts_sql(payments=staged, key="line_number")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SpendTransaction._meta.db_table}"
                f" (spend_import_id, {columns}, contract_id)"
                f" SELECT %s, {columns}, covered.contract_id"
                f" FROM {staged} staged LEFT JOIN ({covering}) covered USING (line_number)"
                " ORDER BY line_number",
                [self.spend_import.pk, ids, ids, *covering_params],
            )
            cursor.execute(f"DROP TABLE {self.table}")


def _csv_blocks(
    rows: Iterable[tuple[SpendRow, int | None]], *, rows_per_block: int
) -> Iterator[str]:
    """The staging table's rows as CSV text, a block of rows at a time."""
    buffer = io.StringIO()
    # csv quotes a field holding any character of the line ending, and COPY refuses a bare
    # carriage return (one can sit inside a quoted cell), so the ending is "\r\n".
    writerows = csv.writer(buffer, lineterminator="\r\n").writerows
    # The row in _STAGED's order: SpendRow names the line `line`.
    payment = attrgetter("line", *rules.PAYMENT_COLUMNS[1:])
    staged = ((*payment(row), position, row.supplier_name) for row, position in rows)
    while True:
        writerows(islice(staged, rows_per_block))
        if not buffer.tell():
            return
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class _BlockReader:
    """A file-like face on the CSV blocks for psycopg2's copy_expert, which calls read().

    A problem found while reading the file (say, an unclosed quote on line 900,000) must not
    escape inside the driver's COPY loop, where it would surface as a database error: it ends
    the data cleanly instead, and raise_failure() raises it once COPY has returned.
    """

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks
        self._failure: Exception | None = None

    def read(self, size: int = -1) -> str:
        if self._failure is not None:
            return ""
        try:
            return next(self._blocks, "")
        except Exception as failure:  # re-raised by raise_failure()
            self._failure = failure
            return ""

    def readline(self, size: int = -1) -> str:  # pragma: no cover - copy_expert only reads
        return self.read(size)

    def raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure


def _transaction(
    spend_import: SpendImport, row: SpendRow, supplier_ids: Mapping[SupplierKey, int | None]
) -> SpendTransaction:
    return SpendTransaction(
        spend_import=spend_import,
        line_number=row.line,
        paid_on=row.paid_on,
        supplier_id=supplier_ids[row.supplier_key] if row.supplier_key is not None else None,
        supplier_name=row.supplier_name,
        amount=row.amount,
        service_area=row.service_area,
        expense_type=row.expense_type,
        reference=row.reference,
        purpose=row.purpose,
        merchant_category=row.merchant_category,
        capital_revenue=row.capital_revenue,
        procurement_card=row.procurement_card,
        irrecoverable_vat=row.irrecoverable_vat,
        invoice_date=row.invoice_date,
    )


def _spend_import_record(spend_import: SpendImport, checked: _Checked, target: _Target) -> None:
    """Record the rows, total, dates and publisher of what was written.

    They come from the pass that wrote the rows (the rows written are exactly the good rows it
    counted), which saves reading a million rows back.
    """
    spend_import.rows_imported = checked.rows
    spend_import.rows_skipped = checked.error_count
    spend_import.total_amount = checked.total
    spend_import.first_paid_on = checked.first_paid_on
    spend_import.last_paid_on = checked.last_paid_on
    spend_import.publisher, spend_import.is_own = _publisher(checked, target)
    spend_import.save(
        update_fields=[
            "rows_imported",
            "rows_skipped",
            "total_amount",
            "first_paid_on",
            "last_paid_on",
            "publisher",
            "is_own",
        ]
    )


def council_name() -> str:
    return getattr(settings, "COUNCIL_NAME", "") or DEFAULT_COUNCIL_NAME


def _publisher(checked: _Checked, target: _Target) -> tuple[str, bool]:
    """Who published the file: its organisation column's most common value, else the name the
    caller gave, else the council; and whether that is the council itself."""
    named = [(count, name) for name, count in checked.organisations.items() if name.strip()]
    publisher = (max(named)[1] if named else "") or target.publisher or council_name()
    return publisher, rules.fold_heading(publisher) == rules.fold_heading(council_name())


def _republished_remove(spend_import: SpendImport, checked: _Checked) -> None:
    """Take out the lines a file republishes: a payment whose transaction number, date and
    amount match one imported from another file is counted, not added again.

    It runs once the rows are in, by one query on each database and path, and looks only at
    the file's own dates (the paid_on index), so it costs nothing for a file without
    transaction numbers or whose dates no other file covers (one look at the imports).
    """
    if not checked.has_reference or checked.first_paid_on is None:
        return
    dates = (checked.first_paid_on, checked.last_paid_on)
    overlapping = SpendImport.objects.exclude(pk=spend_import.pk).filter(
        first_paid_on__lte=dates[1], last_paid_on__gte=dates[0]
    )
    if not overlapping.exists():  # the usual case: no other file covers these dates
        return
    _statistics_refresh(checked.rows)
    earlier = SpendTransaction.objects.filter(
        paid_on__range=dates,
        reference=OuterRef("reference"),
        paid_on=OuterRef("paid_on"),
        amount=OuterRef("amount"),
    ).exclude(spend_import=spend_import)
    again = SpendTransaction.objects.filter(
        paid_on__range=dates, spend_import=spend_import, reference__gt=""
    ).filter(Exists(earlier))
    found = again.aggregate(rows=Count("id"), total=Sum("amount"))
    if not found["rows"]:
        return
    again.delete()
    checked.republished_rows = found["rows"]
    checked.republished_total = found["total"]
    checked.rows -= found["rows"]
    checked.total -= found["total"]


# Fewer new rows than this leave the planner's picture of the table near enough as it was.
ANALYZE_FROM_ROWS = 10_000


def _statistics_refresh(rows: int) -> None:
    """PostgreSQL: let the planner see the rows this import has just written.

    They are not committed yet, so autovacuum cannot count them, and the table's statistics
    still describe it as it was. Looking for republished payments with those statistics, the
    planner expects this import to have next to no rows and checks each of them against every
    earlier payment in the file's dates: a million-line file over a year of other files' dates
    ran for more than 13 minutes without finishing. ANALYZE inside the transaction samples
    the transaction's own rows too; it holds only a lock that other ANALYZEs and VACUUMs wait
    on, and costs a fraction of a second at a million rows.
    """
    if connection.vendor == "postgresql" and rows >= ANALYZE_FROM_ROWS:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(SpendTransaction._meta.db_table)}")


def _spend_summary_rebuild(supplier_ids: Iterable[int], checked: _Checked) -> None:
    """Rebuild the dashboard's totals for the years and suppliers the file touched.

    The suppliers are passed as a list rather than a subquery on this import's rows: the
    rows are too new for the planner's statistics, and a misjudged subquery can run for hours.
    SQLite takes only so many parameters a statement, so there they go in batches.
    """
    first, last = checked.first_paid_on, checked.last_paid_on
    if first is None or last is None:
        return
    years = range(financial_year_of(first), financial_year_of(last) + 1)
    ids = sorted(set(supplier_ids))
    batches = list(_batches(ids, BATCH.get(connection.vendor, len(ids) or 1))) or [[]]
    for number, batch in enumerate(batches):
        # The redacted payments (no supplier) are rebuilt once, with the first batch.
        redacted = checked.redacted and number == 0
        spend_summary_rebuild(years=years, supplier_ids=batch, redacted=redacted)


def _counted(
    status: str,
    checked: _Checked,
    *,
    spend_import: SpendImport | None,
    created: int,
    conflicts: list[str],
    publisher: tuple[str, bool],
) -> SpendImportResult:
    """The result of a file read in full (imported, or a dry run): what was counted and
    written or would be, and what the import read: the layout, notes, placeholders."""
    result = SpendImportResult(
        status=status,
        spend_import=spend_import,
        rows_imported=checked.rows,
        rows_skipped=checked.error_count,
        total_amount=checked.total,
        suppliers_created=created,
        errors=checked.errors,
        file_error=None,
        error_count=checked.error_count,
        publisher=publisher[0],
        is_own=publisher[1],
        supplier_conflicts=conflicts,
    )
    header = checked.header
    if header is not None:
        result.header_line, result.headings = header.line, list(header.headings)
        result.mapping, result.ignored = header.mapping, header.ignored
        result.notes = list(header.notes)
    result.notes += checked.notes
    result.placeholders = dict(checked.placeholders)
    result.republished_rows = checked.republished_rows
    result.republished_total = checked.republished_total
    return result


def _imported(
    spend_import: SpendImport, *, checked: _Checked, created: int, conflicts: list[str]
) -> SpendImportResult:
    """What was written: the import records the same counts (_spend_import_record)."""
    publisher = (spend_import.publisher, spend_import.is_own)
    return _counted(
        IMPORTED,
        checked,
        spend_import=spend_import,
        created=created,
        conflicts=conflicts,
        publisher=publisher,
    )


def _republished_count(checked: _Checked, target: _Target) -> None:
    """A dry run's count of the lines an import would find already imported (see
    _republished_remove): the earlier payments in the file's dates, then the file read again."""
    if not checked.has_reference or checked.first_paid_on is None:
        return
    dates = (checked.first_paid_on, checked.last_paid_on)
    earlier = set(
        SpendTransaction.objects.filter(paid_on__range=dates, reference__gt="").values_list(
            "reference", "paid_on", "amount"
        )
    )
    if not earlier:
        return
    with _rows(target) as (_, rows):
        for row in rows:
            if type(row) is SpendRow and (row.reference, row.paid_on, row.amount) in earlier:
                checked.republished_rows += 1
                checked.republished_total += row.amount
    checked.rows -= checked.republished_rows
    checked.total -= checked.republished_total


def _dry_run(checked: _Checked, target: _Target) -> SpendImportResult:
    _republished_count(checked, target)
    _, new, conflicts = _suppliers_resolve(checked.suppliers, create=False, user=None, reason="")
    return _counted(
        DRY_RUN,
        checked,
        spend_import=None,
        created=new,
        conflicts=conflicts,
        publisher=_publisher(checked, target),
    )


def _rejected(
    *,
    file_error: str | None = None,
    errors: list[RowError] | None = None,
    error_count: int | None = None,
    status: str = REJECTED,
    spend_import: SpendImport | None = None,
) -> SpendImportResult:
    """A result with nothing written: refused, or (with the earlier import) already imported."""
    return SpendImportResult(
        status=status,
        spend_import=spend_import,
        rows_imported=0,
        rows_skipped=0,
        total_amount=Decimal("0.00"),
        suppliers_created=0,
        errors=errors or [],
        file_error=file_error,
        error_count=error_count,
    )


def _refused(problem: FileProblem) -> SpendImportResult:
    """A whole-file refusal; for a header that needs mapping, what the mapping step needs."""
    if not isinstance(problem, NeedsMapping):
        return _rejected(file_error=str(problem))
    result = _rejected(file_error=str(problem), status=NEEDS_MAPPING)
    header = problem.recognition
    result.header_line, result.headings = header.line, list(header.headings)
    result.mapping, result.ignored = header.mapping, header.ignored
    result.missing, result.ambiguous = list(header.missing), dict(header.ambiguous)
    return result


def _already(previous: SpendImport) -> SpendImportResult:
    return _rejected(status=ALREADY_IMPORTED, spend_import=previous)
