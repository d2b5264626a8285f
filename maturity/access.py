"""Who may run assessment rounds, strategy periods and reference data.

Administrators open rounds, start strategy periods and load reference data. Moderating a round
takes the `maturity.moderate_round` permission, which an administrator grants (to the head of
procurement, say) in the Django admin; administrators hold it too.
"""

from __future__ import annotations

from django.contrib.auth import models as auth
from django.http import HttpRequest

from accounts.roles import User, can_read, is_administrator, role_required

MODERATE = "maturity.moderate_round"


def can_moderate(user: User) -> bool:
    # Only a signed-in auth.User (never AnonymousUser) is authenticated and has has_perm.
    return isinstance(user, auth.User) and can_read(user) and user.has_perm(MODERATE)


administrator_required = role_required(is_administrator)


def posted(request: HttpRequest):
    """The POST data to bind a form to, or None on GET: an empty POST still shows its errors."""
    return request.POST if request.method == "POST" else None
