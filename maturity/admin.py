from __future__ import annotations

from django.contrib import admin

from core.history_admin import ReadOnlyHistoryAdmin
from core.versioned_admin import VersionedAdminMixin
from maturity import models


class AppendOnlyAdmin(admin.ModelAdmin):
    """Assessments and targets are history: the admin only reads them.

    They are added on the product's own pages, whose forms and services apply the rules (the
    officer who assesses, no future dates, the check that nobody set a target meanwhile).
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_current")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "position")


@admin.register(models.KeyArea)
class KeyAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "theme", "position", "strategy_section")
    list_filter = ("theme",)


class LevelDescriptorInline(admin.TabularInline):
    model = models.LevelDescriptor
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "key_area", "position", "is_headline")
    list_filter = ("key_area__theme", "key_area")
    search_fields = ("name",)
    inlines = [LevelDescriptorInline]


@admin.register(models.Assessment)
class AssessmentAdmin(AppendOnlyAdmin):
    list_display = ("indicator", "level", "assessed_on", "assessor", "recorded_at")
    list_filter = ("level", "indicator__key_area")
    date_hierarchy = "assessed_on"


@admin.register(models.Target)
class TargetAdmin(AppendOnlyAdmin):
    list_display = ("indicator", "period", "level", "due_by", "set_by", "recorded_at")
    list_filter = ("period", "level", "indicator__key_area")


@admin.register(models.Action)
class ActionAdmin(VersionedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ("description", "indicator", "owner", "due_on", "status")
    list_filter = ("status",)


@admin.register(models.StrategyPeriod)
class StrategyPeriodAdmin(admin.ModelAdmin):
    """Periods are started on the product's page, which records their targets too."""

    list_display = ("name", "starts_on", "ends_on")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RoundRespondentInline(admin.TabularInline):
    model = models.RoundRespondent
    extra = 0
    can_delete = False
    readonly_fields = ("user", "team")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.AssessmentRound)
class AssessmentRoundAdmin(AppendOnlyAdmin):
    """Rounds are opened, rated, moderated and closed on the product's pages: here they read."""

    list_display = ("name", "opens_on", "closes_on", "status")
    list_filter = ("status",)
    inlines = [RoundRespondentInline]
