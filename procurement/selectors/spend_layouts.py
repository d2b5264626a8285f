"""Reads of the remembered spend file layouts (procurement.services.spend_layouts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from procurement.importers.spend_rules import SPEND_FIELDS, layout_signature
from procurement.models import SpendLayout
from procurement.selectors.register import FieldChange

NOT_IN_FILE = "Not in this file"


def spend_layout_for(*, headings: Sequence[str]) -> SpendLayout | None:
    """The layout remembered for a file with these headings, if any."""
    return SpendLayout.objects.filter(signature=layout_signature(list(headings))).first()


def spend_layout_list() -> QuerySet[SpendLayout]:
    return SpendLayout.objects.select_related("saved_by").order_by("-saved_at", "-id")


@dataclass(frozen=True)
class MappedField:
    field: str
    label: str
    required: bool
    heading: str  # "" when the field is not in the file


def spend_layout_fields(*, layout: SpendLayout) -> list[MappedField]:
    """Every field in display order with the heading the layout reads it from."""
    return [
        MappedField(field, label, required, layout.mapping.get(field, ""))
        for field, label, required in SPEND_FIELDS
    ]


@dataclass(frozen=True)
class LayoutChange:
    when: dt.datetime
    who: str
    action: str
    changes: list[FieldChange]


ACTIONS = {"+": "Saved", "~": "Changed", "-": "Forgotten"}


def spend_layout_history(*, layout: SpendLayout) -> list[LayoutChange]:
    """The layout's saves and changes, newest first, with who made them and which fields
    moved to which column: one query, each record compared with the one before it."""
    records = list(
        layout.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    entries = []
    for record, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            for field, label, _required in SPEND_FIELDS:
                before, after = older.mapping.get(field, ""), record.mapping.get(field, "")
                if before != after:
                    changes.append(FieldChange(label, before or NOT_IN_FILE, after or NOT_IN_FILE))
        user = record.history_user
        entries.append(
            LayoutChange(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "System",
                action=ACTIONS.get(record.history_type, "Changed"),
                changes=changes,
            )
        )
    return entries


@dataclass(frozen=True)
class PreviewColumn:
    heading: str
    values: list[str]  # the column's cell in each of the first rows


def spend_preview_columns(
    *, headings: Sequence[str], sample: Sequence[Sequence[str]]
) -> list[PreviewColumn]:
    """The file's columns each with its first rows' values, for a table that lists one column
    a row (a file of twenty columns reads down the page instead of off its side)."""
    return [
        PreviewColumn(heading, [row[index] if index < len(row) else "" for row in sample])
        for index, heading in enumerate(headings)
    ]


def spend_mapping_notes(
    *, missing: Sequence[str], ambiguous: Mapping[str, Sequence[str]]
) -> list[str]:
    """Why the file needs its columns mapped, one sentence per field, in display order."""
    notes: list[str] = []
    for field, label, _required in SPEND_FIELDS:
        if field in missing:
            notes.append(f"No column was recognised as the {label.lower()}.")
        elif field in ambiguous:
            names = [f"“{heading}”" for heading in ambiguous[field]]
            listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
            notes.append(f"{listed} could each be the {label.lower()}: choose one.")
    return notes
