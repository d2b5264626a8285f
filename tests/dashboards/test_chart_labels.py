"""Names we did not write reach a chart as text, never as markup: plotly.js draws <a href>, <b>,
<br> and more in axis, legend, hover and title text, so a supplier or goal name holding them
would become a link or bold text on the spend and social value dashboards and the review."""

from __future__ import annotations

import json
import re
from typing import Any

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from core import charts as core_charts
from procurement.services.spend_summary import spend_summary_rebuild
from socialvalue.models import Goal

pytestmark = pytest.mark.django_db

PAYLOAD = '<a href="https://evil.example/">Verify</a> <b>Bold</b> line<br>break'
ESCAPED = (
    '&lt;a href="https://evil.example/"&gt;Verify&lt;/a&gt; '
    "&lt;b&gt;Bold&lt;/b&gt; line&lt;br&gt;break"
)
FIGURES = re.compile(r'<script id="[\w-]+-data" type="application/json">(.*?)</script>', re.S)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return []


def _page_figure_texts(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    figures = [json.loads(raw) for raw in FIGURES.findall(response.content.decode())]
    assert figures, f"no chart on {url}"
    return [text for figure in figures for text in _strings(figure)]


def _assert_no_markup_but_ours(texts: list[str]) -> None:
    for text in texts:
        assert "<a" not in text and "</a>" not in text, text
        assert "<b>" not in text, text
        assert "line<br>break" not in text, text  # our own <br> wraps; the name's stays text


@pytest.fixture
def named_badly(review_data):
    supplier = review_data.suppliers["S1"]
    supplier.name = PAYLOAD
    supplier.save()
    spend_summary_rebuild()
    Goal.objects.filter(name="Thriving communities").update(name=f"Goal {PAYLOAD}")
    return review_data


def test_label_escapes_markup_and_wraps_only_after_escaping():
    assert core_charts.escape_label(PAYLOAD) == ESCAPED
    name = "Unlocking community capacity through support for <b>local</b> groups"
    wrapped = core_charts.escape_label(name, width=30)
    assert wrapped.split("<br>") == [
        "Unlocking community capacity",
        "through support for",
        "&lt;b&gt;local&lt;/b&gt; groups",
    ]


def test_figure_data_escapes_any_tag_but_line_breaks_and_hover_extra():
    figure = go.Figure(
        go.Bar(
            y=[PAYLOAD],
            x=[1],
            name="<i>legend</i>",
            hovertemplate="%{y}<br>£%{x}<extra></extra>",
        ),
        layout={"title": {"text": '<a href="x">Title</a>'}},
    )

    data = core_charts.figure_data(figure)

    assert data["data"][0]["y"] == [
        '&lt;a href="https://evil.example/">Verify&lt;/a> &lt;b>Bold&lt;/b> line<br>break'
    ]
    assert data["data"][0]["name"] == "&lt;i>legend&lt;/i>"
    assert data["data"][0]["hovertemplate"] == "%{y}<br>£%{x}<extra></extra>"
    assert data["layout"]["title"]["text"] == '&lt;a href="x">Title&lt;/a>'


def test_the_spend_dashboard_shows_a_supplier_name_with_markup_as_text(member_client, named_badly):
    url = f"{reverse('procurement:spend-dashboard')}?year={named_badly.year}"

    texts = _page_figure_texts(member_client, url)

    _assert_no_markup_but_ours(texts)
    assert ESCAPED in texts


def test_the_social_value_dashboard_shows_names_with_markup_as_text(member_client, named_badly):
    url = f"{reverse('socialvalue:dashboard')}?year={named_badly.year}"

    texts = _page_figure_texts(member_client, url)

    _assert_no_markup_but_ours(texts)
    assert any(ESCAPED in text for text in texts)  # the supplier chart's hover name
    assert any(text.startswith("Goal &lt;a href=") for text in texts)


def test_the_annual_review_shows_a_goal_name_with_markup_as_text(member_client, named_badly):
    url = f"{reverse('dashboards:annual-review')}?year={named_badly.year}"

    texts = _page_figure_texts(member_client, url)

    _assert_no_markup_but_ours(texts)
    goal = [text for text in texts if text.startswith("Goal &lt;a")]
    assert goal, "the goal's name is not on the social value chart"
    assert all("&lt;/a&gt;" in "".join(goal).replace("<br>", " ") for _ in goal)
