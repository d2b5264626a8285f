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
@pytest.mark.parametrize(("ours", "djangos"), [("", "j M Y"), (':"long"', "j F Y")])
def test_day_month_year_is_the_date_filters_j_m_y_or_j_f_y(month, ours, djangos):
    day = dt.date(2025, month, 3 + month)
    template = Template(
        f'{{% load ui %}}{{{{ day|day_month_year{ours} }}}}|{{{{ day|date:"{djangos}" }}}}'
    )
    mine, theirs = template.render(Context({"day": day})).split("|")
    assert mine == theirs


def test_day_month_year_of_no_date_is_empty_as_the_date_filters_is():
    template = Template('{% load ui %}{{ day|day_month_year|default:"Not set" }}')
    assert template.render(Context({"day": None})) == "Not set"


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [(0, 0, "midnight"), (0, 5, "12:05am"), (9, 0, "9am"), (12, 0, "midday"), (12, 30, "12:30pm"),
     (14, 5, "2:05pm"), (23, 59, "11:59pm")],
)  # fmt: skip
def test_a_time_is_shown_on_the_12_hour_clock_as_gov_uk_style_asks(hour, minute, shown):
    moment = dt.datetime(2025, 9, 3, hour, minute)
    template = Template("{% load ui %}{{ moment|day_month_year_time }}")
    assert template.render(Context({"moment": moment})) == f"3 Sep 2025, {shown}"


def test_a_moment_is_shown_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    summer_utc = dt.datetime(2025, 8, 31, 23, 30, tzinfo=dt.UTC)
    template = Template('{% load ui %}{{ moment|day_month_year_time:"long" }}')
    assert template.render(Context({"moment": summer_utc})) == "1 September 2025, 12:30am"


@pytest.mark.parametrize(
    ("count", "shown"), [(1, "1 job"), (0, "0 jobs"), (1234, "1,234 jobs"), (None, "")]
)
def test_counted_puts_the_noun_in_agreement_and_separates_thousands(count, shown):
    template = Template('{% load ui %}{{ count|counted:"job" }}')
    assert template.render(Context({"count": count})) == shown
