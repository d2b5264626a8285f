from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from core.financial_year import financial_year_bounds, financial_year_end, financial_year_label
from dashboards import charts
from dashboards.exports import SECTIONS
from dashboards.selectors import annual_review
from procurement.models import Risk
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_the_html_report_is_one_file_with_the_pages_figures_and_no_links(review_data, tmp_path):
    path = tmp_path / "review.html"

    call_command("annual_review", year=review_data.year, format="html", output=str(path))

    text = path.read_text(encoding="utf-8")
    assert f"Annual review: {financial_year_label(review_data.year)}" in text
    assert "£102,000" in text
    assert "75.0% of the £12,000 target" in text
    assert "Self-assessment above the data" in text
    assert "<script" not in text
    assert "href=" not in text
    assert "<link" not in text
    assert "Savings of £9,000 in" in text  # a chart's summary sentence, without the chart


def test_the_xlsx_report_has_a_sheet_per_section_with_text_made_safe(review_data, tmp_path):
    start, _ = financial_year_bounds(review_data.year)
    risky = SupplierFactory(name="=HYPERLINK(1)", financial_risk=Risk.HIGH)
    SpendTransactionFactory(supplier=risky, amount=Decimal("99999"), paid_on=start)
    spend_summary_rebuild()
    path = tmp_path / "review.xlsx"

    call_command("annual_review", year=review_data.year, format="xlsx", output=str(path))

    workbook = load_workbook(path)
    assert workbook.sheetnames == list(SECTIONS)
    headline = {row[0]: row[1] for row in workbook["Headline figures"].iter_rows(values_only=True)}
    assert headline["Third-party spend"] == pytest.approx(201999.0)
    assert headline["Savings target"] == 12000
    risk_cells = [
        cell for row in workbook["Contracts and risk"].iter_rows(values_only=True) for cell in row
    ]
    assert "'=HYPERLINK(1)" in risk_cells
    assert "=HYPERLINK(1)" not in risk_cells
    evidence = list(workbook["Evidence"].iter_rows(values_only=True))
    assert evidence[3][0] == "Indicator"
    assert len([row for row in evidence[4:] if row[0]]) == 9


def test_the_command_refuses_a_year_out_of_range(db):
    with pytest.raises(CommandError):
        call_command("annual_review", year=24, format="html")


def test_every_chart_has_a_summary_sentence_with_its_numbers(review_data):
    review = annual_review(year=review_data.year, today=review_data.today)
    label, before = (
        financial_year_label(review_data.year),
        financial_year_label(review_data.year - 1),
    )

    made = charts.review_charts(review)

    assert made["social_value"].summary == (
        f"Verified social value with a proxy value was £400 in {label}, against £40 in {before}."
    )
    assert made["spend_shares"].summary == (
        f"In {label}, 40.0% of spend with named suppliers went to SMEs (+20.0 percentage points "
        "on the year before), 10.0% to VCSEs and 40.0% to local suppliers."
    )
    assert made["savings"].summary == (
        f"Savings of £9,000 in {label} were 75.0% of the £12,000 target."
    )
    assert made["ending"].summary == (
        "3 live contracts worth £300,000 end in the 12 months from "
        f"{financial_year_end(review_data.year):%-d %B %Y}; the most, 1, are in People."
    )
    assert made["maturity_key_areas"].summary.startswith(review.key_areas[0].name)
    year_end = f"{financial_year_end(review_data.year):%-d %B %Y}"
    assert f"{review.key_areas[0].current:.2f} on {year_end}, against" in (
        made["maturity_key_areas"].summary
    )


def test_the_charts_plot_the_tables_numbers(review_data):
    review = annual_review(year=review_data.year, today=review_data.today)

    made = charts.review_charts(review)

    previous, current = made["social_value"].figure.data
    # Horizontal bars, the first goal at the top (plotly draws the last row at the top).
    assert list(current.x) == [0.0, 400.0]
    assert list(previous.x) == [40.0, 0.0][::-1]
    delivered, target = made["savings"].figure.data
    assert list(delivered.y) == [5000.0, 9000.0]
    assert list(target.y) == [None, 12000.0]
    assert list(made["ending"].figure.data[0].x) == [1, 1, 0, 0, 1][::-1]
    baseline, now, wanted = made["maturity_themes"].figure.data
    assert list(now.x) == [row.current for row in review.themes][::-1]


def test_a_year_with_nothing_recorded_says_so_in_words_and_draws_no_empty_axes(db):
    review = annual_review(year=2024, today=dt.date(2025, 6, 1))

    made = charts.review_charts(review)

    assert made["social_value"].summary == "No social value was verified in 2023/24 or 2024/25."
    assert made["savings"].summary == "No savings or savings target are recorded."
    assert made["ending"].summary == "No live contract ends in the 12 months from 31 March 2025."
    assert made["spend_shares"].summary == "There is no spend with named suppliers in 2024/25."
    assert made["maturity_themes"].summary == "No theme had been assessed by then."
    assert {name: chart.figure for name, chart in made.items()} == dict.fromkeys(made)


def test_each_bar_chart_grows_with_its_rows_so_ten_key_areas_fit_a_printed_page(review_data):
    review = annual_review(year=review_data.year, today=review_data.today)

    made = charts.review_charts(review)

    key_areas = made["maturity_key_areas"].figure.layout.height
    themes = made["maturity_themes"].figure.layout.height
    assert len(review.key_areas) == 10 and len(review.themes) == 3
    assert key_areas == 120 + 46 * 10 == 580  # under an A4 page's 1,000 px at 96 dpi
    assert themes == 120 + 46 * 3
    assert made["ending"].figure.layout.height == 120 + 34 * len(review.ending)
