"""The spend file upload form, and how an import's outcome reads to the officer."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from crispy_forms_gds.layout import (
    Button,
    Field,
)
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from core.forms import declared_field, form_helper
from procurement.importers.spend import (
    SPEND_FIELDS,
    SpendImportResult,
)
from procurement.importers.workbook import is_workbook
from procurement.selectors.spend_layouts import NOT_IN_FILE
from procurement.services.spend_layouts import spend_mapping_clean
from procurement.spend_messages import add_result_errors

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
OWN, OTHER = "own", "other"
OTHER_LABEL = "Another council or organisation"


class SpendImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a spend file",
        help_text=(
            "The “spend over £500” file as published, CSV or Excel (.xlsx), up to 100 MB. It"
            " needs columns for the supplier, the amount and the date paid."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
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

    whose = forms.ChoiceField(
        label="Whose spend is in the file?",
        help_text=(
            "A neighbouring council’s published file can be imported for comparison. Its spend"
            " is kept apart: this council’s dashboards, shares and review never count it."
        ),
        initial=OWN,
        required=False,  # the council's own unless another is chosen
    )
    publisher = forms.CharField(
        required=False,
        max_length=255,
        label="If another, its name",
        help_text="As it publishes its spend, for example Wychavon District Council.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        declared_field(self, "whose", forms.ChoiceField).choices = [
            (OWN, settings.COUNCIL_NAME),
            (OTHER, OTHER_LABEL),
        ]
        self.helper = form_helper(
            # A select, not radios with a conditional reveal: GOV.UK Frontend's reveal sets
            # aria-expanded on radio inputs, which axe (WCAG 4.1.2) refuses.
            Field.select("whose"),
            Field.text("publisher"),
            Field("file"),
            Field.checkbox("skip_bad_rows", small=True),
            Button("submit", "Import file"),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        publisher = (cleaned.get("publisher") or "").strip()
        ours = publisher.casefold() == settings.COUNCIL_NAME.casefold()
        if cleaned.get("whose") != OTHER or ours:
            publisher = ""
        elif not publisher:
            self.add_error("publisher", "Enter the name of the council or organisation")
        cleaned["publisher"] = publisher
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                "The selected file must be a CSV or an Excel workbook (.xlsx)"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 100 MB")
        if suffix == ".xlsx" and not is_workbook(upload):
            raise forms.ValidationError(
                "The selected file is not an Excel workbook: its contents do not match its name"
            )
        return upload

    def add_result_errors(self, result: SpendImportResult) -> None:
        add_result_errors(self, result, name=self.cleaned_data["file"].name, field="file")


class SpendMappingForm(forms.Form):
    """Which of the file's columns feeds each field: a select per field, listing the file's
    headings and "Not in this file", prefilled by recognition or by the remembered layout."""

    def __init__(
        self,
        *args,
        headings: Sequence[str],
        mapping: Mapping[str, str],
        skip_bad_rows: bool | None = None,
        submit: str = "Import file",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headings = [heading for heading in headings if heading.strip()]
        choices = [("", NOT_IN_FILE), *((heading, heading) for heading in self.headings)]
        for field, label, required in SPEND_FIELDS:
            self.fields[field] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=mapping.get(field, ""),
                help_text="Required" if required else "Optional",
            )
        layout = [Field.select(field) for field, _label, _required in SPEND_FIELDS]
        if skip_bad_rows is not None:
            skip = copy.deepcopy(SpendImportForm.base_fields["skip_bad_rows"])
            self.fields["skip_bad_rows"] = skip
            self.initial.setdefault("skip_bad_rows", skip_bad_rows)
            layout.append(Field.checkbox("skip_bad_rows", small=True))
        self.helper = form_helper(*layout, Button("submit", submit))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        mapping = {field: cleaned.get(field, "") for field, _label, _required in SPEND_FIELDS}
        try:
            cleaned["mapping"] = spend_mapping_clean(mapping=mapping, headings=self.headings)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(None if field == "__all__" else field, message)
        return cleaned


class SpendLayoutForm(SpendMappingForm):
    """A remembered layout's mapping, changed: it carries the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, submit="Save mapping", **kwargs)
        self.helper.layout.insert(0, Field("version"))
