"""The words a spend import's outcome is told in: the upload page's message or errors, and a
background job's report (the same words). Used by the upload views and the import task."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from core.dates import day_month_year
from core.money import format_pounds
from core.text import counted
from procurement.importers.spend import ALREADY_IMPORTED, IMPORTED, SpendImportResult
from procurement.models import SpendLayout

ERRORS_SHOWN = 50  # bad rows listed by line; the rest are counted


def add_result_errors(
    form: forms.Form, result: SpendImportResult, *, name: str, field: str | None
) -> None:
    """Explain on `form` why the file was not imported: the file's problem, or its bad rows by
    line. `field` is the field the advice belongs to (None: the whole form)."""
    if result.status == ALREADY_IMPORTED and result.spend_import is not None:
        when = timezone.localtime(result.spend_import.imported_at)
        form.add_error(
            field,
            f"This file was already imported on {day_month_year(when, long=True)}"
            f" (as {result.spend_import.filename}), so nothing was imported",
        )
    elif result.file_error:
        form.add_error(field, f"{name} could not be imported: {result.file_error}")
    else:
        count = len(result.errors) if result.error_count is None else result.error_count
        rows = f"{counted(count, 'row')} {'has' if count == 1 else 'have'}"
        form.add_error(None, f"{name} was not imported because {rows} errors")
        shown = result.errors[:ERRORS_SHOWN]
        for error in shown:
            form.add_error(None, f"Line {error.line}: {error.message}")
        if count > len(shown):
            form.add_error(None, f"…and {count - len(shown)} more")
        advice = "Correct the rows listed and upload the file again"
        if not form.cleaned_data.get("skip_bad_rows"):
            advice += ", or select “Skip bad rows”"
        form.add_error(field, advice)


def layout_used_message(layout: SpendLayout) -> str:
    when = day_month_year(timezone.localtime(layout.saved_at), long=True)
    return (
        f"The columns were read as remembered for this layout on {when}. If they are read"
        " wrongly, change the mapping under “Remembered file layouts” on the spend imports page"
    )


def spend_import_success_message(result: SpendImportResult) -> str:
    spend_import = result.spend_import
    assert spend_import is not None  # an imported file has its import
    message = (
        f"Imported {counted(result.rows_imported, 'row')} totalling"
        f" {format_pounds(result.total_amount)}"
        f" from {spend_import.filename}"
    )
    if result.suppliers_created:
        message += f"; {counted(result.suppliers_created, 'new supplier')} added"
    if result.rows_skipped:
        lines = ", ".join(str(error.line) for error in result.errors[:10])
        more = "…" if result.rows_skipped > 10 else ""
        message += f"; {counted(result.rows_skipped, 'bad row')} skipped (lines {lines}{more})"
    return message


def spend_import_report(
    result: SpendImportResult,
    *,
    name: str,
    skip_bad_rows: bool,
    layout: SpendLayout | None = None,
    kept_token: str = "",
) -> dict[str, Any]:
    """An import's outcome as a background job's page shows it: the same words the upload
    page shows (its message, or its errors) and where to go next."""
    if result.status == IMPORTED:
        return {
            "succeeded": True,
            "messages": [spend_import_success_message(result)],
            "warnings": list(result.supplier_conflicts),
            "errors": [],
            "links": [
                {"text": "See the spend imports", "url": reverse("procurement:spend-import-list")}
            ],
        }
    collected = forms.Form(data={})
    collected.is_valid()
    collected.cleaned_data["skip_bad_rows"] = skip_bad_rows
    add_result_errors(collected, result, name=name, field=None)
    errors = [str(error) for error in collected.non_field_errors()]
    if layout is not None and result.errors:
        errors.append(layout_used_message(layout))
    if kept_token:
        url = reverse("procurement:spend-import-mapping", kwargs={"token": kept_token})
        link = {"text": "Change how the file’s columns are read", "url": url}
    else:
        link = {"text": "Upload a spend file", "url": reverse("procurement:spend-import")}
    return {"succeeded": False, "messages": [], "warnings": [], "errors": errors, "links": [link]}
