from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

class SimpleHistoryAdmin(admin.ModelAdmin[Any]):
    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = ...
    ) -> HttpResponse: ...
    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = ...,
    ) -> HttpResponse: ...
    def revert_disabled(self, request: HttpRequest, obj: Model | None = ...) -> bool: ...

def __getattr__(name: str) -> Any: ...
