"""The framework extractor (maturity.strategy_parser) and the fixture it builds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from maturity.management.commands.build_framework_fixture import default_source
from maturity.models import (
    Assessment,
    Framework,
    Indicator,
    KeyArea,
    Level,
    LevelDescriptor,
    Target,
    Theme,
)
from maturity.strategy_parser import (
    HEADLINE_NAME,
    LEVELS,
    ParsedFramework,
    ParsedIndicator,
    clean_descriptor,
    fixture_records,
    join_segments,
    parse_strategy,
    render_fixture,
)

SEED = default_source()  # the copy in fixtures/seed/, shipped with the project
FIXTURE = Path(django_settings.BASE_DIR) / "fixtures" / "framework.json"

EXPECTED_COUNTS = {
    "Engaging elected members": 4,
    "Engaging senior managers": 5,
    "Working with partners": 4,
    "Engaging strategic suppliers": 4,
    "Creating commercial opportunities": 7,
    "Managing contracts and relationships": 7,
    "Managing strategic risk": 6,
    "Obtaining social value": 11,
    "Engaging local SMEs and micro-businesses": 8,
    "Enabling VCSE engagement": 9,
}
MODELS = (Framework, Theme, KeyArea, Indicator, LevelDescriptor, Assessment, Target)


@pytest.fixture(scope="module")
def parsed() -> ParsedFramework:
    return parse_strategy(SEED.read_text(encoding="utf-8"))


def indicator(parsed: ParsedFramework, key_area: str, name: str) -> ParsedIndicator:
    area = next(area for area in parsed.key_areas if area.name == key_area)
    return next(ind for ind in area.indicators if ind.name == name)


# Parsing ------------------------------------------------------------------------------------


def test_it_finds_3_themes_and_10_key_areas(parsed):
    assert [theme.name for theme in parsed.themes] == [
        "Showing leadership",
        "Behaving commercially",
        "Achieving community benefits",
    ]
    assert [len(theme.key_areas) for theme in parsed.themes] == [4, 3, 3]
    assert [area.position for area in parsed.key_areas] == list(range(1, 11))
    assert [area.strategy_section for area in parsed.key_areas] == [
        "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.3.1", "3.3.2", "3.3.3",
    ]  # fmt: skip


def test_it_finds_65_indicators(parsed):
    assert len(parsed.indicators) == 65
    assert {area.name: len(area.indicators) for area in parsed.key_areas} == EXPECTED_COUNTS


def test_each_key_area_has_one_headline_indicator_first(parsed):
    for area in parsed.key_areas:
        headlines = [ind for ind in area.indicators if ind.is_headline]
        assert headlines == [area.indicators[0]]
        assert headlines[0].name == HEADLINE_NAME
        assert [ind.position for ind in area.indicators] == list(range(1, len(area.indicators) + 1))


def test_indicator_names_are_kept_as_written(parsed):
    names = {ind.name for ind in parsed.indicators}
    assert {
        "Procurement & commercial champions",
        "Information storage and accessibility",
        "Governance, accountability, and reporting",
        "External events (e.g., Ukraine/ Russia conflict)",
        "Measurement: Themes, outcomes, and measures (TOMs)",
        "Options appraisal (Make or Buy)",
    } <= names
    assert not any(name.endswith(":") or "  " in name for name in names)


def test_elected_members_reporting_is_developing_aiming_for_leader(parsed):
    reporting = indicator(parsed, "Engaging elected members", "Reporting")
    assert (reporting.current_level, reporting.target_level) == (
        LEVELS["Developing"],
        LEVELS["Leader"],
    )


def test_elected_members_training_is_at_minimum(parsed):
    training = indicator(parsed, "Engaging elected members", "Training & development")
    assert training.current_level == LEVELS["Minimum"]
    assert training.current_text == (
        "No formal training for Elected Members on procurement and commercial issues."
    )


def test_information_storage_is_developing_aiming_for_leader(parsed):
    info = indicator(
        parsed, "Managing contracts and relationships", "Information storage and accessibility"
    )
    assert (info.current_level, info.target_level) == (LEVELS["Developing"], LEVELS["Leader"])
    assert info.current_text.startswith("Contracts register exists with some access possible")


def test_managing_strategic_risk_headline_follows_the_appendix(parsed):
    area = next(area for area in parsed.key_areas if area.name == "Managing strategic risk")
    assert (area.headline.current_level, area.headline.target_level) == (
        LEVELS["Developing"],
        LEVELS["Mature"],
    )
    assert (area.section_current_level, area.section_target_level) == (
        LEVELS["Mature"],
        LEVELS["Innovator"],
    )


def test_section_three_disagrees_with_the_appendix_for_four_headlines(parsed):
    disagreeing = [area.strategy_section for area in parsed.key_areas if area.section_disagrees]
    assert disagreeing == ["3.2.3", "3.3.1", "3.3.2", "3.3.3"]
    assert [area.strategy_section for area in parsed.key_areas if area.current_disagrees] == [
        "3.2.3"
    ]


def test_numbered_descriptors_put_one_point_on_each_line(parsed):
    engagement = indicator(
        parsed, "Engaging strategic suppliers", "Engagement of existing strategic suppliers"
    )
    assert engagement.target_level == LEVELS["Mature"]
    lines = engagement.target_text.splitlines()
    assert [line[:3] for line in lines] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert lines[4] == (
        "5. Improvement/cost reduction plans in place. "
        "Contingency planning where there is significant risk."
    )


def test_a_list_split_by_a_page_break_carries_on_numbering(parsed):
    data = indicator(parsed, "Engaging strategic suppliers", "Data collection and analysis")
    assert data.target_text.splitlines()[-1] == (
        "3. Council has visibility of strategic supplier supply chains."
    )
    market = indicator(parsed, "Obtaining social value", "Market engagement and partnerships")
    assert market.current_text.splitlines()[-1] == (
        "2. Some information is made available to suppliers to support their understanding of "
        "social value."
    )
    assert [line[:3] for line in market.target_text.splitlines()] == ["1. ", "2. ", "3. ", "4. "]


def test_a_sentence_split_by_a_page_break_is_joined(parsed):
    processes = indicator(parsed, "Engaging senior managers", "Processes")
    assert processes.current_text == (
        "Structured approach to project management clearly defining roles and "
        "responsibilities in relation to procurement and commercial advice."
    )
    facilitating = indicator(
        parsed, "Enabling VCSE engagement", "Facilitating good relationships with VCSEs"
    )
    assert "intervention is needed or appropriate. As a result" in facilitating.current_text
    assert "\n" not in facilitating.target_text


def test_bullets_become_dash_lines_after_their_intro(parsed):
    governance = indicator(parsed, "Working with partners", "Governance and processes")
    assert governance.current_text.splitlines() == [
        "The team approach is supported by:",
        "- corporate and service planning and budgeting processes",
        "- a structured approach to project management",
        "- effective governance arrangements.",
    ]
    assert "- strong cross-organisation governance structures." in governance.target_text


def test_separate_paragraphs_become_separate_lines(parsed):
    contracts = indicator(parsed, "Engaging local SMEs and micro-businesses", "Contract management")
    lines = contracts.target_text.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Whistleblowing procedures")


def test_no_markup_or_split_hyphens_are_left_in_descriptors(parsed):
    for ind in parsed.indicators:
        for text in (ind.current_text, ind.target_text):
            assert text
            assert "<" not in text and ">" not in text and "•" not in text
            assert "- term" not in text and "co- design" not in text and "cross- " not in text
            assert all(line == line.strip() and "  " not in line for line in text.splitlines())


def test_key_area_summaries_are_the_section_three_prose(parsed):
    senior = next(area for area in parsed.key_areas if area.strategy_section == "3.1.2")
    assert "fulfilling their contractual obligations." in senior.summary
    assert "Success" not in senior.summary
    partners = next(area for area in parsed.key_areas if area.strategy_section == "3.1.3")
    assert "county-based police" in partners.summary


# Cleaning helpers ----------------------------------------------------------------------------


def test_numbers_that_are_not_list_markers_stay_in_the_text():
    text = "Staff train where it is more than 20 per cent of the role. See page 3. Then go."
    assert clean_descriptor(text) == text


def test_an_intro_sentence_before_a_numbered_list_is_its_own_line():
    assert clean_descriptor("We will: 1. plan ahead. 2. long- term review.").splitlines() == [
        "We will:",
        "1. plan ahead.",
        "2. long-term review.",
    ]


def test_continuation_mid_sentence_is_joined_and_after_a_full_stop_starts_a_new_line():
    assert join_segments(["<p>needed</p>", "or appropriate."]) == "<p>needed or appropriate."
    assert clean_descriptor(join_segments(["<p>One.</p>", "<p>Two.</p>"])) == "One.\nTwo."


# Fixture -------------------------------------------------------------------------------------


def test_fixture_records_have_fixed_keys_and_no_levels(parsed):
    records = fixture_records(parsed)
    by_model: dict[str, list[dict]] = {}
    for record in records:
        by_model.setdefault(record["model"], []).append(record)
    assert "maturity.level" not in by_model
    assert {model: len(rows) for model, rows in by_model.items()} == {
        "maturity.framework": 1,
        "maturity.strategyperiod": 1,
        "maturity.theme": 3,
        "maturity.keyarea": 10,
        "maturity.indicator": 65,
        "maturity.leveldescriptor": 130,
        "maturity.assessment": 65,
        "maturity.target": 65,
    }
    for model in ("maturity.indicator", "maturity.assessment", "maturity.target"):
        assert [row["pk"] for row in by_model[model]] == list(range(1, 66))


def test_disagreeing_headlines_explain_the_section_three_levels(parsed):
    records = fixture_records(parsed)
    rationales = {
        record["pk"]: record["fields"]["rationale"]
        for record in records
        if record["model"] == "maturity.target"
    }
    noted = {pk: text for pk, text in rationales.items() if "instead" in text}
    assert len(noted) == 4
    risk_pk = (
        parsed.indicators.index(indicator(parsed, "Managing strategic risk", HEADLINE_NAME)) + 1
    )
    assert "Section 3.2.3 of the strategy gives Mature → Innovator instead" in noted[risk_pk]


def test_rebuilding_the_fixture_gives_the_committed_bytes(parsed, tmp_path):
    assert render_fixture(fixture_records(parsed)).encode("utf-8") == FIXTURE.read_bytes()
    output = tmp_path / "framework.json"
    out = io.StringIO()
    call_command("build_framework_fixture", source=SEED, output=output, stdout=out)
    assert output.read_bytes() == FIXTURE.read_bytes()
    assert "65 indicator" in out.getvalue()


# Loading into the database -------------------------------------------------------------------


@pytest.fixture
def fixture_dirs(settings):
    """config.settings has no FIXTURE_DIRS, so point loaddata at the project's fixtures/."""
    settings.FIXTURE_DIRS = [Path(settings.BASE_DIR) / "fixtures"]


