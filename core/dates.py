"""Calendar months: moving a date by whole months, and counting the months left until a date."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months (negative to go back), clamped to the month's end:
    31 January plus one month is 28 (or 29) February."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_left(*, today: date, end_date: date) -> int:
    """Whole calendar months from `today` until `end_date` (0 inside the last month)."""
    count = (end_date.year - today.year) * 12 + end_date.month - today.month
    if count > 0 and add_months(today, count) > end_date:
        count -= 1
    return max(count, 0)


# How a date or time is written for a reader, GOV.UK style: "3 September 2025", "3 Sep 2025"
# where space is short (tables), "2:05pm", "3pm", "midday", "midnight"; no 24-hour clock. The site
# is in British English only (LANGUAGE_CODE "en-gb"), so the month names are written here.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def day_month_year(day: date, *, long: bool = False) -> str:
    """ "3 Sep 2025", or "3 September 2025" with `long`."""
    month = MONTHS[day.month - 1]
    return f"{day.day} {month if long else month[:3]} {day.year}"


def clock(moment: time | datetime) -> str:
    """The time of day on the 12-hour clock: "2:05pm", "9am", "midday", "midnight"."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def day_month_year_time(moment: datetime, *, long: bool = False) -> str:
    """ "3 Sep 2025, 2:05pm", or "3 September 2025, 2:05pm" with `long`."""
    return f"{day_month_year(moment, long=long)}, {clock(moment)}"
