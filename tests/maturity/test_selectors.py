from __future__ import annotations

import datetime as dt

import pytest

from maturity import selectors
from maturity.models import Assessment
from tests.factories import (
    AssessmentFactory,
    IndicatorFactory,
    KeyAreaFactory,
    TargetFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_framework():
    """Two key areas in one theme: A has indicators at 2→4 and 3→3, B has one at 1→5."""
    theme = ThemeFactory(name="Leadership")
    area_a = KeyAreaFactory(theme=theme, name="Area A", position=1)
    area_b = KeyAreaFactory(theme=theme, name="Area B", position=2)
    first = IndicatorFactory(key_area=area_a, position=1, name="First")
    second = IndicatorFactory(key_area=area_a, position=2, name="Second")
    third = IndicatorFactory(key_area=area_b, position=1, name="Third")
    for indicator, current, target in ((first, 2, 4), (second, 3, 3), (third, 1, 5)):
        AssessmentFactory(indicator=indicator, level_id=current)
        TargetFactory(indicator=indicator, level_id=target)
    return theme.framework, first, second, third


def test_it_takes_the_latest_assessment_as_where_we_are(small_framework):
    framework, first, *_ = small_framework
    AssessmentFactory(indicator=first, level_id=3, assessed_on=dt.date(2024, 5, 1))
    AssessmentFactory(indicator=first, level_id=1, assessed_on=dt.date(2023, 5, 1))

    position = selectors.indicator_positions(framework=framework).get(pk=first.pk)

    assert position.current_level == 3
    assert position.baseline_level == 2
    assert position.target_level == 4
    assert position.gap == 1
    assert position.progress == 1


def test_it_takes_the_latest_target_as_where_we_want_to_be(small_framework):
    framework, first, *_ = small_framework
    TargetFactory(indicator=first, level_id=5, due_by=dt.date(2027, 3, 31))

    position = selectors.indicator_positions(framework=framework).get(pk=first.pk)

    assert position.target_level == 5
    assert position.target_due_by == dt.date(2027, 3, 31)
    assert position.gap == 3


def test_it_averages_levels_and_gaps_per_key_area_largest_gap_first(small_framework):
    framework, *_ = small_framework

    rows = selectors.key_area_summaries(framework=framework)

    assert [row.name for row in rows] == ["Area B", "Area A"]
    area_b, area_a = rows
    assert (area_b.current, area_b.target, area_b.gap, area_b.indicators) == (1, 5, 4, 1)
    assert (area_a.current, area_a.target, area_a.gap) == (2.5, 3.5, 1)
    assert area_a.indicators_below_target == 1
    assert area_a.gap_total == 2


def test_it_summarises_themes(small_framework):
    framework, *_ = small_framework

    (theme,) = selectors.theme_summaries(framework=framework)

    assert theme.name == "Leadership"
    assert theme.indicators == 3
    assert theme.current == 2
    assert theme.target == 4
    assert theme.gap == 2


def test_it_lists_the_largest_gaps_first_and_leaves_out_indicators_on_target(small_framework):
    framework, first, second, third = small_framework

    gaps = selectors.largest_gaps(framework=framework)

    assert [indicator.pk for indicator in gaps] == [third.pk, first.pk]


def test_an_unassessed_indicator_counts_as_not_assessed(small_framework):
    framework, first, *_ = small_framework
    lonely = IndicatorFactory(key_area=first.key_area, position=9)

    position = selectors.indicator_positions(framework=framework).get(pk=lonely.pk)

    assert position.current_level is None
    assert position.current_level_name == ""


def test_indicator_detail_marks_the_current_and_target_levels(small_framework):
    _, first, *_ = small_framework

    detail = selectors.indicator_detail(indicator_id=first.pk, as_at=dt.date(2025, 1, 1))

    marks = {(row.number, row.is_current, row.is_target) for row in detail["levels"]}
    assert (2, True, False) in marks
    assert (4, False, True) in marks
    assert len(detail["levels"]) == 5


def test_the_council_framework_starts_with_the_published_gaps(framework):
    rows = {row.name: row for row in selectors.key_area_summaries(framework=framework)}

    assert len(rows) == 10
    elected = rows["Engaging elected members"]
    # Appendix 1: Developing→Leader, Developing→Mature, Developing→Leader, Minimum→Leader.
    assert elected.current == pytest.approx(1.75)
    assert elected.target == pytest.approx(3.75)
    assert elected.progress == 0


def test_level_before_is_the_previous_assessment_in_the_order_latest_uses():
    indicator = IndicatorFactory()
    first = AssessmentFactory(indicator=indicator, level_id=1, assessed_on=dt.date(2023, 5, 1))
    later = AssessmentFactory(indicator=indicator, level_id=3, assessed_on=dt.date(2024, 5, 1))
    # Same day as `later`, recorded after it: `later` comes before it.
    same_day = AssessmentFactory(indicator=indicator, level_id=4, assessed_on=dt.date(2024, 5, 1))
    AssessmentFactory(level_id=5, assessed_on=dt.date(2024, 1, 1))  # another indicator's

    before = dict(
        Assessment.objects.filter(indicator=indicator)
        .annotate(before=selectors.level_before())
        .values_list("pk", "before")
    )

    assert before == {first.pk: None, later.pk: 1, same_day.pk: 3}
