"""The 8-hour idle timeout without a session write on every request, and the roles read with
the user in one query."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import AccountSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = timezone.now()  # the clock moves forward from here in the tests below


def _at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _session_writes(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    table = AccountSession._meta.db_table
    writes = [q["sql"] for q in captured if q["sql"].startswith("UPDATE") and table in q["sql"]]
    return response.status_code, writes


@pytest.fixture
def signed_in(client):
    user = UserFactory(username="olivia")
    user.groups.add(Group.objects.get(name=roles.OFFICERS))
    with _at(START):
        client.force_login(user)
        assert client.get(reverse("maturity:overview")).status_code == 200
    return client


def test_a_page_within_the_refresh_interval_does_not_write_the_session(signed_in, settings):
    url = reverse("maturity:overview")
    with _at(START + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1)):
        status, writes = _session_writes(signed_in, url)
    assert status == 200 and writes == []

    with _at(START + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS)):
        status, writes = _session_writes(signed_in, url)
    assert status == 200 and len(writes) == 1


def test_eight_hours_without_a_request_signs_the_user_out(signed_in):
    url = reverse("maturity:overview")
    with _at(START + dt.timedelta(hours=8, seconds=1)):
        response = signed_in.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_request_now_and_then_keeps_the_user_signed_in(signed_in):
    url = reverse("maturity:overview")
    later = START + dt.timedelta(hours=7, minutes=59)
    with _at(later):
        assert signed_in.get(url).status_code == 200
    with _at(later + dt.timedelta(hours=7, minutes=59)):  # 16 hours after signing in
        assert signed_in.get(url).status_code == 200
    with _at(later + dt.timedelta(hours=7, minutes=59) + dt.timedelta(hours=8, seconds=1)):
        assert signed_in.get(url).status_code == 302


def test_a_visitor_not_signed_in_gets_no_session_row(signed_in):
    visitor = Client()
    assert visitor.get(reverse("healthz")).status_code == 200
    assert visitor.get(reverse("login")).status_code == 200
    assert AccountSession.objects.count() == 1  # signed_in's

    with _at(START + dt.timedelta(hours=9)):  # an expired session's cookie
        assert signed_in.get(reverse("maturity:overview")).status_code == 302
    assert AccountSession.objects.filter(expire_date__gt=START + dt.timedelta(hours=9)).count() == 0


def test_the_session_the_user_and_their_roles_are_one_query(signed_in):
    with CaptureQueriesContext(connection) as captured:
        response = signed_in.get(reverse("maturity:overview"))
    assert response.status_code == 200 and response.context["can_edit"] is True
    sql = [q["sql"] for q in captured]
    # On PostgreSQL the statement is prepared once a connection and run by name.
    names = ('"auth_user"', AccountSession._meta.db_table, "EXECUTE session_user_")
    reads = [q for q in sql if any(name in q for name in names)]
    assert len(reads) == 1
    assert '"auth_group"' in reads[0] or reads[0].startswith("EXECUTE session_user_")
    assert not any(q.startswith('SELECT "auth_group"') for q in sql)


def test_signing_out_ends_the_session_for_a_copy_of_its_cookie_at_once(signed_in):
    copy = Client()
    copy.cookies = signed_in.cookies.__class__(signed_in.cookies)
    url = reverse("maturity:overview")
    assert copy.get(url).status_code == 200

    assert signed_in.post(reverse("logout")).status_code == 302

    response = copy.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_signs_the_session_out(signed_in):
    user = AccountSession.objects.get().account_id
    olivia = UserFactory._meta.model.objects.get(pk=user)
    olivia.set_password("a new password, long enough")
    olivia.save()

    response = signed_in.get(reverse("maturity:overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_user_made_inactive_is_signed_out_on_the_next_request(signed_in):
    UserFactory._meta.model.objects.update(is_active=False)

    response = signed_in.get(reverse("maturity:overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_row_names_the_signed_in_user(signed_in):
    session = AccountSession.objects.get()
    assert session.account_id == UserFactory._meta.model.objects.get(username="olivia").pk
    assert session.get_decoded()["_auth_user_id"] == str(session.account_id)


def test_a_change_of_role_takes_effect_on_the_next_request(client):
    user = UserFactory(username="olivia")
    officers = Group.objects.get(name=roles.OFFICERS)
    user.groups.add(officers)
    client.force_login(user)
    editing_page = reverse("procurement:contract-create")
    assert client.get(editing_page).status_code == 200

    user.groups.remove(officers)
    user.groups.add(Group.objects.get(name=roles.MEMBERS))
    assert client.get(editing_page).status_code == 403
    assert client.get(reverse("maturity:overview")).status_code == 200

    user.groups.clear()
    assert client.get(reverse("maturity:overview")).status_code == 403


def test_a_superuser_counts_as_an_administrator(client):
    user = UserFactory(username="root", is_superuser=True)
    client.force_login(user)
    response = client.get(reverse("maturity:overview"))
    assert response.status_code == 200
    assert response.context["is_administrator"] is True


def test_the_first_page_after_signing_in_writes_no_session(client):
    user = UserFactory(username="olivia", password="correct horse battery staple")
    user.groups.add(Group.objects.get(name=roles.OFFICERS))
    response = client.post(
        reverse("login"), {"username": "olivia", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302

    status, writes = _session_writes(client, reverse("maturity:overview"))
    assert status == 200 and writes == []
