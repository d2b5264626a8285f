"""Who may see a social value page: the role checks that let a supplier's user in, and the
restricted lookups that give 404 for another supplier's objects.

Internal pages (dashboard, review, lists, commitments, verification) are for council staff:
members read, officers and administrators write. Pages about one contract, return or evidence
file are also open to the supplier's own users, always through a queryset already restricted
to what the user may see, so another supplier's identifier gives 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from accounts.roles import SUPPLIERS, can_edit, can_read, group_names, role_required
from procurement.models import Contract
from socialvalue import selectors
from socialvalue.models import SocialValueReturn

View = Callable[..., HttpResponseBase]


def _portal(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Council staff by `check`, or any supplier user (whose querysets are restricted)."""
    return role_required(lambda user: check(user) or SUPPLIERS in group_names(user))


portal_reader_required = _portal(can_read)
portal_writer_required = _portal(can_edit)


def visible_return(request: HttpRequest, pk: int) -> SocialValueReturn:
    return get_object_or_404(
        selectors.returns_visible_to(request.user).select_related(
            "contract__supplier", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )


def visible_contract(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(selectors.contract_for_page(user=request.user, pk=pk))
