"""Reads for social value, one module per concern; the names below are the package's interface.

- access: who may see which contracts, returns and evidence files;
- values: proxy values by year, verified totals by goal, measure, category, sub-team, supplier;
- overdue: ended quarters with no return, contracts over the threshold with no commitments;
- pages: the reads behind whole pages (contract, lists, supplier portal, dashboard, review).
"""

from socialvalue.selectors.access import (
    contract_for_page,
    contracts_visible_to,
    evidence_visible_to,
    is_supplier_user,
    returns_visible_to,
    supplier_for,
)
from socialvalue.selectors.overdue import (
    contracts_without_commitments,
    overdue_periods,
    recent_periods,
    returns_overdue,
)
from socialvalue.selectors.reports import (
    AnnualReview,
    ContractDelivery,
    Dashboard,
    annual_review,
    social_value_dashboard,
    social_value_version,
)
from socialvalue.selectors.returns import (
    MeasureProgress,
    contract_list,
    contract_progress,
    contract_social_value,
    measure_catalogue,
    measures_available,
    return_detail,
    return_list,
    returns_for_contract,
    status_changes,
    supplier_portal,
)
from socialvalue.selectors.values import (
    Total,
    TrendPoint,
    financial_years,
    lines_valued,
    measure_totals,
    proxy_value_for,
    return_counts,
    social_value_totals,
    social_value_trend,
    verified_lines,
)

__all__ = [
    "AnnualReview",
    "ContractDelivery",
    "Dashboard",
    "MeasureProgress",
    "Total",
    "TrendPoint",
    "annual_review",
    "contract_for_page",
    "contract_list",
    "contract_progress",
    "contract_social_value",
    "contracts_visible_to",
    "contracts_without_commitments",
    "evidence_visible_to",
    "financial_years",
    "is_supplier_user",
    "lines_valued",
    "measure_catalogue",
    "measure_totals",
    "measures_available",
    "overdue_periods",
    "proxy_value_for",
    "recent_periods",
    "return_counts",
    "return_detail",
    "return_list",
    "returns_for_contract",
    "returns_overdue",
    "returns_visible_to",
    "social_value_dashboard",
    "social_value_version",
    "social_value_totals",
    "social_value_trend",
    "status_changes",
    "supplier_for",
    "supplier_portal",
    "verified_lines",
]
