"""Error pages: each role's own navigation and words, GOV.UK pages for 405 and 503, short logs."""

from __future__ import annotations

import io
import logging

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from accounts import roles
from procurement.models import Contract
from tests.factories import UserFactory
from tests.socialvalue.factories import SupplierContactFactory

pytestmark = pytest.mark.django_db

INTERNAL_MENU = "Gap dashboard"
READ_ONLY_WORDS = "Your account can read this service but not change it"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supplier_client() -> Client:
    return _client(SupplierContactFactory(user__username="supplier-user").user)


def test_a_suppliers_403_shows_the_supplier_navigation_and_words(supplier_client):
    response = supplier_client.get(reverse("procurement:contract-list"))

    body = response.content.decode()
    assert response.status_code == 403
    assert INTERNAL_MENU not in body
    assert READ_ONLY_WORDS not in body
    assert f'href="{reverse("socialvalue:supplier-home")}"' in body
    assert "Your contracts" in body
    assert "for council staff" in body


def test_a_suppliers_404_shows_the_supplier_navigation(supplier_client):
    response = supplier_client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert INTERNAL_MENU not in body
    assert "Your contracts" in body


def test_a_members_403_says_the_account_can_read_but_not_change(member_client):
    response = member_client.get(reverse("procurement:contract-create"))

    body = response.content.decode()
    assert response.status_code == 403
    assert READ_ONLY_WORDS in body
    assert INTERNAL_MENU in body


def test_an_account_with_no_role_is_told_to_ask_for_one():
    client = _client(UserFactory(username="new-starter"))

    body = client.get(reverse("maturity:overview")).content.decode()

    assert "has no role in this service yet" in body
    assert READ_ONLY_WORDS not in body
    assert INTERNAL_MENU not in body


def test_an_officer_is_told_only_administrators_can_do_it(rf, officer):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = officer

    body = permission_denied(request, PermissionDenied()).content.decode()

    assert "Only administrators can do that" in body
    assert READ_ONLY_WORDS not in body


def test_get_on_a_post_only_url_gives_a_gov_uk_405_page(member_client):
    url = reverse("maturity:action-complete", args=[1])

    response = member_client.get(url)

    body = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert '<h1 class="govuk-heading-l">' in body
    assert "This page cannot be opened directly" in body
    assert INTERNAL_MENU in body


def test_a_suppliers_405_page_has_the_supplier_navigation(supplier_client):
    response = supplier_client.get(reverse("socialvalue:return-submit", args=[1]))

    body = response.content.decode()
    assert response.status_code == 405
    assert INTERNAL_MENU not in body
    assert "Your contracts" in body


# -- logs --------------------------------------------------------------------------------------


@pytest.fixture
def server_log(settings):
    """What the console handlers write, wherever they write it."""
    settings.DEBUG = True  # Django's own console handler writes only in debug, as under make run
    stream = io.StringIO()
    handlers = {
        handler
        for name in ("", "django", "django.request")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler
    }
    previous = {handler: handler.setStream(stream) for handler in handlers}
    yield stream
    for handler, old in previous.items():
        handler.setStream(old)


def test_a_403_writes_one_short_line_to_the_server_log(member_client, server_log):
    url = reverse("procurement:contract-create")

    member_client.get(url)

    assert server_log.getvalue() == f"Forbidden (Permission denied): {url}\n"


def test_a_server_error_still_logs_its_traceback(officer_client, server_log, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("procurement.views.register.selectors.contract_list", broken)
    officer_client.raise_request_exception = False

    response = officer_client.get(reverse("procurement:contract-list"))

    assert response.status_code == 500
    assert server_log.getvalue().count("Traceback (most recent call last)") == 1
    assert "ZeroDivisionError: boom" in server_log.getvalue()


# -- database unavailable ------------------------------------------------------------------------


def test_a_view_that_cannot_reach_the_database_gives_a_503_page(
    officer_client, monkeypatch, django_assert_max_num_queries
):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("procurement.views.register.selectors.contract_list", unreachable)
    officer_client.raise_request_exception = False

    response = officer_client.get(reverse("procurement:contract-list"))

    body = response.content.decode()
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in body
    assert "govuk-heading-l" in body
    assert response["Retry-After"] == "30"


def test_when_the_database_is_down_for_the_whole_request_the_page_is_503(monkeypatch, officer):
    """Even the session lookup fails: the page is drawn without the database."""
    client = _client(officer)
    client.raise_request_exception = False

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 1 failed")

    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)
    response = client.get(reverse("procurement:contract-list"))

    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_the_admin_has_a_favicon_and_readable_app_titles(admin_client_):
    body = admin_client_.get(reverse("admin:index")).content.decode()

    assert 'rel="icon"' in body
    for name in ("Social value", "Procurement", "Annual review", "Maturity framework"):
        assert f'title="Models in the {name} application"' in body
    assert "Socialvalue" not in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pooled_connection_the_server_closed_is_replaced_rather_than_failing():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's connections are never dropped by a server; run on PostgreSQL")
    Group.objects.get(name=roles.OFFICERS)
    connection.connection.close()  # the server restarted behind Django's back
    connection.close_if_unusable_or_obsolete()  # what Django does as each request starts

    assert Contract.objects.count() == 0