def snapshot() -> dict[str, list[tuple]]:
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in MODELS}


@pytest.mark.django_db
def test_loading_the_fixture_creates_the_framework(fixture_dirs):
    call_command("loaddata", "framework", verbosity=0)
    assert Level.objects.count() == 5
    assert [model.objects.count() for model in MODELS] == [1, 3, 10, 65, 130, 65, 65]
    assert Indicator.objects.filter(is_headline=True).count() == 10
    framework = Framework.objects.get()
    assert framework.slug == "nps-2022-worcestershire"
    assert framework.is_current

    reporting = Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")
    assert Assessment.objects.get(indicator=reporting).level.name == "Developing"
    assert Target.objects.get(indicator=reporting).level.name == "Leader"
    risk = Indicator.objects.get(key_area__name="Managing strategic risk", is_headline=True)
    target = Target.objects.get(indicator=risk)
    assert target.level.name == "Mature"
    assert "3.2.3" in target.rationale
    assert "3.2.3" in Assessment.objects.get(indicator=risk).commentary
    assert Assessment.objects.filter(assessor__isnull=True).count() == 65


@pytest.mark.django_db
def test_loading_the_fixture_twice_changes_nothing(fixture_dirs):
    call_command("loaddata", "framework", verbosity=0)
    first = snapshot()
    call_command("loaddata", "framework", verbosity=0)
    assert snapshot() == first
