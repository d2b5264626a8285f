from __future__ import annotations

from decimal import Decimal

import pytest

from core.charts import figure_data
from core.money import whole_pounds
from procurement.charts import spend as charts
from procurement.selectors import spend
from tests.procurement.test_spend_selectors import build_small_spend

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def dashboard() -> spend.SpendDashboard:
    build_small_spend()
    built = spend.spend_dashboard(year=2024, by_year=spend.spend_by_year())
    assert built is not None
    return built


def test_the_year_chart_plots_each_years_total(dashboard):
    chart = charts.spend_charts(dashboard)["by_year"]

    (bars,) = chart.figure.data
    assert list(bars.x) == ["2023/24", "2024/25"]
    assert list(bars.y) == [row.total for row in dashboard.by_year] == [D("10000"), D("17000")]
    assert chart.summary == "Spend was £17,000 in 2024/25, up £7,000 on 2023/24."


def test_the_share_chart_has_a_line_per_share_with_the_selector_figures(dashboard):
    chart = charts.spend_charts(dashboard)["shares"]

    lines = {trace.name: list(trace.y) for trace in chart.figure.data}
    assert lines == {
        "SME": [D("40.0"), D("26.4")],
        "VCSE": [D("0.0"), D("8.0")],
        "Local": [D("40.0"), D("18.4")],
    }
    assert chart.summary == (
        "In 2024/25, 26.4% of spend with named suppliers went to SMEs, 8.0% to VCSEs "
        "and 18.4% to local suppliers."
    )


def test_category_and_sub_team_bars_put_the_largest_at_the_top(dashboard):
    made = charts.spend_charts(dashboard)

    (categories,) = made["by_category"].figure.data
    assert list(categories.y) == ["Adult social care", "Off-contract / uncategorised", "Highways"]
    assert list(categories.x) == [D("3000"), D("5000"), D("9000")]
    assert made["by_category"].summary == (
        "The largest category in 2024/25 was Highways, with £9,000 (52.9% of spend)."
    )
    (teams,) = made["by_sub_team"].figure.data
    assert dict(zip(teams.y, teams.x, strict=True)) == {
        row.name: row.total for row in dashboard.by_sub_team
    }


def test_the_top_supplier_chart_matches_the_table(dashboard):
    chart = charts.spend_charts(dashboard)["top_suppliers"]

    (bars,) = chart.figure.data
    assert list(bars.y)[::-1] == [row.name for row in dashboard.top_suppliers]
    assert list(bars.x)[::-1] == [D("12000"), D("3000"), D("1300")]
    assert chart.summary == "The 3 largest suppliers were paid £16,300, 95.9% of spend in 2024/25."


def test_the_contract_chart_shows_on_off_and_redacted_spend(dashboard):
    chart = charts.spend_charts(dashboard)["on_off_contract"]

    (bars,) = chart.figure.data
    assert list(bars.x) == ["On-contract", "Off-contract", "Redacted (personal data)"]
    assert list(bars.y) == [D("12000"), D("4300"), D("700")]
    assert chart.summary == (
        "Of spend in 2024/25: 70.6% on-contract, 25.3% off-contract, 4.1% redacted (personal data)."
    )


def test_every_figure_serialises_for_the_page(dashboard):
    for chart in charts.spend_charts(dashboard).values():
        data = figure_data(chart.figure)
        assert data["layout"]["font"]["family"].startswith("arial")
        assert data["data"]


def test_summaries_read_well_with_one_year_and_with_a_fall():
    one = [_year(2024, "5000")]
    assert charts.by_year_chart(one).summary == (
        "Spend was £5,000 in 2024/25, the only year imported."
    )
    fall = [_year(2023, "9000"), _year(2024, "5000")]
    assert charts.by_year_chart(fall).summary == (
        "Spend was £5,000 in 2024/25, down £4,000 on 2023/24."
    )
    assert whole_pounds(D("-1234.5")) == "-£1,235"


def _year(year: int, total: str) -> spend.YearSpend:
    zero = D(0)
    return spend.YearSpend(
        year=year,
        total=D(total),
        payments=1,
        credit_notes=0,
        suppliers=1,
        named_total=D(total),
        sme=zero,
        vcse=zero,
        local=zero,
        on_contract=zero,
        off_contract=D(total),
        redacted=zero,
    )
