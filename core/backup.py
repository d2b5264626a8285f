"""Back the database up to one file and restore that file into an empty database.

PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore --no-owner --exit-on-error` in
one transaction, so a restore that fails part-way leaves the target as it was. SQLite: SQLite's
online backup API, which copies a consistent snapshot while the app keeps running, and copies
it back the same way. Both read the connection settings Django built from DATABASE_URL, and
`pg_dump` gets the password through the environment, as `manage.py dbshell` does, never on
its command line. Uploaded evidence (MEDIA_ROOT) is kept on disk, not in the database, and is
not part of a backup.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
EXTENSIONS = {"postgresql": ".dump", "sqlite": ".sqlite3"}
KINDS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Every database this app has migrated holds this table; a file without it is someone else's.
MARKER_TABLE = "django_migrations"
# How long an SQLite backup waits for another connection's write transaction to finish.
SQLITE_BUSY_SECONDS = 300


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message for the person running it."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes


def backup_directory() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def backup_default_path(*, alias: str = DEFAULT_DB_ALIAS, now: dt.datetime | None = None) -> Path:
    """backups/<database>-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    connection = _connection(alias)
    name = str(connection.settings_dict["NAME"])
    stem = Path(name).stem if connection.vendor == "sqlite" else name
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "database"
    return backup_directory() / f"{stem}-{stamp}{EXTENSIONS[connection.vendor]}"


def backup_create(*, path: Path | None = None, alias: str = DEFAULT_DB_ALIAS) -> Backup:
    """Write a backup of the database to `path` (a new file) and return it with its size.

    The backup is written beside `path` under a temporary name and renamed when complete, so
    a backup that fails leaves no file that looks finished.
    """
    connection = _connection(alias)
    if connection.vendor == "postgresql":
        pg_dump = _pg_tool("pg_dump")
    elif not _in_memory(connection) and not Path(connection.settings_dict["NAME"]).is_file():
        raise BackupError(f"There is no database to back up: {connection.settings_dict['NAME']}")
    path = path or backup_default_path(alias=alias)
    if path.exists():
        raise BackupError(f"{path} already exists: give another file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial")
    try:
        if connection.vendor == "postgresql":
            _pg_run(
                pg_dump,
                connection.settings_dict,
                "--format=custom",
                f"--file={partial}",
                f"--dbname={connection.settings_dict['NAME']}",
            )
        else:
            _sqlite_copy(connection, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path=path, size=path.stat().st_size)


def backup_restore(*, path: Path, alias: str = DEFAULT_DB_ALIAS, force: bool = False) -> None:
    """Restore the backup at `path` into the database, which must be empty unless `force`.

    With `force`, SQLite's content is replaced as a whole; on PostgreSQL every table the
    backup holds is dropped and made again (tables it does not hold are left).
    """
    connection = _connection(alias)
    kind = backup_kind(path)
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a backup of a {KINDS[kind]} database but this database is "
            f"{KINDS[connection.vendor]}: restore it into an empty {KINDS[kind]} database "
            "(DATABASE_URL chooses the database)."
        )
    pg_restore = _pg_tool("pg_restore") if kind == "postgresql" else ""
    _check_holds_app(path, kind=kind, pg_restore=pg_restore)
    tables = connection.introspection.table_names()
    if tables and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty: it has "
            f"{len(tables)} tables ({', '.join(tables[:3])}, ...). Restore into an empty "
            "database, or use --force (make restore FILE=... FORCE=1) to replace what it holds."
        )
    if kind == "postgresql":
        clean = ["--clean", "--if-exists"] if tables else []
        connection.close()  # hold no locks on the tables pg_restore replaces
        _pg_run(
            pg_restore,
            connection.settings_dict,
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        )
    else:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()


def backup_kind(path: Path) -> str:
    """ "postgresql" or "sqlite", from the file's first bytes; BackupError for anything else."""
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as stream:
        start = stream.read(len(SQLITE_MAGIC))
    if start.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    if start == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(
        f"{path} is not a backup this command can restore: it is neither a PostgreSQL dump "
        "in custom format (pg_dump --format=custom, as `make backup` writes) nor an SQLite "
        "database. A plain SQL dump is restored with psql."
    )


def size_text(size: int) -> str:
    """Bytes for people: "812 bytes", "1.4 MB"."""
    if size < 1024:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


# -- helpers -------------------------------------------------------------------------------------


def _in_memory(connection: BaseDatabaseWrapper) -> bool:
    return isinstance(connection, SQLiteDatabaseWrapper) and connection.is_in_memory_db()


def _connection(alias: str) -> BaseDatabaseWrapper:
    connection = connections[alias]
    if connection.vendor not in EXTENSIONS:
        raise BackupError(
            f"Backups work on PostgreSQL and SQLite; this database is {connection.vendor}."
        )
    return connection


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH). It comes with the PostgreSQL client "
            "tools (on Debian: apt-get install postgresql-client), in the server's major "
            "version or newer."
        )
    return found


def _pg_run(program: str, settings_dict: dict[str, Any], *arguments: str) -> None:
    """Run a PostgreSQL client tool against the database in `settings_dict`.

    Host, port and user go on the command line; the password, SSL and service options go in
    the environment, built by Django's own dbshell client. --no-password: fail, never prompt.
    """
    _, secrets = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    options = [
        f"{flag}={settings_dict[key]}"
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"))
        if settings_dict.get(key)
    ]
    result = subprocess.run(
        [program, *options, "--no-password", *arguments],
        env={**os.environ, **(secrets or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(program).name} failed: {result.stderr.strip()}")


def _sqlite_copy(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Copy the live SQLite database to a new file with the online backup API.

    While another connection is writing, the copy waits for it (SQLite reports the database
    busy and Python retries) but not for ever; its own connection, mid-transaction, would
    keep it waiting for ever, so that is refused.
    """
    if connection.in_atomic_block:
        raise BackupError(
            "An SQLite database cannot be backed up from inside a transaction on the same "
            "connection: run the backup on its own."
        )
    connection.ensure_connection()
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS

    def give_up_when_busy_too_long(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(
                f"The database stayed locked by another writer for {SQLITE_BUSY_SECONDS} "
                "seconds (an import?): try again when it has finished."
            )

    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target, progress=give_up_when_busy_too_long)
    finally:
        target.close()


def _check_holds_app(path: Path, *, kind: str, pg_restore: str) -> None:
    """Refuse a readable file that is not a backup of this app's database (or is damaged)."""
    if kind == "postgresql":
        listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise BackupError(f"{path} cannot be read by pg_restore: {listing.stderr.strip()}")
        holds_app = re.search(rf"\bTABLE \S+ {MARKER_TABLE}\b", listing.stdout) is not None
    else:
        try:
            source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                holds_app = bool(
                    source.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [MARKER_TABLE],
                    ).fetchone()
                )
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} cannot be read as an SQLite database: {error}") from error
    if not holds_app:
        raise BackupError(
            f"{path} is a {KINDS[kind]} file but not a backup of this app's database: it has no "
            f"{MARKER_TABLE} table."
        )
