"""The framework page and the gap dashboard show the position as at a chosen date (today unless
one is chosen), say which date they show, and download their tables as CSV for that date.

The hand-built history is the annual review's (tests/dashboards/test_as_at_year_end.py): on
31 March 2024 indicator A is at 3 with a target of 4 (gap 1), B at 2 with a target of 4 (gap 2)
and C not assessed with a target of 3 (gap 3); today A is at 4 (target 4), B at 2 (target 2) and
C at 5 (target 3).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dashboards.test_as_at_year_end import build_history
from tests.factories import AssessmentFactory
from tests.tables import table_counts

pytestmark = pytest.mark.django_db

GAPS = reverse("maturity:gap-dashboard")
FRAMEWORK = reverse("maturity:overview")
YEAR_END = {"as_at_0": "31", "as_at_1": "3", "as_at_2": "2024"}


@pytest.fixture
def history():
    return build_history()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_gap_dashboard_shows_the_position_on_the_date_chosen(member_client, history):
    response = member_client.get(GAPS, YEAR_END)

    assert response.context["as_at"] == dt.date(2024, 3, 31)
    assert "Position as at 31 March 2024" in response.content.decode()
    themes = {row.name: (row.current, row.target, row.gap) for row in response.context["themes"]}
    # People: A 3 and B 2 against 4 and 4; Place: C not assessed (0) against 3.
    assert themes == {"People": (2.5, 4.0, 1.5), "Place": (0.0, 3.0, 3.0)}
    gaps = [(i.name, i.gap) for i in response.context["largest_gaps"]]
    assert gaps == [("C", 3), ("B", 2), ("A", 1)]


def test_the_gap_dashboard_opens_on_today_and_says_so(member_client, history):
    response = member_client.get(GAPS)

    assert response.context["as_at"] == timezone.localdate()
    assert f"Position as at {timezone.localdate():%-d %B %Y} (today)" in response.content.decode()
    themes = {row.name: (row.current, row.target, row.gap) for row in response.context["themes"]}
    assert themes == {"People": (3.0, 3.0, 0.0), "Place": (5.0, 3.0, -2.0)}


def test_the_gap_dashboards_csvs_hold_the_tables_as_at_the_date(member_client, history):
    page = member_client.get(GAPS, YEAR_END).content.decode()
    assert "as_at_0=31&amp;as_at_1=3&amp;as_at_2=2024&amp;table=key-areas" in page

    key_areas = _csv(member_client.get(GAPS, {**YEAR_END, "table": "key-areas"}))
    gaps = _csv(member_client.get(GAPS, {**YEAR_END, "table": "largest-gaps"}))

    assert key_areas[0][:5] == [
        "Key area",
        "Indicators",
        "Baseline (average level)",
        "Where we are (average level)",
        "Where we want to be (average level)",
    ]
    # Both key areas are three levels short in all; the earlier in the framework comes first.
    assert [row[:6] for row in key_areas[1:]] == [
        ["Contracts", "2", "2.0", "2.5", "4.0", "1.5"],
        ["Community", "1", "0.0", "0.0", "3.0", "3.0"],
    ]
    assert gaps == [
        ["Indicator", "Key area", "Where we are", "Where we want to be", "Gap (levels)"],
        ["C", "Community", "Not assessed", "3 Mature", "3"],
        ["B", "Contracts", "2 Developing", "4 Leader", "2"],
        ["A", "Contracts", "3 Mature", "4 Leader", "1"],
    ]
    assert member_client.get(GAPS, {"table": "everything"}).status_code == 404


def test_the_framework_page_and_its_csv_show_each_indicator_on_the_date(member_client, history):
    response = member_client.get(FRAMEWORK, YEAR_END)

    assert "Position as at 31 March 2024" in response.content.decode()
    positions = {
        i.name: (i.current_level, i.target_level, i.gap)
        for area in response.context["key_areas"]
        for i in area.positions
    }
    assert positions == {"A": (3, 4, 1), "B": (2, 4, 2), "C": (None, 3, 3)}
    rows = _csv(member_client.get(FRAMEWORK, {**YEAR_END, "format": "csv"}))
    assert rows == [
        [
            "Theme",
            "Key area",
            "Indicator",
            "Where we are",
            "Assessed on",
            "Where we want to be",
            "Target date",
            "Gap (levels)",
        ],
        ["People", "Contracts", "A", "3 Mature", "2023-04-01", "4 Leader", "2026-03-31", "1"],
        ["People", "Contracts", "B", "2 Developing", "2024-02-01", "4 Leader", "2025-03-31", "2"],
        ["Place", "Community", "C", "Not assessed", "", "3 Mature", "2025-03-31", "3"],
    ]


@pytest.mark.parametrize(
    "date,message",
    [
        ({"as_at_0": "31", "as_at_1": "2", "as_at_2": "2024"}, "day is out of range for month"),
        (
            {"as_at_0": "1", "as_at_1": "1", "as_at_2": "2099"},
            "The date must be today or in the past",
        ),
        ({"as_at_0": "x", "as_at_1": "1", "as_at_2": "2024"}, "Enter a valid"),
    ],
)
def test_a_wrong_date_is_named_and_the_page_shows_today(member_client, history, date, message):
    before = table_counts()

    for url in (GAPS, FRAMEWORK):
        response = member_client.get(url, date)

        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["as_at"] == timezone.localdate()
    assert table_counts() == before


def test_the_pages_cost_the_same_queries_whatever_the_history(
    member_client, history, django_assert_max_num_queries
):
    for day in range(300):
        AssessmentFactory(
            indicator=history["B"], assessed_on=dt.date(2022, 7, 1) + dt.timedelta(day)
        )

    # 8, one for the open and overdue actions and one for the data version (the cached body's key)
    with django_assert_max_num_queries(10):
        member_client.get(GAPS, YEAR_END)
    with django_assert_max_num_queries(11):
        member_client.get(FRAMEWORK, YEAR_END)
