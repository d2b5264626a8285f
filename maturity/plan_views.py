"""The action plan: every improvement action, filtered, sorted with the most overdue first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from accounts.roles import editor_required, reader_required, signed_in_user
from core.csv_export import csv_response
from core.save_flow import save_form
from maturity import plan_selectors, services
from maturity.access import posted
from maturity.forms import ActionEditForm, ActionPlanFilterForm
from maturity.models import Action

CSV_HEADER = [
    "theme",
    "key_area",
    "indicator",
    "action",
    "owner",
    "due_on",
    "status",
    "overdue",
    "completed_on",
]


def _filtered(request: HttpRequest):
    form = ActionPlanFilterForm(
        request.GET or None,
        owners=plan_selectors.action_owners(),
        key_areas=plan_selectors.action_key_areas(),
    )
    as_at = timezone.localdate()
    return form, as_at, plan_selectors.action_plan(as_at=as_at, **form.selector_kwargs())


def _owner_name(action: Action) -> str:
    return (action.owner.get_full_name() or action.owner.username) if action.owner else ""


@reader_required
def action_plan(request: HttpRequest) -> HttpResponse:
    form, as_at, actions = _filtered(request)
    return render(
        request,
        "maturity/action_plan.html",
        {
            "form": form,
            "as_at": as_at,
            "actions": list(actions),
            "counts": plan_selectors.action_counts(as_at=as_at),
            "query": request.GET.urlencode(),
        },
    )


@reader_required
def action_plan_csv(request: HttpRequest) -> HttpResponse:
    _form, _as_at, actions = _filtered(request)
    rows = (
        [
            action.indicator.key_area.theme.name,
            action.indicator.key_area.name,
            action.indicator.name,
            action.description,
            _owner_name(action),
            action.due_on.isoformat(),
            action.get_status_display(),
            action.is_overdue,
            action.completed_on.isoformat() if action.completed_on else "",
        ]
        for action in actions
    )
    return csv_response("action-plan.csv", CSV_HEADER, rows)


@editor_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("indicator__key_area"), pk=pk)
    form = ActionEditForm(posted(request), action=action)

    def stale(_form: ActionEditForm) -> tuple[ActionEditForm, dict[str, Any]]:
        # Show the action as it now is, with its new version: saving again is deliberate.
        action.refresh_from_db()
        return ActionEditForm(action=action), {}

    back_to_plan = request.GET.get("next") == "plan"
    return save_form(
        request,
        form,
        lambda data: services.action_update(
            action=action,
            expected_version=data["version"],
            changes=form.changes(),
            user=signed_in_user(request),
        ),
        template="maturity/indicator_form.html",
        context={"indicator": action.indicator, "title": "Edit an improvement action"},
        success="Action saved.",
        next_url=reverse("maturity:action-plan")
        if back_to_plan
        else reverse("maturity:indicator-detail", args=[action.indicator_id]),
        stale=stale,
    )
