"""Form fields the apps share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crispy_forms_gds import fields as gds
from django.core.exceptions import ValidationError


class DateInputField(gds.DateInputField):
    """crispy_forms_gds' day, month and year field, with every impossible date a form error.

    The library turns date()'s ValueError ("day is out of range for month") into a form error,
    but a part too big for a C int (3000000000) makes date() raise OverflowError instead, which
    it lets through: a 500. Such a date gets the message ValueError would have given.
    """

    def compress(self, data_list: Sequence[str]) -> dt.date | None:
        try:
            return super().compress(data_list)
        except OverflowError as error:
            raise ValidationError(_out_of_range(*data_list)) from error


def _out_of_range(day: str, month: str, year: str) -> str:
    """date()'s own message for the first part it checks that is out of range."""
    if not dt.MINYEAR <= int(year) <= dt.MAXYEAR:
        return f"year {int(year)} is out of range"
    if not 1 <= int(month) <= 12:
        return "month must be in 1..12"
    return "day is out of range for month"
