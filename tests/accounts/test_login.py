from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer_with_password():
    user = UserFactory(username="olivia", password=PASSWORD)
    user.groups.add(Group.objects.get(name=roles.OFFICERS))
    return user


def _sign_in(client, password: str):
    return client.post(reverse("login"), {"username": "olivia", "password": password})


def test_signing_in_with_the_right_password_goes_to_the_framework(client, officer_with_password):
    response = _sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_shows_a_gov_uk_error(client, officer_with_password):
    response = _sign_in(client, "wrong")

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body


def test_the_account_locks_after_five_failures_even_for_the_right_password(
    client, officer_with_password, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        _sign_in(client, "wrong")

    response = _sign_in(client, PASSWORD)

    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_page_needs_sign_in(client):
    response = client.get(reverse("maturity:overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_responses_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
