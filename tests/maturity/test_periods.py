from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from maturity import period_selectors, selectors, services
from maturity.models import AppendOnlyError, Assessment, Indicator, Level, StrategyPeriod, Target

pytestmark = pytest.mark.django_db

NEW = {"name": "2025-2028", "starts_on": dt.date(2025, 4, 1), "ends_on": dt.date(2028, 3, 31)}


@pytest.fixture
def reporting(framework) -> Indicator:
    return Indicator.objects.get(key_area__name="Engaging elected members", name="Reporting")


def _date(prefix: str, day: dt.date) -> dict[str, int]:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_the_migration_and_fixture_put_every_strategy_target_in_2022_2025(framework):
    period = StrategyPeriod.objects.get()
    assert (period.name, period.starts_on, period.ends_on) == (
        "2022-2025",
        dt.date(2022, 4, 1),
        dt.date(2025, 3, 31),
    )
    assert Target.objects.filter(period=period).count() == 65
    assert Target.objects.filter(period__isnull=True).count() == 0


def test_a_new_period_changes_the_gap_figures_and_the_old_period_still_reads(
    framework, reporting, administrator
):
    elected = reporting.key_area
    before = next(
        r for r in selectors.key_area_summaries(framework=framework) if r.pk == elected.pk
    )
    old = StrategyPeriod.objects.get(name="2022-2025")
    old_results = period_selectors.period_results(period=old, framework=framework)
    carried = {i.pk: i.target_level for i in selectors.indicator_positions(framework=framework)}
    new_targets = {**carried, reporting.pk: 5}

    period = services.period_start(
        **NEW, targets=new_targets, rationale="Strategy 2025-2028", started_by=administrator
    )

    after = next(r for r in selectors.key_area_summaries(framework=framework) if r.pk == elected.pk)
    old_target = carried[reporting.pk]
    # One of the key area's four indicators aims higher: the average gap grows by a quarter of it.
    assert after.gap == pytest.approx(before.gap + (5 - old_target) / 4)
    assert Target.objects.filter(period=period).count() == 65
    assert Target.objects.filter(period=period, indicator=reporting).get().due_by == NEW["ends_on"]
    again = period_selectors.period_results(period=old, framework=framework)
    assert (again.with_target, again.met) == (old_results.with_target, old_results.met) == (65, 0)
    row = next(i for i in again.indicators if i.pk == reporting.pk)
    assert (row.target_level, row.level_at_end) == (old_target, 2)


def test_period_results_read_the_level_at_the_periods_end(framework, reporting, officer):
    old = StrategyPeriod.objects.get(name="2022-2025")
    target = Target.objects.get(indicator=reporting, period=old).level_id
    Assessment.objects.create(
        indicator=reporting, level=Level(target), assessed_on=dt.date(2025, 3, 1), assessor=officer
    )
    Assessment.objects.create(  # after the period: not counted in its results
        indicator=reporting, level=Level(1), assessed_on=dt.date(2025, 6, 1), assessor=officer
    )

    results = period_selectors.period_results(period=old, framework=framework)

    assert results.met == 1
    row = next(i for i in results.indicators if i.pk == reporting.pk)
    assert (row.level_at_end, row.met) == (target, True)


def test_targets_past_their_date_and_unmet_are_listed(framework, reporting, officer):
    missed = period_selectors.targets_missed(as_at=dt.date(2025, 4, 1), framework=framework)
    assert len(missed) == 65  # every strategy target is above its baseline, and due 31 March 2025
    assert period_selectors.targets_missed(as_at=dt.date(2025, 3, 31), framework=framework) == []

    target = Target.objects.get(indicator=reporting).level_id
    Assessment.objects.create(
        indicator=reporting, level=Level(target), assessed_on=dt.date(2025, 3, 1), assessor=officer
    )
    missed = period_selectors.targets_missed(as_at=dt.date(2025, 4, 1), framework=framework)
    assert len(missed) == 64
    assert reporting.pk not in {i.pk for i in missed}


