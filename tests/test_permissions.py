"""Walk every URL pattern as every role and check the status each one gets.

A URL that is not classified in EXPECTED fails `test_every_url_is_classified`, so a new page
cannot ship without someone deciding who may see it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import roles
from maturity.models import Action, Assessment, Indicator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "supplier", "member", "officer", "administrator")
LOGIN = 302  # anonymous users are sent to the sign-in page

READ = {"anonymous": LOGIN, "supplier": 403, "member": 200, "officer": 200, "administrator": 200}
WRITE = {"anonymous": LOGIN, "supplier": 403, "member": 403, "officer": 200, "administrator": 200}
POST_ONLY = {
    "anonymous": LOGIN,
    "supplier": 405,
    "member": 405,
    "officer": 405,
    "administrator": 405,
}

# url name -> (expected GET status per role, does a POST change data?)
EXPECTED: dict[str, tuple[dict[str, int], bool]] = {
    "home": (
        {"anonymous": LOGIN, "supplier": 200, "member": 302, "officer": 302, "administrator": 302},
        False,
    ),
    "login": (
        {"anonymous": 200, "supplier": 302, "member": 302, "officer": 302, "administrator": 302},
        False,
    ),
    "logout": ({**dict.fromkeys(ROLES, 405), "anonymous": LOGIN}, False),
    "accessibility": (dict.fromkeys(ROLES, 200), False),
    "maturity:overview": (READ, False),
    "maturity:gap-dashboard": (READ, False),
    "maturity:indicator-detail": (READ, False),
    "maturity:assessment-create": (WRITE, True),
    "maturity:target-create": (WRITE, True),
    "maturity:action-create": (WRITE, True),
    "maturity:action-complete": (POST_ONLY, True),
}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, checked separately below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.converters)


ALL_URLS = sorted(_patterns(get_resolver()))


def test_every_url_is_classified():
    unclassified = [name for name, _ in ALL_URLS if name not in EXPECTED]
    assert unclassified == [], f"Add these URL names to EXPECTED: {unclassified}"


@pytest.fixture
def users(framework):
    made = {"anonymous": None}
    for role, group in (
        ("supplier", roles.SUPPLIERS),
        ("member", roles.MEMBERS),
        ("officer", roles.OFFICERS),
        ("administrator", roles.ADMINISTRATORS),
    ):
        user = UserFactory(username=f"walk-{role}")
        user.groups.add(Group.objects.get(name=group))
        made[role] = user
    return made


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _first_indicator(users) -> dict[str, int]:
    return {"pk": Indicator.objects.order_by("pk").first().pk}


def _new_action(users) -> dict[str, int]:
    indicator = Indicator.objects.order_by("pk").first()
    action = Action.objects.create(
        indicator=indicator, description="Walk", due_on=dt.date(2026, 1, 1)
    )
    return {"pk": action.pk}


# url name -> a function that makes the object the URL needs and returns its kwargs.
OBJECTS = {
    "maturity:indicator-detail": _first_indicator,
    "maturity:assessment-create": _first_indicator,
    "maturity:target-create": _first_indicator,
    "maturity:action-create": _first_indicator,
    "maturity:action-complete": _new_action,
}


def _kwargs(converters: list[str], name: str, users) -> dict[str, int]:
    if not converters:
        return {}
    assert name in OBJECTS, f"Add to OBJECTS how to build the object {name} needs"
    return OBJECTS[name](users)


@pytest.mark.parametrize("name,converters", ALL_URLS, ids=[n for n, _ in ALL_URLS])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status(users, role, name, converters):
    expected, _ = EXPECTED[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))

    response = _client(users[role]).get(url)

    assert response.status_code == expected[role], f"{role} GET {url}"
    if response.status_code == LOGIN and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [name for name, (_, writes) in EXPECTED.items() if writes])
@pytest.mark.parametrize("role", ["supplier", "member"])
def test_read_only_roles_cannot_post_to_any_write_url(users, role, name):
    converters = dict(ALL_URLS)[name]
    url = reverse(name, kwargs=_kwargs(converters, name, users))
    before = (Assessment.objects.count(), Action.objects.filter(status="done").count())

    response = _client(users[role]).post(url, {"level": 5, "evidence": "x"})

    assert response.status_code == 403
    assert (Assessment.objects.count(), Action.objects.filter(status="done").count()) == before


@pytest.mark.parametrize(
    "role,status", [("anonymous", 302), ("member", 302), ("officer", 302), ("administrator", 200)]
)
def test_only_administrators_reach_the_django_admin(users, role, status):
    response = _client(users[role]).get(reverse("admin:index"))

    assert response.status_code == status
