from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maturity import selectors, services
from maturity.models import Action, Assessment, Target
from tests.factories import AssessmentFactory, IndicatorFactory, TargetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_recording_an_assessment_adds_a_row_and_keeps_the_old_one():
    indicator = IndicatorFactory()
    old = AssessmentFactory(indicator=indicator, level_id=2)
    officer = UserFactory()

    new = services.assessment_record(
        indicator=indicator,
        level=3,
        assessed_on=dt.date(2024, 6, 1),
        assessor=officer,
        evidence="Cabinet report, June 2024",
    )

    assert Assessment.objects.filter(indicator=indicator).count() == 2
    old.refresh_from_db()
    assert old.level_id == 2
    assert new.assessor == officer
    assert selectors.indicator_positions().get(pk=indicator.pk).current_level == 3


def test_an_assessment_cannot_be_changed_or_deleted():
    assessment = AssessmentFactory()
    assessment.level_id = 5

    with pytest.raises(ValidationError):
        assessment.save()
    with pytest.raises(ValidationError):
        assessment.delete()
    assessment.refresh_from_db()
    assert assessment.level_id == 2


def test_an_assessment_in_the_future_is_refused():
    with pytest.raises(ValidationError):
        services.assessment_record(
            indicator=IndicatorFactory(),
            level=3,
            assessed_on=timezone.localdate() + dt.timedelta(days=1),
            assessor=UserFactory(),
        )
    assert Assessment.objects.count() == 0


def test_a_target_can_only_replace_the_target_the_officer_saw():
    indicator = IndicatorFactory()
    first = TargetFactory(indicator=indicator, level_id=3)
    alice, bob = UserFactory(), UserFactory()
    services.target_set(
        indicator=indicator,
        level=4,
        due_by=dt.date(2027, 3, 31),
        set_by=alice,
        rationale="Cabinet agreed",
        replaces_target_id=first.pk,
    )

    with pytest.raises(ValidationError, match="Someone else set a new target"):
        services.target_set(
            indicator=indicator,
            level=5,
            due_by=dt.date(2027, 3, 31),
            set_by=bob,
            rationale="Stale form",
            replaces_target_id=first.pk,
        )

    assert list(Target.objects.filter(indicator=indicator).values_list("level_id", flat=True)) == [
        4,
        3,
    ]


def test_completing_an_action_records_who_and_when():
    indicator = IndicatorFactory()
    officer = UserFactory()
    action = services.action_create(
        indicator=indicator,
        description="Run member training",
        owner=officer,
        due_on=dt.date(2026, 12, 1),
        created_by=officer,
    )

    services.action_complete(action=action, completed_by=officer)

    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.completed_on == timezone.localdate()
    latest = action.history.first()
    assert latest.history_user == officer
    assert action.history.count() == 2
