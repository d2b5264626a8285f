"""Writes for the maturity framework. Assessments and targets are only ever added."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import StaleEdit, update_versioned
from maturity.models import Action, Assessment, Indicator, Level, Target
from maturity.selectors import latest_target_id


@transaction.atomic
def assessment_record(
    *,
    indicator: Indicator,
    level: int,
    assessed_on: date,
    assessor: AbstractBaseUser,
    evidence: str = "",
    commentary: str = "",
) -> Assessment:
    """Add an assessment. Earlier ones stay as they were: this is the indicator's history."""
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date must be today or in the past."})
    assessment = Assessment(
        indicator=indicator,
        level=Level(number=level),
        assessed_on=assessed_on,
        assessor=assessor,
        evidence=evidence,
        commentary=commentary,
    )
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def target_set(
    *,
    indicator: Indicator,
    level: int,
    due_by: date,
    set_by: AbstractBaseUser,
    rationale: str,
    replaces_target_id: int | None,
) -> Target:
    """Set a new target. `replaces_target_id` is the target the officer saw when starting.

    If someone else set a target since then, refuse: the officer should read it first rather
    than replace it unseen.
    """
    # Lock the indicator row so two officers cannot both pass the check at once.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    if latest_target_id(indicator=indicator) != replaces_target_id:
        raise StaleEdit(
            "Someone else set a new target for this indicator while you were editing. "
            "Read the current target below, then set yours again if it is still needed."
        )
    target = Target(
        indicator=indicator,
        level=Level(number=level),
        due_by=due_by,
        set_by=set_by,
        rationale=rationale,
    )
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def action_create(
    *,
    indicator: Indicator,
    description: str,
    owner: AbstractBaseUser | None,
    due_on: date,
    created_by: AbstractBaseUser,
) -> Action:
    action = Action(indicator=indicator, description=description, owner=owner, due_on=due_on)
    action.full_clean()
    action._history_user = created_by
    action.save()
    return action


@transaction.atomic
def action_complete(*, action: Action, completed_by: AbstractBaseUser) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == Action.Status.DONE:
        return action
    action.status = Action.Status.DONE
    action.completed_on = timezone.localdate()
    action.version += 1  # an edit form opened before this is now stale
    action._history_user = completed_by
    action.save(update_fields=["status", "completed_on", "version"])
    return action


def action_update(
    *, action: Action, expected_version: int, changes: dict, user: AbstractBaseUser
) -> Action:
    """Save an officer's edit of an action unless someone saved it since `expected_version`.

    Marking it done records today as its completion date; moving it back clears the date.
    """
    changes = dict(changes)
    status = changes.get("status", action.status)
    if status == Action.Status.DONE:
        if action.status != Action.Status.DONE or action.completed_on is None:
            changes["completed_on"] = timezone.localdate()
    else:
        changes["completed_on"] = None
    return update_versioned(action, expected_version=expected_version, changes=changes, user=user)
