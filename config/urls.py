from django.contrib import admin
from django.urls import include, path

from core import health

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("", include("accounts.urls")),
    path("maturity/", include("maturity.urls")),
    path("procurement/", include("procurement.urls")),
    path("social-value/", include("socialvalue.urls")),
    path("review/", include("dashboards.urls")),
    path("jobs/", include("jobs.urls")),
    path("admin/", admin.site.urls),
]

# A 500 while the database is out of reach is shown as 503 "service unavailable" (core.errors).
handler500 = "core.errors.server_error"
