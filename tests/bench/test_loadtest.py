"""`make loadtest`'s own steps: the demo passwords, signing in over HTTP, and the verdicts."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import roles
from bench.loadgen import Tally
from bench.loadtest import demo_passwords, get, report, sign_in

pytestmark = pytest.mark.django_db


def test_it_reads_the_passwords_create_demo_users_prints():
    output = StringIO()
    call_command("create_demo_users", stdout=output)

    passwords = demo_passwords(output.getvalue())

    assert passwords.keys() == {"officer", "member", "admin"}
    assert get_user_model().objects.get(username="member").check_password(passwords["member"])


@pytest.fixture
def https_behind_a_proxy(settings, transactional_db):
    # As production trusts the proxy's header; the test settings run in debug without it.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # live_server's tests flush the database, data migrations' groups with it.
    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)


# Rolled back by reloading the database as migrations left it (groups, levels), as every
# transactional test here does: a flush followed by post_migrate would clash with that.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_signs_in_through_the_form_and_the_session_cookie_works(
    live_server, https_behind_a_proxy, member
):
    member.set_password("correct horse battery")
    member.save()
    port = urlsplit(live_server.url).port

    cookies = sign_in(port, member.username, "correct horse battery")

    assert "sessionid" in cookies
    assert get(port, "/login/", cookies)[0] == 302  # signed in: sent on to the home page
    assert get(port, "/login/", {})[0] == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wrong_password_stops_the_load_test(live_server, https_behind_a_proxy, member):
    port = urlsplit(live_server.url).port

    with pytest.raises(RuntimeError, match="signing in as member1 gave 200"):
        sign_in(port, member.username, "not the password")


def _tally(latencies: list[float], statuses: dict[int, int], **errors: int) -> Tally:
    return Tally(latencies, Counter(statuses), Counter(errors), seconds=10.0)


def test_the_verdicts_are_met_with_no_errors_and_a_p99_under_a_second():
    tallies = {"page": _tally([0.1] * 98 + [0.9, 1.5], {200: 100})}

    lines = "\n".join(report(tallies))

    assert "target zero errors  met      (0 errors)" in lines
    assert "target p99 < 1 s    met      (p99 900 ms)" in lines


def test_a_non_200_or_a_connection_error_fails_the_zero_errors_target():
    tallies = {
        "review": _tally([0.1] * 10, {200: 9, 500: 1}),
        "contracts": _tally([0.1] * 10, {200: 10}, TimeoutError=2),
    }

    lines = "\n".join(report(tallies))

    assert "target zero errors  NOT MET  (3 errors)" in lines
    assert "statuses 200: 9, 500: 1" in lines
    assert "connection errors TimeoutError: 2" in lines


def test_a_slow_hundredth_request_fails_the_p99_target():
    tallies = {"page": _tally([0.1] * 98 + [1.5, 2.0], {200: 100})}

    lines = "\n".join(report(tallies))

    assert "target p99 < 1 s    NOT MET  (p99 1500 ms)" in lines


def test_the_rate_is_responses_per_second_of_the_whole_run():
    tallies = {"review": _tally([0.1] * 30, {200: 30}), "contracts": _tally([0.1] * 70, {200: 70})}

    rows = {line.split()[0]: line.split() for line in report(tallies)[1:4]}

    assert (rows["review"][1], rows["review"][2]) == ("30", "3.0")
    assert (rows["contracts"][1], rows["contracts"][2]) == ("70", "7.0")
    assert (rows["total"][1], rows["total"][2]) == ("100", "10.0")
