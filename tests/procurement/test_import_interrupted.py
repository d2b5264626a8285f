"""An import stopped part-way, by a killed process or by the database refusing a row, leaves
no partial data, and the same file imports in full afterwards.

The killed import is a real `manage.py import_spend` in another process, killed with SIGKILL
while it is writing: on PostgreSQL while pg_stat_activity shows its COPY or INSERT running, on
SQLite while its rollback journal exists (the file is being written). SQLite's test database
lives in memory, so there the test copies it to a file and both processes use that file.
The database errors come from a trigger the test adds, refusing one row late in the file.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from procurement.importers.ocds import IMPORTED, REJECTED, import_ocds_file
from procurement.importers.spend import import_spend_file
from procurement.models import Contract, SpendImport, SpendTransaction, SpendYearSummary, Supplier
from tests.processes import database_url, manage, manage_start, row_counts, sqlite_file_copy
from tests.procurement.factories import SpendTransactionFactory, SupplierFactory
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ON_SQLITE = connection.vendor == "sqlite"
HEADER = "Supplier Name,Amount,Date,Expense Area,Expense Type,Transaction Number\n"
SUPPLIERS = 300
OCDS = Path(__file__).resolve().parent.parent / "data" / "ocds" / "contracts_finder_releases.json"
CLEANING = "ocds-b5fd17-0d4f7e19-8c2b-4a6d-b3f1-9e5c2a8d7b61"  # the file's last contract
REFUSED = "refused by the test"


def _spend_file(path: Path, *, rows: int) -> Path:
    """`rows` payments in 2024/25 to SUPPLIERS suppliers; the last reference is R-<rows - 1>."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            day, month = 1 + i % 28, 4 + (i // 28) % 9
            out.write(
                f"Interrupted Supplier {i % SUPPLIERS} Ltd,{500 + i % 9000}.{i % 100:02d},"
                f"{day:02d}/{month:02d}/2024,Adult Services,Services,R-{i}\n"
            )
    return path


def _table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _earlier_data() -> None:
    """Spend already imported, and one supplier the new file names."""
    SpendTransactionFactory.create_batch(3)
    SupplierFactory(name="Interrupted Supplier 0 Ltd")


# -- a killed import ------------------------------------------------------------------------------

ROWS_TO_KILL = 60_000
# A rollback journal's header (one 512-byte sector) and one page record (4 + 4096 + 4 bytes).
JOURNAL_WITH_A_PAGE = 512 + 4 + 4096 + 4


