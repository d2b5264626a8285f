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
    assert "Too many failed attempts to sign in" in response.content.decode()
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


def _attempt(client, username: str, password: str, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def test_failures_with_made_up_names_from_one_address_do_not_lock_a_real_user_out(
    client, officer_with_password, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    for number in range(6):
        _attempt(client, f"nobody{number}", "guess")

    response = _attempt(client, "olivia", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_with_password.pk)


def test_five_failures_for_one_user_lock_that_user_but_not_another(
    client, officer_with_password, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    other = UserFactory(username="oscar", password=PASSWORD)
    other.groups.add(Group.objects.get(name=roles.OFFICERS))
    for _ in range(5):
        _sign_in(client, "wrong")

    locked = _sign_in(client, PASSWORD)
    unlocked = _attempt(client, "oscar", PASSWORD)

    assert locked.status_code == 429
    assert unlocked.status_code == 302


def test_the_lock_page_speaks_of_the_username_from_this_address_not_of_the_account(
    client, officer_with_password, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        _sign_in(client, "wrong")

    body = _sign_in(client, PASSWORD).content.decode()

    assert "this account" not in body
    assert "Your account is locked" not in body
    assert "olivia" in body
    assert "from this network" in body


def test_the_forwarded_for_header_is_ignored_unless_a_proxy_is_trusted(
    client, officer_with_password, settings
):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 0
    _attempt(client, "olivia", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.1"]


def test_behind_one_trusted_proxy_the_address_comes_from_x_forwarded_for(
    client, officer_with_password, settings
):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    # The client can write anything in front; the proxy appends the address it saw.
    spoofed = "198.51.100.7, 203.0.113.9"
    for _ in range(5):
        _attempt(client, "olivia", "wrong", HTTP_X_FORWARDED_FOR=spoofed, REMOTE_ADDR="10.0.0.1")

    from_the_same_client = _attempt(
        client, "olivia", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1"
    )
    from_another_client = _attempt(
        client, "olivia", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50", REMOTE_ADDR="10.0.0.1"
    )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert from_the_same_client.status_code == 429
    assert from_another_client.status_code == 302
