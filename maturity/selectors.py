"""Reads for the maturity framework: where we were, where we are, where we want to be.

"Where we are" is an indicator's latest assessment, "where we were" its first (the baseline)
and "where we want to be" its latest target. All three are correlated subqueries, so one query
returns every indicator with its position and the per-area figures are SQL aggregates.

Every read takes an optional `as_at` date: the position as it stood that day, from the
append-only history (the newest assessment dated on or before it, the newest target recorded
on or before it). The query is the same whatever the history's length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from core.data_version import models_version
from maturity.models import (
    Action,
    Assessment,
    Framework,
    Indicator,
    KeyArea,
    Level,
    LevelDescriptor,
    StrategyPeriod,
    Target,
    Theme,
)
from maturity.plan_selectors import is_overdue

LATEST_ASSESSMENT = ("-assessed_on", "-recorded_at", "-id")
FIRST_ASSESSMENT = ("assessed_on", "recorded_at", "id")
LATEST_TARGET = ("-recorded_at", "-id")


def maturity_version() -> str:
    """A key that moves with any change the framework overview or gap dashboard could show:
    one query (core.data_version)."""
    return models_version(
        [Framework, Theme, KeyArea, Indicator, Level, Assessment, Target, StrategyPeriod, Action]
    )


def framework_current() -> Framework | None:
    return Framework.objects.filter(is_current=True).order_by("-id").first()


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day`, in the site's time zone: recorded before it is on or
    before the day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def assessments_as_at(as_at: dt.date | None, *, indicator: Any = None) -> QuerySet[Assessment]:
    """Assessments in force on `as_at` (every one when None), of `indicator` if given."""
    assessments = Assessment.objects.all()
    if as_at is not None:
        assessments = assessments.filter(assessed_on__lte=as_at)
    return assessments if indicator is None else assessments.filter(indicator=indicator)


def targets_as_at(as_at: dt.date | None, *, indicator: Any = None) -> QuerySet[Target]:
    """Targets set on or before `as_at` (every one when None), of `indicator` if given."""
    targets = Target.objects.all()
    if as_at is not None:
        targets = targets.filter(recorded_at__lt=end_of_day(as_at))
    return targets if indicator is None else targets.filter(indicator=indicator)


def _assessments(order: tuple[str, ...], as_at: dt.date | None = None) -> QuerySet[Assessment]:
    return assessments_as_at(as_at, indicator=OuterRef("pk")).order_by(*order)


def level_as_at(as_at: dt.date | None) -> Subquery:
    """An indicator's level in force on `as_at`, for annotating indicators."""
    return Subquery(_assessments(LATEST_ASSESSMENT, as_at).values("level_id")[:1])


def level_before() -> Subquery:
    """For annotating assessments: the level of the indicator's assessment before this one (its
    previous assessment, in the order "latest" uses), None for its first."""
    earlier = Assessment.objects.filter(indicator=OuterRef("indicator")).filter(
        Q(assessed_on__lt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), recorded_at__lt=OuterRef("recorded_at"))
        | Q(
            assessed_on=OuterRef("assessed_on"),
            recorded_at=OuterRef("recorded_at"),
            id__lt=OuterRef("id"),
        )
    )
    return Subquery(earlier.order_by(*LATEST_ASSESSMENT).values("level_id")[:1])


class IndicatorPosition(TypedDict):
    """What `indicator_positions` adds to each indicator (levels are numbers 1 to 5)."""

    current_level: int | None
    current_assessed_on: dt.date | None
    baseline_level: int | None
    target_level: int | None
    target_due_by: dt.date | None
    gap: int
    progress: int


class PositionThen(IndicatorPosition):
    """`IndicatorPosition` and the level on an earlier date, as `maturity_table` reads them."""

    previous_level: int | None


class KeyAreaPositions(TypedDict):
    """What `framework_tree` prefetches onto each key area."""

    positions: list[PositionedIndicator]


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict only in type checking
    PositionedIndicator = WithAnnotations[Indicator, IndicatorPosition]
    PositionedKeyArea = WithAnnotations[KeyArea, KeyAreaPositions]
    IndicatorThen = WithAnnotations[Indicator, PositionThen]


