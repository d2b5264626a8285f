"""The four roles and the checks views use.

Roles are Django groups. Members read; officers and administrators write; administrators also
manage users and the framework in the Django admin. Superusers count as administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import models as auth
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

OFFICERS = "Officers"
MEMBERS = "Members"
ADMINISTRATORS = "Administrators"
SUPPLIERS = "Suppliers"
ALL_GROUPS = (OFFICERS, MEMBERS, ADMINISTRATORS, SUPPLIERS)

User = AbstractBaseUser | AnonymousUser


def group_names(user: User) -> set[str]:
    """The user's roles: the names of the role groups they are in. Requests' users come with
    them (`accounts.backends.RoleBackend`); any other user object reads them once."""
    if not isinstance(user, auth.User):  # AnonymousUser: not signed in, no roles
        return set()
    cached: set[str] | None = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ALL_GROUPS).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATORS)
        user._role_names = cached  # type: ignore[attr-defined]  # cached on this user object
    return cached


def is_administrator(user: User) -> bool:
    return ADMINISTRATORS in group_names(user)


def can_edit(user: User) -> bool:
    """Officers and administrators record and change data."""
    return bool(group_names(user) & {OFFICERS, ADMINISTRATORS})


def can_read(user: User) -> bool:
    """Council staff and members read every internal page."""
    return bool(group_names(user) & {OFFICERS, ADMINISTRATORS, MEMBERS})


def role_required(check: Callable[[User], bool]) -> Callable:
    """A view decorator: 403 for a user `check` refuses. The apps' own checks (maturity's
    administrators, the supplier portal) are made with it too."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_supplier_only(user: User) -> bool:
    """A supplier's user and nothing more: sees the supplier portal, not internal pages."""
    return SUPPLIERS in group_names(user) and not can_read(user)


reader_required = role_required(can_read)
editor_required = role_required(can_edit)


def signed_in_user(request: HttpRequest) -> auth.User:
    """The user of a view behind one of the role checks above, which let no one else in."""
    user = request.user
    if not isinstance(user, auth.User):
        raise PermissionDenied
    return user
