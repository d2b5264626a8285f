"""Reads for strategy periods: each period's targets and how the council did against them.

A period's results are read from the append-only history: for each indicator the latest target
recorded in the period and the latest assessment on or before the period's end. A target is
missed when its date has passed and the latest assessment is below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django_stubs_ext import WithAnnotations

from maturity.models import Assessment, Framework, Indicator, StrategyPeriod, Target

LATEST_ASSESSMENT = ("-assessed_on", "-recorded_at", "-id")
LATEST_TARGET = ("-recorded_at", "-id")


def period_list() -> QuerySet[StrategyPeriod]:
    """Every period, latest first, with how many targets it holds."""
    return StrategyPeriod.objects.annotate(target_count=Count("targets")).order_by(
        "-starts_on", "-id"
    )


def period_latest() -> StrategyPeriod | None:
    return StrategyPeriod.objects.order_by("-starts_on", "-id").first()


def period_for(*, day: date) -> StrategyPeriod | None:
    """The period a target due on `day` belongs to: the one covering it, else the latest."""
    covering = (
        StrategyPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on", "-id")
        .first()
    )
    return covering or period_latest()


def _latest_target(*, period: StrategyPeriod | None = None) -> QuerySet[Target]:
    targets = Target.objects.filter(indicator=OuterRef("pk"))
    if period is not None:
        targets = targets.filter(period=period)
    return targets.order_by(*LATEST_TARGET)


def _latest_assessment(*, on_or_before: date | None = None) -> QuerySet[Assessment]:
    assessments = Assessment.objects.filter(indicator=OuterRef("pk"))
    if on_or_before is not None:
        assessments = assessments.filter(assessed_on__lte=on_or_before)
    return assessments.order_by(*LATEST_ASSESSMENT)


class PeriodPosition(TypedDict):
    """What `period_results` adds to each indicator (levels are numbers 1 to 5)."""

    target_level: int | None
    target_due_by: date | None
    level_at_end: int | None
    met: bool


class MissedTarget(TypedDict):
    """What `targets_missed` adds to each indicator."""

    target_level: int
    target_due_by: date
    current_level: int | None


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict only in type checking
    PeriodIndicator = WithAnnotations[Indicator, PeriodPosition]
    MissedIndicator = WithAnnotations[Indicator, MissedTarget]


@dataclass(frozen=True)
class PeriodResults:
    period: StrategyPeriod
    indicators: list[PeriodIndicator]
    with_target: int
    met: int

    @property
    def not_met(self) -> int:
        return self.with_target - self.met


def period_results(*, period: StrategyPeriod, framework: Framework | None) -> PeriodResults:
    """Each indicator's target in `period` and its level at the period's end (one query)."""
    target = _latest_target(period=period)
    at_end = _latest_assessment(on_or_before=period.ends_on)
    indicators = list(
        Indicator.objects.filter(key_area__theme__framework=framework)
        .select_related("key_area__theme")
        .annotate(
            target_level=Subquery(target.values("level_id")[:1]),
            target_due_by=Subquery(target.values("due_by")[:1]),
            level_at_end=Subquery(at_end.values("level_id")[:1]),
        )
        .annotate(
            met=ExpressionWrapper(
                Q(
                    target_level__isnull=False,
                    level_at_end__isnull=False,
                    level_at_end__gte=F("target_level"),
                ),
                output_field=BooleanField(),
            )
        )
        .order_by("key_area__theme__position", "key_area__position", "position")
    )
    with_target = [i for i in indicators if i.target_level is not None]
    return PeriodResults(
        period=period,
        indicators=indicators,
        with_target=len(with_target),
        met=sum(1 for i in with_target if i.met),
    )


def targets_missed(*, as_at: date, framework: Framework | None = None) -> list[MissedIndicator]:
    """Indicators whose target in force on `as_at` was due before it and is not met (one query).

    Each carries `target_level`, `target_due_by` and `current_level` (the level as at `as_at`).
    Without a `framework`, the current one (is_current) is read, without a query to find it.
    """
    target = _latest_target().filter(recorded_at__date__lte=as_at)
    current = _latest_assessment(on_or_before=as_at)
    queryset = (
        Indicator.objects.select_related("key_area__theme")
        .annotate(
            target_level=Subquery(target.values("level_id")[:1]),
            target_due_by=Subquery(target.values("due_by")[:1]),
            current_level=Subquery(current.values("level_id")[:1]),
        )
        .filter(target_due_by__lt=as_at, target_level__isnull=False)
        .filter(Q(current_level__isnull=True) | Q(current_level__lt=F("target_level")))
        .order_by("target_due_by", "key_area__theme__position", "key_area__position", "position")
    )
    if framework is None:
        queryset = queryset.filter(key_area__theme__framework__is_current=True)
    else:
        queryset = queryset.filter(key_area__theme__framework=framework)
    return list(queryset)
