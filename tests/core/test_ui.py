from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from core.templatetags.ui import descriptor_html, level_tag


def test_numbered_lines_become_a_numbered_list():
    html = descriptor_html("Intro line\n1. First point\n2. Second <b>point</b>")

    assert html.startswith('<p class="govuk-body">Intro line</p><ol class="govuk-list')
    assert html.count("<li>") == 2
    assert "&lt;b&gt;" in html


def test_dash_lines_become_a_bulleted_list():
    html = descriptor_html("- one\n- two")

    assert html == '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>two</li></ul>'


def test_a_missing_level_shows_not_assessed():
    assert "Not assessed" in level_tag(None)
    assert "3 Mature" in level_tag(3, "Mature")


@pytest.mark.parametrize("month", range(1, 13))
def test_day_month_year_is_the_date_filters_j_m_y(month):
    day = dt.date(2025, month, 3 + month)
    template = Template('{% load ui %}{{ day|day_month_year }}|{{ day|date:"j M Y" }}')
    ours, djangos = template.render(Context({"day": day})).split("|")
    assert ours == djangos


def test_day_month_year_of_no_date_is_empty_as_the_date_filters_is():
    template = Template('{% load ui %}{{ day|day_month_year|default:"Not set" }}')
    assert template.render(Context({"day": None})) == "Not set"
