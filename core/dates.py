"""Calendar arithmetic the apps share: whole months forward and back, and months left."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months (negative to go back), clamped to the month's end."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_left(*, today: date, end_date: date) -> int:
    """Whole calendar months from `today` until `end_date` (0 inside the last month)."""
    count = (end_date.year - today.year) * 12 + end_date.month - today.month
    if count > 0 and add_months(today, count) > end_date:
        count -= 1
    return max(count, 0)
