from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts import roles


def role_flags(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "can_edit": roles.can_edit(user),
        "is_administrator": roles.is_administrator(user),
        "council_name": settings.COUNCIL_NAME,
    }
