"""One financial-year rule: the range, the list of years and the default, used by every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.financial_year import (
    default_financial_year,
    financial_year_end,
    financial_years_with_data,
    is_financial_year,
)
from maturity.models import Action
from procurement.services.spend_summary import spend_summary_rebuild
from tests.factories import AssessmentFactory, TargetFactory
from tests.procurement.factories import SavingFactory, SpendTransactionFactory
from tests.socialvalue.factories import SocialValueReturnFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)  # in 2026/27


def test_the_range_the_end_and_the_defaults():
    assert is_financial_year(1990) and is_financial_year(2200)
    assert not is_financial_year(1989) and not is_financial_year(2201)
    assert financial_year_end(2024) == dt.date(2025, 3, 31)
    assert default_financial_year(today=TODAY) == 2026
    assert default_financial_year(today=TODAY, review=True) == 2025
    assert default_financial_year(today=dt.date(2027, 3, 31), review=True) == 2025
    assert default_financial_year(today=dt.date(2027, 4, 1), review=True) == 2026


def test_every_kind_of_data_adds_its_year_in_one_query_kept_by_data_version(
    django_assert_num_queries,
):
    SpendTransactionFactory(paid_on=dt.date(2015, 5, 1))  # 2015/16
    spend_summary_rebuild()
    SavingFactory(financial_year=2016, contract=None, amount=Decimal("10"))
    SocialValueReturnFactory(period_start=dt.date(2018, 1, 1), period_end=dt.date(2018, 3, 31))
    AssessmentFactory(assessed_on=dt.date(2019, 3, 31))  # 2018/19, its last day
    indicator = AssessmentFactory(assessed_on=dt.date(2020, 4, 1)).indicator  # 2020/21
    TargetFactory(indicator=indicator, due_by=dt.date(2022, 3, 31))  # 2021/22
    TargetFactory(indicator=indicator, due_by=dt.date(2031, 3, 31))  # a later year: not listed
    Action.objects.create(indicator=indicator, description="Do it", due_on=dt.date(2023, 9, 1))

    with django_assert_num_queries(2):  # the sources' version, then the UNION
        years = financial_years_with_data(today=TODAY)

    assert years == [2026, 2025, 2023, 2021, 2020, 2018, 2017, 2016, 2015]
    with django_assert_num_queries(1):  # the version: the years come from the cache
        assert financial_years_with_data(today=TODAY) == years


def test_the_cached_years_never_outlive_a_change_of_their_data():
    assert financial_years_with_data(today=TODAY) == [2026, 2025]

    indicator = AssessmentFactory(assessed_on=dt.date(2020, 4, 1)).indicator
    assert financial_years_with_data(today=TODAY) == [2026, 2025, 2020]

    action = Action.objects.create(
        indicator=indicator, description="Do", due_on=dt.date(2022, 5, 1)
    )
    assert financial_years_with_data(today=TODAY) == [2026, 2025, 2022, 2020]

    action.due_on = dt.date(2023, 5, 1)  # an edit in place: its history row changes the version
    action.save()
    assert financial_years_with_data(today=TODAY) == [2026, 2025, 2023, 2020]

    SavingFactory(financial_year=2016, contract=None, amount=Decimal("10"))
    assert financial_years_with_data(today=TODAY) == [2026, 2025, 2023, 2020, 2016]


def test_with_no_data_the_current_and_last_complete_years_are_offered(django_assert_num_queries):
    with django_assert_num_queries(2):
        assert financial_years_with_data(today=TODAY) == [2026, 2025]


PAGES = [
    ("procurement:spend-dashboard", False),
    ("procurement:saving-list", False),
    ("socialvalue:dashboard", False),
    ("dashboards:annual-review", True),
]


def _shown_year(response) -> int:
    context = response.context
    if "review" in context and hasattr(context["review"], "as_at"):
        return context["review"].year
    if "year" in context:
        return context["year"]
    return int(context["form"]["year"].value())


@pytest.mark.parametrize("name,review", PAGES, ids=[name for name, _ in PAGES])
def test_each_page_opens_on_the_one_default_and_accepts_any_year_with_data(
    member_client, name, review
):
    # Only a social value return in 2019/20: every page offers that year.
    SocialValueReturnFactory(period_start=dt.date(2019, 4, 1), period_end=dt.date(2019, 6, 30))
    current = default_financial_year()

    opened = member_client.get(reverse(name))
    chosen = member_client.get(reverse(name), {"year": 2019})

    assert opened.status_code == chosen.status_code == 200
    assert _shown_year(opened) == (current - 1 if review else current)
    assert _shown_year(chosen) == 2019
    assert "2019/20" in chosen.content.decode()