def test_targets_missed_is_one_query(framework, django_assert_num_queries):
    with django_assert_num_queries(1):
        period_selectors.targets_missed(as_at=dt.date(2026, 1, 1), framework=framework)


def test_an_administrator_starts_a_period_from_the_page_with_the_old_targets_carried_over(
    admin_client_, framework, reporting
):
    page = admin_client_.get(reverse("maturity:period-start"))
    form = page.context["form"]
    assert form.initial["name"] == "2025-2028"
    old_target = Target.objects.get(indicator=reporting).level_id
    assert form.fields[f"level_{reporting.pk}"].initial == old_target
    data = {
        "name": "2025-2028",
        "rationale": "Cabinet, March 2025",
        **_date("starts_on", NEW["starts_on"]),
        **_date("ends_on", NEW["ends_on"]),
    }
    for name, field in form.fields.items():
        if name.startswith("level_"):
            data[name] = field.initial or ""
    data[f"level_{reporting.pk}"] = 5

    response = admin_client_.post(reverse("maturity:period-start"), data)

    period = StrategyPeriod.objects.get(name="2025-2028")
    assert response["Location"] == reverse("maturity:period-detail", args=[period.pk])
    assert selectors.target_current(indicator=reporting).level_id == 5
    assert period.targets.count() == 65
    detail = admin_client_.get(reverse("maturity:period-detail", args=[period.pk]))
    assert "0 of 65 targets met, 65 not met." in detail.content.decode()


def test_a_period_that_ends_before_it_starts_is_refused_and_saves_nothing(admin_client_, framework):
    data = {
        "name": "Backwards",
        "rationale": "x",
        **_date("starts_on", dt.date(2028, 4, 1)),
        **_date("ends_on", dt.date(2025, 3, 31)),
    }

    response = admin_client_.post(reverse("maturity:period-start"), data)

    assert response.status_code == 200
    assert "The end date must be after the start date" in response.content.decode()
    assert StrategyPeriod.objects.count() == 1


def test_officers_cannot_start_a_period(officer_client, framework):
    assert officer_client.get(reverse("maturity:period-start")).status_code == 403


def test_targets_stay_append_only(framework):
    target = Target.objects.first()
    target.period = None
    with pytest.raises(AppendOnlyError):
        target.save()


def test_a_target_set_on_an_indicator_joins_the_period_its_date_falls_in(
    framework, reporting, officer, administrator
):
    new = services.period_start(**NEW, targets={}, rationale="x", started_by=administrator)
    target = services.target_set(
        indicator=reporting,
        level=4,
        due_by=dt.date(2027, 3, 31),
        set_by=officer,
        rationale="Sooner",
        replaces_target_id=selectors.latest_target_id(indicator=reporting),
    )
    assert target.period == new


def test_the_indicator_page_and_gap_dashboard_flag_missed_targets(
    member_client, reporting, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 1, 1))

    detail = member_client.get(reverse("maturity:indicator-detail", args=[reporting.pk]))
    gaps = member_client.get(reverse("maturity:gap-dashboard"))

    assert "Date passed, not met" in detail.content.decode()
    assert "65 targets had passed their date unmet on 1 January 2026" in gaps.content.decode()


def test_the_data_migration_links_targets_recorded_before_periods_to_2022_2025(reporting):
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    name = "0003_rounds_periods_versioned_actions"
    migration = importlib.import_module(f"maturity.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state(("maturity", name))
    Target.objects.create(indicator=reporting, level=Level(5), due_by=dt.date(2024, 3, 31))
    assert Target.objects.filter(period__isnull=True).count() == 1

    migration.first_period(state.apps, None)

    assert Target.objects.filter(period__isnull=True).count() == 0
    assert Target.objects.filter(period__name="2022-2025").count() == 66
    assert StrategyPeriod.objects.count() == 1
