from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import OFFICERS
from maturity import round_selectors, selectors, services
from maturity.models import Assessment, AssessmentRound, Indicator, RoundRating
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _officer(username: str, **names: str) -> User:
    user: User = UserFactory.create(username=username, **names)
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _date(prefix: str, day: dt.date) -> dict[str, int]:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def people(framework):
    head = _officer("head", first_name="Hana", last_name="Head")
    head.user_permissions.add(Permission.objects.get(codename="moderate_round"))
    return {
        "head": head,
        "ann": _officer("ann", first_name="Ann", last_name="Adults"),
        "bob": _officer("bob", first_name="Bob", last_name="Highways"),
        "cat": _officer("cat", first_name="Cat", last_name="Children"),
    }


@pytest.fixture
def indicators(framework) -> list[Indicator]:
    reporting = Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")
    other = Indicator.objects.exclude(pk=reporting.pk).order_by("pk")[:2]
    return [reporting, *other]


@pytest.fixture
def opened(admin_client_, people, indicators) -> AssessmentRound:
    """An administrator opens a round from the page: three respondents, three indicators."""
    data = {
        "name": "Spring 2026",
        **_date("opens_on", dt.date(2026, 3, 1)),
        **_date("closes_on", dt.date(2026, 3, 31)),
        "indicators": [i.pk for i in indicators],
        "respondents": "ann, Adult social care\nBOB, Highways\n\ncat, Children's services",
    }
    response = admin_client_.post(reverse("maturity:round-open"), data)
    assessment_round = AssessmentRound.objects.get(name="Spring 2026")
    assert response["Location"] == reverse("maturity:round-detail", args=[assessment_round.pk])
    return assessment_round


def _rate(user, assessment_round, indicator, level, text):
    data = {"level": level, "evidence": text} if level != "skip" else {"level": "skip"}
    if level == "skip":
        data["skipped_reason"] = text
    url = reverse("maturity:round-rate", args=[assessment_round.pk, indicator.pk])
    return _client(user).post(url, data)


@pytest.fixture
def rated(opened, people, indicators) -> AssessmentRound:
    """They disagree by three levels on Reporting, agree on the second, one skips the third."""
    reporting, second, third = indicators
    for name, level in (("ann", 1), ("bob", 4), ("cat", 2)):
        assert (
            _rate(people[name], opened, reporting, level, f"{name} says {level}").status_code == 302
        )
    for name in ("ann", "bob", "cat"):
        _rate(people[name], opened, second, 3, "Agreed")
    _rate(people["ann"], opened, third, 2, "Some")
    _rate(people["bob"], opened, third, 3, "More")
    _rate(people["cat"], opened, third, "skip", "Not our area")
    return opened


def test_three_respondents_who_disagree_are_moderated_into_the_councils_assessment(
    rated, people, indicators
):
    reporting = indicators[0]
    head = _client(people["head"])

    page = head.get(reverse("maturity:round-detail", args=[rated.pk]))
    rows = page.context["rows"]
    assert [(r.indicator.pk, r.lowest, r.highest, r.median, r.spread) for r in rows] == [
        (reporting.pk, 1, 4, 2, 3),  # widest spread first
        (indicators[2].pk, 2, 3, 2.5, 1),
        (indicators[1].pk, 3, 3, 3, 0),
    ]
    assert (rows[1].rated, rows[1].skipped) == (2, 1)
    body = page.content.decode()
    assert "Where respondents disagree most" in body
    assert "bob says 4" in body and "Not our area" in body

    response = head.post(
        reverse("maturity:round-moderate", args=[rated.pk, reporting.pk]),
        {"level": 2, "evidence": "Briefings happen but not quarterly", "commentary": "Median"},
    )

    assert response.status_code == 302
    assessment = Assessment.objects.get(round=rated)
    assert (assessment.indicator, assessment.level_id, assessment.assessor) == (
        reporting,
        2,
        people["head"],
    )
    assert assessment.assessed_on == dt.date(2026, 3, 31)  # the round's end, already past
    current = selectors.indicator_positions().get(pk=reporting.pk)
    assert current.current_level == 2
    again = head.get(reverse("maturity:round-detail", args=[rated.pk]))
    assert again.context["rows"][0].moderated_level == 2


def test_an_indicator_is_moderated_once_per_round(rated, people, indicators):
    services.round_moderate(
        assessment_round=rated,
        indicator=indicators[1],
        level=3,
        evidence="x",
        moderator=people["head"],
    )
    with pytest.raises(ValidationError, match="already been moderated"):
        services.round_moderate(
            assessment_round=rated,
            indicator=indicators[1],
            level=4,
            evidence="y",
            moderator=people["head"],
        )
    assert Assessment.objects.filter(round=rated).count() == 1


def test_respondents_see_only_their_own_ratings_until_the_round_closes(rated, people, indicators):
    ann = _client(people["ann"])
    url = reverse("maturity:round-detail", args=[rated.pk])

    page = ann.get(url)

    body = page.content.decode()
    assert page.context["everything"] is False
    assert "bob says 4" not in body
    assert "Where respondents disagree most" not in body
    assert ann.get(reverse("maturity:round-csv", args=[rated.pk])).status_code == 403
    assert ann.get(reverse("maturity:round-xlsx", args=[rated.pk])).status_code == 403
    mine = {i.pk: r.level_id for i, r in page.context["in_scope"]}
    assert mine == {indicators[0].pk: 1, indicators[1].pk: 3, indicators[2].pk: 2}

    _client(people["head"]).post(reverse("maturity:round-close", args=[rated.pk]))

    closed = ann.get(url)
    assert closed.context["everything"] is True
    assert "bob says 4" in closed.content.decode()


