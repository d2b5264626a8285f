"""A panel of targets whose date has passed unmet, for pages whose views are not ours to change."""

from __future__ import annotations

from django import template
from django.utils import timezone

from maturity import period_selectors

register = template.Library()


@register.inclusion_tag("maturity/_missed_targets.html", takes_context=True)
def missed_targets_panel(context) -> dict:
    """Reads the page's `as_at` date if it has one (the gap dashboard's "as at"), else today."""
    as_at = context.get("as_at") or timezone.localdate()
    missed = period_selectors.targets_missed(as_at=as_at)
    return {"missed": missed, "as_at": as_at}
