from __future__ import annotations

from decimal import Decimal

from socialvalue import charts
from socialvalue.selectors import Total, TrendPoint


def _total(name, value, unit="", quantity=Decimal(0), code=""):
    return Total(
        key=name,
        name=name,
        quantities={unit: quantity} if unit else {},
        value=value,
        unit=unit,
        code=code,
    )


def test_the_value_chart_draws_the_largest_at_the_top_and_no_proxy_as_zero():
    figure = charts.value_figure(
        [_total("Highways", Decimal("1500.50")), _total("Care", None)], title="By category"
    )

    bar = figure.data[0]
    assert list(bar.y) == ["Care", "Highways"]
    assert list(bar.x) == [0.0, 1500.5]


def test_the_value_chart_can_show_only_the_top_few():
    rows = [_total(f"Supplier {n}", Decimal(100 - n)) for n in range(20)]

    figure = charts.value_figure(rows, title="Top", limit=15)

    assert len(figure.data[0].y) == 15
    assert figure.data[0].y[-1] == "Supplier 0"


def test_the_measure_chart_gives_each_unit_its_own_panel():
    rows = [
        _total("Hours volunteered", None, "hours", Decimal("120"), "WCC-1.4"),
        _total("Apprentices", Decimal("3000"), "number", Decimal("3"), "WCC-2.1"),
        _total("Young people", None, "number", Decimal("7"), "WCC-3.1"),
    ]

    figure = charts.measure_figure(rows, title="By measure")

    assert [trace.name for trace in figure.data] == ["Number", "Hours"]
    assert list(figure.data[0].x) == [7.0, 3.0]
    assert list(figure.data[1].x) == [120.0]
    assert figure.data[1].yaxis == "y2"


def test_the_trend_chart_stacks_goals_by_year_and_its_table_adds_them_up():
    points = [
        TrendPoint(2023, "Skills", Decimal("100"), 1),
        TrendPoint(2024, "Skills", Decimal("250"), 2),
        TrendPoint(2024, "Environment", Decimal("50"), 1),
    ]

    figure = charts.trend_figure(points, title="Trend")
    goals, rows = charts.trend_table(points)

    assert [trace.name for trace in figure.data] == ["Skills", "Environment"]
    assert list(figure.data[0].x) == ["2023/24", "2024/25"]
    assert list(figure.data[1].y) == [0.0, 50.0]
    assert figure.layout.barmode == "stack"
    assert goals == ["Skills", "Environment"]
    assert rows == [
        ["2023/24", Decimal("100"), None, Decimal("100")],
        ["2024/25", Decimal("250"), Decimal("50"), Decimal("300")],
    ]


LONG = "Unlocking community capacity through support for the voluntary and community sector"


def test_long_names_are_wrapped_whole_never_cut_off():
    value = charts.value_figure([_total(LONG, Decimal("10"))], title="By goal")
    measure = charts.measure_figure(
        [_total(LONG, None, "hours", Decimal("3"), "WCC-4.1")], title="By measure"
    )
    trend = charts.trend_figure([TrendPoint(2024, LONG, Decimal("5"), 1)], title="Trend")

    for text in (value.data[0].y[0], measure.data[0].y[0], trend.data[0].name):
        assert "…" not in text
        lines = text.split("<br>")
        assert len(lines) > 1
        assert all(len(line) <= charts.LABEL_WIDTH for line in lines)
        assert " ".join(lines).removeprefix("WCC-4.1 ") == LONG
    assert value.data[0].customdata[0] == LONG  # the hover shows the name on one line
    assert value.layout.height >= 90 + 18 * len(value.data[0].y[0].split("<br>"))
