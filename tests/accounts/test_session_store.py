"""accounts.sessions: Django's database sessions, read with SQL written once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    Session.objects.filter(session_key=key).update(
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
