"""`make run` ends with the four demo accounts together, after the demo data summary."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = re.compile(r"^(officer|member|admin|supplier): password (\S+)  \(")


def _accounts(text: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for line in text.splitlines() if (m := ACCOUNT.match(line))]


def test_demo_data_with_demo_users_prints_all_four_accounts_after_the_summary():
    out = StringIO()

    call_command("loaddata", "socialvalue", verbosity=0)
    call_command("generate_demo_data", scale=0.01, seed=2022, demo_users=True, stdout=out)

    lines = out.getvalue().splitlines()
    elapsed = next(i for i, line in enumerate(lines) if line.startswith("Elapsed:"))
    tail = "\n".join(lines[elapsed + 1 :])
    accounts = _accounts(tail)
    assert [name for name, _ in accounts] == ["officer", "member", "admin", "supplier"]
    assert _accounts("\n".join(lines[:elapsed])) == []
    users = get_user_model().objects
    for name, password in accounts:
        assert users.get(username=name).check_password(password)


def test_demo_users_run_twice_lists_the_four_accounts_without_new_passwords():
    call_command("loaddata", "socialvalue", verbosity=0)
    call_command("generate_demo_data", scale=0.01, seed=2022, demo_users=True, stdout=StringIO())
    out = StringIO()

    call_command("generate_demo_data", scale=0.01, seed=2022, demo_users=True, stdout=out)

    text = out.getvalue()
    assert _accounts(text) == []
    for name in ("officer", "member", "admin", "supplier"):
        assert f"{name}: already exists (password unchanged)" in text


def test_make_run_creates_the_demo_users_only_through_the_demo_data_command():
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]

    assert "create_demo_users" not in run
    assert "generate_demo_data --scale 0.05 --demo-users" in run
