"""Remembered spend file layouts: the mapping an officer confirmed for one header.

Saved when a file the officer mapped by hand is imported; the upload looks the header up by its
signature and imports the next file of that layout with the same mapping and no mapping step.
Edits go through core.concurrency.update_versioned (a stale edit is refused) and every save,
change and deletion is kept in the layout's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import save_new, update_versioned
from core.history import history_note
from procurement.importers.spend import SPEND_FIELDS, layout_signature
from procurement.models import SpendLayout

LABELS = {field: label for field, label, _required in SPEND_FIELDS}
REQUIRED = [field for field, _label, required in SPEND_FIELDS if required]


def spend_mapping_clean(*, mapping: Mapping[str, str], headings: Sequence[str]) -> dict[str, str]:
    """The mapping with the fields left out dropped, or a ValidationError naming each field
    that is required and missing, names a heading the file does not have, or shares a heading
    with a field above it."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    used: dict[str, str] = {}
    for field, label, required in SPEND_FIELDS:
        heading = mapping.get(field) or ""
        if not heading:
            if required:
                errors[field] = f"Select the column that holds the {label.lower()}"
            continue
        if heading not in headings:
            errors[field] = f"The file has no column “{heading}”"
        elif heading in used:
            errors[field] = (
                f"“{heading}” is already chosen for {LABELS[used[heading]].lower()}:"
                " choose a different column, or “Not in this file”"
            )
        else:
            used[heading] = field
            cleaned[field] = heading
    unknown = sorted(set(mapping) - set(LABELS))
    if unknown:
        errors["__all__"] = f"Unknown field: {', '.join(unknown)}"
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def spend_layout_save(
    *, headings: Sequence[str], mapping: Mapping[str, str], user: User | None
) -> SpendLayout:
    """Remember `mapping` for files with these `headings`, replacing any mapping they had."""
    cleaned = spend_mapping_clean(mapping=mapping, headings=headings)
    signature = layout_signature(list(headings))
    layout = SpendLayout.objects.select_for_update().filter(signature=signature).first()
    if layout is not None:
        return update_versioned(
            layout,
            expected_version=layout.version,
            # The headings as the newest file writes them, so the mapping names its columns.
            changes={"headings": list(headings), "mapping": cleaned, "saved_by": user},
            user=user,
        )
    layout = SpendLayout(
        signature=signature, headings=list(headings), mapping=cleaned, saved_by=user
    )
    save_new(layout, user=user)
    return layout


def spend_layout_update(
    *,
    layout: SpendLayout,
    mapping: Mapping[str, str],
    expected_version: int,
    user: User | None,
) -> SpendLayout:
    """Change a remembered layout's mapping; refused if someone changed it since
    `expected_version` (core.concurrency.StaleEdit)."""
    cleaned = spend_mapping_clean(mapping=mapping, headings=layout.headings)
    return update_versioned(
        layout,
        expected_version=expected_version,
        changes={"mapping": cleaned, "saved_by": user},
        user=user,
    )


@transaction.atomic
def spend_layout_forget(*, layout: SpendLayout, user: User | None) -> None:
    """Forget a layout: the next file with its header goes through the mapping step again.
    Its history, the deletion included, is kept."""
    if user is not None:
        history_note(layout, user=user)
    layout.delete()
