from __future__ import annotations

import pytest

from core.text import agreeing, counted


@pytest.mark.parametrize(
    ("number", "shown"), [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (1000, "1,000 rows")]
)
def test_counted_agrees_with_the_number_and_separates_thousands(number, shown):
    assert counted(number, "row") == shown


def test_a_plural_not_made_with_s_is_given():
    assert counted(3, "activity", "activities") == "3 activities"
    assert agreeing(1, "activity", "activities") == "activity"


def test_agreeing_is_the_noun_alone():
    assert f"{agreeing(2, 'line')} 3, 7" == "lines 3, 7"
