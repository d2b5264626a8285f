"""accounts.sessions: Django's database sessions, read with SQL written once, with the user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountSession
from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data: object) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key
    return store.session_key


def test_a_saved_session_is_read_back_in_one_query():
    key = _saved(colour="green", count=3)

    store = SessionStore(key)
    with CaptureQueriesContext(connection) as captured:
        data = dict(store.items())

    assert data == {"colour": "green", "count": 3}
    assert len(captured) == 1
    assert store.session_key == key


def test_an_expired_session_is_empty_and_saved_under_a_new_key():
    key = _saved(colour="green")
    AccountSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    store = SessionStore(key)
    assert dict(store.items()) == {}
    store["colour"] = "blue"
    store.save()

    assert store.session_key != key


def test_a_deleted_session_is_empty():
    key = _saved(colour="green")
    SessionStore(key).delete()

    assert dict(SessionStore(key).items()) == {}


def test_a_visitors_session_names_no_account():
    key = _saved(colour="green")

    store = SessionStore(key)
    assert dict(store.items()) == {"colour": "green"}
    assert store.account is None
    assert AccountSession.objects.get(session_key=key).account_id is None


def test_a_signed_in_session_is_read_with_its_user_and_roles_in_one_query():
    from django.contrib.auth.models import Group

    from accounts import roles
    from tests.factories import UserFactory

    user = UserFactory(username="olivia")
    user.groups.add(Group.objects.get(name=roles.MEMBERS), Group.objects.get(name=roles.OFFICERS))
    key = _saved(_auth_user_id=str(user.pk))

    store = SessionStore(key)
    with CaptureQueriesContext(connection) as captured:
        data = dict(store.items())

    assert len(captured) == 1
    assert data == {"_auth_user_id": str(user.pk)}
    assert store.account is not None and store.account.pk == user.pk
    assert store.account.username == "olivia" and store.account.date_joined == user.date_joined
    assert roles.group_names(store.account) == {roles.MEMBERS, roles.OFFICERS}