def _writing_now(*, database_file: Path | None) -> str | None:
    """What shows the import is part-way through writing, or None if it is not (yet)."""
    if ON_SQLITE:
        # The rollback journal holds the original of at least one page the import changed.
        journal = Path(f"{database_file}-journal")
        try:
            size = journal.stat().st_size
        except FileNotFoundError:
            return None
        return f"{journal.name} holds {size} bytes" if size >= JOURNAL_WITH_A_PAGE else None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT left(query, 60) FROM pg_stat_activity WHERE application_name = %s"
            " AND state = 'active' AND backend_xid IS NOT NULL"
            " AND (query LIKE 'COPY %%' OR query LIKE 'INSERT INTO %%spendtransaction%%')",
            [_application_name()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _application_name() -> str:
    return f"interrupted-import-{os.getpid()}"


def _backend_gone() -> bool:
    """Whether the killed import's PostgreSQL backend has noticed and rolled back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [_application_name()],
        )
        return cursor.fetchone()[0] == 0


def database_for_another_process(tmp_path: Path) -> tuple[Path | None, str]:
    """The test database as another process reaches it: SQLite's copied to a file (returned
    too), PostgreSQL's with this test's application name, which _writing_now looks for."""
    if ON_SQLITE:
        database_file = sqlite_file_copy(tmp_path / "test.sqlite3")
        return database_file, database_url(sqlite_file=database_file)
    return None, database_url(application_name=_application_name())


def kill_while_writing(
    process: subprocess.Popen[str],
    *,
    database_file: Path | None,
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """SIGKILL `process` well inside its import's write, once `ready()` too, and check the
    database saw it die mid-write: a hot journal on SQLite, the backend gone on PostgreSQL."""

    def writing() -> str | None:
        assert process.poll() is None, f"it ended before it could be killed: {process.stderr}"
        return _writing_now(database_file=database_file) if ready() else None

    try:
        seen = wait_until(writing, seconds=180, message="the import never started writing")
        assert process.poll() is None, f"the import finished before it was killed ({seen})"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    if ON_SQLITE:
        # A hot journal: the process died mid-write; the next connection rolls it back.
        assert Path(f"{database_file}-journal").exists()
    else:
        wait_until(
            _backend_gone, seconds=30, message="PostgreSQL still runs the killed import's backend"
        )


def test_an_import_killed_part_way_writes_nothing_and_the_file_then_imports_in_full(tmp_path):
    _earlier_data()
    spend_file = _spend_file(tmp_path / "spend.csv", rows=ROWS_TO_KILL)
    database_file, url = database_for_another_process(tmp_path)
    before = row_counts(url=url)

    process = manage_start("import_spend", str(spend_file), url=url)
    kill_while_writing(process, database_file=database_file)

    assert row_counts(url=url) == before

    rerun = manage("import_spend", str(spend_file), url=url)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("Imported"), rerun.stdout
    after = row_counts(url=url)
    assert (
        after[SpendTransaction._meta.label] == before[SpendTransaction._meta.label] + ROWS_TO_KILL
    )
    assert after[SpendImport._meta.label] == before[SpendImport._meta.label] + 1
    # One of the file's suppliers was already known.
    assert after[Supplier._meta.label] == before[Supplier._meta.label] + SUPPLIERS - 1
    assert after[SpendYearSummary._meta.label] > before[SpendYearSummary._meta.label]


# -- the database refuses a row late in the file ------------------------------------------------


@contextmanager
def _refusing(table: str, condition: str, *, sqlstate: str = "23514") -> Iterator[None]:
    """A trigger that makes the database refuse inserts into `table` matching `condition`.

    PostgreSQL raises `sqlstate` (default: check_violation, an integrity error); SQLite's
    RAISE(ABORT) is always a constraint (integrity) error.
    """
    with connection.cursor() as cursor:
        if ON_SQLITE:
            cursor.execute(
                f"CREATE TRIGGER refuse_for_test BEFORE INSERT ON {table} WHEN {condition}"
                f" BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN RAISE EXCEPTION '{REFUSED}' USING ERRCODE = TG_ARGV[0]; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_for_test BEFORE INSERT ON {table} FOR EACH ROW"
                f" WHEN ({condition}) EXECUTE FUNCTION refuse_for_test('{sqlstate}')"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if ON_SQLITE:
                cursor.execute("DROP TRIGGER refuse_for_test")
            else:
                cursor.execute(f"DROP TRIGGER refuse_for_test ON {table}")
                cursor.execute("DROP FUNCTION refuse_for_test()")


SPEND_ROWS = 3_000


@pytest.mark.parametrize(
    "table, condition",
    [
        # the file's last payment, after every other row (and, on SQLite, five chunks) is written
        (SpendTransaction._meta.db_table, f"NEW.reference = 'R-{SPEND_ROWS - 1}'"),
        # the dashboard's totals, the import's last write
        (SpendYearSummary._meta.db_table, "NEW.financial_year = 2024"),
    ],
    ids=["last payment", "year summary"],
)
def test_a_database_error_late_in_a_spend_import_writes_nothing(tmp_path, table, condition):
    _earlier_data()
    spend_file = _spend_file(tmp_path / "spend.csv", rows=SPEND_ROWS)
    before = _table_counts()

    with _refusing(table, condition):
        refused = import_spend_file(spend_file, chunk_size=500)

    assert refused.status == "rejected"
    assert refused.file_error.startswith("The database refused the import")
    assert REFUSED in refused.file_error and "Nothing was imported" in refused.file_error
    assert _table_counts() == before
    result = import_spend_file(spend_file, chunk_size=500)
    assert result.status == "imported"
    assert result.rows_imported == SPEND_ROWS
    assert SpendTransaction.objects.count() == before["procurement.SpendTransaction"] + SPEND_ROWS


@pytest.mark.parametrize("table", [Contract._meta.db_table, Contract.history.model._meta.db_table])
def test_a_database_integrity_error_in_an_ocds_import_writes_nothing(table):
    SupplierFactory(name="Someone Already Registered Ltd")
    before = _table_counts()

    with _refusing(table, f"NEW.ocid = '{CLEANING}'"):
        result = import_ocds_file(OCDS)

    assert result.status == REJECTED
    # Not a clash with another writer: running again would meet the same refusal.
    assert result.file_error.startswith("The database refused the import")
    assert REFUSED in result.file_error and "Nothing was imported" in result.file_error
    assert _table_counts() == before
    again = import_ocds_file(OCDS)
    assert again.status == IMPORTED
    assert Contract.objects.count() == before["procurement.Contract"] + 3


def test_another_database_error_in_an_ocds_import_writes_nothing():
    if ON_SQLITE:
        pytest.skip("SQLite triggers raise only integrity errors, tested above")
    before = _table_counts()

    # P0001, raise_exception: the kind a trigger or a failing server raises, not an integrity error.
    with _refusing(Contract._meta.db_table, f"NEW.ocid = '{CLEANING}'", sqlstate="P0001"):
        result = import_ocds_file(OCDS)

    assert result.status == REJECTED
    assert REFUSED in result.file_error and "Nothing was imported" in result.file_error
    assert _table_counts() == before


def test_the_import_command_reports_a_database_refusal_without_a_traceback(tmp_path):
    spend_file = _spend_file(tmp_path / "spend.csv", rows=50)
    before = _table_counts()

    with (
        _refusing(SpendTransaction._meta.db_table, "NEW.reference = 'R-49'"),
        pytest.raises(CommandError, match="Rejected: nothing was written"),
    ):
        call_command("import_spend", str(spend_file), stderr=io.StringIO())

    assert _table_counts() == before
