from __future__ import annotations

from decimal import Decimal

import pytest

from dashboards.evidence_rules import RULES, RULES_BY_KEY, comparison


@pytest.mark.parametrize(
    "share,level", [(0, 1), (19.9, 1), (20, 2), (39, 2), (40, 3), (60, 4), (79.99, 4), (80, 5)]
)
def test_the_register_rule_gives_a_level_per_twenty_points(share, level):
    assert RULES_BY_KEY["register-complete"].suggested_level(share) == level


def test_the_social_value_weighting_rule_uses_its_own_thresholds():
    rule = RULES_BY_KEY["social-value-weighting"]

    assert rule.suggested_level(Decimal("79.9")) == 3
    assert rule.suggested_level(Decimal("80")) == 4
    assert rule.suggested_level(Decimal("95")) == 5


def test_nothing_to_measure_suggests_no_level():
    assert RULES_BY_KEY["savings"].suggested_level(None) is None


def test_it_says_whether_the_self_assessment_is_above_or_below_the_data():
    assert comparison(self_assessed=4, suggested=2) == "above"
    assert comparison(self_assessed=2, suggested=4) == "below"
    assert comparison(self_assessed=3, suggested=3) == "matches"
    assert comparison(self_assessed=None, suggested=3) == ""


def test_there_are_at_least_six_rules_with_rising_thresholds():
    assert len(RULES) >= 6
    for rule in RULES:
        assert list(rule.thresholds) == sorted(rule.thresholds), rule.key
        assert len(rule.thresholds) == 4


@pytest.mark.django_db
def test_every_rule_names_an_indicator_of_the_loaded_framework(framework):
    from maturity.models import Indicator

    for rule in RULES:
        assert Indicator.objects.filter(
            key_area__name=rule.key_area, name=rule.indicator
        ).exists(), rule.key
