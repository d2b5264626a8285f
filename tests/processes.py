"""Run manage.py, or Python with Django set up, in another process against a chosen database.

Another process sees only committed data, so tests that use these need
`django_db(transaction=True)`. On PostgreSQL it can use the test database itself; SQLite's test
database lives in memory, so there the test copies it to a file first (`sqlite_file_copy`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 300  # seconds: a hung subprocess fails the test instead of hanging the run


def database_url(*, name: str | None = None, sqlite_file: Path | None = None, **options) -> str:
    """DATABASE_URL for database `name` (default: the test database) on the test PostgreSQL
    server, or for `sqlite_file` when the tests run on SQLite. `options` go in the query."""
    if connection.vendor == "sqlite":
        if sqlite_file is None:
            raise ValueError("On SQLite another process needs a database file")
        return f"sqlite:///{sqlite_file}"
    server = connection.settings_dict
    user = quote(server["USER"] or "", safe="")
    if server["PASSWORD"]:
        user += ":" + quote(str(server["PASSWORD"]), safe="")
    port = f":{server['PORT']}" if server["PORT"] else ""
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{user}@{server['HOST']}{port}/{name or server['NAME']}{query}"


def sqlite_file_copy(path: Path) -> Path:
    """Copy the (in-memory) SQLite test database, as committed, to the file `path`."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return path


def _environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}


def manage(*arguments: str, url: str) -> subprocess.CompletedProcess[str]:
    """Run `manage.py *arguments` to the end against `url`."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=_environment(url),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def manage_start(*arguments: str, url: str) -> subprocess.Popen[str]:
    """Start `manage.py *arguments` against `url` and return at once."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=_environment(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def python(code: str, *arguments: str, url: str) -> str:
    """Run `code` (sys.argv[1:] = arguments) with Django set up against `url`; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}", *arguments],
        cwd=ROOT,
        env=_environment(url),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def row_counts(*, url: str) -> dict[str, int]:
    """Rows in every model's table (history tables too) in the database at `url`."""
    code = (
        "import json\nfrom django.apps import apps\n"
        "print(json.dumps({m._meta.label: m.objects.count() for m in apps.get_models()}))"
    )
    return json.loads(python(code, url=url))
