"""The Django admin for procurement: every model, with history where the model keeps it."""

from __future__ import annotations

from django.contrib import admin

from core.history_admin import ReadOnlyHistoryAdmin
from core.versioned_admin import VersionedAdminMixin
from procurement import models


@admin.register(models.Supplier)
class SupplierAdmin(VersionedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("name", "company_number", "size", "is_vcse", "is_local", "is_strategic")
    list_filter = ("size", "is_vcse", "is_local", "is_strategic", "financial_risk")
    search_fields = ("name", "normalised_name", "company_number", "charity_number", "postcode")
    readonly_fields = ("normalised_name", "created_at", "updated_at")


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "sub_team")
    list_filter = ("sub_team",)
    search_fields = ("name",)


class VariationInline(admin.TabularInline):
    model = models.Variation
    extra = 0
    autocomplete_fields = ("recorded_by",)


@admin.register(models.Contract)
class ContractAdmin(VersionedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("reference", "title", "supplier", "category", "status", "end_date")
    list_filter = ("status", "category__sub_team", "route", "risk_rating")
    search_fields = ("reference", "title", "supplier__name", "ocid")
    list_select_related = ("supplier", "category")
    autocomplete_fields = ("supplier", "category", "owner")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "end_date"
    inlines = [VariationInline]


@admin.register(models.Variation)
class VariationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("contract", "varied_on", "value_change", "new_end_date", "recorded_by")
    list_select_related = ("contract", "recorded_by")
    search_fields = ("contract__reference", "reason")
    autocomplete_fields = ("contract", "recorded_by")


@admin.register(models.SpendImport)
class SpendImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "imported_at", "imported_by", "rows_imported", "rows_skipped")
    readonly_fields = ("sha256", "imported_at")


@admin.register(models.SpendTransaction)
class SpendTransactionAdmin(admin.ModelAdmin):
    list_display = ("paid_on", "supplier_name", "amount", "service_area", "contract")
    list_select_related = ("contract",)
    list_filter = ("spend_import",)
    search_fields = ("supplier_name", "reference", "service_area")
    autocomplete_fields = ("supplier", "contract")
    date_hierarchy = "paid_on"


@admin.register(models.Saving)
class SavingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("description", "contract", "financial_year", "kind", "amount")
    list_filter = ("financial_year", "kind")
    list_select_related = ("contract",)
    autocomplete_fields = ("contract",)


@admin.register(models.PipelineItem)
class PipelineItemAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "category", "estimated_value", "planned_start", "status")
    list_filter = ("status", "route")
    list_select_related = ("category",)
    autocomplete_fields = ("category", "replaces", "owner")


@admin.register(models.ContractAlert)
class ContractAlertAdmin(admin.ModelAdmin):
    list_display = ("contract", "months_before", "end_date", "recipient", "sent_at")
    list_select_related = ("contract",)
