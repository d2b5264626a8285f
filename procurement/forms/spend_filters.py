"""The spend dashboard's financial year selector (a GET form)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.financial_year import default_financial_year
from core.forms import FinancialYearForm


class SpendYearForm(FinancialYearForm):
    """The years with spend and the current one, which is shown by default."""

    def __init__(self, *args: Any, years: Sequence[int], **kwargs: Any) -> None:
        default = default_financial_year()
        super().__init__(*args, years=[*years, default], default=default, **kwargs)
