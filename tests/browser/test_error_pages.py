"""Error pages, as each role meets them, pass axe's WCAG A and AA rules and show that role's
navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts import roles
from tests.browser.conftest import axe_violations, make_user, sign_in
from tests.socialvalue.factories import SupplierContactFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# (name, role, path, status, heading)
ERROR_PAGES = [
    ("403-supplier", "supplier", "/procurement/contracts/", 403, "You cannot see that page"),
    ("403-member", "member", "/procurement/contracts/new/", 403, "You do not have permission"),
    ("404-supplier", "supplier", "/no-such-page/", 404, "Page not found"),
    ("405-member", "member", "/social-value/returns/90/verify/", 405, "cannot be opened directly"),
    ("405-supplier", "supplier", "/social-value/returns/90/submit/", 405, "cannot be opened"),
]


@pytest.fixture
def people(live_server):
    contact = SupplierContactFactory(user__username="err-supplier")
    contact.user.set_password("correct horse battery staple")
    contact.user.save()
    return {"member": make_user("err-member", roles.MEMBERS), "supplier": contact.user}


@pytest.mark.parametrize(
    "name,role,path,status,heading", ERROR_PAGES, ids=[p[0] for p in ERROR_PAGES]
)
def test_the_error_page_has_the_roles_navigation_and_no_wcag_violations(
    page, people, name, role, path, status, heading
):
    sign_in(page, people[role].username)

    response = page.goto(path)

    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    menu = page.get_by_role("navigation", name="Menu")
    if role == "supplier":
        expect(menu.get_by_role("link")).to_have_text(["Your contracts"])
    else:
        expect(menu.get_by_role("link", name="Gap dashboard")).to_be_visible()
    violations, rules = axe_violations(page)
    assert rules > 50
    assert violations == [], f"{name}: {violations}"


def test_the_sign_in_lock_page_names_the_username_and_has_no_wcag_violations(page, people):
    for _ in range(5):
        page.goto("/login/")
        page.get_by_label("Username").fill("err-member")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed attempts to sign in")
    expect(page.get_by_text("sign in as ‘err-member’ from this network")).to_be_visible()
    violations, _ = axe_violations(page)
    assert violations == []
