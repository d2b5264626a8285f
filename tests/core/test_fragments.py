"""include_once: the navigation rendered once per page name and role, never another's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(client, url: str) -> str:
    body = client.get(url).content.decode()
    return body[body.index('id="navigation"') : body.index("</nav>")]


def _current(menu: str) -> list[str]:
    return re.findall(r'href="([^"]+)" aria-current="true"', menu)


def test_each_page_marks_its_own_section_in_the_navigation(officer_client):
    framework = reverse("maturity:overview")
    contracts = reverse("procurement:contract-list")

    assert _current(_menu(officer_client, framework)) == [framework]
    assert _current(_menu(officer_client, contracts)) == [contracts]
    assert _current(_menu(officer_client, framework)) == [framework]


def test_the_administration_link_is_only_in_an_administrators_navigation(
    officer_client, admin_client_
):
    url = reverse("maturity:overview")
    admin = reverse("admin:index")

    assert admin not in _menu(officer_client, url)
    assert admin in _menu(admin_client_, url)
    assert admin not in _menu(officer_client, url)


def test_a_kept_navigation_is_the_one_rendered_afresh(officer_client, settings):
    url = reverse("procurement:contract-list")
    kept = (_menu(officer_client, url), _menu(officer_client, url))
    settings.DEBUG = True  # nothing kept: every include rendered

    assert kept[0] == kept[1] == _menu(officer_client, url)


def test_url_once_is_the_url_under_each_script_prefix():
    from django.template import Context, Template
    from django.urls import set_script_prefix

    template = Template("{% load fragments %}{% url_once 'accessibility' %}")
    plain = reverse("accessibility")
    assert template.render(Context()) == plain
    try:
        set_script_prefix("/procurement/")
        assert template.render(Context()) == "/procurement" + plain
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == reverse("accessibility")


def test_the_base_template_links_sign_out_and_the_start_page(officer_client):
    body = officer_client.get(reverse("maturity:overview")).content.decode()

    assert f'action="{reverse("logout")}"' in body
    assert f'href="{reverse("home")}"' in body
