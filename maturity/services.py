"""Writes for the maturity framework. Assessments and targets are only ever added."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import StaleEdit, update_versioned
from maturity.models import Action, Assessment, Indicator, Level, StrategyPeriod, Target
from maturity.period_selectors import period_for
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
        period=period_for(day=due_by),
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


@transaction.atomic
def period_start(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    targets: dict[int, int],
    due_by: date | None = None,
    rationale: str,
    started_by: AbstractBaseUser,
) -> StrategyPeriod:
    """Start a strategy period and record its targets, `targets` being {indicator id: level}.

    The targets are new rows (targets are append-only), due by `due_by` (the period's end if
    not given); the previous period's targets stay as they were, so its results still read.
    """
    period = StrategyPeriod(name=name, starts_on=starts_on, ends_on=ends_on)
    period.full_clean()
    period.save()
    due_by = due_by or ends_on
    indicators = Indicator.objects.in_bulk(list(targets))
    missing = sorted(set(targets) - set(indicators))
    if missing:
        raise ValidationError(f"No indicator has the id {missing[0]}.")
    rows = []
    for indicator_id, level in targets.items():
        target = Target(
            indicator=indicators[indicator_id],
            period=period,
            level=Level(number=level),
            due_by=due_by,
            set_by=started_by,
            rationale=rationale,
        )
        target.full_clean()
        rows.append(target)
    Target.objects.bulk_create(rows)
    return period
