"""The load balancer's checks: liveness without the database, readiness with it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import Client

from core import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_sign_in_and_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz/")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_goes_through_the_same_middleware_as_pages():
    response = Client().get("/healthz/")

    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_healthz_refuses_a_post():
    assert Client().post("/healthz/").status_code == 405


def test_readyz_touches_the_database_and_the_cache(django_assert_num_queries):
    with django_assert_num_queries(1):
        response = Client().get("/readyz/")

    assert response.status_code == 200
    assert response.content == b"ready\n"


def test_readyz_is_503_when_the_database_cannot_be_reached(monkeypatch):
    class Unreachable:
        def __enter__(self) -> None:
            raise OperationalError("connection refused")

        def __exit__(self, *_: object) -> None:
            return None

    # The module's name, not the connection's attribute: setting an attribute through the
    # connection proxy leaves one on the thread's connection after the undo, which then hides
    # a later test's patch of the connection class.
    monkeypatch.setattr(health, "connection", SimpleNamespace(cursor=lambda: Unreachable()))

    response = Client().get("/readyz/")

    assert response.status_code == 503
    assert b"database: OperationalError" in response.content
