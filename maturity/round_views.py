"""Assessment rounds: open one, rate, moderate, close, and read or download the results.

Until a round closes, a respondent sees only their own ratings; the moderator (the
`maturity.moderate_round` permission) sees every rating, the spread and the evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import can_edit, reader_required, signed_in_user
from core.csv_export import csv_response
from core.save_flow import save_form
from core.xlsx import Sheet, SheetTable, workbook_bytes, xlsx_response
from maturity import round_selectors, selectors, services
from maturity.access import administrator_required, can_moderate, posted
from maturity.forms import ModerationForm, RatingForm, RoundOpenForm
from maturity.models import AssessmentRound, Indicator, RoundRespondent

RESULTS_HEADER = [
    "key_area",
    "indicator",
    "ratings",
    "skipped",
    "lowest",
    "highest",
    "median",
    "spread",
    "moderated_level",
]
RATINGS_HEADER = [
    "key_area",
    "indicator",
    "respondent",
    "team",
    "level",
    "evidence",
    "skipped_reason",
]


@reader_required
def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "maturity/round_list.html", {"rounds": list(round_selectors.round_list())}
    )


@administrator_required
def round_open(request: HttpRequest) -> HttpResponse:
    indicators = selectors.framework_indicators(framework=selectors.framework_current())
    form = RoundOpenForm(posted(request), indicators=indicators)
    return save_form(
        request,
        form,
        lambda data: services.round_open(
            name=data["name"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            indicators=list(data["indicators"]),
            respondents=data["respondents"],
            opened_by=signed_in_user(request),
        ),
        template="maturity/round_form.html",
        context={},
        success=lambda opened: f"Round “{opened.name}” opened.",
        next_url=lambda opened: reverse("maturity:round-detail", args=[opened.pk]),
    )


def _may_see_everything(request: HttpRequest, assessment_round: AssessmentRound) -> bool:
    return not assessment_round.is_open or can_moderate(request.user)


@reader_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_round = get_object_or_404(AssessmentRound, pk=pk)
    everything = _may_see_everything(request, assessment_round)
    user = signed_in_user(request)
    respondent = RoundRespondent.objects.filter(round=assessment_round, user=user).first()
    own = (
        round_selectors.respondent_ratings(assessment_round=assessment_round, user=user)
        if respondent
        else {}
    )
    rows = round_selectors.round_spread(assessment_round=assessment_round) if everything else []
    in_scope = (
        list(
            assessment_round.indicators.select_related("key_area").order_by(
                "key_area__theme__position", "key_area__position", "position"
            )
        )
        if respondent
        else []
    )
    return render(
        request,
        "maturity/round_detail.html",
        {
            "round": assessment_round,
            "everything": everything,
            "rows": rows,
            "in_scope": [(indicator, own.get(indicator.pk)) for indicator in in_scope],
            "own": own,
            "respondent": respondent,
            "can_moderate": can_moderate(request.user),
            "progress": round_selectors.round_progress(assessment_round=assessment_round),
        },
    )


def _round_and_indicator(pk: int, indicator_pk: int) -> tuple[AssessmentRound, Indicator]:
    assessment_round = get_object_or_404(AssessmentRound, pk=pk)
    indicator = get_object_or_404(
        assessment_round.indicators.select_related("key_area"), pk=indicator_pk
    )
    return assessment_round, indicator


def _round_form(
    request: HttpRequest,
    assessment_round: AssessmentRound,
    indicator: Indicator,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    *,
    title: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    return save_form(
        request,
        form,
        save,
        template="maturity/round_rating_form.html",
        context={
            "round": assessment_round,
            "indicator": indicator,
            "title": title,
            **(extra or {}),
        },
        success=f"{title}: saved for {indicator.name}.",
        next_url=reverse("maturity:round-detail", args=[assessment_round.pk]),
    )


@reader_required
def round_rate(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    if not can_edit(request.user):
        raise PermissionDenied
    assessment_round, indicator = _round_and_indicator(pk, indicator_pk)
    user = signed_in_user(request)
    respondent = RoundRespondent.objects.filter(round=assessment_round, user=user).first()
    if respondent is None:
        raise Http404("You are not a respondent in this round")
    if not assessment_round.is_open:
        messages.error(request, "This round is closed: ratings can no longer change.")
        return redirect("maturity:round-detail", pk=assessment_round.pk)
    mine = respondent.ratings.filter(indicator=indicator).first()
    initial = {}
    if mine is not None:
        initial = {
            "level": mine.level_id or "skip",
            "evidence": mine.evidence,
            "skipped_reason": mine.skipped_reason,
        }
    form = RatingForm(
        posted(request),
        descriptors=selectors.level_descriptors(indicator=indicator),
        initial=initial,
    )
    return _round_form(
        request,
        assessment_round,
        indicator,
        form,
        lambda data: services.round_rate(
            assessment_round=assessment_round, user=user, indicator=indicator, **data
        ),
        title="Your rating",
        extra={"team": respondent.team},
    )


@reader_required
def round_moderate(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    if not can_moderate(request.user):
        raise PermissionDenied
    assessment_round, indicator = _round_and_indicator(pk, indicator_pk)
    if not assessment_round.is_open:
        messages.error(request, "This round is closed: it can no longer be moderated.")
        return redirect("maturity:round-detail", pk=assessment_round.pk)
    row = next(
        r
        for r in round_selectors.round_spread(assessment_round=assessment_round)
        if r.indicator.pk == indicator.pk
    )
    form = ModerationForm(
        posted(request), descriptors=selectors.level_descriptors(indicator=indicator)
    )
    return _round_form(
        request,
        assessment_round,
        indicator,
        form,
        lambda data: services.round_moderate(
            assessment_round=assessment_round,
            indicator=indicator,
            moderator=signed_in_user(request),
            **data,
        ),
        title="Moderate",
        extra={"row": row},
    )


@require_POST
@reader_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_moderate(request.user):
        raise PermissionDenied
    assessment_round = get_object_or_404(AssessmentRound, pk=pk)
    try:
        services.round_close(assessment_round=assessment_round, closed_by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Round “{assessment_round.name}” closed: it is now frozen.")
    return redirect("maturity:round-detail", pk=assessment_round.pk)


def _results(
    request: HttpRequest, pk: int
) -> tuple[AssessmentRound, Sequence[Sequence[object]], Sequence[Sequence[object]]]:
    assessment_round = get_object_or_404(AssessmentRound, pk=pk)
    if not _may_see_everything(request, assessment_round):
        raise PermissionDenied  # others' ratings stay private until the round closes
    rows = round_selectors.round_spread(assessment_round=assessment_round)
    results = [
        [
            row.indicator.key_area.name,
            row.indicator.name,
            row.rated,
            row.skipped,
            row.lowest,
            row.highest,
            row.median,
            row.spread,
            row.moderated_level,
        ]
        for row in rows
    ]
    ratings = [
        [
            row.indicator.key_area.name,
            row.indicator.name,
            str(rating.respondent.user.get_full_name() or rating.respondent.user.username),
            rating.respondent.team,
            rating.level_id,
            rating.evidence,
            rating.skipped_reason,
        ]
        for row in rows
        for rating in row.ratings
    ]
    return assessment_round, results, ratings


@reader_required
def round_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_round, results, _ratings = _results(request, pk)
    return csv_response(f"round-{assessment_round.pk}-results.csv", RESULTS_HEADER, results)


@reader_required
def round_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment_round, results, ratings = _results(request, pk)
    sheets = [
        Sheet(name="Results", tables=[SheetTable(header=RESULTS_HEADER, rows=results)]),
        Sheet(name="Ratings", tables=[SheetTable(header=RATINGS_HEADER, rows=ratings)]),
    ]
    content = workbook_bytes(sheets, title=f"Assessment round: {assessment_round.name}")
    return xlsx_response(content, filename=f"round-{assessment_round.pk}-results.xlsx")
