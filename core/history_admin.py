"""The Django admin's history pages, read-only.

django-simple-history's admin lets a user open a past version of a record and press "Revert",
which saves that version's values over the live record. That bypasses the services: nothing
checks the version the edit was opened at, and the version number itself goes back with the rest,
so an officer's edit form opened before the change would then save over it unwarned. Its
SIMPLE_HISTORY_REVERT_DISABLED setting only hides the button; a POST still reverts. So the past
versions can be read here and never saved.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
