"""The Django admin for procurement: every model, with history where the model keeps it."""

from __future__ import annotations

from django.contrib import admin

from core.history_admin import ReadOnlyHistoryAdmin
from core.versioned_admin import VersionedAdminMixin
from procurement import models
from procurement.services.payment_matching import transactions_match_contracts


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
    autocomplete_fields = ("supplier", "category", "owner", "framework_suppliers")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "end_date"
    inlines = [VariationInline]

    def save_model(self, request, obj, form, change) -> None:
        """As the contract pages do: a contract's supplier, dates or status decide which
        payments it covers, so those suppliers' payments are matched again."""
        previous = (
            type(obj).objects.filter(pk=obj.pk).values_list("supplier_id", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        transactions_match_contracts(supplier_ids={obj.supplier_id, previous} - {None})

    def save_related(self, request, form, formsets, change) -> None:
        """A framework's suppliers are saved after the contract: match their payments then."""
        before = set(form.instance.framework_suppliers.values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        after = set(form.instance.framework_suppliers.values_list("pk", flat=True))
        if before | after:
            transactions_match_contracts(supplier_ids=before | after)

    def delete_model(self, request, obj) -> None:
        supplier_ids = {obj.supplier_id, *obj.framework_suppliers.values_list("pk", flat=True)}
        super().delete_model(request, obj)
        transactions_match_contracts(supplier_ids=supplier_ids)


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