def test_closing_the_round_freezes_it(rated, people, indicators):
    head = _client(people["head"])
    response = head.post(reverse("maturity:round-close", args=[rated.pk]))
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.status == "closed" and rated.closed_at is not None
    before = list(RoundRating.objects.values_list("id", "level_id", "evidence"))

    late = _rate(people["bob"], rated, indicators[0], 5, "Changed my mind")
    moderate = head.post(
        reverse("maturity:round-moderate", args=[rated.pk, indicators[0].pk]),
        {"level": 3, "evidence": "x"},
    )

    assert late.status_code == 302 and moderate.status_code == 302  # back to the round, refused
    assert list(RoundRating.objects.values_list("id", "level_id", "evidence")) == before
    assert not Assessment.objects.filter(round=rated).exists()
    with pytest.raises(services.RoundClosed):
        services.round_rate(
            assessment_round=rated,
            user=people["bob"],
            indicator=indicators[0],
            level=5,
            evidence="x",
        )


def test_a_respondent_revises_a_rating_and_its_history_is_kept(opened, people, indicators):
    _rate(people["ann"], opened, indicators[0], 1, "First view")
    _rate(people["ann"], opened, indicators[0], 3, "Second view")

    rating = RoundRating.objects.get(respondent__user=people["ann"], indicator=indicators[0])
    assert (rating.level_id, rating.evidence) == (3, "Second view")
    assert [h.level_id for h in rating.history.order_by("history_id")] == [1, 3]


@pytest.mark.parametrize(
    "data,message",
    [
        ({"level": 3}, "Enter the evidence for this level"),
        ({"level": "skip"}, "Enter why you are skipping this indicator"),
        ({}, "Select a level or skip"),
    ],
)
def test_a_rating_without_evidence_or_a_reason_is_refused(
    opened, people, indicators, data, message
):
    url = reverse("maturity:round-rate", args=[opened.pk, indicators[0].pk])

    response = _client(people["ann"]).post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert RoundRating.objects.count() == 0


def test_only_respondents_rate_and_only_indicators_in_scope(opened, people, framework):
    outside = Indicator.objects.exclude(rounds=opened).first()
    url = reverse("maturity:round-rate", args=[opened.pk, outside.pk])
    assert _client(people["ann"]).get(url).status_code == 404
    inside = opened.indicators.first()
    url = reverse("maturity:round-rate", args=[opened.pk, inside.pk])
    assert _client(people["head"]).get(url).status_code == 404  # not a respondent


def test_officers_without_the_permission_cannot_moderate(opened, people, indicators):
    url = reverse("maturity:round-moderate", args=[opened.pk, indicators[0].pk])
    assert _client(people["ann"]).get(url).status_code == 403
    assert (
        _client(people["ann"]).post(reverse("maturity:round-close", args=[opened.pk])).status_code
        == 403
    )


def test_opening_a_round_names_each_bad_respondent_line_and_saves_nothing(
    admin_client_, people, indicators
):
    data = {
        "name": "Bad",
        **_date("opens_on", dt.date(2026, 3, 1)),
        **_date("closes_on", dt.date(2026, 2, 1)),
        "indicators": [indicators[0].pk],
        "respondents": "ann, Adults\nnobody, Somewhere\nbob\nann, Again",
    }

    response = admin_client_.post(reverse("maturity:round-open"), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: no active officer has the username “nobody”" in body
    assert "Line 3: enter bob&#x27;s directorate or team after a comma" in body
    assert "Line 4: ann is already listed" in body
    assert "The date ratings are due must be on or after it opens" in body
    assert not AssessmentRound.objects.exists()


def test_the_results_download_as_csv_and_xlsx(rated, people, indicators):
    head = _client(people["head"])

    response = head.get(reverse("maturity:round-csv", args=[rated.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "key_area",
        "indicator",
        "ratings",
        "skipped",
        "lowest",
        "highest",
        "median",
        "spread",
    ]
    assert rows[1][1:8] == [indicators[0].name, "3", "0", "1", "4", "2", "3"]

    response = head.get(reverse("maturity:round-xlsx", args=[rated.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    results = list(workbook["Results"].values)
    assert results[1][1:8] == (indicators[0].name, 3, 0, 1, 4, 2, 3)
    ratings = list(workbook["Ratings"].values)
    assert len(ratings) == 1 + 9
    assert ("Cat Children", "Children's services", None, None, "Not our area") in [
        r[2:] for r in ratings
    ]


def test_the_round_page_takes_a_fixed_number_of_queries(rated, people):
    head = _client(people["head"])
    url = reverse("maturity:round-detail", args=[rated.pk])
    head.get(url)  # the messages of the ratings above are shown once, then gone
    with CaptureQueriesContext(connection) as small:
        head.get(url)
    more = [_officer(f"extra{n}") for n in range(5)]
    for user in more:
        rated.respondents.create(user=user, team="Extra")
        for indicator in rated.indicators.all():
            _rate(user, rated, indicator, 2, "Extra")
    head.get(url)
    with CaptureQueriesContext(connection) as large:
        response = head.get(url)
    assert len(large) == len(small), [q["sql"][:80] for q in small.captured_queries]
    assert response.context["progress"] == {
        "respondents": 8,
        "indicators": 3,
        "ratings": 8 * 3,
        "expected": 24,
    }
    assert 0 < len(small) <= 13


def test_the_spread_is_two_queries(rated, django_assert_num_queries):
    with django_assert_num_queries(2):
        round_selectors.round_spread(assessment_round=rated)
