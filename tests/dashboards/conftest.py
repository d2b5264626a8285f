"""A small, hand-built year of data whose every figure on the annual review is worked out below.

The review year is the last complete financial year before today (so every quarter of it has
ended); contracts end relative to the year's 31 March, as a past year's "contracts ending in the
next 12 months" are counted from its end.

Spend (net, £)            year before                 review year
  S1 small, local         20,000                      30,000 (20,000 + 10,000)
  S2 large                60,000                      50,000
  S3 micro, VCSE, local   0                           10,000 (15,000 less a 5,000 credit note)
  S4 large, high risk     20,000                      10,000
  redacted                0                           2,000
  total                   100,000                     102,000, named 100,000
  shares SME/VCSE/local   20.0 / 0.0 / 20.0 %         40.0 / 10.0 / 40.0 %  (+20.0 / +10.0 / +20.0)

Contracts: C1 (S1, live, complete, £250,000, weighting 10 %, People, ends in 30 days),
C2 (S2, live, no owner, £500,000, weighting 5 %, Place, high risk, ends in 400 days),
C3 (S3, live, complete, £50,000, Place, ends in 200 days), C4 (S4, expired, £150,000, 20 %),
C5 (S4, live, no value or category, high risk, ends in 100 days).
  register complete 2 of 4 live = 50.0 % -> Mature (3)
  weighting: 2 of 3 contracts over £100,000 = 66.7 % -> Mature (3)
  modern slavery assessed 3 of 4 = 75.0 %; personal data 1 of 4 = 25.0 %
  ending in 12 months: C1, C3, C5 = 3 worth £300,000 (People 1, Place 1, Not assigned 1)
Variations in the year: 1 of 3 with reason and approver = 33.3 % -> Developing (2)
Social value: C1 commits to M1 (hours, £10 an hour in the year, £8 the year before), verified
  10 hours in each quarter; C3 commits to M2 (number, no proxy value), verified 5 in Q1 and Q2,
  Q3 only submitted, Q4 missing. The year before: C1 verified 5 hours in Q4.
  headline £400, 40 hours and 10 counted; by goal G1 £40 -> £400, G2 none
  returns up to date: 1 of 2 = 50.0 % -> Mature (3)
Savings in the year: cashable 6,000, non-cashable 3,000 = 9,000 against a 12,000 target
  = 75.0 % -> Mature (3); the year before 5,000 with no target.
SME share 40.0 % -> Leader (4).
Self-assessed in the year (all were 2 at the 2022 baseline): register 4 (above), change control 2
(matches), social value procurement 2 (below), returns 3 (matches), SME 3 (below), savings 5
(above).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.financial_year import financial_year_bounds, financial_year_of
from dashboards.models import SavingsTarget
from maturity.models import Indicator
from procurement.models import Contract, Risk, Saving, SubTeam, Supplier
from procurement.services.spend_summary import spend_summary_rebuild
from socialvalue.models import Measure, SocialValueReturn
from socialvalue.periods import quarters_of_year
from tests.factories import AssessmentFactory, UserFactory
from tests.procurement.factories import (
    CategoryFactory,
    ContractFactory,
    SavingFactory,
    SpendTransactionFactory,
    SupplierFactory,
    VariationFactory,
)
from tests.socialvalue.factories import (
    CommitmentFactory,
    GoalFactory,
    MeasureFactory,
    ProxyValueFactory,
    ReturnLineFactory,
    SocialValueReturnFactory,
    verified_line,
)

RULE_LEVELS = {
    ("Managing contracts and relationships", "Information storage and accessibility"): 4,
    ("Managing contracts and relationships", "Change control"): 2,
    ("Obtaining social value", "Procurement"): 2,
    ("Obtaining social value", "Contract management"): 3,
    ("Engaging local SMEs and micro-businesses", "Governance, accountability, and reporting"): 3,
    ("Managing contracts and relationships", "Savings & benefits delivery"): 5,
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class ReviewData:
    today: dt.date
    year: int
    suppliers: dict[str, Supplier]
    contracts: dict[str, Contract]


def _pay(supplier, amount, day, **extra):
    return SpendTransactionFactory(supplier=supplier, amount=Decimal(amount), paid_on=day, **extra)


def build_review_data(*, framework=None) -> ReviewData:
    today = timezone.localdate()
    year = financial_year_of(today) - 1
    start, year_end = financial_year_bounds(year)
    in_year = start + dt.timedelta(days=45)
    year_before = start - dt.timedelta(days=45)
    owner = UserFactory(username="contract-owner")

    s1: Supplier = SupplierFactory.create(
        name="Alpha Small Ltd", size=Supplier.Size.SMALL, is_local=True
    )
    s2: Supplier = SupplierFactory.create(name="Beta Large plc", size=Supplier.Size.LARGE)
    s3: Supplier = SupplierFactory.create(
        name="Gamma Community CIC", size=Supplier.Size.MICRO, is_vcse=True, is_local=True
    )
    s4: Supplier = SupplierFactory.create(
        name="Delta Risky Ltd", size=Supplier.Size.LARGE, financial_risk=Risk.HIGH
    )
    SupplierFactory(name="Epsilon Unpaid Ltd", size=Supplier.Size.LARGE, financial_risk=Risk.HIGH)

    _pay(s1, 20000, in_year)
    _pay(s1, 10000, in_year + dt.timedelta(days=60))
    _pay(s2, 50000, in_year)
    _pay(s3, 15000, in_year)
    _pay(s3, -5000, in_year + dt.timedelta(days=10))
    _pay(s4, 10000, in_year)
    _pay(None, 2000, in_year, supplier_name="REDACTED PERSONAL DATA")
    _pay(s1, 20000, year_before)
    _pay(s2, 60000, year_before)
    _pay(s4, 20000, year_before)
    spend_summary_rebuild()

    people = CategoryFactory(name="Home care", sub_team=SubTeam.PEOPLE)
    place = CategoryFactory(name="Highways", sub_team=SubTeam.PLACE)
    days = dt.timedelta
    c1: Contract = ContractFactory.create(
        reference="C1",
        supplier=s1,
        category=people,
        owner=owner,
        total_value=Decimal("250000"),
        social_value_weighting=Decimal("10"),
        end_date=year_end + days(30),
        modern_slavery_risk=Risk.LOW,
        processes_personal_data=True,
    )
    c2: Contract = ContractFactory.create(
        reference="C2",
        supplier=s2,
        category=place,
        owner=None,
        total_value=Decimal("500000"),
        social_value_weighting=Decimal("5"),
        end_date=year_end + days(400),
        risk_rating=Risk.HIGH,
    )
    c3: Contract = ContractFactory.create(
        reference="C3",
        supplier=s3,
        category=place,
        owner=owner,
        total_value=Decimal("50000"),
        end_date=year_end + days(200),
        modern_slavery_risk=Risk.MEDIUM,
    )
    c4: Contract = ContractFactory.create(
        reference="C4",
        supplier=s4,
        owner=owner,
        total_value=Decimal("150000"),
        social_value_weighting=Decimal("20"),
        status=Contract.Status.EXPIRED,
        end_date=start,
    )
    c5: Contract = ContractFactory.create(
        reference="C5",
        supplier=s4,
        category=None,
        owner=owner,
        total_value=None,
        end_date=year_end + days(100),
        risk_rating=Risk.HIGH,
        modern_slavery_risk=Risk.HIGH,
    )

    VariationFactory(contract=c1, varied_on=in_year, reason="Extra visits", approved_by="Head")
    VariationFactory(contract=c1, varied_on=in_year, reason="Price uplift", approved_by="")
    VariationFactory(contract=c2, varied_on=in_year, reason="   ", approved_by="Head")
    VariationFactory(contract=c3, varied_on=year_before, reason="Scope", approved_by="Head")

    g1 = GoalFactory(name="Thriving communities", position=1)
    g2 = GoalFactory(name="Skilled workforce", position=2)
    hours = MeasureFactory(code="M1", goal=g1, unit=Measure.Unit.HOURS)
    people_helped = MeasureFactory(code="M2", goal=g2, unit=Measure.Unit.NUMBER)
    ProxyValueFactory(measure=hours, financial_year=year, value_per_unit=Decimal("10"))
    ProxyValueFactory(measure=hours, financial_year=year - 1, value_per_unit=Decimal("8"))
    CommitmentFactory(contract=c1, measure=hours, quantity=Decimal("100"))
    CommitmentFactory(contract=c3, measure=people_helped, quantity=Decimal("50"))
    quarters = quarters_of_year(year)
    for quarter in quarters:
        verified_line(contract=c1, measure=hours, quantity="10", start=quarter.start)
    for quarter in quarters[:2]:
        verified_line(contract=c3, measure=people_helped, quantity="5", start=quarter.start)
    submitted = SocialValueReturnFactory(
        contract=c3,
        period_start=quarters[2].start,
        period_end=quarters[2].end,
        status=SocialValueReturn.Status.SUBMITTED,
    )
    ReturnLineFactory(social_value_return=submitted, measure=people_helped, quantity=Decimal("7"))
    verified_line(
        contract=c1, measure=hours, quantity="5", start=quarters_of_year(year - 1)[3].start
    )

    SavingFactory(contract=c1, financial_year=year, kind=Saving.Kind.CASHABLE, amount=6000)
    SavingFactory(contract=None, financial_year=year, kind=Saving.Kind.NON_CASHABLE, amount=3000)
    SavingFactory(contract=c1, financial_year=year - 1, kind=Saving.Kind.CASHABLE, amount=5000)
    SavingsTarget.objects.create(financial_year=year, amount=Decimal("12000"), note="Budget")

    if framework is not None:
        for (key_area, name), level in RULE_LEVELS.items():
            AssessmentFactory(
                indicator=Indicator.objects.get(key_area__name=key_area, name=name),
                level_id=level,
                assessed_on=start + dt.timedelta(days=200),
                assessor=owner,
            )

    return ReviewData(
        today=today,
        year=year,
        suppliers={"S1": s1, "S2": s2, "S3": s3, "S4": s4},
        contracts={"C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5},
    )


@pytest.fixture
def review_data(framework) -> ReviewData:
    return build_review_data(framework=framework)
