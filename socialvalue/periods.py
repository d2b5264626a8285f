"""Reporting periods for social value returns: financial quarters (April to June is Q1).

Returns are quarterly by default; a return may also cover a whole financial year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from core.financial_year import financial_year_bounds, financial_year_label, financial_year_of

QUARTER_MONTHS = ((4, 6), (7, 9), (10, 12), (1, 3))
MONTH_NAMES = ("", *(calendar.month_abbr[month] for month in range(1, 13)))


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def financial_year(self) -> int:
        return financial_year_of(self.end)

    @property
    def is_year(self) -> bool:
        return (self.start, self.end) == financial_year_bounds(self.financial_year)

    @property
    def quarter_count(self) -> int:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return max(1, round(months / 3))

    def has_ended(self, *, today: dt.date) -> bool:
        """A period ends at the end of its last day, so on that day it is still running."""
        return self.end < today

    @property
    def key(self) -> str:
        if self.is_year:
            return f"{self.financial_year}-FY"
        return f"{self.financial_year}-Q{quarter_number(self.start)}"

    @property
    def label(self) -> str:
        year = financial_year_label(self.financial_year)
        if self.is_year:
            return f"Whole year {year}"
        return (
            f"Q{quarter_number(self.start)} {year} "
            f"({MONTH_NAMES[self.start.month]} to {MONTH_NAMES[self.end.month]} {self.end.year})"
        )


def quarter_number(day: dt.date) -> int:
    """1 for April to June ... 4 for January to March."""
    return (day.month - 4) % 12 // 3 + 1


def quarter(year: int, number: int) -> Period:
    """Quarter `number` (1..4) of the financial year starting in April of `year`."""
    first, last = QUARTER_MONTHS[number - 1]
    calendar_year = year if number < 4 else year + 1
    after = dt.date(calendar_year + 1, 1, 1) if last == 12 else dt.date(calendar_year, last + 1, 1)
    return Period(dt.date(calendar_year, first, 1), after - dt.timedelta(days=1))


def quarter_of(day: dt.date) -> Period:
    return quarter(financial_year_of(day), quarter_number(day))


def year_period(year: int) -> Period:
    return Period(*financial_year_bounds(year))


def quarters_of_year(year: int) -> list[Period]:
    return [quarter(year, number) for number in range(1, 5)]


def previous(period: Period) -> Period:
    return quarter_of(period.start - dt.timedelta(days=1))


def quarters_between(first: dt.date, last: dt.date) -> list[Period]:
    """Every quarter that overlaps first..last, oldest first."""
    periods: list[Period] = []
    current = quarter_of(last)
    while current.end >= first:
        periods.append(current)
        current = previous(current)
    return periods[::-1]


def ended_quarters(*, year: int, today: dt.date) -> list[Period]:
    """The quarters of a financial year that had ended by `today`."""
    return [period for period in quarters_of_year(year) if period.end < today]


def parse_key(key: str) -> Period | None:
    """'2024-Q2' or '2024-FY' back to a period; None if it is not one."""
    year_text, _, part = key.partition("-")
    if not year_text.isdigit() or not 1990 <= int(year_text) <= 2200:
        return None
    year = int(year_text)
    if part == "FY":
        return year_period(year)
    if part in {"Q1", "Q2", "Q3", "Q4"}:
        return quarter(year, int(part[1]))
    return None
