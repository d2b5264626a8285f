"""The framework overview and the gap dashboard are drawn once per data version: a second
visit reads the cache, and any change to what they show is on the next visit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maturity.models import Action, Indicator
from tests.factories import AssessmentFactory, TargetFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("maturity:overview")
GAPS = reverse("maturity:gap-dashboard")


def _chart_data(html: str, element_id: str) -> str:
    found = re.search(
        rf'<script id="{element_id}-data" type="application/json">(.*?)</script>', html
    )
    assert found, f"no {element_id} on the page"
    return found[1]


@pytest.mark.parametrize("url", [OVERVIEW, GAPS])
def test_a_second_visit_reads_the_body_from_the_cache(
    officer_client, member_client, framework, url
):
    with CaptureQueriesContext(connection) as first:
        drawn = officer_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        cached = member_client.get(url).content.decode()

    # The session, the user with their roles, the data version (and the gap dashboard's
    # framework): nothing of the body.
    assert len(second) <= (3 if url == OVERVIEW else 4) < len(first)
    body = drawn.index("<table")
    assert cached[cached.index("<table") :].split("</main>")[0] == drawn[body:].split("</main>")[0]


def test_a_new_assessment_shows_on_the_next_visit_to_the_overview(officer_client, framework):
    today = timezone.localdate()
    assessed = f"assessed {today:%-d %b %Y}"
    assert assessed not in officer_client.get(OVERVIEW).content.decode()

    AssessmentFactory(indicator=Indicator.objects.first(), level_id=5, assessed_on=today)

    assert assessed in officer_client.get(OVERVIEW).content.decode()


@pytest.mark.parametrize("change", ["assessment", "target"])
def test_a_new_assessment_or_target_moves_the_gap_dashboards_figures(
    officer_client, framework, change
):
    before = _chart_data(officer_client.get(GAPS).content.decode(), "chart-themes")
    for indicator in Indicator.objects.all():
        if change == "assessment":
            AssessmentFactory(indicator=indicator, level_id=5, assessed_on=timezone.localdate())
        else:
            TargetFactory(indicator=indicator, level_id=5)

    after = _chart_data(officer_client.get(GAPS).content.decode(), "chart-themes")

    assert after != before


def test_an_action_saved_shows_in_the_gap_dashboards_counts(officer_client, officer, framework):
    assert "Today 0 improvement actions are open" in officer_client.get(GAPS).content.decode()
    action = Action.objects.create(
        indicator=Indicator.objects.first(),
        description="Publish the pipeline",
        owner=officer,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert "Today 1 improvement action is open, 1 of them overdue" in (
        officer_client.get(GAPS).content.decode()
    )

    action.status = Action.Status.DONE
    action.save()

    assert "Today 0 improvement actions are open" in officer_client.get(GAPS).content.decode()


def test_each_as_at_date_is_cached_apart(officer_client, framework):
    indicator = Indicator.objects.first()
    AssessmentFactory(indicator=indicator, level_id=5, assessed_on=dt.date(2024, 6, 1))
    today = _chart_data(officer_client.get(GAPS).content.decode(), "chart-themes")

    earlier = officer_client.get(GAPS, {"as_at_0": "31", "as_at_1": "3", "as_at_2": "2024"})

    assert "Position as at 31 March 2024" in earlier.content.decode()
    assert _chart_data(earlier.content.decode(), "chart-themes") != today


def test_an_indicator_renamed_in_place_shows_on_the_next_visit(officer_client, framework):
    indicator = Indicator.objects.first()
    assert indicator.name in officer_client.get(OVERVIEW).content.decode()

    indicator.name = "Contract pipeline published every quarter"
    indicator.save()  # reference data keeps no history: core.DataStamp counts the edit

    assert (
        "Contract pipeline published every quarter" in officer_client.get(OVERVIEW).content.decode()
    )


def test_the_framework_renamed_in_place_shows_on_the_next_visit_to_the_overview(
    officer_client, framework
):
    assert framework.name in officer_client.get(OVERVIEW).content.decode()

    framework.name = "Renamed framework"
    framework.save()

    assert "Renamed framework" in officer_client.get(OVERVIEW).content.decode()
