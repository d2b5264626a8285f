"""Reads for assessment rounds: every respondent's rating, the spread, the moderated level.

The lowest, highest and number of ratings per indicator are SQL aggregates; the median comes
from the same ratings, which the page lists anyway (two queries for the whole round).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery

from maturity.models import Assessment, AssessmentRound, Indicator, RoundRating


def round_list() -> QuerySet[AssessmentRound]:
    return AssessmentRound.objects.annotate(
        indicator_count=Count("indicators", distinct=True),
        respondent_count=Count("respondents", distinct=True),
    ).order_by("-opens_on", "-id")


@dataclass
class IndicatorSpread:
    indicator: Indicator
    rated: int
    skipped: int
    lowest: int | None
    highest: int | None
    median: float | None
    moderated_level: int | None
    ratings: list[RoundRating] = field(default_factory=list)

    @property
    def spread(self) -> int:
        """Highest minus lowest rating: how far the respondents disagree (0 if fewer than two)."""
        if self.lowest is None or self.highest is None:
            return 0
        return self.highest - self.lowest


def round_spread(*, assessment_round: AssessmentRound) -> list[IndicatorSpread]:
    """Each indicator in scope, where respondents disagree most first (two queries)."""
    moderated = Assessment.objects.filter(round=assessment_round, indicator=OuterRef("pk"))
    rated = Q(round_ratings__respondent__round=assessment_round)
    indicators = (
        assessment_round.indicators.select_related("key_area")
        .annotate(
            rated=Count("round_ratings", filter=rated & Q(round_ratings__level__isnull=False)),
            skipped=Count("round_ratings", filter=rated & Q(round_ratings__level__isnull=True)),
            lowest=Min("round_ratings__level", filter=rated),
            highest=Max("round_ratings__level", filter=rated),
            moderated_level=Subquery(moderated.values("level_id")[:1]),
        )
        .order_by("key_area__theme__position", "key_area__position", "position")
    )
    ratings: dict[int, list[RoundRating]] = {}
    for rating in (
        RoundRating.objects.filter(respondent__round=assessment_round)
        .select_related("respondent__user")
        .order_by("indicator_id", "level_id", "respondent__team", "id")
    ):
        ratings.setdefault(rating.indicator_id, []).append(rating)
    rows = []
    for indicator in indicators:
        own = ratings.get(indicator.pk, [])
        levels = [r.level_id for r in own if r.level_id is not None]
        rows.append(
            IndicatorSpread(
                indicator=indicator,
                rated=indicator.rated,
                skipped=indicator.skipped,
                lowest=indicator.lowest,
                highest=indicator.highest,
                median=statistics.median(levels) if levels else None,
                moderated_level=indicator.moderated_level,
                ratings=own,
            )
        )
    rows.sort(key=lambda row: -row.spread)  # stable: framework order within a spread
    return rows


def respondent_ratings(*, assessment_round: AssessmentRound, user: User) -> dict[int, RoundRating]:
    """The user's own ratings in the round, by indicator id."""
    return {
        rating.indicator_id: rating
        for rating in RoundRating.objects.filter(
            respondent__round=assessment_round, respondent__user=user
        )
    }


def round_progress(*, assessment_round: AssessmentRound) -> dict[str, int]:
    """How many ratings are in, out of respondents x indicators (one query)."""
    counts = AssessmentRound.objects.filter(pk=assessment_round.pk).aggregate(
        n_respondents=Count("respondents", distinct=True),
        n_indicators=Count("indicators", distinct=True),
        n_ratings=Count("respondents__ratings", distinct=True),
    )
    respondents, indicators = counts["n_respondents"], counts["n_indicators"]
    return {
        "respondents": respondents,
        "indicators": indicators,
        "ratings": counts["n_ratings"],
        "expected": respondents * indicators,
    }
