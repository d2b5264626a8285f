"""The spend file upload form, and how an import's outcome reads to the officer."""

from __future__ import annotations

from pathlib import Path

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.text import counted
from procurement.importers.spend import (
    ALREADY_IMPORTED,
    SpendImportResult,
    format_pounds,
)

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt")
ERRORS_SHOWN = 50


class SpendImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a spend file",
        help_text=(
            "The “spend over £500” CSV file as published, up to 100 MB. It needs columns for"
            " the supplier, the amount and the date paid."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={"required": "Select a spend file", "empty": "The selected file is empty"},
    )
    skip_bad_rows = forms.BooleanField(
        required=False,
        label="Skip bad rows",
        help_text=(
            "Import the rows that are correct and leave out the rest. Otherwise one bad row"
            " stops the whole file being imported."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field("file"),
            Field.checkbox("skip_bad_rows", small=True),
            Button("submit", "Import file"),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("The selected file must be a CSV")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 100 MB")
        return upload

    def add_result_errors(self, result: SpendImportResult) -> None:
        """Explain why the file was not imported: the file's problem, or its bad rows by line."""
        name = self.cleaned_data["file"].name
        if result.status == ALREADY_IMPORTED:
            when = timezone.localtime(result.spend_import.imported_at)
            self.add_error(
                "file",
                f"This file was already imported on {date_format(when, 'j F Y')}"
                f" (as {result.spend_import.filename}), so nothing was imported",
            )
        elif result.file_error:
            self.add_error("file", f"{name} could not be imported: {result.file_error}")
        else:
            rows = "1 row has" if result.error_count == 1 else f"{result.error_count} rows have"
            self.add_error(None, f"{name} was not imported because {rows} errors")
            shown = result.errors[:ERRORS_SHOWN]
            for error in shown:
                self.add_error(None, f"Line {error.line}: {error.message}")
            if result.error_count > len(shown):
                self.add_error(None, f"…and {result.error_count - len(shown)} more")
            advice = "Correct the rows listed and upload the file again"
            if not self.cleaned_data.get("skip_bad_rows"):
                advice += ", or select “Skip bad rows”"
            self.add_error("file", advice)


def spend_import_success_message(result: SpendImportResult) -> str:
    spend_import = result.spend_import
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
