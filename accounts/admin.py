from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts import roles

admin.site.site_header = "Procurement maturity administration"
admin.site.site_title = "Procurement maturity"


def _administrators_only(request: HttpRequest) -> bool:
    """The admin belongs to the Administrators role, not to Django's is_staff flag."""
    return request.user.is_active and roles.is_administrator(request.user)


# Replaces the bound method on this one site (so the call passes only `request`); mypy forbids
# assigning to a method, subclassing AdminSite would mean replacing the default site.
admin.site.has_permission = _administrators_only  # type: ignore[method-assign]
