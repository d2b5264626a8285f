from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts import roles


def role_flags(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "can_read": roles.can_read(user),
        "can_edit": roles.can_edit(user),
        # Pages (error pages too) show a supplier's user the portal's navigation, not ours.
        "is_supplier_user": roles.is_supplier_only(user),
        "is_administrator": roles.is_administrator(user),
        "council_name": settings.COUNCIL_NAME,
    }
