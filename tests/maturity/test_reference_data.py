from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maturity import reference
from maturity.models import Assessment, Indicator, LevelDescriptor, StrategyPeriod, Target
from socialvalue.models import Goal, Measure

pytestmark = pytest.mark.django_db

FRAMEWORK = Path(settings.BASE_DIR) / "fixtures" / "framework.json"
SOCIAL_VALUE = Path(settings.BASE_DIR) / "fixtures" / "socialvalue.json"


def _upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/json")


def _records(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_an_empty_database_would_get_every_record_and_loading_does_what_loaddata_does(
    admin_client_,
):
    response = admin_client_.post(
        reverse("maturity:reference-data"),
        {"source": "upload", "fixture": _upload("framework.json", FRAMEWORK.read_text())},
    )

    plan = response.context["plan"]
    # The strategy period 2022-2025 is there already: the migration creates it.
    assert (plan.added, plan.changed, plan.unchanged) == (339, 0, 1)
    assert "339 records added, 0 changed, 1 left alone." in response.content.decode()
    assert Indicator.objects.count() == 0  # a preview changes nothing

    loaded = admin_client_.post(reverse("maturity:reference-apply"))

    assert loaded["Location"] == reverse("maturity:reference-data")
    assert Indicator.objects.count() == 65
    assert Target.objects.filter(period__name="2022-2025").count() == 65
    assert LevelDescriptor.objects.count() == 130


def test_rebuilding_from_the_strategy_text_leaves_the_loaded_framework_alone(
    admin_client_, framework
):
    response = admin_client_.post(reverse("maturity:reference-data"), {"source": "strategy"})

    plan = response.context["plan"]
    assert (plan.added, plan.changed, plan.unchanged) == (0, 0, 340)
    assert "there is nothing to load" in response.content.decode()


def test_a_changed_indicator_name_is_shown_then_loaded(admin_client_, framework):
    records = _records(FRAMEWORK)
    indicator = next(r for r in records if r["model"] == "maturity.indicator" and r["pk"] == 3)
    indicator["fields"]["name"] = "Renamed in the new strategy"

    response = admin_client_.post(
        reverse("maturity:reference-data"),
        {"source": "upload", "fixture": _upload("f.json", json.dumps(records))},
    )
    plan = response.context["plan"]
    indicators = next(m for m in plan.models if m.label == "Indicators")
    assert (indicators.added, indicators.changed, indicators.unchanged) == (0, 1, 64)
    assert indicators.changes == ["Indicator 3: name"]

    admin_client_.post(reverse("maturity:reference-apply"))

    assert Indicator.objects.get(pk=3).name == "Renamed in the new strategy"
    assert Indicator.objects.count() == 65


def test_a_fixture_that_would_rewrite_an_assessment_is_refused_and_changes_nothing(
    admin_client_, framework
):
    records = _records(FRAMEWORK)
    assessment = next(r for r in records if r["model"] == "maturity.assessment")
    assessment["fields"]["level"] = 5
    indicator = next(r for r in records if r["model"] == "maturity.indicator")
    indicator["fields"]["name"] = "Also changed"

    response = admin_client_.post(
        reverse("maturity:reference-data"),
        {"source": "upload", "fixture": _upload("f.json", json.dumps(records))},
    )
    assert response.context["plan"].refused == [f"Assessment {assessment['pk']}: level"]
    assert "This file cannot be loaded" in response.content.decode()

    admin_client_.post(reverse("maturity:reference-apply"))

    assert Assessment.objects.get(pk=assessment["pk"]).level_id != 5
    assert Indicator.objects.get(pk=indicator["pk"]).name != "Also changed"


def test_a_fixture_without_an_indicator_that_has_assessments_deletes_nothing(framework):
    records = [r for r in _records(FRAMEWORK) if r["model"] != "maturity.indicator" or r["pk"] != 1]

    reference.fixture_apply(records)

    assert Indicator.objects.filter(pk=1).exists()
    assert Assessment.objects.filter(indicator_id=1).count() == 1


def test_the_social_value_goals_and_measures_load_too(admin_client_):
    admin_client_.post(
        reverse("maturity:reference-data"),
        {"source": "upload", "fixture": _upload("sv.json", SOCIAL_VALUE.read_text())},
    )
    admin_client_.post(reverse("maturity:reference-apply"))

    assert (Goal.objects.count(), Measure.objects.count()) == (5, 8)


@pytest.mark.parametrize(
    "content,message",
    [
        ('[{"model": "maturity.indicator",\n "pk": 1,\n "fields": {', "The file is not JSON"),
        ('{"model": "maturity.indicator"}', "it must be a list of records"),
        (
            '[{"model": "auth.user", "pk": 1, "fields": {"username": "x", "is_superuser": true}}]',
            "Record 1: “auth.user” is not reference data that can be loaded here.",
        ),
        (
            '[{"model": "maturity.theme", "pk": 1, "fields": {"name": "x"}},'
            ' {"model": "maturity.theme", "pk": 2, "fields": {"colour": "red"}}]',
            "Record 2: maturity.theme has no field colour.",
        ),
        (b"\xff\xfe\x00", "The file is not UTF-8 text"),
    ],
)
def test_a_bad_file_is_named_and_changes_nothing(admin_client_, content, message):
    response = admin_client_.post(
        reverse("maturity:reference-data"),
        {"source": "upload", "fixture": _upload("bad.json", content)},
    )

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "plan" not in response.context
    assert admin_client_.post(reverse("maturity:reference-apply")).status_code == 302
    assert Indicator.objects.count() == 0 and StrategyPeriod.objects.count() <= 1


def test_a_json_error_names_its_line():
    with pytest.raises(ValidationError, match="line 3"):
        reference.parse_fixture('[{"model": "maturity.indicator",\n "pk": 1,\n "fields": {')


def test_officers_cannot_load_reference_data(officer_client):
    assert officer_client.get(reverse("maturity:reference-data")).status_code == 403
    assert officer_client.post(reverse("maturity:reference-apply")).status_code == 403


def test_undescribed_levels_say_so_and_an_administrator_writes_them(admin_client_, framework):
    reporting = Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")
    described = set(
        LevelDescriptor.objects.filter(indicator=reporting).values_list("level_id", flat=True)
    )
    missing = min({1, 2, 3, 4, 5} - described)
    page = admin_client_.get(reverse("maturity:indicator-detail", args=[reporting.pk]))
    assert "Not described in the strategy." in page.content.decode()
    form = admin_client_.get(reverse("maturity:descriptors-edit", args=[reporting.pk]))
    data = {name: field.initial for name, field in form.context["form"].fields.items()}
    data[f"level_{missing}"] = "Members get a quarterly report."

    response = admin_client_.post(reverse("maturity:descriptors-edit", args=[reporting.pk]), data)

    assert response.status_code == 302
    assert LevelDescriptor.objects.get(indicator=reporting, level=missing).text == (
        "Members get a quarterly report."
    )
    assert LevelDescriptor.objects.filter(indicator=reporting).count() == len(described) + 1
