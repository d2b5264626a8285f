"""Procurement URLs, one section per area of the app (register, spend, planning, exports)."""

from django.urls import path  # noqa: F401  (used by the sections below)

app_name = "procurement"
urlpatterns: list = []

# -- register: contracts, suppliers, variations ------------------------------------------------

# -- planning: savings, pipeline, ending soon, policy checks -----------------------------------

# -- spend import ------------------------------------------------------------------------------

# -- spend dashboard ---------------------------------------------------------------------------

# -- open data: transparency exports -----------------------------------------------------------
