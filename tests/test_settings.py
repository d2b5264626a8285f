"""Settings come from the environment; production refuses to start without a secret key."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

LOAD_SETTINGS = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"  # noqa: E501


def _load(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_it_refuses_to_start_without_a_secret_key():
    result = _load(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_with_nothing_set_it_runs_in_debug_on_sqlite():
    result = _load()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_url_selects_postgresql():
    result = _load(DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything")

    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_static_root_comes_from_the_environment_and_defaults_to_staticfiles(tmp_path):
    code = "import config.settings as s; print(s.STATIC_ROOT)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}

    def static_root(**env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**clean, **env},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert static_root(DJANGO_STATIC_ROOT=str(tmp_path)) == str(tmp_path)
    assert static_root() == str(settings.BASE_DIR / "staticfiles")
