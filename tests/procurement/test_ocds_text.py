"""The OCDS importer's messages about text: where a NaN is, text no database can store, and
values too long to repeat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procurement.importers.ocds import IMPORTED, REJECTED, import_ocds_file
from procurement.models import Contract, Supplier

pytestmark = pytest.mark.django_db

CONTRACTS_FINDER = (
    Path(__file__).resolve().parent.parent / "data" / "ocds" / "contracts_finder_releases.json"
)
TRANSPORT = "ocds-b5fd17-a3e9d4c2-1b7f-4f0a-8c55-6d2e9b1a7f40"


def _package() -> dict:
    return json.loads(CONTRACTS_FINDER.read_text(encoding="utf-8"))


def _text(package: dict) -> str:
    return json.dumps(package, indent=1)  # a value a line, so lines can be counted


def test_nan_is_found_by_its_line_past_strings_that_spell_it():
    package = _package()
    package["releases"][0]["tender"]["title"] = 'NaN, "Infinity" and \\ -Infinity'
    text = _text(package).replace('"amount": 18500', '"amount": -Infinity', 1)
    line = text[: text.index("-Infinity,")].count("\n") + 1

    result = import_ocds_file(text.encode())

    assert result.status == REJECTED
    assert result.file_error.startswith(
        f"The file is not valid JSON: -Infinity is not a number JSON allows at line {line},"
    )


@pytest.mark.parametrize(
    "escaped,problem",
    [
        ("Bus\\u0000es", "holds a NUL character (\\u0000), which cannot be stored: remove it"),
        (
            "Bus\\ud800es",
            "holds half of a surrogate pair (\\ud800), which is not text: check how the file was"
            " made",
        ),
    ],
    ids=["nul", "lone-surrogate"],
)
def test_text_no_database_can_store_rejects_the_file_naming_release_and_field(escaped, problem):
    package = _package()
    package["releases"][1]["contracts"][0]["title"] = "PLACEHOLDER"
    text = _text(package).replace("PLACEHOLDER", escaped)

    result = import_ocds_file(text.encode())

    assert result.status == REJECTED
    assert result.errors == [f"{TRANSPORT} (release 2): contracts[0].title {problem}."]
    assert (Contract.objects.count(), Supplier.objects.count()) == (0, 0)


def test_an_emoji_written_as_a_surrogate_pair_is_imported():
    package = _package()
    package["releases"][1]["contracts"][0]["title"] = "School buses \U0001f68c"
    text = json.dumps(package)  # ensure_ascii: the emoji is written "\ud83d\ude8c"
    assert "\\ud83d\\ude8c" in text

    result = import_ocds_file(text.encode())

    assert result.status == IMPORTED, result.errors
    assert Contract.objects.get(ocid=TRANSPORT).title == "School buses \U0001f68c"


@pytest.mark.parametrize(
    "change,message",
    [
        (
            lambda contract: contract["value"].update(amount="9" * 100_000),
            f"contracts[0].value.amount is not a number: '{'9' * 60}…'.",
        ),
        (
            lambda contract: contract["period"].update(endDate=["x" * 100_000]),
            f"contracts[0].period.endDate is not a date: ['{'x' * 58}….",
        ),
    ],
    ids=["text", "list"],
)
def test_a_long_value_is_cut_to_sixty_characters_in_the_message(change, message):
    package = _package()
    change(package["releases"][1]["contracts"][0])

    result = import_ocds_file(json.dumps(package).encode())

    assert result.errors == [f"{TRANSPORT} (release 2): {message}"]


def test_a_long_ocid_is_cut_in_every_message_naming_the_release():
    package = _package()
    package["releases"][1]["ocid"] = "ocds-" + "x" * 100_000
    package["releases"][1].pop("date")

    result = import_ocds_file(json.dumps(package).encode())

    assert result.errors == [
        f"Release 2 (ocds-{'x' * 55}…): date is missing or is not a date and time, so it cannot"
        " be put in order."
    ]
