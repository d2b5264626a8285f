"""Writes for the maturity framework. Assessments and targets are only ever added."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import StaleEdit, update_versioned
from core.history import history_note, history_save
from maturity.models import (
    Action,
    Assessment,
    AssessmentRound,
    Indicator,
    Level,
    LevelDescriptor,
    RoundRating,
    RoundRespondent,
    StrategyPeriod,
    Target,
)
from maturity.period_selectors import period_for
from maturity.selectors import latest_target_id


@transaction.atomic
def assessment_record(
    *,
    indicator: Indicator,
    level: int,
    assessed_on: date,
    assessor: User,
    evidence: str = "",
    commentary: str = "",
) -> Assessment:
    """Add an assessment. Earlier ones stay as they were: this is the indicator's history."""
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date must be today or in the past."})
    return _assessment_add(
        indicator=indicator,
        level=level,
        assessed_on=assessed_on,
        assessor=assessor,
        evidence=evidence,
        commentary=commentary,
    )


def _assessment_add(
    *,
    indicator: Indicator,
    level: int,
    assessed_on: date,
    assessor: User,
    evidence: str,
    commentary: str,
    assessment_round: AssessmentRound | None = None,
) -> Assessment:
    """A new assessment, validated: an officer's own or a round's moderated level."""
    assessment = Assessment(
        indicator=indicator,
        level=Level(number=level),
        assessed_on=assessed_on,
        assessor=assessor,
        evidence=evidence,
        commentary=commentary,
        round=assessment_round,
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
    set_by: User,
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
    owner: User | None,
    due_on: date,
    created_by: User,
) -> Action:
    action = Action(indicator=indicator, description=description, owner=owner, due_on=due_on)
    return history_save(action, user=created_by)


@transaction.atomic
def action_complete(*, action: Action, completed_by: User) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == Action.Status.DONE:
        return action
    action.status = Action.Status.DONE
    action.completed_on = timezone.localdate()
    action.version += 1  # an edit form opened before this is now stale
    history_note(action, user=completed_by)
    action.save(update_fields=["status", "completed_on", "version"])
    return action


def action_update(
    *, action: Action, expected_version: int, changes: dict[str, Any], user: User
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
    started_by: User,
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


# -- assessment rounds ---------------------------------------------------------------------------


class RoundClosed(ValidationError):
    """A change to a round that has been closed (and so frozen)."""


def _open_round(round_id: int) -> AssessmentRound:
    """The round, locked for the rest of the transaction; refused if it has been closed."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=round_id)
    if not assessment_round.is_open:
        raise RoundClosed(f"The round “{assessment_round.name}” is closed: it cannot change.")
    return assessment_round


@transaction.atomic
def round_open(
    *,
    name: str,
    opens_on: date,
    closes_on: date,
    indicators: list[Indicator],
    respondents: list[tuple[User, str]],
    opened_by: User,
) -> AssessmentRound:
    """Open a round over `indicators` for `respondents`, each (officer, directorate or team)."""
    if not indicators:
        raise ValidationError({"indicators": "Choose at least one indicator"})
    if not respondents:
        raise ValidationError({"respondents": "Choose at least one respondent"})
    assessment_round = AssessmentRound(
        name=name, opens_on=opens_on, closes_on=closes_on, created_by=opened_by
    )
    assessment_round.full_clean()
    assessment_round.save()
    assessment_round.indicators.set(indicators)
    rows = [
        RoundRespondent(round=assessment_round, user=user, team=team) for user, team in respondents
    ]
    for row in rows:
        row.full_clean(exclude=["round"], validate_unique=False)
    RoundRespondent.objects.bulk_create(rows)
    return assessment_round


@transaction.atomic
def round_rate(
    *,
    assessment_round: AssessmentRound,
    user: User,
    indicator: Indicator,
    level: int | None,
    evidence: str = "",
    skipped_reason: str = "",
) -> RoundRating:
    """Record (or revise, while the round is open) a respondent's rating of one indicator.

    A rating is a level with evidence, or no level and the reason the respondent skipped it.
    """
    assessment_round = _open_round(assessment_round.pk)
    respondent = RoundRespondent.objects.filter(round=assessment_round, user=user).first()
    if respondent is None:
        raise ValidationError("You are not a respondent in this round.")
    if not assessment_round.indicators.filter(pk=indicator.pk).exists():
        raise ValidationError(f"“{indicator.name}” is not in this round.")
    if level is None and not skipped_reason.strip():
        raise ValidationError({"skipped_reason": "Enter why you are skipping this indicator"})
    if level is not None and not evidence.strip():
        raise ValidationError({"evidence": "Enter the evidence for this level"})
    rating = RoundRating.objects.filter(respondent=respondent, indicator=indicator).first()
    rating = rating or RoundRating(respondent=respondent, indicator=indicator)
    rating.level = Level(number=level) if level is not None else None
    rating.evidence = evidence if level is not None else ""
    rating.skipped_reason = "" if level is not None else skipped_reason
    return history_save(rating, user=user, validate_constraints=False)


@transaction.atomic
def round_moderate(
    *,
    assessment_round: AssessmentRound,
    indicator: Indicator,
    level: int,
    evidence: str,
    commentary: str = "",
    moderator: User,
) -> Assessment:
    """Record the moderated level: it becomes the council's assessment, linked to the round.

    Assessments are append-only, so each indicator is moderated once per round.
    """
    assessment_round = _open_round(assessment_round.pk)
    if not assessment_round.indicators.filter(pk=indicator.pk).exists():
        raise ValidationError(f"“{indicator.name}” is not in this round.")
    if Assessment.objects.filter(round=assessment_round, indicator=indicator).exists():
        raise ValidationError(f"“{indicator.name}” has already been moderated in this round.")
    return _assessment_add(
        indicator=indicator,
        level=level,
        assessed_on=min(timezone.localdate(), assessment_round.closes_on),
        assessor=moderator,
        evidence=evidence,
        commentary=commentary,
        assessment_round=assessment_round,
    )


@transaction.atomic
def round_close(*, assessment_round: AssessmentRound, closed_by: User) -> AssessmentRound:
    """Close the round: its ratings and moderated levels are frozen from now on."""
    assessment_round = _open_round(assessment_round.pk)
    assessment_round.status = AssessmentRound.Status.CLOSED
    assessment_round.closed_at = timezone.now()
    assessment_round.save(update_fields=["status", "closed_at"])
    return assessment_round


@transaction.atomic
def descriptors_save(*, indicator: Indicator, texts: dict[int, str]) -> dict[str, int]:
    """Write an indicator's level descriptors: a text sets it, an empty one removes it."""
    existing = {d.level_id: d for d in LevelDescriptor.objects.filter(indicator=indicator)}
    counts = {"added": 0, "changed": 0, "removed": 0}
    for number, text in texts.items():
        descriptor = existing.get(number)
        if not text:
            if descriptor is not None:
                descriptor.delete()
                counts["removed"] += 1
        elif descriptor is None:
            descriptor = LevelDescriptor(indicator=indicator, level=Level(number=number), text=text)
            descriptor.full_clean()
            descriptor.save()
            counts["added"] += 1
        elif descriptor.text != text:
            descriptor.text = text
            descriptor.full_clean()
            descriptor.save(update_fields=["text"])
            counts["changed"] += 1
    return counts
