"""The cache shared between app servers: Django's Redis backend on the Redis at 127.0.0.1:6379.

Each test uses a key prefix of its own and deletes only its own keys. Skipped, with the reason,
when no Redis answers there; CI runs one there (.ci/run).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.loadtest import free_port, get, gunicorn_start, gunicorn_stop
from maturity.models import Indicator
from tests.factories import AssessmentFactory, UserFactory
from tests.processes import database_url

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GAPS = reverse("maturity:gap-dashboard")


def _redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (OSError, redis.RedisError) as error:
        return f"no Redis at {REDIS_URL}: {error}"
    return None


pytestmark = pytest.mark.skipif(_redis_problem() is not None, reason=str(_redis_problem()))


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (never the database)."""
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_cache(settings, prefix: str) -> str:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    return prefix


def _stored_keys(prefix: str) -> int:
    return len(list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*")))


def _themes_chart(html: str) -> str:
    found = re.search(
        r'<script id="chart-themes-data" type="application/json">(.*?)</script>', html
    )
    assert found, "no chart of themes on the page"
    return found[1]


def test_settings_choose_redis_when_cache_url_is_set() -> None:
    chosen = settings.CACHES["default"]["BACKEND"]
    expected = "redis.RedisCache" if os.environ.get("CACHE_URL") else "locmem.LocMemCache"
    assert chosen.endswith(expected)


@pytest.mark.django_db
def test_the_gap_dashboard_is_kept_in_redis_and_moves_with_its_data(
    redis_cache, officer_client, framework
):
    before = _themes_chart(officer_client.get(GAPS).content.decode())
    assert _stored_keys(redis_cache) > 0
    assert cache.get("health:ready") is None  # the test's own prefix: nothing of anyone else's

    for indicator in Indicator.objects.all():
        AssessmentFactory(indicator=indicator, level_id=5, assessed_on=timezone.localdate())

    assert _themes_chart(officer_client.get(GAPS).content.decode()) != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_servers_sharing_redis_never_show_a_figure_older_than_the_data(prefix, framework):
    if connection.vendor != "postgresql":
        pytest.skip("the servers must see this test's writes: SQLite's test database is in memory")
    user = UserFactory(username="two-servers", is_superuser=True)
    client = Client()
    client.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
    }
    servers = []
    with tempfile.TemporaryDirectory() as scratch:
        try:
            ports = []
            for name in ("a", "b"):
                port = free_port()
                servers.append(gunicorn_start(env, port, Path(scratch) / f"{name}.log", workers=1))
                ports.append(port)
            first_a, first_b = ports

            status, on_a, _ = get(first_a, GAPS, cookies)
            assert status == 200
            stored = _stored_keys(prefix)
            status, on_b, _ = get(first_b, GAPS, cookies)
            assert status == 200
            # B drew nothing: it read the body A put in the shared cache.
            assert _stored_keys(prefix) == stored
            assert _themes_chart(on_b) == _themes_chart(on_a)

            for indicator in Indicator.objects.all():
                AssessmentFactory(indicator=indicator, level_id=5, assessed_on=timezone.localdate())

            _, after_b, _ = get(first_b, GAPS, cookies)
            _, after_a, _ = get(first_a, GAPS, cookies)
            assert _themes_chart(after_b) != _themes_chart(on_a)
            assert _themes_chart(after_a) == _themes_chart(after_b)
        finally:
            for server in servers:
                gunicorn_stop(server)
