"""The Procurement Act 2023 rules the register applies: pure functions, no database.

Each rule cites the section (and regulation) it follows, read from the Act's and the
Procurement Regulations 2024's text on legislation.gov.uk and the Cabinet Office guidance
("Procurement Act 2023 guidance documents" on GOV.UK); docs/procurement-act.md lists them.
"Within the period of N days beginning with day D" ends on D + N - 1: D is the first day.

- s.53(1): a contract details notice within 30 days beginning with the day the contract is
  entered into; 120 days for a light touch contract (s.53, Light Touch Contracts guidance
  Annex A). s.87 with s.88: a council's below-threshold contract is notifiable from £30,000
  including VAT (a setting), with the same 30 days.
- s.52(1): a contract with an estimated value of more than £5 million needs at least three KPIs;
  s.52 does not apply to light touch contracts or framework agreements.
- s.71(2), reg. 39: each KPI is assessed at least once every 12 months and on termination, rated
  Good, Approaching target, Requires improvement, Inadequate or Other, and the assessment
  published in a contract performance notice. Neither the Act nor reg. 39 sets a period for
  publishing it: the 30 days here are the register's working deadline (a setting). s.71 came
  into force on 1 January 2026 (Commencement No. 4 Regulations 2025, SI 2025/1316): an
  assessment before then makes no notice due.
- s.75(1)-(5): a contract change notice before a modification takes effect, unless it changes
  the value by 10% or less (goods, services) or 15% or less (works) and the term by 10% or less
  of the maximum term on award; an earlier modification that could reasonably have been made
  together with this one counts with it. s.75(6): not for a light touch contract. s.75(2) joins
  the value test and the term test with "or"; the register gives a notice when either line is
  crossed (the stricter reading, as the issue sets it: docs/procurement-act.md).
- s.80(1): a contract termination notice within 30 days beginning with the day the contract
  terminated (every way a contract ends: expiry, termination, completion).
- s.69(1), (3), reg. 38: a payments compliance notice before the end of the 30 days beginning
  with the last day of each reporting period (1 April-30 September, 1 October-31 March), the
  first period running from s.69's commencement on 1 January 2026 (SI 2025/1316) to 31 March.
- s.93(1)-(2), (4): a council that considers it will pay more than £100 million under relevant
  contracts in the coming financial year publishes a pipeline notice within 56 days beginning
  with 1 April, of the public contracts over £2 million it expects to advertise in the 18 months
  from that day (both amounts settings).
The Act applies to procurements begun from 24 February 2025; a contract procured under the
Public Contracts Regulations 2015 owes none of these notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

ACT_COMMENCED = dt.date(2025, 2, 24)
# SI 2025/1316 (Commencement No. 4) brought s.69 and s.71 into force on this day (England).
PAYMENTS_AND_PERFORMANCE_COMMENCED = dt.date(2026, 1, 1)
NOTICE_DAYS = 30
LIGHT_TOUCH_DETAILS_DAYS = 120
PIPELINE_NOTICE_DAYS = 56
PIPELINE_REPORTING_MONTHS = 18
RATING_INTERVAL_DAYS = 365
MIN_KPIS = 3
HUNDRED = Decimal("100")


def notifiable_threshold() -> Decimal:
    return Decimal(getattr(settings, "ACT_NOTIFIABLE_THRESHOLD", Decimal("30000")))


def public_contract_threshold(kind: str) -> Decimal:
    """Schedule 1's threshold for a council (not central government), including VAT: above it a
    contract is a public contract and owes change (s.75) and termination (s.80) notices."""
    thresholds = getattr(settings, "ACT_PUBLIC_CONTRACT_THRESHOLDS", {})
    defaults = {"works": Decimal("5372609"), "goods": Decimal("214904")}
    key = "works" if kind == "works" else "goods"
    return Decimal(thresholds.get(key, defaults[key]))


def is_public_contract(
    *, kind: str, value_including_vat: Decimal | None, total_value: Decimal | None
) -> bool:
    value = value_for_thresholds(value_including_vat=value_including_vat, total_value=total_value)
    return value is not None and value >= public_contract_threshold(kind)


def kpi_threshold() -> Decimal:
    return Decimal(getattr(settings, "ACT_KPI_THRESHOLD", Decimal("5000000")))


def value_for_thresholds(
    *, value_including_vat: Decimal | None, total_value: Decimal | None
) -> Decimal | None:
    """The value the thresholds read: with VAT where recorded. Without it, the value before VAT
    is a floor of the value with it, so a contract it already puts over a line is over it."""
    return value_including_vat if value_including_vat is not None else total_value


def is_notifiable(*, value_including_vat: Decimal | None, total_value: Decimal | None) -> bool:
    """s.87(1) with s.88: the value including VAT reaches the council's threshold."""
    value = value_for_thresholds(value_including_vat=value_including_vat, total_value=total_value)
    return value is not None and value >= notifiable_threshold()


