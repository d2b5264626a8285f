from django.urls import path

from maturity import period_views, plan_views, reference_views, round_views, views

app_name = "maturity"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("gaps/", views.gap_dashboard, name="gap-dashboard"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/assess/", views.assessment_create, name="assessment-create"),
    path("indicators/<int:pk>/target/", views.target_create, name="target-create"),
    path("indicators/<int:pk>/actions/new/", views.action_create, name="action-create"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action-complete"),
    # -- action plan
    path("actions/", plan_views.action_plan, name="action-plan"),
    path("actions/csv/", plan_views.action_plan_csv, name="action-plan-csv"),
    path("actions/<int:pk>/edit/", plan_views.action_edit, name="action-edit"),
    # -- end action plan
    # -- strategy periods
    path("periods/", period_views.period_list, name="period-list"),
    path("periods/new/", period_views.period_start, name="period-start"),
    path("periods/<int:pk>/", period_views.period_detail, name="period-detail"),
    # -- end strategy periods
    # -- assessment rounds
    path("rounds/", round_views.round_list, name="round-list"),
    path("rounds/new/", round_views.round_open, name="round-open"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/rate/<int:indicator_pk>/", round_views.round_rate, name="round-rate"),
    path(
        "rounds/<int:pk>/moderate/<int:indicator_pk>/",
        round_views.round_moderate,
        name="round-moderate",
    ),
    path("rounds/<int:pk>/close/", round_views.round_close, name="round-close"),
    path("rounds/<int:pk>/results.csv", round_views.round_results_csv, name="round-csv"),
    path("rounds/<int:pk>/results.xlsx", round_views.round_results_xlsx, name="round-xlsx"),
    # -- end assessment rounds
    # -- reference data
    path("reference-data/", reference_views.reference_data, name="reference-data"),
    path("reference-data/load/", reference_views.reference_apply, name="reference-apply"),
    path(
        "indicators/<int:pk>/descriptors/",
        reference_views.descriptors_edit,
        name="descriptors-edit",
    ),
    # -- end reference data
]