def indicator_positions(
    *,
    framework: Framework | None = None,
    theme: Theme | None = None,
    as_at: dt.date | None = None,
) -> QuerySet[PositionedIndicator]:
    """Every indicator annotated with baseline, current and target levels, gap and progress,
    as they stood on `as_at` (now when None)."""
    latest_target = targets_as_at(as_at, indicator=OuterRef("pk")).order_by(*LATEST_TARGET)
    latest = _assessments(LATEST_ASSESSMENT, as_at)
    queryset = (
        Indicator.objects.select_related("key_area__theme")
        .annotate(
            current_level=Subquery(latest.values("level_id")[:1]),
            current_assessed_on=Subquery(latest.values("assessed_on")[:1]),
            baseline_level=Subquery(_assessments(FIRST_ASSESSMENT, as_at).values("level_id")[:1]),
            target_level=Subquery(latest_target.values("level_id")[:1]),
            target_due_by=Subquery(latest_target.values("due_by")[:1]),
        )
        .annotate(
            gap=ExpressionWrapper(
                Coalesce(F("target_level"), 0) - Coalesce(F("current_level"), 0),
                output_field=IntegerField(),
            ),
            progress=ExpressionWrapper(
                Coalesce(F("current_level"), 0) - Coalesce(F("baseline_level"), 0),
                output_field=IntegerField(),
            ),
        )
    )
    if framework is not None:
        queryset = queryset.filter(key_area__theme__framework=framework)
    if theme is not None:
        queryset = queryset.filter(key_area__theme=theme)
    return queryset


@dataclass(frozen=True)
class AreaSummary:
    """Average levels over one key area or theme; a gap is target minus current."""

    pk: int
    name: str
    theme_name: str
    indicators: int
    baseline: float
    current: float
    target: float
    gap: float
    progress: float
    indicators_below_target: int

    @property
    def gap_total(self) -> float:
        return round(self.gap * self.indicators, 2)


def _summaries(positions: QuerySet[Indicator], *, by: str) -> list[AreaSummary]:
    prefix = "key_area" if by == "key_area" else "key_area__theme"
    theme_field = "key_area__theme__name"
    rows = (
        positions.order_by()
        .values(f"{prefix}__id", f"{prefix}__name", theme_field, f"{prefix}__position")
        .annotate(
            n=Count("id"),
            baseline=Avg("baseline_level"),
            current=Avg("current_level"),
            target=Avg("target_level"),
            gap_avg=Avg("gap"),
            progress_avg=Avg("progress"),
            below=Count("id", filter=Q(gap__gt=0)),
            gap_sum=Sum("gap"),
        )
        .order_by("-gap_sum", f"{prefix}__position")
    )
    return [
        AreaSummary(
            pk=row[f"{prefix}__id"],
            name=row[f"{prefix}__name"],
            theme_name=row[theme_field],
            indicators=row["n"],
            baseline=round(float(row["baseline"] or 0), 2),
            current=round(float(row["current"] or 0), 2),
            target=round(float(row["target"] or 0), 2),
            gap=round(float(row["gap_avg"] or 0), 2),
            progress=round(float(row["progress_avg"] or 0), 2),
            indicators_below_target=row["below"],
        )
        for row in rows
    ]


def key_area_summaries(
    *, framework: Framework | None, theme: Theme | None = None, as_at: dt.date | None = None
) -> list[AreaSummary]:
    """Per key area, largest total gap first."""
    positions = indicator_positions(framework=framework, theme=theme, as_at=as_at)
    return _summaries(positions, by="key_area")


def theme_summaries(
    *, framework: Framework | None, theme: Theme | None = None, as_at: dt.date | None = None
) -> list[AreaSummary]:
    """Per theme, largest total gap first."""
    positions = indicator_positions(framework=framework, theme=theme, as_at=as_at)
    return _summaries(positions, by="theme")


def largest_gaps(
    *,
    framework: Framework | None,
    theme: Theme | None = None,
    limit: int = 10,
    as_at: dt.date | None = None,
) -> list[PositionedIndicator]:
    return list(
        indicator_positions(framework=framework, theme=theme, as_at=as_at)
        .filter(gap__gt=0)
        .order_by("-gap", "key_area__theme__position", "key_area__position", "position")[:limit]
    )


def framework_indicators(*, framework: Framework | None) -> QuerySet[Indicator]:
    """The framework's indicators in framework order, each with its key area."""
    return (
        Indicator.objects.filter(key_area__theme__framework=framework)
        .select_related("key_area")
        .order_by("key_area__theme__position", "key_area__position", "position")
    )


def themes_for(framework: Framework | None) -> QuerySet[Theme]:
    return Theme.objects.filter(framework=framework).order_by("position")


@dataclass(frozen=True)
class LevelRow:
    number: int
    name: str
    descriptor: str
    is_current: bool
    is_target: bool


