from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.annual_review, name="annual-review"),
    path("annual-review.xlsx", views.review_xlsx, name="annual-review-xlsx"),
    path("annual-review-workbook/", views.review_xlsx_job, name="annual-review-workbook"),
    path("<slug:slug>.csv", views.review_csv, name="annual-review-csv"),
]
