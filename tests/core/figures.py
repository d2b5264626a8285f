"""Every figure the dashboards show, as plain JSON values, so two databases can be compared.

The figures come from the selectors the views call: the gap dashboard (every theme filter), the
spend dashboard (every year with spend), the social value dashboard and its annual review
(every year offered) and the members' annual review (every year offered, every part). A test
computes them in its own process and, against a restored database, in a subprocess:

    DATABASE_URL=... python -c "import django; django.setup();
    from tests.core.figures import main; main()" 2025-06-30 figures.json
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db.models import Model, QuerySet
from django.utils.functional import Promise

from dashboards import selectors as review
from maturity import selectors as maturity
from procurement.selectors import spend
from socialvalue import selectors as social_value

OUR_APPS = ("core.", "maturity.", "procurement.", "socialvalue.", "dashboards.")


def dashboard_figures(*, today: dt.date) -> dict[str, Any]:
    """The figures of every dashboard page as `today` shows them, as JSON-ready values."""
    cache.clear()  # the review and the spend checks cache what they read: read the database
    framework = maturity.framework_current()
    themes = [None, *maturity.themes_for(framework)]
    by_year = spend.spend_by_year()
    review_years, default_year = review.review_years(today=today)
    social_value_years = social_value.financial_years(today=today)
    figures = {
        "gap dashboard": {
            str(theme or "all themes"): {
                "themes": maturity.theme_summaries(framework=framework, theme=theme),
                "key areas": maturity.key_area_summaries(framework=framework, theme=theme),
                "largest gaps": maturity.largest_gaps(framework=framework, theme=theme),
            }
            for theme in themes
        },
        "spend dashboard": {
            "summary missing": spend.spend_summary_missing(by_year=by_year),
            **{
                str(row.year): spend.spend_dashboard(year=row.year, by_year=by_year)
                for row in by_year
            },
        },
        "social value dashboard": {
            str(year): social_value.social_value_dashboard(year=year, today=today)
            for year in social_value_years
        },
        "social value review": {
            str(year): social_value.annual_review(year=year) for year in social_value_years
        },
        "annual review": {
            "default year": default_year,
            **{
                str(year): review.annual_review(year=year, today=today, by_year=by_year)
                for year in review_years
            },
        },
    }
    return json.loads(json.dumps(plain(figures)))


def plain(value: Any) -> Any:
    """`value` as JSON values: objects become their fields and properties, exactly written."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str | Promise):
        return str(value)
    if isinstance(value, float | Decimal):
        return f"{type(value).__name__} {value}"  # 1.5 and Decimal("1.50") stay different
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return {"model": value._meta.label, **_attributes(value, vars(value))}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | QuerySet):
        return [plain(item) for item in value]
    if dataclasses.is_dataclass(value) or type(value).__module__.startswith(OUR_APPS):
        return _attributes(value, vars(value) if hasattr(value, "__dict__") else {})
    raise TypeError(f"No plain form for {type(value).__qualname__}: {value!r}")


def _attributes(value: Any, instance: Mapping[str, Any]) -> dict[str, Any]:
    names = {name for name in instance if not name.startswith("_")}
    if dataclasses.is_dataclass(value):
        names.update(field.name for field in dataclasses.fields(value))
    cls = type(value)
    names.update(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and isinstance(getattr(cls, name, None), property | cached_property)
        and not isinstance(value, Model)
    )
    return {name: plain(getattr(value, name)) for name in sorted(names)}


def main() -> None:
    """Write the figures as `sys.argv[1]` (a date) shows them to the file `sys.argv[2]`."""
    today = dt.date.fromisoformat(sys.argv[1])
    Path(sys.argv[2]).write_text(json.dumps(dashboard_figures(today=today), indent=1))
