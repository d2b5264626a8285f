"""Reference data the database itself guards: loaddata and bulk writes skip full_clean()."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from socialvalue.models import Goal, Measure
from tests.socialvalue.factories import GoalFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_goal_without_a_name():
    with pytest.raises(IntegrityError, match="goal_has_name"), transaction.atomic():
        Goal.objects.create(name="", position=1)


@pytest.mark.parametrize(
    "blank,constraint",
    [({"code": ""}, "measure_has_code"), ({"description": ""}, "measure_has_description")],
)
def test_the_database_refuses_a_measure_without_a_code_or_description(blank, constraint):
    fields = {"code": "T-1", "description": "Apprentices", **blank}

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Measure.objects.bulk_create([Measure(goal=GoalFactory(), **fields)])


def test_a_goal_and_measure_with_names_are_stored():
    Measure.objects.create(goal=GoalFactory(name="Jobs"), code="T-1", description="Apprentices")

    assert Measure.objects.get().goal.name == "Jobs"
