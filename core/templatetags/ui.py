"""Template helpers shared by every app: charts, descriptor text, pounds, dates and record
links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
from django import template
from django.utils.html import escape, format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from core import dates
from core.charts import figure_data
from core.links import record_url as _record_url
from core.money import format_pounds
from core.text import counted as _counted

register = template.Library()


@register.simple_tag
def plotly_chart(figure: go.Figure, element_id: str, summary: str) -> SafeString:
    """A chart placeholder plus its figure JSON; static/js/charts.js draws it.

    The chart is an image of the table that sits beside it, so it is one `img` to assistive
    technology, labelled with its summary sentence.
    """
    data_id = f"{element_id}-data"
    data = figure_data(figure)
    # The chart's height is kept before plotly.js draws it, so drawing moves nothing below.
    height = data.get("layout", {}).get("height")
    return format_html(
        '<div class="app-chart" id="{}" data-figure="{}" role="img" aria-label="{}"{}></div>{}',
        element_id,
        data_id,
        summary,
        format_html(' style="height: {}px"', int(height)) if height else "",
        json_script(data, data_id),
    )


LIST_STYLES = {"ol": ("ol", "govuk-list--number"), "ul": ("ul", "govuk-list--bullet")}


@register.filter
def descriptor_html(text: str) -> SafeString:
    """Render descriptor text: lines "1. ..." become a numbered list, "- ..." a bulleted one."""
    blocks: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal items, kind
        if items:
            tag, css = (
                ("ol", "govuk-list--number") if kind == "ol" else ("ul", "govuk-list--bullet")
            )
            lis = "".join(f"<li>{item}</li>" for item in items)
            blocks.append(f'<{tag} class="govuk-list {css}">{lis}</{tag}>')
        items, kind = [], ""

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit():
            if kind != "ol":
                flush()
            kind = "ol"
            items.append(escape(rest))
        elif line.startswith("- "):
            if kind != "ul":
                flush()
            kind = "ul"
            items.append(escape(line[2:]))
        else:
            flush()
            blocks.append(f'<p class="govuk-body">{escape(line)}</p>')
    flush()
    return mark_safe("".join(blocks))


LEVEL_TAG_COLOURS = {1: "red", 2: "orange", 3: "yellow", 4: "green", 5: "purple"}


@register.simple_tag
def level_tag(number: int | None, name: str = "") -> SafeString:
    if not number:
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Not assessed</strong>')
    colour = LEVEL_TAG_COLOURS.get(number, "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{} {}</strong>', colour, number, name
    )


@register.filter
def in_pounds(value: Any, style: str = "") -> str:
    """`{{ amount|in_pounds }}` "£1,234.50"; `{{ amount|in_pounds:"whole" }}` "£1,235"."""
    return format_pounds(value, whole=style == "whole")


@register.filter
def counted(number: object, noun: str) -> str:
    """`{{ rows|counted:"row" }}` "1 row", "1,234 rows" (core.text.counted); "" for anything but
    a whole number (None, a missing variable), as a filter fails quietly."""
    return _counted(number, noun) if isinstance(number, int) else ""


@register.filter
def record_url(pk: int, name: str) -> str:
    """`{{ record.pk|record_url:"app:detail" }}`: `{% url "app:detail" record.pk %}` for a row
    of a long list, without reversing the address again for every row."""
    return _record_url(name, pk)


@register.filter(expects_localtime=True)
def day_month_year(value: dt.date | None, style: str = "") -> str:
    """`{{ day|day_month_year }}` "3 Sep 2025" (tables), `{{ day|day_month_year:"long" }}`
    "3 September 2025"; "" for no date. Every date a page shows goes through here, without the
    localised formatter's cost (about 50 microseconds a call, a row's largest cell on a list of
    fifty)."""
    if not value:
        return ""
    return dates.day_month_year(value, long=style == "long")


@register.filter(expects_localtime=True)
def day_month_year_time(value: dt.datetime | None, style: str = "") -> str:
    """`{{ moment|day_month_year_time }}` "3 Sep 2025, 2:05pm" in the site's time zone,
    `{{ moment|day_month_year_time:"long" }}` "3 September 2025, 2:05pm"; "" for none."""
    if not value:
        return ""
    return dates.day_month_year_time(value, long=style == "long")
