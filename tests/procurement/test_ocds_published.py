"""The OCDS import on files as Contracts Finder and the ocdskit project published them (copies in
tests/data/real/ocds/, Open Government Licence v3.0: see the README there)."""

from __future__ import annotations

import io
import json
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from procurement.importers.ocds import DRY_RUN, IMPORTED, REJECTED, import_ocds_file, read
from procurement.models import Contract, Supplier

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parent.parent / "data" / "real" / "ocds"
NATIONAL = REAL / "contracts_finder_2020_100_releases.json"
RECORDS = REAL / "ocdskit_record-package_package.json"
VERSIONED = REAL / "ocdskit_record-package_versioned.json"
SPLIT = REAL / "ocdskit_release-package_split.json"

LEEDS_ROOFING = "ocds-b5fd17raw-09e6e811-41bd-4218-b9d3-15d8f6509291"
LEEDS_PPE = "ocds-b5fd17raw-56aecdd9-b2a0-42ed-92d6-6de7776b508d"
LEEDS_PARTS = "ocds-b5fd17raw-775354f4-dd2e-41ee-ac99-0ac35ecafabc"
BRADFORD = "ocds-b5fd17raw-3227e9c8-1e7c-487f-ac15-416a1264e925"
MEXICO_063 = "OCDS-87SD3T-AD-SF-DRM-063-2015"
MEXICO_065 = "OCDS-87SD3T-AD-SF-DRM-065-2015"
EVERY_BUYER: dict[str, list[str]] = {"buyers": [], "buyer_ids": []}


