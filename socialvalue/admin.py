from __future__ import annotations

from django.contrib import admin
from django.db import models as db_models

from core.history_admin import ReadOnlyHistoryAdmin
from core.versioned_admin import VersionedAdminMixin
from socialvalue import models


class MeasureInline(admin.TabularInline):
    model = models.Measure
    extra = 0
    fields = ("code", "description", "unit", "is_local_spend", "is_environmental", "position")


@admin.register(models.Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position")
    inlines = [MeasureInline]


class ProxyValueInline(admin.TabularInline):
    model = models.ProxyValue
    extra = 0


@admin.register(models.Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("code", "description", "goal", "unit", "is_local_spend", "is_environmental")
    list_filter = ("goal", "unit")
    search_fields = ("code", "description")
    inlines = [ProxyValueInline]


@admin.register(models.SupplierContact)
class SupplierContactAdmin(admin.ModelAdmin):
    """Administrators link a supplier's user (in the Suppliers group) to its supplier here."""

    list_display = ("user", "supplier")
    search_fields = ("user__username", "user__email", "supplier__name")
    raw_id_fields = ("user", "supplier")


@admin.register(models.Commitment)
class CommitmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "measure", "quantity", "due_by")
    list_select_related = ("contract", "measure")
    raw_id_fields = ("contract",)


class ReturnLineInline(admin.TabularInline):
    model = models.ReturnLine
    # A typed "example.org" means https, as on the return form.
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}
    extra = 0


@admin.register(models.SocialValueReturn)
class SocialValueReturnAdmin(VersionedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("contract", "period_start", "period_end", "status", "submitted_at")
    list_filter = ("status", "financial_year")
    list_select_related = ("contract",)
    raw_id_fields = ("contract",)
    readonly_fields = ("submitted_by", "submitted_at", "reviewed_by", "reviewed_at")
    inlines = [ReturnLineInline]
