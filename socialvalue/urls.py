from django.urls import path

from socialvalue.views import reports, returns

app_name = "socialvalue"
urlpatterns = [
    path("dashboard/", reports.dashboard, name="dashboard"),
    path("dashboard/download/", reports.dashboard_csv, name="dashboard-csv"),
    path("review/", reports.review, name="review"),
    path("review/<int:year>/", reports.review, name="review-year"),
    path("review/<int:year>/download.csv", reports.review_csv, name="review-csv"),
    path("review/<int:year>/download.xlsx", reports.review_xlsx, name="review-xlsx"),
    path("contracts/", reports.contract_list, name="contract-list"),
    path("contracts/<int:pk>/", returns.contract_detail, name="contract-detail"),
    path(
        "contracts/<int:pk>/commitments/new/",
        returns.commitment_create,
        name="commitment-create",
    ),
    path("commitments/<int:pk>/edit/", returns.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", returns.commitment_delete, name="commitment-delete"),
    path("contracts/<int:pk>/returns/new/", returns.return_create, name="return-create"),
    path("returns/", reports.return_list, name="return-list"),
    path("returns/<int:pk>/", returns.return_detail, name="return-detail"),
    path("returns/<int:pk>/edit/", returns.return_edit, name="return-edit"),
    path("returns/<int:pk>/evidence/", returns.evidence_upload, name="evidence-upload"),
    path("returns/<int:pk>/submit/", returns.return_submit, name="return-submit"),
    path("returns/<int:pk>/verify/", returns.return_verify, name="return-verify"),
    path("returns/<int:pk>/reject/", returns.return_reject, name="return-reject"),
    path("evidence/<int:pk>/", returns.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/delete/", returns.evidence_delete, name="evidence-delete"),
    path("measures/", reports.measure_list, name="measure-list"),
    path("measures/import/", reports.measure_import, name="measure-import"),
    path("supplier/", returns.supplier_home, name="supplier-home"),
]