def under_act(*, procedure: str, signed_on: dt.date | None, start_date: dt.date | None) -> bool:
    """Whether the contract was procured under the Act rather than the 2015 regulations."""
    if procedure == "pcr_2015":
        return False
    if procedure:
        return True
    day = signed_on or start_date
    return day is not None and day >= ACT_COMMENCED


def needs_kpis(
    *,
    value_including_vat: Decimal | None,
    total_value: Decimal | None,
    is_light_touch: bool,
    is_framework: bool,
) -> bool:
    """s.52(1): more than £5 million (a setting); s.52(5): not light touch, not a framework."""
    if is_light_touch or is_framework:
        return False
    value = value_for_thresholds(value_including_vat=value_including_vat, total_value=total_value)
    return value is not None and value > kpi_threshold()


def within_30_days_of(day: dt.date) -> dt.date:
    """The last day of the period of 30 days beginning with `day` (s.53(1), s.80(1))."""
    return day + dt.timedelta(days=NOTICE_DAYS - 1)


def within_days_of(day: dt.date, days: int) -> dt.date:
    """The last day of the period of `days` days beginning with `day`."""
    return day + dt.timedelta(days=days - 1)


def details_deadline(entered_into: dt.date, *, is_light_touch: bool = False) -> dt.date:
    """s.53(1), s.87(1): 30 days beginning with the day the contract is entered into; 120 for a
    light touch contract (s.53)."""
    days = LIGHT_TOUCH_DETAILS_DAYS if is_light_touch else NOTICE_DAYS
    return within_days_of(entered_into, days)


def performance_notice_days() -> int:
    return int(getattr(settings, "ACT_PERFORMANCE_NOTICE_DAYS", NOTICE_DAYS))


def performance_deadline(rated_on: dt.date) -> dt.date:
    """s.71(2)(b), reg. 39: the Act sets no period; the register's working deadline is 30 days
    after the assessment (ACT_PERFORMANCE_NOTICE_DAYS)."""
    return rated_on + dt.timedelta(days=performance_notice_days())


def performance_notice_owed(rated_on: dt.date) -> bool:
    """s.71 is in force from 1 January 2026 (SI 2025/1316): an earlier assessment owes none."""
    return rated_on >= PAYMENTS_AND_PERFORMANCE_COMMENCED


def termination_deadline(end_date: dt.date) -> dt.date:
    """s.80(1): `end_date` is the contract's last day, so it has terminated from the next
    day, and the 30 days beginning with that day end 30 days after `end_date`."""
    return within_30_days_of(end_date + dt.timedelta(days=1))


def next_rating_due(last_rated_on: dt.date) -> dt.date:
    """s.71(2)(a): assessed at least once every 12 months."""
    return last_rated_on + dt.timedelta(days=RATING_INTERVAL_DAYS)


@dataclass(frozen=True)
class ChangeTest:
    """Whether a modification needs a contract change notice (s.75), and why."""

    needs_notice: bool
    value_share: Decimal | None  # the change to the value as a % of the value on award
    term_share: Decimal | None  # the change to the term as a % of the term on award
    value_limit: Decimal
    reason: str


