from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from socialvalue.importers import import_measures_file
from socialvalue.models import Goal, Measure, ProxyValue
from socialvalue.selectors import proxy_value_for
from tests.socialvalue.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "measures"


def _snapshot():
    return (
        sorted(Goal.objects.values_list("name", "position")),
        sorted(Measure.objects.values_list("code", "goal__name", "description", "unit")),
        sorted(
            ProxyValue.objects.values_list(
                "measure__code", "financial_year", "value_per_unit", "source"
            )
        ),
    )


def test_a_good_file_adds_measures_goals_and_proxy_values_by_year(measures):
    result = import_measures_file(DATA / "good.csv")

    assert result.ok, result.errors
    assert (result.rows, result.goals_created) == (5, 2)
    assert (result.measures_created, result.measures_updated, result.measures_unchanged) == (
        3,
        0,
        1,
    )
    assert (result.values_created, result.values_updated, result.values_unchanged) == (4, 0, 0)
    hours = Measure.objects.get(code="WCC-1.4")
    assert proxy_value_for(measure=hours, financial_year=2023) == Decimal("15.5")
    assert proxy_value_for(measure=hours, financial_year=2024) == Decimal("16.25")
    jobs = Measure.objects.get(code="TEST-1.1")
    assert (jobs.goal.name, jobs.unit) == ("Test theme: jobs", "number")
    assert proxy_value_for(measure=jobs, financial_year=2024) == Decimal("1200")
    assert Measure.objects.get(code="TEST-2.1").unit == "tonnes"
    assert not ProxyValue.objects.filter(measure__code="TEST-1.2").exists()
    assert Goal.objects.get(name="Test theme: environment").position == 7


def test_importing_the_same_file_twice_changes_nothing(measures):
    import_measures_file(DATA / "good.csv")
    before = _snapshot()

    again = import_measures_file(DATA / "good.csv")

    assert again.ok
    assert (again.goals_created, again.measures_created, again.measures_updated) == (0, 0, 0)
    assert (again.values_created, again.values_updated, again.values_unchanged) == (0, 0, 4)
    assert _snapshot() == before


def test_a_changed_proxy_value_is_updated(measures):
    import_measures_file(DATA / "good.csv")
    text = (DATA / "good.csv").read_text().replace("16.25", "17.00")

    result = import_measures_file(io.StringIO(text))

    assert (result.values_updated, result.values_unchanged) == (1, 3)
    hours = Measure.objects.get(code="WCC-1.4")
    assert proxy_value_for(measure=hours, financial_year=2024) == Decimal("17")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(measures):
    before = _snapshot()

    result = import_measures_file(DATA / "bad.csv")

    assert not result.ok
    assert [(error.line, error.message) for error in result.errors] == [
        (2, "the unit “weeks” is not one of number, hours, £ or tonnes"),
        (3, "the code is empty"),
        (4, "the proxy value must be zero or more"),
        (5, "the year “next year” is not a financial year like 2024 or 2024/25"),
        (7, "TEST-9.4 already has a proxy value for 2024 on line 6"),
        (8, "a proxy value needs the financial year it applies to"),
    ]
    assert _snapshot() == before


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(measures):
    before = _snapshot()

    result = import_measures_file(DATA / "good.csv", dry_run=True)

    assert result.ok
    assert (result.measures_created, result.values_created) == (3, 4)
    assert result.summary().startswith("Would import 5 rows")
    assert _snapshot() == before


def test_a_file_without_the_required_columns_is_refused():
    result = import_measures_file(io.StringIO("code,description\nX,Y\n"))

    assert [str(error) for error in result.errors] == [
        "Line 1: the header has no goal, unit column"
    ]


def test_a_measure_in_use_cannot_change_unit(measures):
    CommitmentFactory(measure=measures["WCC-1.4"])
    text = (DATA / "good.csv").read_text().replace(",hours,", ",number,")

    result = import_measures_file(io.StringIO(text))

    assert [error.line for error in result.errors] == [2]
    assert "its unit cannot change" in result.errors[0].message
    assert Measure.objects.get(code="WCC-1.4").unit == "hours"


def test_the_command_imports_and_reports(measures, capsys):
    call_command("import_measures", str(DATA / "good.csv"), "--dry-run")
    assert "Would import 5 rows" in capsys.readouterr().out
    assert not Measure.objects.filter(code="TEST-1.1").exists()

    call_command("import_measures", str(DATA / "good.csv"))
    assert "Imported 5 rows" in capsys.readouterr().out
    assert Measure.objects.filter(code="TEST-1.1").exists()


def test_the_command_fails_on_bad_rows_and_names_them(measures, capsys):
    with pytest.raises(CommandError, match="6 problems found: nothing was imported"):
        call_command("import_measures", str(DATA / "bad.csv"))

    assert "Line 3: the code is empty" in capsys.readouterr().err
