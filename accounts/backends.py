"""Sign-in's user look-up, with the user's roles read in the same query.

Every signed-in request loads its user (`AuthenticationMiddleware`) and nearly every page then
asks for the user's roles (the navigation, the view's role check): one query instead of two,
written as SQL once rather than built by the ORM on every request (building it cost more CPU
than running it). The roles are read afresh on every request, so a change of group takes
effect on the next page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, User
from django.db import connection

from accounts.roles import ADMINISTRATORS, ALL_GROUPS


def role_joins(quote: Callable[[str], str]) -> str:
    """The joins that give the user `u` once for each role group they are in (once with
    none), the group's name in `g.name`; its parameters are ALL_GROUPS, in order."""
    members = User.groups.through._meta.db_table
    names = ", ".join(["%s"] * len(ALL_GROUPS))
    return (
        f" LEFT JOIN {quote(members)} m ON m.{quote('user_id')} = u.{quote('id')}"
        f" LEFT JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = m.{quote('group_id')}"
        f" AND g.{quote('name')} IN ({names})"
    )


def with_roles(user: User, names: Iterable[str | None]) -> User:
    """`user` with their role groups' names (a superuser is an administrator too) kept where
    `accounts.roles` looks."""
    roles = {name for name in names if name}
    if user.is_superuser:
        roles.add(ADMINISTRATORS)
    user._role_names = roles  # type: ignore[attr-defined]
    return user


@cache
def _user_with_roles_sql() -> str:
    """The user's row once for each role group they are in (once with no role), the group's
    name in `role_name`."""
    quote = connection.ops.quote_name
    return (
        f"SELECT u.*, g.{quote('name')} AS role_name FROM {quote(User._meta.db_table)} u"
        f"{role_joins(quote)} WHERE u.{quote('id')} = %s"
    )


# The user the request's session row names, read with the session (`accounts.sessions`), while
# `accounts.middleware.AuthenticationMiddleware` asks Django for the request's user; else None.
session_account: ContextVar[User | None] = ContextVar("session_account", default=None)


class RoleBackend(ModelBackend):
    """Django's ModelBackend, but `get_user` reads the user's role groups with the user and
    keeps them where `accounts.roles` looks; for a request's user, it takes the one read with
    the session, if that is the user asked for."""

    def get_user(self, user_id: Any) -> User | None:
        account = session_account.get()
        if account is not None and str(account.pk) == str(user_id):
            return account if self.user_can_authenticate(account) else None
        try:
            rows = list(
                User._default_manager.raw(_user_with_roles_sql(), [*ALL_GROUPS, int(user_id)])
            )
        except (TypeError, ValueError):
            return None
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        return with_roles(rows[0], (getattr(row, "role_name", None) for row in rows))