def _package(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _bytes(value: dict) -> bytes:
    return json.dumps(value).encode()


def _in_pounds(path: Path) -> bytes:
    """The ocdskit file with its pesos and dollars relabelled as pounds, so it imports."""
    text = path.read_text(encoding="utf-8")
    return text.replace('"MXN"', '"GBP"').replace('"USD"', '"GBP"').encode()


# -- a national file: the council's releases only -----------------------------------------------


def test_a_national_file_with_none_of_the_councils_releases_imports_nothing_and_counts_them():
    result = import_ocds_file(NATIONAL)  # the setting: Worcestershire County Council

    assert result.status == IMPORTED
    assert (result.releases_imported, result.left_out, len(result.skipped)) == (0, 100, 0)
    assert (Contract.objects.count(), Supplier.objects.count()) == (0, 0)


def test_one_buyers_releases_are_imported_and_the_other_buyers_counted():
    result = import_ocds_file(NATIONAL, buyers=["Leeds City Council"])

    assert result.status == IMPORTED
    assert (result.releases_imported, result.left_out, result.skipped) == (3, 97, [])
    assert (result.contracts_created, result.suppliers_created, result.frameworks) == (3, 10, 3)
    contracts = {
        contract.ocid: (contract.total_value, contract.framework_suppliers.count())
        for contract in Contract.objects.all()
    }
    assert contracts == {
        LEEDS_ROOFING: (Decimal("2250000.00"), 2),
        LEEDS_PPE: (Decimal("2040000.00"), 5),
        LEEDS_PARTS: (Decimal("225000.00"), 3),
    }
    assert Supplier.objects.count() == 10


def test_the_buyer_setting_chooses_the_releases(settings):
    settings.OCDS_BUYER_NAMES = ["LEEDS CITY COUNCIL."]  # case and punctuation do not matter
    settings.OCDS_BUYER_IDS = ["908deaf98dbc0a8ed683db89fff1fdda"]  # Hampshire, by its id

    result = import_ocds_file(NATIONAL, dry_run=True)

    assert (result.status, result.releases_imported, result.left_out) == (DRY_RUN, 4, 96)


def test_a_buyer_written_with_an_html_entity_is_matched_by_its_plain_name():
    # Contracts Finder writes "Telford &amp; Wrekin Council".
    result = import_ocds_file(NATIONAL, buyers=["Telford & Wrekin Council"], dry_run=True)

    assert (result.releases_imported, result.left_out, result.frameworks) == (2, 98, 2)


def test_every_buyer_the_whole_national_file_imports_with_its_frameworks():
    result = import_ocds_file(NATIONAL, **EVERY_BUYER)

    assert result.status == IMPORTED
    assert (result.releases_imported, result.left_out, result.skipped) == (100, 0, [])
    assert result.contracts_created == Contract.objects.count() == 100
    # Every award names 2 to 73 suppliers; in one ("Places for People Group") the same firm is
    # named twice (Civica Uk Limited, Civica UK Limited), so it is one supplier's contract.
    assert result.frameworks == Contract.objects.filter(is_framework=True).count() == 99
    bradford = Contract.objects.get(ocid=BRADFORD)
    assert bradford.title == "Construction Contractors Framework (4)"
    assert bradford.total_value == Decimal("20000000.00")
    assert bradford.framework_suppliers.count() == 69
    biggest = Contract.objects.filter(total_value=Decimal("470184791.00"))
    assert biggest.count() == 2  # Cambridgeshire's children's placements, two lots
    assert all(contract.is_framework for contract in biggest)


def test_no_html_entity_is_stored_from_the_national_file():
    import_ocds_file(NATIONAL, **EVERY_BUYER)

    assert not Supplier.objects.filter(name__contains="&amp;").exists()
    assert not Supplier.objects.filter(name__contains="&#").exists()
    assert not Contract.objects.filter(title__contains="&#").exists()
    assert not Contract.objects.filter(description__contains="&#039;").exists()
    assert Supplier.objects.filter(name="Alfred Bagnall & Sons (North) Limited").count() == 1


def test_the_command_reports_imported_and_left_out_releases():
    out = io.StringIO()

    call_command("import_ocds", str(NATIONAL), "--buyer", "Leeds City Council", stdout=out)

    assert (
        "3 releases imported (3 contracts created, 0 updated, 10 suppliers created, 3 framework"
        " agreements); 97 releases from other buyers left out." in out.getvalue()
    )


def test_the_command_takes_several_buyers_and_every_buyer():
    out = io.StringIO()

    call_command(
        "import_ocds",
        str(NATIONAL),
        "--buyer",
        "Leeds City Council",
        "--buyer",
        "Bradford Metropolitan District Council",
        "--dry-run",
        stdout=out,
    )
    call_command("import_ocds", str(NATIONAL), "--all-buyers", "--dry-run", stdout=out)

    assert "4 releases imported" in out.getvalue()
    assert "96 releases from other buyers left out" in out.getvalue()
    assert "100 releases imported (100 contracts created" in out.getvalue()


# -- releases the council cannot use: skipped, named, counted --------------------------------


def _national_with_a_withheld_supplier() -> bytes:
    package = _package(NATIONAL)
    release = next(r for r in package["releases"] if r["ocid"] == LEEDS_PARTS)
    supplier_id = release["awards"][0]["suppliers"][1]["id"]
    for party in release["parties"]:
        if party["id"] == supplier_id:
            party["name"] = ""
    release["awards"][0]["suppliers"][1]["name"] = " "
    return _bytes(package)


def test_a_release_with_a_withheld_supplier_is_skipped_and_named_and_the_rest_imports():
    result = import_ocds_file(_national_with_a_withheld_supplier(), buyers=["Leeds City Council"])

    assert result.status == IMPORTED
    assert (result.releases_imported, result.left_out) == (2, 97)
    assert result.skipped_by_reason() == {"a supplier is not named": 1}
    assert [item.message for item in result.skipped] == [
        f"{LEEDS_PARTS} (release 53) skipped: awards[0].supplier 2 has no name (withheld)."
    ]
    assert set(Contract.objects.values_list("ocid", flat=True)) == {LEEDS_ROOFING, LEEDS_PPE}


def test_strict_refuses_the_file_for_a_withheld_supplier(tmp_path):
    path = tmp_path / "national.json"
    path.write_bytes(_national_with_a_withheld_supplier())
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem found, so nothing was imported"):
        call_command(
            "import_ocds", str(path), "--buyer", "Leeds City Council", "--strict", stderr=err
        )

    assert f"{LEEDS_PARTS} (release 53): awards[0].supplier 2 has no name" in err.getvalue()
    assert Contract.objects.count() == 0


def test_the_command_exits_normally_and_summarises_skipped_releases_by_reason(tmp_path):
    path = tmp_path / "national.json"
    path.write_bytes(_national_with_a_withheld_supplier())
    out = io.StringIO()

    call_command("import_ocds", str(path), "--buyer", "Leeds City Council", stdout=out)

    assert f"{LEEDS_PARTS} (release 53) skipped: awards[0].supplier 2" in out.getvalue()
    assert (
        "2 releases imported (2 contracts created, 0 updated, 7 suppliers created, 2 framework"
        " agreements); 1 release skipped (a supplier is not named: 1); 97 releases from other"
        " buyers left out." in out.getvalue()
    )


def test_a_record_package_in_pesos_and_dollars_is_skipped_release_by_release():
    result = import_ocds_file(RECORDS, **EVERY_BUYER)

    assert result.status == IMPORTED
    assert result.skipped_by_reason() == {"a value not in pounds": 2}
    assert [item.message for item in result.skipped] == [
        f"{MEXICO_063} (record 1) skipped: contracts[0].value is in MXN; only pounds (GBP) can"
        " be imported.",
        f"{MEXICO_065} (record 2) skipped: contracts[0].value is in USD; only pounds (GBP) can"
        " be imported.",
    ]
    assert Contract.objects.count() == 0


@pytest.mark.parametrize("path", [RECORDS, VERSIONED, SPLIT])
def test_the_ocdskit_files_are_another_buyers_by_default(path):
    result = import_ocds_file(path)

    assert (result.status, result.releases_imported, result.left_out) == (IMPORTED, 0, 2)


# -- the forms a file takes ---------------------------------------------------------------------


def test_concatenated_packages_are_read_and_each_ocids_releases_compiled():
    result = import_ocds_file(_in_pounds(SPLIT), **EVERY_BUYER)

    assert result.status == IMPORTED
    assert (result.releases_imported, result.contracts_created, result.skipped) == (2, 2, [])
    values = dict(Contract.objects.values_list("ocid", "total_value"))
    assert values == {MEXICO_063: Decimal("1311264.00"), MEXICO_065: Decimal("75464.96")}


def test_concatenated_packages_name_each_skipped_release_by_its_numbers_and_line():
    result = import_ocds_file(SPLIT, **EVERY_BUYER)

    assert [item.message.split(" skipped: ")[0] for item in result.skipped] == [
        f"{MEXICO_063} (releases 1, 2, line 1)",
        f"{MEXICO_065} (releases 3, 4, line 2)",
    ]


def test_the_split_file_gives_the_records_compiled_release():
    """ocdsmerge compiling the split file's four releases gives what the record package's
    compiled releases give: the same two contracts, field for field."""
    import_ocds_file(_in_pounds(SPLIT), **EVERY_BUYER)
    from_releases = list(Contract.objects.order_by("reference").values(*FIELDS))
    Contract.objects.all().delete()

    import_ocds_file(_in_pounds(RECORDS), **EVERY_BUYER)

    assert list(Contract.objects.order_by("reference").values(*FIELDS)) == from_releases


FIELDS = ("reference", "title", "total_value", "start_date", "end_date", "status", "route")


def _records_without_compiled_release() -> dict:
    package = json.loads(_in_pounds(VERSIONED))
    for record in package["records"]:
        del record["compiledRelease"]
    return package


def test_a_record_with_only_a_versioned_release_takes_its_latest_values():
    import_ocds_file(_in_pounds(RECORDS), **EVERY_BUYER)
    compiled = list(Contract.objects.order_by("reference").values(*FIELDS))
    Contract.objects.all().delete()
    package = _records_without_compiled_release()
    for record in package["records"]:
        del record["releases"]  # so the versioned release is all there is

    result = import_ocds_file(_bytes(package), **EVERY_BUYER)

    assert (result.status, result.contracts_created) == (IMPORTED, 2)
    assert list(Contract.objects.order_by("reference").values(*FIELDS)) == compiled


def test_a_record_with_only_its_releases_is_compiled_by_the_merge_rules():
    import_ocds_file(_in_pounds(RECORDS), **EVERY_BUYER)
    compiled = list(Contract.objects.order_by("reference").values(*FIELDS))
    Contract.objects.all().delete()
    package = _records_without_compiled_release()
    for record in package["records"]:
        del record["versionedRelease"]

    result = import_ocds_file(_bytes(package), **EVERY_BUYER)

    assert (result.status, result.contracts_created) == (IMPORTED, 2)
    assert list(Contract.objects.order_by("reference").values(*FIELDS)) == compiled


def test_json_lines_of_releases_import_as_the_package_does():
    lines = "\n".join(json.dumps(release) for release in _package(NATIONAL)["releases"])

    result = import_ocds_file(lines.encode(), buyers=["Leeds City Council"])

    assert (result.releases_imported, result.left_out, result.frameworks) == (3, 97, 3)
    assert Contract.objects.filter(is_framework=True).count() == 3


def test_json_lines_name_a_skipped_release_by_its_line():
    releases = _package(NATIONAL)["releases"][:3]
    releases[2]["awards"] = []
    lines = "\n".join(json.dumps(release) for release in releases) + "\n"

    result = import_ocds_file(lines.encode(), **EVERY_BUYER)

    assert result.releases_imported == 2
    assert [item.message for item in result.skipped] == [
        f"{releases[2]['ocid']} (release 3, line 3) skipped: no award or contract yet."
    ]


def test_malformed_json_on_one_line_refuses_the_whole_file():
    releases = [json.dumps(release) for release in _package(NATIONAL)["releases"][:3]]
    releases[1] = releases[1][:-1]  # the second release loses its closing brace

    result = import_ocds_file("\n".join(releases).encode(), **EVERY_BUYER)

    assert result.status == REJECTED
    assert result.file_error.startswith("The file is not valid JSON:")
    assert "line 2, column" in result.file_error or "line 3, column" in result.file_error
    assert Contract.objects.count() == 0


def test_a_package_after_a_package_that_is_not_ocds_is_refused_naming_its_line():
    content = b'{"releases": []}\n{"results": []}\n'

    result = import_ocds_file(content)

    assert result.status == REJECTED
    assert result.file_error.startswith("Line 2: The file is JSON but not an OCDS package")


# -- the merge rules come from the shipped schema: nothing is downloaded -------------------------


def test_releases_are_compiled_with_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the import tried to reach the network")

    read.merge_rules.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)

    result = import_ocds_file(_in_pounds(SPLIT), **EVERY_BUYER)

    assert (result.status, result.contracts_created) == (IMPORTED, 2)
    rules = read.merge_rules()
    assert rules[("parties", "roles")] == "wholeListMerge"  # from the shipped 1.1 schema
    assert rules[("tender", "submissionMethod")] == "wholeListMerge"
    read.merge_rules.cache_clear()


