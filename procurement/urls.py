"""Procurement URLs, one section per area of the app (register, spend, planning, exports)."""

from django.urls import path  # noqa: F401  (used by the sections below)

app_name = "procurement"
urlpatterns: list = []

# -- register: contracts, suppliers, variations ------------------------------------------------
from procurement.views import register  # noqa: E402

urlpatterns += [
    path("contracts/", register.contract_list, name="contract-list"),
    path("contracts/new/", register.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", register.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/edit/", register.contract_edit, name="contract-edit"),
    path("contracts/<int:pk>/variations/new/", register.variation_create, name="variation-create"),
    path("suppliers/", register.supplier_list, name="supplier-list"),
    path("suppliers/new/", register.supplier_create, name="supplier-create"),
    path("suppliers/<int:pk>/", register.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", register.supplier_edit, name="supplier-edit"),
    path("suppliers/duplicates/", register.supplier_duplicates, name="supplier-duplicates"),
    path("suppliers/<int:pk>/merge/<int:other>/", register.supplier_merge, name="supplier-merge"),
]

# -- planning: savings, pipeline, ending soon, policy checks -----------------------------------
from procurement.views import planning  # noqa: E402

urlpatterns += [
    path("contracts/ending-soon/", planning.ending_soon, name="ending-soon"),
    path("contracts/ending-soon.csv", planning.ending_soon_csv, name="ending-soon-csv"),
    path("contracts/policy-checks/", planning.policy_checks, name="policy-checks"),
    path("savings/", planning.saving_list, name="saving-list"),
    path("savings/new/", planning.saving_create, name="saving-create"),
    path("pipeline/", planning.pipeline_list, name="pipeline-list"),
    path("pipeline/new/", planning.pipeline_create, name="pipeline-create"),
    path("pipeline/<int:pk>/edit/", planning.pipeline_edit, name="pipeline-edit"),
]

# -- spend import ------------------------------------------------------------------------------
from procurement.views import spend_import  # noqa: E402

urlpatterns += [
    path("spend/import/", spend_import.spend_import, name="spend-import"),
    path("spend/imports/", spend_import.spend_import_list, name="spend-import-list"),
    path(
        "spend/summary/rebuild/",
        spend_import.spend_summary_rebuild,
        name="spend-summary-rebuild",
    ),
    path(
        "spend/import/<str:token>/columns/",
        spend_import.spend_import_mapping,
        name="spend-import-mapping",
    ),
    path("spend/layouts/", spend_import.spend_layouts, name="spend-layout-list"),
    path("spend/layouts/<int:pk>/", spend_import.spend_layout, name="spend-layout-detail"),
    path("spend/layouts/<int:pk>/edit/", spend_import.spend_layout_edit, name="spend-layout-edit"),
    path(
        "spend/layouts/<int:pk>/forget/",
        spend_import.spend_layout_delete,
        name="spend-layout-delete",
    ),
]

# -- spend dashboard ---------------------------------------------------------------------------
from procurement.views import spend_dashboard, spend_flags  # noqa: E402

urlpatterns += [
    path("spend/", spend_dashboard.spend_dashboard, name="spend-dashboard"),
    path("spend/flags/", spend_flags.flag_list, name="spend-flag-list"),
    path("spend/flags.csv", spend_flags.flag_csv, name="spend-flag-csv"),
    path("spend/flags/<int:year>/<str:key>/", spend_flags.flag_detail, name="spend-flag"),
    path("spend/payments/", spend_flags.payment_list, name="spend-payment-list"),
    path("spend/<slug:slug>.csv", spend_dashboard.spend_csv, name="spend-csv"),
]

# -- open data: transparency exports -----------------------------------------------------------
from procurement.views import exports  # noqa: E402

urlpatterns += [
    path(
        "contracts/transparency.csv",
        exports.transparency_contracts_csv,
        name="transparency-contracts-csv",
    ),
]

# -- Procurement Act 2023: compliance calendar, KPIs ---------------------------------------------
from procurement.views import notices  # noqa: E402

urlpatterns += [
    path("notices/", notices.notice_list, name="notice-list"),
    path("notices.csv", notices.notice_csv, name="notice-csv"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/publish/", notices.notice_publish, name="notice-publish"),
    path("notices/<int:pk>.json", notices.notice_json, name="notice-json"),
    path(
        "contracts/<int:pk>/notices.json",
        notices.contract_notices_json,
        name="contract-notices-json",
    ),
    path("contracts/<int:pk>/kpis/new/", notices.kpi_create, name="kpi-create"),
    path("contracts/<int:pk>/kpis/rate/", notices.kpi_rate, name="kpi-rate"),
]
