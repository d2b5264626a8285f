"""`manage.py backup` and `manage.py restore` (`make backup`, `make restore FILE=...`).

The round trip runs on whichever database the tests run on: the backup is taken in this
process, restored by `manage.py restore` in another process into an empty database (a new
PostgreSQL database on the same server, or a new SQLite file), and the dashboards' figures are
read there by a third process and compared with those read here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.backup import EXTENSIONS, backup_kind, size_text
from procurement.models import SpendTransaction
from tests.core.figures import dashboard_figures
from tests.processes import database_url, manage, python

EXTENSION = EXTENSIONS[connection.vendor]
FIGURES = "from tests.core.figures import main\nmain()"
ON_SQLITE = connection.vendor == "sqlite"

pytestmark = pytest.mark.django_db


def _figures(*, url: str, today: dt.date, path: Path) -> dict:
    python(FIGURES, today.isoformat(), str(path), url=url)
    return json.loads(path.read_text())


@pytest.fixture
def empty_database(tmp_path):
    """DATABASE_URL of a new, empty database of the kind the tests run on."""
    if ON_SQLITE:
        yield database_url(sqlite_file=tmp_path / "restored.sqlite3")
        return
    name = connection.ops.quote_name(f"{connection.settings_dict['NAME']}_restored")
    with connection.cursor() as cursor:  # autocommit: the test is transactional
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    yield database_url(name=name.strip('"'))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_an_empty_database_shows_the_same_dashboards(
    tmp_path, empty_database
):
    call_command("loaddata", "framework", "socialvalue", verbosity=0)
    call_command("generate_demo_data", scale=0.02, stdout=io.StringIO())
    today = timezone.localdate()
    before = dashboard_figures(today=today)
    # Figures worth comparing: spend in several years, verified social value, maturity gaps.
    assert len(before["spend dashboard"]) > 2
    assert any(year["total_value"] for year in before["social value dashboard"].values())
    assert before["gap dashboard"]["all themes"]["largest gaps"]

    backup = tmp_path / f"backup{EXTENSION}"
    output = io.StringIO()
    call_command("backup", output=backup, stdout=output)
    assert (
        output.getvalue().strip() == f"Backed up to {backup} ({size_text(backup.stat().st_size)})"
    )
    assert backup_kind(backup) == connection.vendor

    restored = manage("restore", str(backup), url=empty_database)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == f"Restored {backup}"
    assert _figures(url=empty_database, today=today, path=tmp_path / "restored.json") == before

    # A second restore into what is now a full database is refused, and with --force it
    # replaces what is there: the totals deleted here come back.
    python(
        "from procurement.models import SpendYearSummary\nSpendYearSummary.objects.all().delete()",
        url=empty_database,
    )
    changed = _figures(url=empty_database, today=today, path=tmp_path / "changed.json")
    assert changed != before
    refused = manage("restore", str(backup), url=empty_database)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    forced = manage("restore", str(backup), "--force", url=empty_database)
    assert forced.returncode == 0, forced.stderr
    assert _figures(url=empty_database, today=today, path=tmp_path / "forced.json") == before


# -- what backup and restore refuse ---------------------------------------------------------------


def test_restore_refuses_a_file_that_does_not_exist(tmp_path):
    missing = tmp_path / f"missing{EXTENSION}"

    with pytest.raises(CommandError, match=f"^{re.escape(str(missing))} does not exist"):
        call_command("restore", missing)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    script = tmp_path / "backup.sql"
    script.write_text("CREATE TABLE notes (body text);\n")

    with pytest.raises(CommandError, match="is not a backup this command can restore"):
        call_command("restore", script)


def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path):
    if ON_SQLITE:
        # pg_dump's custom format starts "PGDMP"; there is no PostgreSQL here to write one.
        other = tmp_path / "other.dump"
        other.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + bytes(100))
        message = "is a backup of a PostgreSQL database but this database is SQLite"
    else:
        other = tmp_path / "other.sqlite3"
        _sqlite_file(other, table="django_migrations")
        message = "is a backup of a SQLite database but this database is PostgreSQL"

    with pytest.raises(CommandError, match=message):
        call_command("restore", other)


def test_restore_refuses_a_database_file_that_is_not_this_apps(tmp_path):
    other = tmp_path / f"other{EXTENSION}"
    if ON_SQLITE:
        _sqlite_file(other, table="notes")
    else:  # a real pg_dump archive, of one table that is not django_migrations
        dump = subprocess.run(
            ["pg_dump", "--format=custom", "--table=auth_group", f"--file={other}"]
            + [database_url()],
            capture_output=True,
            text=True,
        )
        assert dump.returncode == 0, dump.stderr

    with pytest.raises(CommandError, match="not a backup of this app's database"):
        call_command("restore", other)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    backup = tmp_path / f"backup{EXTENSION}"
    call_command("backup", output=backup, stdout=io.StringIO())
    tables = connection.introspection.table_names()
    rows = SpendTransaction.objects.count()

    with pytest.raises(CommandError, match=rf"is not empty: it has {len(tables)} tables"):
        call_command("restore", backup)

    assert connection.introspection.table_names() == tables
    assert SpendTransaction.objects.count() == rows


def test_backup_and_restore_say_when_the_postgresql_tools_are_missing(tmp_path, monkeypatch):
    if ON_SQLITE:
        pytest.skip("SQLite backups use Python's sqlite3 module, not pg_dump or pg_restore")
    backup = tmp_path / "backup.dump"
    call_command("backup", output=backup, stdout=io.StringIO())
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))

    with pytest.raises(CommandError, match="^pg_dump is not installed"):
        call_command("backup", output=tmp_path / "second.dump")
    with pytest.raises(CommandError, match="^pg_restore is not installed"):
        call_command("restore", backup)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.dump"]


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    existing = tmp_path / f"existing{EXTENSION}"
    existing.write_text("keep me")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=existing)

    assert existing.read_text() == "keep me"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_by_default_writes_to_backups_named_by_database_and_utc_time(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    output = io.StringIO()

    call_command("backup", stdout=output)

    [written] = (tmp_path / "backups").iterdir()
    name = re.fullmatch(rf"(.+)-(\d{{8}}T\d{{6}}Z){re.escape(EXTENSION)}", written.name)
    assert name is not None, written.name
    taken = dt.datetime.strptime(name[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert started <= taken <= dt.datetime.now(dt.UTC)
    if not ON_SQLITE:
        assert name[1] == connection.settings_dict["NAME"]
    assert backup_kind(written) == connection.vendor
    assert f"{written.name} ({size_text(written.stat().st_size)})" in output.getvalue()


def test_an_sqlite_backup_is_refused_inside_a_transaction_on_the_same_connection(tmp_path):
    if not ON_SQLITE:
        pytest.skip(
            "pg_dump reads through its own connection, which a transaction here can't block"
        )
    # This test runs inside a transaction; SQLite's backup would wait for it for ever.
    with pytest.raises(CommandError, match="cannot be backed up from inside a transaction"):
        call_command("backup", output=tmp_path / "backup.sqlite3")

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "size, text",
    [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KB"), (1536 * 1024, "1.5 MB")],
)
def test_sizes_are_shown_in_bytes_kb_or_mb(size, text):
    assert size_text(size) == text


def _sqlite_file(path: Path, *, table: str) -> None:
    database = sqlite3.connect(path)
    database.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY)")
    database.commit()
    database.close()
