from django.urls import path

from maturity import period_views, plan_views, views

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
]
