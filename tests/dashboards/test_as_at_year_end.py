"""The review of each year shows the maturity position as the history held it on that year's
31 March: in the page, the Excel workbook and the CSV the `annual_review` command writes.

A hand-built history across three financial years (2022/23, 2023/24, 2024/25), all complete:

indicator  assessments (assessed on: level)              targets (recorded: level, due)
A          2022-05-01: 1, 2023-03-31: 2, 2023-04-01: 3,  2022-04-01: 3 by 2025-03-31,
           2025-01-10: 4, and 2024-06-01: 2 recorded     2024-03-31 23:00: 4 by 2026-03-31
           last
B          2022-06-01: 3, 2024-02-01: 2                  2022-04-01: 4 by 2025-03-31,
                                                         2024-04-01 00:30: 2 by 2027-03-31
C          2024-12-01: 5                                 2023-10-01: 3 by 2025-03-31

year end     A (was, target)     B (was, target)     C (was, target)     at target  up  down
2023-03-31   2 (-, 3 2025)       3 (-, 4 2025)       - (-, -)            0 of 3     0   0
2024-03-31   3 (2, 4 2026)       2 (3, 4 2025)       - (-, 3 2025)       0 of 3     1   1
2025-03-31   4 (3, 4 2026)       2 (2, 2 2027)       5 (-, 3 2025)       3 of 3     1   0

An action due 1 January 2023 and completed on 1 June 2023 is overdue at the first year end only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.exports import MATURITY_TABLE_HEADER
from dashboards.selectors import annual_review
from maturity import selectors as maturity
from maturity.models import Action, Indicator
from tests.factories import (
    AssessmentFactory,
    FrameworkFactory,
    IndicatorFactory,
    KeyAreaFactory,
    TargetFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 12, 2)
LEVEL_NAMES = {1: "Minimum", 2: "Developing", 3: "Mature", 4: "Leader", 5: "Innovator"}

# year -> indicator -> (level at the year end, level a year before, target, target date)
EXPECTED: dict[int, dict[str, tuple[int | None, int | None, int | None, dt.date | None]]] = {
    2022: {
        "A": (2, None, 3, D(2025, 3, 31)),
        "B": (3, None, 4, D(2025, 3, 31)),
        "C": (None, None, None, None),
    },
    2023: {
        "A": (3, 2, 4, D(2026, 3, 31)),
        "B": (2, 3, 4, D(2025, 3, 31)),
        "C": (None, None, 3, D(2025, 3, 31)),
    },
    2024: {
        "A": (4, 3, 4, D(2026, 3, 31)),
        "B": (2, 2, 2, D(2027, 3, 31)),
        "C": (5, None, 3, D(2025, 3, 31)),
    },
}
HEADLINES = {
    2022: "0 of 3 indicators at or above target on 31 March 2023; 0 moved up and 0 moved down "
    "since 31 March 2022; the theme with the largest gap is People.",
    2023: "0 of 3 indicators at or above target on 31 March 2024; 1 moved up and 1 moved down "
    "since 31 March 2023;",
    2024: "3 of 3 indicators at or above target on 31 March 2025; 1 moved up and 0 moved down "
    "since 31 March 2024; no theme is below its targets.",
}
OVERDUE = {2022: 1, 2023: 0, 2024: 0}
CHANGES = {
    2022: {"A": "First assessed", "B": "First assessed", "C": "Not assessed"},
    2023: {"A": "Up 1 level", "B": "Down 1 level", "C": "Not assessed"},
    2024: {"A": "Up 1 level", "B": "No change", "C": "First assessed"},
}


def _at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def _target(indicator, level: int, due: dt.date, recorded: dt.datetime) -> None:
    with mock.patch("django.utils.timezone.now", return_value=recorded):
        TargetFactory(indicator=indicator, level_id=level, due_by=due)


def build_history() -> dict[str, object]:
    framework = FrameworkFactory(is_current=True)
    people = KeyAreaFactory(
        theme=ThemeFactory(framework=framework, position=1, name="People"),
        position=1,
        name="Contracts",
    )
    place = KeyAreaFactory(
        theme=ThemeFactory(framework=framework, position=2, name="Place"),
        position=2,
        name="Community",
    )
    a: Indicator = IndicatorFactory.create(key_area=people, position=1, name="A")
    b: Indicator = IndicatorFactory.create(key_area=people, position=2, name="B")
    c: Indicator = IndicatorFactory.create(key_area=place, position=1, name="C")
    for indicator, day, level in [
        (a, D(2022, 5, 1), 1),
        (a, D(2023, 3, 31), 2),
        (a, D(2023, 4, 1), 3),
        (a, D(2025, 1, 10), 4),
        (b, D(2022, 6, 1), 3),
        (b, D(2024, 2, 1), 2),
        (c, D(2024, 12, 1), 5),
        (a, D(2024, 6, 1), 2),  # recorded last, dated before the 2025-01-10 one
    ]:
        AssessmentFactory(indicator=indicator, assessed_on=day, level_id=level)
    _target(a, 3, D(2025, 3, 31), _at(2022, 4, 1))
    _target(a, 4, D(2026, 3, 31), _at(2024, 3, 31, 23, 0))
    _target(b, 4, D(2025, 3, 31), _at(2022, 4, 1))
    _target(b, 2, D(2027, 3, 31), _at(2024, 4, 1, 0, 30))
    _target(c, 3, D(2025, 3, 31), _at(2023, 10, 1))
    with mock.patch("django.utils.timezone.now", return_value=_at(2022, 6, 1)):
        Action.objects.create(
            indicator=a,
            description="Publish the register",
            due_on=D(2023, 1, 1),
            status=Action.Status.DONE,
            completed_on=D(2023, 6, 1),
        )
    return {"framework": framework, "A": a, "B": b, "C": c}


@pytest.fixture
def history():
    return build_history()


def _expected_rows(year: int) -> list[tuple]:
    return [
        (theme, key_area, name, *EXPECTED[year][name])
        for theme, key_area, name in (
            ("People", "Contracts", "A"),
            ("People", "Contracts", "B"),
            ("Place", "Community", "C"),
        )
    ]


def _as_text(value) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("year", EXPECTED)
def test_the_review_holds_each_indicators_level_and_target_at_its_year_end(history, year):
    review = annual_review(year=year, today=TODAY)

    rows = [
        (
            i.key_area.theme.name,
            i.key_area.name,
            i.name,
            i.current_level,
            i.previous_level,
            i.target_level,
            i.target_due_by,
        )
        for i in review.maturity_table
    ]

    assert review.as_at == D(year + 1, 3, 31)
    assert review.previous_as_at == D(year, 3, 31)
    assert rows == _expected_rows(year)
    assert review.actions_overdue == OVERDUE[year]


@pytest.mark.parametrize("year", EXPECTED)
def test_the_review_page_shows_the_year_end_position_and_leads_with_the_maturity_headline(
    member_client, history, year
):
    response = member_client.get(reverse("dashboards:annual-review"), {"year": year})

    body = response.content.decode()
    headline = _text(re.search(r'id="maturity-headline">(.*?)</p>', body, re.S).group(1))
    assert headline.startswith(HEADLINES[year])
    # The maturity headline comes first under the headline figures, then the theme chart.
    assert body.index('id="headline"') < body.index('id="maturity-headline"')
    assert body.index('id="maturity-headline"') < body.index('id="chart-maturity-themes"')
    assert body.index('id="chart-maturity-themes"') < body.index('id="headline-figures"')
    assert f"{OVERDUE[year]} improvement action" in body
    start = body.index('id="maturity-table"')
    table = body[start : body.index("</table>", start)]
    cells = [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody", 1)[1], re.S)
    ]
    assert cells == [
        [
            f"{name} {key_area}",
            str(previous) if previous else "Not assessed",
            f"{level} {LEVEL_NAMES[level]}" if level else "Not assessed",
            CHANGES[year][name],
            f"{target} {LEVEL_NAMES[target]} by {due:%-d %b %Y}" if target else "No target",
        ]
        for _, key_area, name, level, previous, target, due in _expected_rows(year)
    ]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("year", EXPECTED)
def test_the_excel_workbook_in_the_browser_holds_the_same_year_end_table(
    member_client, history, year
):
    response = member_client.get(reverse("dashboards:annual-review-xlsx"), {"year": year})

    assert response.status_code == 200
    label = f"{year}-{(year + 1) % 100:02d}"
    assert f'filename="annual-review-{label}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Maturity"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(n for n, row in enumerate(values) if tuple(row[:7]) == MATURITY_TABLE_HEADER)
    rows = [[_as_text(value) for value in row[:7]] for row in values[start + 1 : start + 4]]
    assert rows == [[_as_text(value) for value in row] for row in _expected_rows(year)]
    assert values[start + 4][0] is None  # three indicators, then the next table


@pytest.mark.parametrize("year", EXPECTED)
def test_the_command_writes_the_year_end_table_as_csv(history, year, tmp_path):
    path = tmp_path / "review.csv"

    call_command("annual_review", year=year, format="csv", output=str(path), stdout=io.StringIO())

    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == [
        "theme",
        "key_area",
        "indicator",
        "level_at_year_end",
        "previous_level",
        "target_at_year_end",
        "target_date",
    ]
    assert rows[1:] == [[_as_text(value) for value in row] for row in _expected_rows(year)]


def test_the_position_as_at_a_date_costs_the_same_queries_whatever_the_history(history):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(
                maturity.maturity_table(
                    framework=history["framework"], as_at=D(2024, 3, 31), previous=D(2023, 3, 31)
                )
            )
            maturity.theme_summaries(framework=history["framework"], as_at=D(2024, 3, 31))
        return len(captured)

    before = count()
    for day in range(1, 200):
        AssessmentFactory(indicator=history["A"], assessed_on=D(2022, 4, 1) + dt.timedelta(day))

    assert count() == before == 2
