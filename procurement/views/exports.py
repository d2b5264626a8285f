"""Open data downloads (Local Government Transparency Code 2015)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.roles import reader_required
from core.csv_export import csv_response
from procurement.selectors.exports import TRANSPARENCY_HEADER, contracts_for_transparency


@reader_required
def transparency_contracts_csv(request: HttpRequest) -> HttpResponse:
    return csv_response(
        f"contracts-over-5000-{timezone.localdate():%Y-%m-%d}.csv",
        TRANSPARENCY_HEADER,
        contracts_for_transparency(),
    )