def test_releases_of_one_ocid_the_merge_rules_cannot_compile_refuse_the_file_naming_them():
    release = _package(NATIONAL)["releases"][5]
    later = {**release, "date": "2021-01-01T00:00:00Z", "tender": [{"id": "1"}]}

    result = import_ocds_file(_bytes({"releases": [release, later]}), **EVERY_BUYER)

    assert result.status == REJECTED
    assert len(result.errors) == 1
    assert result.errors[0].startswith(
        f"{LEEDS_ROOFING} (releases 1, 2): its releases cannot be compiled by the OCDS merge rules"
    )
    assert Contract.objects.count() == 0


def test_the_command_takes_a_buyer_by_its_identifier():
    out = io.StringIO()

    call_command(
        "import_ocds",
        str(NATIONAL),
        "--buyer-id",
        "908deaf98dbc0a8ed683db89fff1fdda",  # Hampshire County Council, as the file gives it
        "--dry-run",
        stdout=out,
    )

    assert "1 release imported" in out.getvalue()
    assert "99 releases from other buyers left out" in out.getvalue()


def test_the_command_refuses_every_buyer_and_one_buyer_together():
    with pytest.raises(CommandError, match="not both"):
        call_command("import_ocds", str(NATIONAL), "--all-buyers", "--buyer", "Leeds")
