"""Uploading a "spend over £500" file, and the list of files imported so far."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import editor_required, reader_required
from procurement.forms.spend import SpendImportForm, spend_import_success_message
from procurement.importers.spend import IMPORTED, import_spend_file
from procurement.models import SpendImport

PAGE_SIZE = 50


@editor_required
def spend_import(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = SpendImportForm(request.POST, request.FILES) if posted else SpendImportForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_spend_file(
            upload.file,
            filename=upload.name,
            user=request.user,
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
        )
        if result.status == IMPORTED:
            messages.success(request, spend_import_success_message(result))
            for conflict in result.supplier_conflicts:  # kept apart by procurement.identity
                messages.warning(request, conflict)
            return redirect("procurement:spend-import-list")
        form.add_result_errors(result)
    return render(request, "procurement/spend_import.html", {"form": form})


@reader_required
def spend_import_list(request: HttpRequest) -> HttpResponse:
    imports = SpendImport.objects.select_related("imported_by").order_by("-imported_at", "-id")
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "procurement/spend_import_list.html", {"page": page})
