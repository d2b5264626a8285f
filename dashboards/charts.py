"""Annual review charts: pure functions from the review's parts to plotly figures.

Each chart comes with the one sentence that sums it up: the page prints it above the chart, uses
it as the chart's text alternative, and the table below holds the same numbers. The maturity
and spend-share charts look as those apps draw them, so a figure reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go

from core.charts import COLOURS, bars_height, base_layout, escape_label, horizontal_bars
from core.money import POUNDS_X, POUNDS_Y, money_axis, whole_pounds
from core.text import counted
from dashboards.selectors import AnnualReview, EndingCount, GoalComparison, SavingsYear
from maturity.charts import where_we_are_figure
from maturity.selectors import AreaSummary
from procurement.charts.spend import Chart, shares_chart

LABEL_WIDTH = 20  # goal names are wrapped onto lines of this many characters, never cut off
BAR_ROW_HEIGHT = 34  # one bar a row


def empty(summary: str) -> Chart:
    """A section with nothing to draw: the page says so in words and draws no axes."""
    return Chart(None, summary)


def maturity_chart(
    rows: Sequence[AreaSummary], *, title: str, noun: str, when: str = "now"
) -> Chart:
    """Where we were, are and want to be per area; the summary names the furthest from target
    (the summaries come largest total gap first)."""
    if not rows or all(row.current == 0 for row in rows):
        return empty(f"No {noun} had been assessed by then.")
    figure = where_we_are_figure(rows, title=title, baseline="Baseline")
    furthest = rows[0]
    if furthest.gap <= 0:
        summary = f"Every {noun} has reached its target on average."
    else:
        summary = (
            f"{furthest.name} is furthest from its target: on average level "
            f"{furthest.current:.2f} {when}, against {furthest.target:.2f} wanted and "
            f"{furthest.baseline:.2f} at the baseline."
        )
    return Chart(figure, summary)


def social_value_chart(rows: Sequence[GoalComparison], *, label: str, previous: str) -> Chart:
    """Verified social value per goal, the year before beside the year."""
    if not rows:
        return empty(f"No social value was verified in {previous} or {label}.")
    names = [escape_label(row.name, width=LABEL_WIDTH) for row in rows][::-1]
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                y=names,
                x=[float(value or 0) for value in values][::-1],
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: " + POUNDS_X + "<extra>" + name + "</extra>",
            )
            for name, values, colour in (
                (previous, [row.previous_value for row in rows], COLOURS[5]),
                (label, [row.value for row in rows], COLOURS[0]),
            )
        ],
        layout=base_layout(
            title="Verified social value by goal",
            height=bars_height(len(rows)),
            barmode="group",
            yaxis={"type": "category", "automargin": True},
            xaxis=money_axis("Social value"),
        ),
    )
    now = sum((row.value or Decimal(0) for row in rows), Decimal(0))
    before = sum((row.previous_value or Decimal(0) for row in rows), Decimal(0))
    summary = (
        f"Verified social value with a proxy value was {whole_pounds(now)} in {label}, "
        f"against {whole_pounds(before)} in {previous}."
    )
    return Chart(figure, summary)


def savings_chart(rows: Sequence[SavingsYear], *, year: int) -> Chart:
    """Savings delivered against the target, year by year."""
    if not rows:
        return empty("No savings or savings target are recorded.")
    labels = [row.label for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                name="Savings delivered",
                x=labels,
                y=[float(row.total) for row in rows],
                marker_color=COLOURS[1],
                hovertemplate="%{x}: " + POUNDS_Y + "<extra>Savings delivered</extra>",
            ),
            go.Scatter(
                name="Target",
                x=labels,
                y=[float(row.target) if row.target is not None else None for row in rows],
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 40, "line": {"width": 4}},
                marker_color=COLOURS[2],
                hovertemplate="%{x}: " + POUNDS_Y + "<extra>Target</extra>",
            ),
        ],
        layout=base_layout(
            title="Savings against target",
            xaxis={"type": "category"},
            yaxis=money_axis("Savings"),
        ),
    )
    selected = next((row for row in rows if row.year == year), None)
    if selected is None:
        summary = "No savings or savings target are recorded for the year."
    elif selected.target is None:
        summary = (
            f"Savings of {whole_pounds(selected.total)} were recorded in {selected.label}; "
            "no target is set for the year."
        )
    else:
        summary = (
            f"Savings of {whole_pounds(selected.total)} in {selected.label} were "
            f"{selected.share_of_target}% of the {whole_pounds(selected.target)} target."
        )
    return Chart(figure, summary)


def ending_chart(rows: Sequence[EndingCount], *, since: str = "today") -> Chart:
    """Contracts live on a day ending in the twelve months after it, per sub-team."""
    count = sum(row.contracts for row in rows)
    if not count:
        return empty(f"No live contract ends in the 12 months from {since}.")
    figure = horizontal_bars(
        [escape_label(row.label) for row in rows],
        [row.contracts for row in rows],
        title=f"Contracts ending in the 12 months from {since}, by sub-team",
        colour=COLOURS[3],
        hover="%{x} contracts",
        height=bars_height(len(rows), per_row=BAR_ROW_HEIGHT),
        xaxis={"title": {"text": "Contracts"}, "rangemode": "tozero"},
        yaxis={"type": "category"},
    )
    value = sum((row.value for row in rows), Decimal(0))
    most = max(rows, key=lambda row: row.contracts)
    summary = (
        f"{counted(count, 'live contract')} worth {whole_pounds(value)} end in"
        " the "
        f"12 months from {since}; the most, {most.contracts:,}, are in {most.label}."
    )
    return Chart(figure, summary)


def _change(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f" ({'+' if value > 0 else ''}{value} percentage points on the year before)"


def spend_shares_chart(review: AnnualReview) -> Chart:
    """The spend dashboard's share chart, summed up for the year under review."""
    headline = review.spend
    if headline is None or headline.current.named_total == 0:
        return empty(f"There is no spend with named suppliers in {review.label}.")
    figure = shares_chart(review.spend_years).figure
    year = headline.current
    summary = (
        f"In {review.label}, {year.sme_share}% of spend with named suppliers went to SMEs"
        f"{_change(headline.sme_change)}, {year.vcse_share}% to VCSEs and {year.local_share}% "
        "to local suppliers."
    )
    return Chart(figure, summary)


def review_charts(review: AnnualReview) -> dict[str, Chart]:
    """Every chart of the review by name (its CSV download's slug with underscores)."""
    day = f"{review.as_at:%-d %B %Y}"
    return {
        "maturity_themes": maturity_chart(
            review.themes, title="By theme", noun="theme", when=f"on {day}"
        ),
        "maturity_key_areas": maturity_chart(
            review.key_areas, title="By key area", noun="key area", when=f"on {day}"
        ),
        "social_value": social_value_chart(
            review.social_value_by_goal, label=review.label, previous=review.previous_label
        ),
        "spend_shares": spend_shares_chart(review),
        "savings": savings_chart(review.savings_years, year=review.year),
        "ending": ending_chart(review.ending, since=day),
    }
