"""The annual review's financial year selector (a GET form)."""

from __future__ import annotations

from core.forms import FinancialYearForm


class ReviewYearForm(FinancialYearForm):
    """The years with data; by default the last complete year."""
