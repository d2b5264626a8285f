"""The Django admin for the dashboards app: the savings target per financial year."""

from __future__ import annotations

from django.contrib import admin

from dashboards.models import SavingsTarget


@admin.register(SavingsTarget)
class SavingsTargetAdmin(admin.ModelAdmin):
    list_display = ("financial_year", "amount", "set_by", "updated_at")
    search_fields = ("note",)
    autocomplete_fields = ("set_by",)
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change) -> None:
        if obj.set_by_id is None:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)