def change_value_limit(kind: str) -> Decimal:
    """s.75(2)(a): 15% for works, 10% for goods or services."""
    return Decimal("15") if kind == "works" else Decimal("10")


def change_test(
    *,
    kind: str,
    value_on_award: Decimal | None,
    earlier_value_changes: Decimal,
    value_change: Decimal,
    start_date: dt.date | None,
    end_on_award: dt.date | None,
    new_end_date: dt.date | None,
) -> ChangeTest:
    """Does this modification, with the earlier ones (s.75(4)-(5)), cross s.75(2)'s lines?

    Changes are measured against the contract as awarded: its value and term then. Earlier
    changes count with this one because together they could reasonably have been one.
    """
    limit = change_value_limit(kind)
    value_share = None
    if value_on_award and value_change:
        value_share = abs(earlier_value_changes + value_change) / value_on_award * HUNDRED
    term_share = None
    if start_date and end_on_award and new_end_date and end_on_award > start_date:
        term = (end_on_award - start_date).days
        term_share = Decimal(abs((new_end_date - end_on_award).days)) / term * HUNDRED
    reasons = []
    if value_share is not None and value_share > limit:
        reasons.append(f"changes the value by {value_share:.1f}% (more than {limit}%)")
    if term_share is not None and term_share > 10:
        reasons.append(f"changes the term by {term_share:.1f}% (more than 10%)")
    reason = (
        "Counting earlier variations, this " + " and ".join(reasons) + " of the contract as awarded"
        if reasons
        else ""
    )
    return ChangeTest(bool(reasons), value_share, term_share, limit, reason)


# -- payments compliance (s.69, reg. 38) --------------------------------------------------------


def payments_compliance_deadline(period_end: dt.date) -> dt.date:
    """s.69(1): before the end of the 30 days beginning with the period's last day, so the
    last day counts as the first of the 30 (30 September -> 29 October)."""
    return within_30_days_of(period_end)


def payments_reporting_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """s.69(3): the reporting period holding `day`. The first runs from commencement to the
    next 31 March or 30 September; each after it is six months, April-September or
    October-March."""
    if 4 <= day.month <= 9:
        start, end = dt.date(day.year, 4, 1), dt.date(day.year, 9, 30)
    else:
        year = day.year if day.month >= 10 else day.year - 1
        start, end = dt.date(year, 10, 1), dt.date(year + 1, 3, 31)
    return max(start, PAYMENTS_AND_PERFORMANCE_COMMENCED), end


def payments_reporting_periods(*, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Every reporting period from s.69's commencement to the one holding `today`."""
    periods: list[tuple[dt.date, dt.date]] = []
    day = PAYMENTS_AND_PERFORMANCE_COMMENCED
    while day <= today:
        period = payments_reporting_period(day)
        periods.append(period)
        day = period[1] + dt.timedelta(days=1)
    return periods


# -- the pipeline notice (s.93) -----------------------------------------------------------------


def pipeline_threshold() -> Decimal:
    """s.93(1): more than £100 million expected to be paid in the coming financial year."""
    return Decimal(getattr(settings, "ACT_PIPELINE_THRESHOLD", Decimal("100000000")))


def pipeline_item_threshold() -> Decimal:
    """s.93(2): the notice covers public contracts with an estimated value over £2 million."""
    return Decimal(getattr(settings, "ACT_PIPELINE_ITEM_THRESHOLD", Decimal("2000000")))


def needs_pipeline_notice(expected_payments: Decimal) -> bool:
    """s.93(1): more than the threshold, not equal to it."""
    return expected_payments > pipeline_threshold()


def pipeline_deadline(financial_year: int) -> dt.date:
    """s.93(2): within 56 days beginning with the first day of the financial year (1 April ->
    26 May)."""
    return within_days_of(dt.date(financial_year, 4, 1), PIPELINE_NOTICE_DAYS)


def pipeline_reporting_period(financial_year: int) -> tuple[dt.date, dt.date]:
    """s.93(4): the 18 months beginning with the first day of the financial year, so
    1 April to 30 September of the year after."""
    return dt.date(financial_year, 4, 1), dt.date(financial_year + 1, 9, 30)
