"""Statements every page runs, planned once a database connection on PostgreSQL.

A cached page's few queries are fixed SQL: the session with its user and roles
(`accounts.sessions`) and the page's data version (`core.data_version`). PostgreSQL plans a
statement afresh each time it is sent, and planning the two dozen subqueries of a version
query cost more of the server's CPU than running them (the annual review's: about 2 ms of
3.6). Prepared once a connection (`PREPARE`), each is then only run (`EXECUTE`), its plan
kept by the server for the connection's life.

The `PREPARE` is bookkeeping once a connection, sent past Django's query log so query counts
stay those of a request; the `EXECUTE` is logged and counted as the query it is. A prepared
statement is the connection's, and outlives a rolled-back transaction; a new connection (after
DATABASE_CONN_MAX_AGE, or a dropped one) prepares again. Other databases run the SQL itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

_PLACEHOLDER = re.compile(r"%s")


@cache
def _statements(sql: str, label: str) -> tuple[str, str]:
    """The name `sql` is prepared under (readable in a query log: `label` and a digest of the
    SQL) and its PREPARE, `%s` placeholders numbered as PostgreSQL's `$1`, `$2`..."""
    name = f"{label}_{hashlib.sha1(sql.encode()).hexdigest()[:12]}"
    numbers = iter(range(1, sql.count("%s") + 1))
    return name, f"PREPARE {name} AS " + _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)


def fetch_all(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any] = (), *, label: str
) -> list[tuple[Any, ...]]:
    """The rows of `sql` (our own SQL, with `%s` only as placeholders) run with `params`,
    prepared once a connection on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        raw = connection.connection
        kept = getattr(connection, "_prepared_statements", None)
        if kept is None or kept[0] is not raw:
            kept = (raw, set[str]())
            connection._prepared_statements = kept  # type: ignore[attr-defined]
        name, prepare = _statements(sql, label)
        if name not in kept[1]:
            with raw.cursor() as bookkeeping:
                bookkeeping.execute(prepare)
            kept[1].add(name)
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
        cursor.execute(f"EXECUTE {name}{arguments}", params)
        return list(cursor.fetchall())
