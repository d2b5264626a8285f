"""Django's database sessions, with the signed-in user and their roles read in the same
statement, written once.

Every signed-in request reads its session and then its user and the user's roles
(`AuthenticationMiddleware`): two database round trips, each dearer to build with the ORM
than to run. The session row (`accounts.models.AccountSession`) keeps the signed-in user's id
in a column, set whenever the session is saved (signing in saves it), so one statement joins
the user and their role groups to it. `accounts.middleware.AuthenticationMiddleware` hands
that user to `accounts.backends.RoleBackend`; Django's own checks (the backend named in the
session, the session's password hash, an inactive user) are made as before. Nothing is kept
between requests: a sign-out, a password change or a change of role counts on the next one.
Prepared once a connection on PostgreSQL (`core.prepared`). Writes, deletes and the expiry
rules are Django's own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import Field
from django.db.models.expressions import Col
from django.utils import timezone

from accounts.backends import role_joins, with_roles
from accounts.models import AccountSession
from accounts.roles import ALL_GROUPS
from core.prepared import fetch_all


@cache
def _user_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(User._meta.concrete_fields)


@cache
def _user_attnames() -> list[str]:
    return [field.attname for field in _user_fields()]


@cache
def _session_sql(alias: str) -> str:
    """The session's data and its account's id, then the user's columns and a role group's
    name: one row for each of the user's role groups (one with none, or with no user)."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(f"u.{quote(field.column)}" for field in _user_fields())
    return (
        f"SELECT s.{quote('session_data')}, s.{quote('account_id')}, {columns},"
        f" g.{quote('name')} FROM {quote(AccountSession._meta.db_table)} s"
        f" LEFT JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = s.{quote('account_id')}"
        f"{role_joins(quote)}"
        f" WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
    )


class SessionStore(db.SessionStore):
    """The session's data, if it has not expired; else none, and a new key when it is saved
    (as Django's `_get_session_from_db` does). `account` is the user the session's row names,
    read with it, with their roles where `accounts.roles` looks; None if it names none."""

    account: User | None = None

    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        session = super().create_model_instance(data)
        try:
            account_id: int | None = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            account_id = None
        assert isinstance(session, AccountSession)  # get_model_class's
        session.account_id = account_id
        return session

    def load(self) -> dict[str, Any]:
        self.account = None
        alias = router.db_for_read(AccountSession)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [*ALL_GROUPS, self.session_key, now]
        rows = fetch_all(connection, _session_sql(alias), params, label="session_user")
        if not rows:
            self._session_key = None
            return {}
        data, account_id = rows[0][0], rows[0][1]
        if account_id is not None and rows[0][2] is not None:
            self.account = _user(alias, rows)
        return self.decode(data)


@cache
def _converters(alias: str) -> tuple[tuple[int, tuple[Any, ...], Col], ...]:
    """What the ORM would do to each user column's value read from `alias` (SQLite's dates
    are text), for the columns where it does anything: (position, converters, expression)."""
    connection = connections[alias]
    found = []
    for position, field in enumerate(_user_fields()):
        expression = Col(User._meta.db_table, field)
        # As the ORM's compiler: the backend's converters, then the field's.
        converters = connection.ops.get_db_converters(expression)
        converters += expression.get_db_converters(connection)
        if converters:
            found.append((position, tuple(converters), expression))
    return tuple(found)


def _user(alias: str, rows: list[tuple[Any, ...]]) -> User:
    """The user in the session's rows (their columns after the session's two), their role
    groups' names in the last column."""
    values = list(rows[0][2:-1])
    connection = connections[alias]
    for position, converters, expression in _converters(alias):
        for converter in converters:
            values[position] = converter(values[position], expression, connection)
    return with_roles(User.from_db(alias, _user_attnames(), values), (row[-1] for row in rows))