def indicator_detail(*, indicator_id: int, as_at: dt.date) -> dict[str, Any]:
    """One indicator with all five levels, its histories and its actions (`is_overdue` on
    `as_at`)."""
    indicator = indicator_positions().get(pk=indicator_id)
    descriptors = dict(
        LevelDescriptor.objects.filter(indicator=indicator).values_list("level_id", "text")
    )
    levels = [
        LevelRow(
            number=number,
            name=label,
            descriptor=descriptors.get(number, ""),
            is_current=number == indicator.current_level,
            is_target=number == indicator.target_level,
        )
        for number, label in Level.Number.choices
    ]
    return {
        "indicator": indicator,
        "levels": levels,
        "assessments": list(
            Assessment.objects.filter(indicator=indicator)
            .select_related("assessor", "level")
            .order_by(*LATEST_ASSESSMENT)
        ),
        "targets": list(
            Target.objects.filter(indicator=indicator)
            .select_related("set_by", "level")
            .order_by(*LATEST_TARGET)
        ),
        "actions": list(
            Action.objects.filter(indicator=indicator)
            .select_related("owner")
            .annotate(is_overdue=is_overdue(as_at))
            .order_by("status", "due_on", "id")
        ),
    }


def target_current(*, indicator: Indicator) -> Target | None:
    """The indicator's latest target, with its level and who set it."""
    return (
        Target.objects.filter(indicator=indicator)
        .select_related("level", "set_by")
        .order_by(*LATEST_TARGET)
        .first()
    )


def latest_target_id(*, indicator: Indicator) -> int | None:
    return (
        Target.objects.filter(indicator=indicator)
        .order_by(*LATEST_TARGET)
        .values_list("id", flat=True)
        .first()
    )


def level_descriptors(*, indicator: Indicator) -> dict[int, str]:
    return dict(LevelDescriptor.objects.filter(indicator=indicator).values_list("level_id", "text"))


def framework_tree(
    *, framework: Framework | None, as_at: dt.date | None = None
) -> list[PositionedKeyArea]:
    """Key areas in order, each with its indicators' positions as at `as_at` prefetched (two
    queries)."""
    return list(
        KeyArea.objects.filter(theme__framework=framework)
        .select_related("theme")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=indicator_positions(framework=framework, as_at=as_at).order_by("position"),
                to_attr="positions",
            )
        )
        .order_by("theme__position", "position")
    )


def open_actions_count(*, framework: Framework | None) -> int:
    return Action.objects.filter(
        indicator__key_area__theme__framework=framework, status__in=["open", "in_progress"]
    ).count()


# -- the position at two dates: the annual review's maturity table and headline ----------------


def maturity_table(
    *, framework: Framework | None, as_at: dt.date, previous: dt.date
) -> QuerySet[IndicatorThen]:
    """Every indicator in framework order with its level and target on `as_at` and its level on
    `previous` (`previous_level`): one query whatever the history's length."""
    return (
        indicator_positions(framework=framework, as_at=as_at)
        .annotate(previous_level=level_as_at(previous))
        .order_by("key_area__theme__position", "key_area__position", "position")
    )


@dataclass(frozen=True)
class MaturityHeadline:
    """How many indicators are at or above target on a date, and how many moved since
    another; the theme furthest from its targets."""

    indicators: int
    at_target: int
    moved_up: int
    moved_down: int
    largest_gap_theme: AreaSummary | None


def maturity_headline(
    *, framework: Framework | None, as_at: dt.date, previous: dt.date, themes: list[AreaSummary]
) -> MaturityHeadline:
    """Counted in SQL (one query); `themes` are the theme summaries as at `as_at`, largest
    total gap first."""
    counts = (
        maturity_table(framework=framework, as_at=as_at, previous=previous)
        .order_by()
        .aggregate(
            indicators=Count("id"),
            at_target=Count(
                "id",
                filter=Q(target_level__isnull=False, current_level__gte=F("target_level")),
            ),
            moved_up=Count("id", filter=Q(current_level__gt=F("previous_level"))),
            moved_down=Count("id", filter=Q(current_level__lt=F("previous_level"))),
        )
    )
    furthest = themes[0] if themes and themes[0].gap_total > 0 else None
    return MaturityHeadline(**counts, largest_gap_theme=furthest)


def actions_overdue_count(*, framework: Framework | None, as_at: dt.date) -> int:
    """Actions that existed on `as_at`, were due before it and were not completed by then."""
    completed_by_then = Q(status=Action.Status.DONE, completed_on__lte=as_at)
    return (
        Action.objects.filter(
            indicator__key_area__theme__framework=framework,
            created_at__lt=end_of_day(as_at),
            due_on__lt=as_at,
        )
        .exclude(completed_by_then)
        .count()
    )
