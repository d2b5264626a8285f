from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.jobs, name="job-list"),
    path("<int:pk>/", views.job, name="job-detail"),
    path("<int:pk>/status/", views.job_status_json, name="job-status"),
    path("<int:pk>/download/", views.job_download, name="job-download"),
]
