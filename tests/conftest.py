"""Shared fixtures: a user per role, logged-in clients, and the loaded framework."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from accounts import roles
from tests.factories import UserFactory


def _transactional_without_serialized_rollback(item: pytest.Item) -> bool:
    """Whether pytest-django runs `item` as a transactional test that ends with a plain flush."""
    marker = item.get_closest_marker("django_db")
    kwargs = marker.kwargs if marker is not None else {}
    fixtures = getattr(item, "fixturenames", ())
    transactional = (
        kwargs.get("transaction")
        or kwargs.get("reset_sequences")
        or any(name in fixtures for name in ("transactional_db", "live_server"))
    )
    serialized = kwargs.get("serialized_rollback") or "django_db_serialized_rollback" in fixtures
    return bool(transactional) and not serialized


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every transactional test restores the migrated database (serialized rollback).

    One that does not ends with a flush that runs post_migrate, which re-creates content types
    and permissions under new ids; the next serialized-rollback test on that process then fails
    to reload the snapshot taken after migrating (UNIQUE constraint failed:
    django_content_type.app_label, django_content_type.model). Which test follows which depends
    on the order and, under pytest-xdist, on the worker, so the rule is held here for all.
    """
    offenders = [item.nodeid for item in items if _transactional_without_serialized_rollback(item)]
    if offenders:
        raise pytest.UsageError(
            "Transactional tests must use django_db(transaction=True, serialized_rollback=True)"
            " (tests/conftest.py says why):\n  " + "\n  ".join(offenders)
        )


@pytest.fixture(autouse=True)
def migration_data(request) -> None:
    """Levels, role groups and permissions come from migrations. A transactional test's flush wipes
    them and serialized rollback does not always put them back (it depends on which kind of
    test ran before), so every transactional test starts by putting them back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from maturity.models import Level

    for number, name in Level.Number.choices:
        Level.objects.update_or_create(number=number, defaults={"name": name})
    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    # Permissions (e.g. maturity.moderate_round) come from post_migrate, which a flush with
    # serialized rollback does not run.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached pages are keyed by data versions (newest
    ids), and ids can repeat from one test to the next once a test's rows are rolled back."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The real hasher takes a third of a second a user by design; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user_in(group_name: str, username: str) -> User:
    user: User = UserFactory.create(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def officer(db):
    return _user_in(roles.OFFICERS, "officer1")


@pytest.fixture
def member(db):
    return _user_in(roles.MEMBERS, "member1")


@pytest.fixture
def administrator(db):
    user = _user_in(roles.ADMINISTRATORS, "admin1")
    user.is_staff = True
    user.save()
    return user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer) -> Client:
    return _client_for(officer)


@pytest.fixture
def member_client(member) -> Client:
    return _client_for(member)


@pytest.fixture
def admin_client_(administrator) -> Client:
    return _client_for(administrator)


@pytest.fixture
def framework(db):
    """The council's framework from fixtures/framework.json."""
    call_command("loaddata", "framework", verbosity=0)
    from maturity.models import Framework

    return Framework.objects.get(slug="nps-2022-worcestershire")
