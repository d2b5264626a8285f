"""Strategy periods: the list, one period's results, and starting a new period."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.roles import reader_required, signed_in_user
from core.save_flow import save_form
from maturity import period_selectors, selectors, services
from maturity.access import administrator_required, posted
from maturity.forms import PeriodStartForm
from maturity.models import StrategyPeriod


@reader_required
def period_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "maturity/period_list.html", {"periods": list(period_selectors.period_list())}
    )


@reader_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(StrategyPeriod, pk=pk)
    results = period_selectors.period_results(
        period=period, framework=selectors.framework_current()
    )
    return render(request, "maturity/period_detail.html", {"results": results, "period": period})


def _next_period_initial(latest: StrategyPeriod | None) -> dict:
    if latest is None:
        return {}
    starts_on = latest.ends_on + dt.timedelta(days=1)
    ends_on = dt.date(starts_on.year + 3, starts_on.month, starts_on.day) - dt.timedelta(days=1)
    return {
        "name": f"{starts_on.year}-{ends_on.year}",
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


@administrator_required
def period_start(request: HttpRequest) -> HttpResponse:
    framework = selectors.framework_current()
    indicators = list(selectors.framework_indicators(framework=framework))
    carried_over = {
        i.pk: i.target_level for i in selectors.indicator_positions(framework=framework)
    }
    latest = period_selectors.period_latest()
    form = PeriodStartForm(
        posted(request),
        indicators=indicators,
        carried_over=carried_over,
        initial=_next_period_initial(latest),
    )
    return save_form(
        request,
        form,
        lambda data: services.period_start(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            targets=form.targets(),
            rationale=data["rationale"],
            started_by=signed_in_user(request),
        ),
        template="maturity/period_form.html",
        context={"latest": latest},
        success=lambda period: f"Strategy period {period.name} started with its targets.",
        next_url=lambda period: reverse("maturity:period-detail", args=[period.pk]),
    )
