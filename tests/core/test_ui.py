from __future__ import annotations

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
