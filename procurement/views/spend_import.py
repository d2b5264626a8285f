"""Uploading a "spend over £500" file, mapping its columns where they are not recognised, the
layouts remembered from that, and the list of files imported so far."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import editor_required, reader_required, signed_in_user
from core.concurrency import StaleEdit
from core.pagination import paginated
from jobs.models import Job
from procurement.forms.spend import (
    SpendImportForm,
    SpendLayoutForm,
    SpendMappingForm,
)
from procurement.importers.spend import IMPORTED, SpendImportResult, preview_spend_file
from procurement.models import SpendImport, SpendLayout
from procurement.selectors.spend_layouts import (
    spend_layout_fields,
    spend_layout_history,
    spend_layout_list,
    spend_mapping_notes,
    spend_preview_columns,
)
from procurement.services.spend_layouts import spend_layout_forget, spend_layout_update
from procurement.services.spend_summary import spend_summary_rebuild_queue
from procurement.services.spend_uploads import (
    spend_upload_get,
    spend_upload_import,
    spend_upload_import_mapped,
)
from procurement.spend_messages import (
    add_result_errors,
    layout_used_message,
    spend_import_success_message,
)

GONE = (
    "The file you uploaded is no longer kept: it has been imported, or it was uploaded more"
    " than a day ago or in another session. Upload it again."
)


@editor_required
def spend_import(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = SpendImportForm(request.POST, request.FILES) if posted else SpendImportForm()
    if posted and form.is_valid():
        data = form.cleaned_data
        outcome = spend_upload_import(
            session=request.session,
            upload=data["file"],
            user=signed_in_user(request),
            skip_bad_rows=data["skip_bad_rows"],
            publisher=data["publisher"],
        )
        if outcome.kept:
            return redirect("procurement:spend-import-mapping", token=outcome.kept.token)
        if outcome.job:
            return redirect("jobs:job-detail", pk=outcome.job.pk)
        result = outcome.result
        assert result is not None  # neither kept nor queued, so imported or refused
        if result.status == IMPORTED:
            _imported_messages(request, result)
            return redirect("procurement:spend-import-list")
        form.add_result_errors(result)
        if outcome.layout and result.errors:
            form.add_error(None, layout_used_message(outcome.layout))
    return render(request, "procurement/spend_import.html", {"form": form})


@editor_required
def spend_import_mapping(request: HttpRequest, token: str) -> HttpResponse:
    kept = spend_upload_get(session=request.session, token=token)
    if kept is None:
        messages.warning(request, GONE)
        return redirect("procurement:spend-import")
    with kept.path.open("rb") as source:
        preview = preview_spend_file(source, filename=kept.filename)
    posted = request.method == "POST"
    form = SpendMappingForm(
        request.POST if posted else None,
        headings=preview.headings,
        mapping=preview.mapping,
        skip_bad_rows=kept.skip_bad_rows,
    )
    if posted and form.is_valid():
        result = spend_upload_import_mapped(
            session=request.session,
            kept=kept,
            headings=preview.headings,
            mapping=form.cleaned_data["mapping"],
            user=signed_in_user(request),
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
        )
        if isinstance(result, Job):
            return redirect("jobs:job-detail", pk=result.pk)
        if result.status == IMPORTED:
            _imported_messages(request, result)
            return redirect("procurement:spend-import-list")
        add_result_errors(form, result, name=kept.filename, field=None)
    columns = spend_preview_columns(headings=preview.headings, sample=preview.sample)
    notes = spend_mapping_notes(missing=preview.missing, ambiguous=preview.ambiguous)
    context = {"form": form, "kept": kept, "columns": columns, "notes": notes}
    return render(request, "procurement/spend_import_mapping.html", context)


@reader_required
def spend_import_list(request: HttpRequest) -> HttpResponse:
    imports = SpendImport.objects.select_related("imported_by").order_by("-imported_at", "-id")
    return render(request, "procurement/spend_import_list.html", paginated(request, imports))


@require_POST
@editor_required
def spend_summary_rebuild(request: HttpRequest) -> HttpResponse:
    job = spend_summary_rebuild_queue(user=signed_in_user(request))
    return redirect("jobs:job-detail", pk=job.pk)


@reader_required
def spend_layouts(request: HttpRequest) -> HttpResponse:
    layouts = spend_layout_list()
    return render(request, "procurement/spend_layout_list.html", {"layouts": layouts})


@reader_required
def spend_layout(request: HttpRequest, pk: int) -> HttpResponse:
    layout = get_object_or_404(SpendLayout.objects.select_related("saved_by"), pk=pk)
    context = {
        "layout": layout,
        "fields": spend_layout_fields(layout=layout),
        "history": spend_layout_history(layout=layout),
    }
    return render(request, "procurement/spend_layout_detail.html", context)


@editor_required
def spend_layout_edit(request: HttpRequest, pk: int) -> HttpResponse:
    layout = get_object_or_404(SpendLayout, pk=pk)
    options = {"headings": layout.headings, "mapping": layout.mapping}
    if request.method != "POST":
        form = SpendLayoutForm(initial={"version": layout.version}, **options)
    else:
        form = SpendLayoutForm(request.POST, **options)
        if form.is_valid():
            try:
                spend_layout_update(
                    layout=layout,
                    mapping=form.cleaned_data["mapping"],
                    expected_version=form.cleaned_data["version"],
                    user=signed_in_user(request),
                )
            except StaleEdit as error:
                form.add_error(None, error.messages[0])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The mapping for this layout has been changed")
                return redirect("procurement:spend-layout-detail", pk=layout.pk)
    return render(request, "procurement/spend_layout_form.html", {"form": form, "layout": layout})


@editor_required
def spend_layout_delete(request: HttpRequest, pk: int) -> HttpResponse:
    layout = get_object_or_404(SpendLayout, pk=pk)
    if request.method == "POST":
        spend_layout_forget(layout=layout, user=signed_in_user(request))
        messages.success(
            request,
            "The layout has been forgotten: the next file with these columns will ask for"
            " its columns to be mapped",
        )
        return redirect("procurement:spend-layout-list")
    return render(request, "procurement/spend_layout_delete.html", {"layout": layout})


def _imported_messages(request: HttpRequest, result: SpendImportResult) -> None:
    messages.success(request, spend_import_success_message(result))
    for conflict in result.supplier_conflicts:  # kept apart by procurement.identity
        messages.warning(request, conflict)
