"""Remembered spend layouts: what a mapping must hold, and one layout per header."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from procurement.models import SpendLayout
from procurement.selectors.spend_layouts import spend_layout_for, spend_mapping_notes
from procurement.services.spend_layouts import spend_layout_save, spend_mapping_clean

pytestmark = pytest.mark.django_db

HEADINGS = ["Updated", "Payee", "Value", "Notes"]
MAPPING = {"date": "Updated", "supplier": "Payee", "amount": "Value"}


def test_a_mapping_drops_the_fields_left_out():
    cleaned = spend_mapping_clean(mapping={**MAPPING, "reference": ""}, headings=HEADINGS)

    assert cleaned == MAPPING


def test_a_mapping_names_each_problem_by_field():
    with pytest.raises(ValidationError) as refusal:
        spend_mapping_clean(
            mapping={"supplier": "Payee", "amount": "Payee", "reference": "Ref", "colour": "x"},
            headings=HEADINGS,
        )

    errors = refusal.value.message_dict
    assert errors["date"] == ["Select the column that holds the date paid"]
    assert errors["amount"] == [
        "“Payee” is already chosen for supplier: choose a different column, or “Not in this file”"
    ]
    assert errors["reference"] == ["The file has no column “Ref”"]
    assert errors["__all__"] == ["Unknown field: colour"]


def test_saving_the_same_header_again_changes_the_one_layout(officer):
    first = spend_layout_save(headings=HEADINGS, mapping=MAPPING, user=officer)

    # The same header as next month's file writes it: the signature folds case and spaces.
    again = spend_layout_save(
        headings=["UPDATED", "payee ", "Value", "Notes"],
        mapping={"date": "UPDATED", "supplier": "payee ", "amount": "Value"},
        user=officer,
    )

    assert SpendLayout.objects.count() == 1
    assert (again.pk, again.version) == (first.pk, 2)
    assert again.headings == ["UPDATED", "payee ", "Value", "Notes"]
    assert SpendLayout.history.filter(id=first.pk).count() == 2
    assert spend_layout_for(headings=["updated", "Payee", "value", "notes"]) == again
    assert spend_layout_for(headings=["Updated", "Payee", "Value"]) is None


def test_the_notes_say_what_could_not_be_placed_in_field_order():
    notes = spend_mapping_notes(
        missing=["supplier", "date"], ambiguous={"amount": ["Net", "Gross", "Total"]}
    )

    assert notes == [
        "No column was recognised as the date paid.",
        "No column was recognised as the supplier.",
        "“Net”, “Gross” and “Total” could each be the amount: choose one.",
    ]
