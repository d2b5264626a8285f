from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maturity.models import Assessment, Indicator, Target
from tests.factories import AssessmentFactory, IndicatorFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporting(framework) -> Indicator:
    return Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")


def _date(prefix: str, day: dt.date) -> dict[str, int]:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_an_officer_records_a_new_level_and_the_gap_dashboard_shows_it(officer_client, reporting):
    url = reverse("maturity:assessment-create", args=[reporting.pk])
    data = {"level": 4, "evidence": "Quarterly member briefings since April 2024"}
    data.update(_date("assessed_on", dt.date(2024, 9, 30)))

    response = officer_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("maturity:indicator-detail", args=[reporting.pk])
    assert Assessment.objects.filter(indicator=reporting).count() == 2
    dashboard = officer_client.get(reverse("maturity:gap-dashboard"))
    elected = next(r for r in dashboard.context["key_areas"] if r.name == reporting.key_area.name)
    # Developing (2) → Leader (4) on one of four indicators: the average rises by 0.5.
    assert elected.current == pytest.approx(2.25)
    assert elected.progress == pytest.approx(0.5)
    detail = officer_client.get(response["Location"])
    assert "Quarterly member briefings since April 2024" in detail.content.decode()


def test_a_bad_assessment_shows_the_errors_and_saves_nothing(officer_client, reporting):
    url = reverse("maturity:assessment-create", args=[reporting.pk])

    response = officer_client.post(url, {"evidence": ""})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Select a level" in body
    assert "Enter the evidence for this level" in body
    assert Assessment.objects.filter(indicator=reporting).count() == 1


def test_the_assessment_form_shows_each_levels_descriptor(officer_client, reporting):
    response = officer_client.get(reverse("maturity:assessment-create", args=[reporting.pk]))

    body = response.content.decode()
    assert "Elected Members are performing their roles more effectively" in body
    assert body.count('class="govuk-radios__input"') == 5


def test_a_stale_target_form_is_refused_with_a_message(officer_client, reporting):
    url = reverse("maturity:target-create", args=[reporting.pk])
    stale_id = Target.objects.get(indicator=reporting).pk
    TargetFactory(indicator=reporting, level_id=5)
    data = {"level": 3, "rationale": "Lower", "replaces_target_id": stale_id}
    data.update(_date("due_by", dt.date(2027, 3, 31)))

    response = officer_client.post(url, data)

    assert response.status_code == 200
    assert "Someone else set a new target" in response.content.decode()
    assert Target.objects.filter(indicator=reporting).count() == 2


def test_a_member_sees_no_edit_buttons(member_client, reporting):
    response = member_client.get(reverse("maturity:indicator-detail", args=[reporting.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Record an assessment" not in body
    assert "Set a target" not in body


def test_an_officer_sees_the_edit_buttons(officer_client, reporting):
    response = officer_client.get(reverse("maturity:indicator-detail", args=[reporting.pk]))

    assert "Record an assessment" in response.content.decode()


def test_the_theme_filter_limits_the_dashboard(officer_client, framework):
    theme = framework.themes.get(position=3)

    response = officer_client.get(reverse("maturity:gap-dashboard"), {"theme": theme.pk})

    assert {row.name for row in response.context["key_areas"]} == {
        "Obtaining social value",
        "Engaging local SMEs and micro-businesses",
        "Enabling VCSE engagement",
    }


@pytest.mark.parametrize("url_name", ["maturity:gap-dashboard", "maturity:overview"])
def test_dashboard_queries_do_not_grow_with_the_data(
    officer_client, framework, django_assert_num_queries, url_name
):
    url = reverse(url_name)
    officer_client.get(url)  # warm the session
    cache.clear()  # both sizes draw the page's body, not the cached one
    with CaptureQueriesContext(connection) as small:
        officer_client.get(url)
    key_area = framework.themes.first().key_areas.first()
    for position in range(20, 60):
        indicator = IndicatorFactory(key_area=key_area, position=position)
        for year in range(2022, 2026):
            AssessmentFactory(indicator=indicator, assessed_on=dt.date(year, 5, 1))
        TargetFactory(indicator=indicator)

    with django_assert_num_queries(len(small)):
        officer_client.get(url)
    # the gap dashboard: 12, one for the open and overdue actions, one for the data version
    assert len(small) <= 14
