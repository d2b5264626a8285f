"""Reads for the action plan: every improvement action, its owner, due date and status.

An action is overdue when its due date has passed and it is not done. Overdue is worked out in
SQL from `as_at`, so filters, sorting and counts agree and each takes one query.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When

from maturity.models import Action, KeyArea

OVERDUE = "overdue"
NOT_DONE = [Action.Status.OPEN, Action.Status.IN_PROGRESS]


def _overdue(as_at: date) -> Q:
    return Q(due_on__lt=as_at, status__in=NOT_DONE)


def is_overdue(as_at: date) -> Case:
    """`is_overdue` for `annotate`: not done and due before `as_at`, the one rule every page
    showing an action's status follows (maturity/_action_status.html)."""
    return Case(
        When(_overdue(as_at), then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def action_plan(
    *,
    as_at: date,
    owner_id: int | None = None,
    key_area_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Action]:
    """Actions with `is_overdue`, the most overdue first, then open ones by due date, then done.

    `status` is one of Action.Status or "overdue".
    """
    queryset = (
        Action.objects.select_related("indicator__key_area__theme", "owner")
        .annotate(
            is_overdue=is_overdue(as_at),
            rank=Case(
                When(_overdue(as_at), then=Value(0)),
                When(status=Action.Status.DONE, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("rank", "due_on", "indicator__key_area__position", "id")
    )
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if key_area_id is not None:
        queryset = queryset.filter(indicator__key_area_id=key_area_id)
    if status == OVERDUE:
        queryset = queryset.filter(_overdue(as_at))
    elif status:
        queryset = queryset.filter(status=status)
    return queryset


def action_counts(*, as_at: date, indicator_id: int | None = None) -> dict[str, int]:
    """{"open": actions not done, "overdue": those past their due date} in one query."""
    queryset = Action.objects.all()
    if indicator_id is not None:
        queryset = queryset.filter(indicator_id=indicator_id)
    counts = queryset.aggregate(
        open=Count("id", filter=Q(status__in=NOT_DONE)),
        overdue=Count("id", filter=_overdue(as_at)),
    )
    return {"open": counts["open"], "overdue": counts["overdue"]}


def action_owners() -> QuerySet[User]:
    """Everyone who owns an action, for the owner filter."""
    return (
        get_user_model()
        .objects.filter(maturity_actions__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def action_key_areas() -> QuerySet[KeyArea]:
    return KeyArea.objects.select_related("theme").order_by("theme__position", "position")
