from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.importers.ocds import (
    DRY_RUN,
    IMPORTED,
    REJECTED,
    contract_reference,
    import_ocds_file,
    is_local_postcode,
)
from procurement.models import Contract, Route, Supplier
from tests.factories import UserFactory
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "ocds"
CONTRACTS_FINDER = DATA / "contracts_finder_releases.json"
FIND_A_TENDER = DATA / "find_a_tender_records.json"
AMENDMENT = DATA / "contracts_finder_amendment.json"

GROUNDS = "ocds-b5fd17-6f1c2b0e-5d3a-4c8e-9a71-2e4b8f0c1d23"
TRANSPORT = "ocds-b5fd17-a3e9d4c2-1b7f-4f0a-8c55-6d2e9b1a7f40"
CLEANING = "ocds-b5fd17-0d4f7e19-8c2b-4a6d-b3f1-9e5c2a8d7b61"
VERGES = "ocds-h6vhtk-04a1b2"
YOUTH = "ocds-h6vhtk-03f9e0"
PRINT = "ocds-h6vhtk-04b7c8"


def _counts() -> tuple[int, int, int, int]:
    return (
        Contract.objects.count(),
        Supplier.objects.count(),
        Contract.history.count(),
        Supplier.history.count(),
    )


def _package(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _bytes(package: dict) -> bytes:
    return json.dumps(package).encode("utf-8")


def _contract(ocid: str) -> Contract:
    return Contract.objects.select_related("supplier").get(ocid=ocid)


# -- importing the sample files -----------------------------------------------------------------


def test_it_imports_a_contracts_finder_release_package():
    result = import_ocds_file(CONTRACTS_FINDER)

    assert result.status == IMPORTED
    assert (result.contracts_created, result.contracts_updated, result.suppliers_created) == (
        3,
        0,
        3,
    )
    assert result.errors == [] and result.file_error is None
    assert _counts() == (3, 3, 3, 3)
    # The tender-only release (no award yet) is named, with its reason, and skipped.
    assert result.warnings == []
    assert [(item.reason, item.message[:29]) for item in result.skipped] == [
        ("no award yet", "ocds-b5fd17-c8b1e2f3-4d5a-4e6")
    ]
    assert "(release 5) skipped: no award or contract yet." in result.skipped[0].message
    assert (result.releases_imported, result.skipped_by_reason(), result.left_out) == (
        3,
        {"no award yet": 1},
        0,
    )


def test_a_contract_takes_its_values_from_the_contract_block():
    import_ocds_file(CONTRACTS_FINDER)

    contract = _contract(TRANSPORT)
    assert contract.reference == f"{TRANSPORT}/1"
    assert contract.title == "Day opportunities transport, Malvern Hills"
    assert contract.description.startswith("Accessible door-to-door transport")
    assert contract.total_value == Decimal("18500.00")
    assert (contract.start_date, contract.end_date) == (dt.date(2025, 7, 7), dt.date(2029, 7, 6))
    assert contract.supplier.name == "Malvern Hills Community Transport"


def test_later_releases_for_the_same_ocid_in_one_file_update_the_earlier_one():
    import_ocds_file(CONTRACTS_FINDER)

    contract = Contract.objects.get(ocid=GROUNDS)
    # First release: £48,000 to June 2028; the later award update: £52,500 to June 2029.
    assert contract.total_value == Decimal("52500.00")
    assert contract.end_date == dt.date(2029, 6, 30)
    assert contract.start_date == dt.date(2025, 7, 1)
    # Fields only the first release gave are kept (OCDS merging).
    assert contract.title == "Grounds maintenance of county council sites (north)"
    assert contract.description.startswith("Grass cutting")
    # Contracts Finder repeats the ocid in the award id: the reference drops the repetition.
    assert contract.reference == f"{GROUNDS}/award-1"
    assert contract.history.count() == 1


def test_an_award_with_no_contract_takes_its_period_from_the_award():
    import_ocds_file(CONTRACTS_FINDER)

    contract = _contract(GROUNDS)
    assert contract.supplier.name == "Severn Valley Grounds Maintenance Ltd"
    assert contract.status == Contract.Status.LIVE


def test_a_supplier_with_a_company_number_and_sme_scale_is_recorded_as_small():
    import_ocds_file(CONTRACTS_FINDER)

    supplier = _contract(GROUNDS).supplier
    assert supplier.company_number == "09876543"
    assert supplier.charity_number == ""
    assert supplier.size == Supplier.Size.SMALL
    assert supplier.is_sme is True
    assert supplier.is_vcse is False
    assert supplier.postcode == "WR4 9FA"  # written in lower case in the first release
    assert supplier.is_local is True
    assert supplier.normalised_name == "severn valley grounds maintenance"


def test_a_charity_is_recorded_as_vcse():
    import_ocds_file(CONTRACTS_FINDER)

    supplier = _contract(TRANSPORT).supplier
    assert supplier.charity_number == "1098765"
    assert supplier.company_number == ""
    assert supplier.is_vcse is True
    assert supplier.size == Supplier.Size.MICRO
    assert supplier.is_local is True


def test_a_seven_digit_company_number_is_padded_and_a_birmingham_firm_is_not_local():
    import_ocds_file(CONTRACTS_FINDER)

    supplier = _contract(CLEANING).supplier
    assert supplier.company_number == "01234567"
    assert supplier.size == Supplier.Size.LARGE
    assert supplier.is_local is False


@pytest.mark.parametrize(
    "ocid,route,status",
    [
        (GROUNDS, Route.OPEN, Contract.Status.LIVE),  # open
        (TRANSPORT, Route.DIRECT, Contract.Status.LIVE),  # limited
        (CLEANING, Route.RESTRICTED, Contract.Status.EXPIRED),  # selective, ended March 2025
        (YOUTH, Route.DIRECT, Contract.Status.TERMINATED),  # direct, terminated
        (PRINT, Route.RESTRICTED, Contract.Status.DRAFT),  # selective, pending
        (VERGES, Route.OPEN, Contract.Status.LIVE),
    ],
)
def test_it_maps_the_procurement_method_and_contract_status(ocid, route, status):
    import_ocds_file(CONTRACTS_FINDER)
    import_ocds_file(FIND_A_TENDER)

    contracts = Contract.objects.filter(ocid=ocid)
    assert {(c.route, c.status) for c in contracts} == {(route, status)}


def test_a_procurement_method_it_does_not_know_becomes_other():
    package = _package(CONTRACTS_FINDER)
    package["releases"][1]["tender"]["procurementMethod"] = "framework"

    import_ocds_file(_bytes(package))

    assert _contract(TRANSPORT).route == Route.OTHER


def test_a_terminated_contract_stays_terminated_after_its_end_date():
    package = _package(FIND_A_TENDER)
    period = package["records"][1]["compiledRelease"]["contracts"][0]["period"]
    period["endDate"] = "2025-06-30"

    import_ocds_file(_bytes(package))

    assert _contract(YOUTH).status == Contract.Status.TERMINATED


def test_it_imports_a_find_a_tender_record_package():
    result = import_ocds_file(FIND_A_TENDER)

    assert result.status == IMPORTED
    assert (result.contracts_created, result.contracts_updated, result.suppliers_created) == (
        4,
        0,
        4,
    )
    assert _counts() == (4, 4, 4, 4)
    lots = Contract.objects.filter(ocid=VERGES).order_by("reference")
    assert [(c.reference, c.total_value, c.supplier.name) for c in lots] == [
        (
            f"{VERGES}/031112-2025-1",
            Decimal("640000.00"),
            "SEVERN VALLEY GROUNDS MAINTENANCE LIMITED",
        ),
        (f"{VERGES}/031112-2025-2", Decimal("585000.00"), "Teme Valley Landscapes Ltd"),
    ]
    assert lots[0].end_date == dt.date(2029, 9, 30)


def test_a_record_takes_the_title_from_the_tender_when_the_contract_has_none():
    import_ocds_file(FIND_A_TENDER)

    contract = _contract(YOUTH)
    assert contract.title == "Positive activities for young people in Redditch"
    assert contract.total_value == Decimal("96000.00")
    assert (contract.start_date, contract.end_date) == (dt.date(2024, 7, 1), dt.date(2027, 6, 30))


def test_a_charitable_company_keeps_both_numbers():
    import_ocds_file(FIND_A_TENDER)

    supplier = _contract(YOUTH).supplier
    assert (supplier.company_number, supplier.charity_number) == ("07654321", "1154321")
    assert supplier.is_vcse is True
    # Redditch is in the county but its postcode area is B, not WR: the documented limitation.
    assert supplier.is_local is False


def test_a_supplier_with_no_identifier_is_created_by_name_with_no_numbers():
    import_ocds_file(FIND_A_TENDER)

    supplier = Supplier.objects.get(name="Teme Valley Landscapes Ltd")
    assert (supplier.company_number, supplier.charity_number) == ("", "")
    assert supplier.postcode == "HR6 8AA"
    assert supplier.is_local is False


@pytest.mark.parametrize(
    "postcode,local",
    [("WR1 2AB", True), ("wr14 3aa", True), ("W1A 1AA", False), ("B97 4EA", False), ("", False)],
)
def test_local_means_the_wr_postcode_area(postcode, local):
    assert is_local_postcode(postcode) is local


# -- suppliers already in the register ----------------------------------------------------------


def test_a_supplier_already_in_the_register_is_matched_by_company_number():
    existing = SupplierFactory(
        name="SVGM (Worcester)", company_number="09876543", size=Supplier.Size.MEDIUM
    )

    result = import_ocds_file(CONTRACTS_FINDER)

    assert result.suppliers_created == 2
    assert _contract(GROUNDS).supplier == existing
    existing.refresh_from_db()
    assert (existing.name, existing.size, existing.is_local) == (
        "SVGM (Worcester)",
        Supplier.Size.MEDIUM,
        False,
    )


def test_a_supplier_is_matched_by_name_when_the_file_gives_no_company_number():
    existing = SupplierFactory(name="The Teme Valley Landscapes Limited")

    result = import_ocds_file(FIND_A_TENDER)

    assert result.suppliers_created == 3
    assert Contract.objects.get(reference=f"{VERGES}/031112-2025-2").supplier == existing


def test_a_name_match_is_not_used_for_a_supplier_with_a_different_company_number():
    other = SupplierFactory(name="Severn Valley Grounds Maintenance Ltd", company_number="11111111")

    import_ocds_file(CONTRACTS_FINDER)

    supplier = _contract(GROUNDS).supplier
    assert supplier != other
    assert supplier.company_number == "09876543"


def test_the_same_supplier_in_two_files_is_created_once():
    import_ocds_file(CONTRACTS_FINDER)
    result = import_ocds_file(FIND_A_TENDER)

    assert result.suppliers_created == 3
    severn = Supplier.objects.get(company_number="09876543")
    assert severn.contracts.count() == 2
    assert Supplier.objects.count() == 6


def test_import_links_spend_to_the_new_contracts():
    supplier = SupplierFactory(name="Severn Valley Grounds", company_number="09876543")
    payment = SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2026, 1, 15))
    before_contract = SpendTransactionFactory(supplier=supplier, paid_on=dt.date(2025, 5, 1))

    import_ocds_file(CONTRACTS_FINDER)

    payment.refresh_from_db()
    before_contract.refresh_from_db()
    assert payment.contract == _contract(GROUNDS)
    assert before_contract.contract is None


# -- idempotency and updates --------------------------------------------------------------------


def test_a_second_import_of_the_same_files_changes_nothing():
    import_ocds_file(CONTRACTS_FINDER)
    import_ocds_file(FIND_A_TENDER)
    counts = _counts()
    values = list(Contract.objects.order_by("reference").values())

    again = [import_ocds_file(CONTRACTS_FINDER), import_ocds_file(FIND_A_TENDER)]

    assert [(r.contracts_created, r.contracts_updated, r.suppliers_created) for r in again] == [
        (0, 0, 0),
        (0, 0, 0),
    ]
    assert _counts() == counts == (7, 6, 7, 6)
    assert list(Contract.objects.order_by("reference").values()) == values


def test_a_later_release_in_another_file_updates_the_contract_and_keeps_its_history():
    officer = UserFactory(username="importer")
    import_ocds_file(CONTRACTS_FINDER, user=officer)

    result = import_ocds_file(AMENDMENT, user=officer)

    assert (result.contracts_created, result.contracts_updated, result.suppliers_created) == (
        0,
        1,
        0,
    )
    contracts = Contract.objects.filter(ocid=TRANSPORT)
    assert contracts.count() == 1
    contract = contracts.get()
    assert contract.total_value == Decimal("24750.00")
    assert contract.end_date == dt.date(2030, 7, 6)
    assert contract.version == 2
    history = list(contract.history.order_by("history_id"))
    assert [(h.history_type, h.total_value, h.version) for h in history] == [
        ("+", Decimal("18500.00"), 1),
        ("~", Decimal("24750.00"), 2),
    ]
    assert {h.history_user for h in history} == {officer}

    rerun = import_ocds_file(AMENDMENT, user=officer)

    assert (rerun.contracts_created, rerun.contracts_updated) == (0, 0)
    assert contract.history.count() == 2
    assert _counts() == (3, 3, 4, 3)


def test_a_contract_the_council_entered_with_the_ocid_is_updated_not_duplicated():
    own = ContractFactory(reference="WCC-2025-0377", ocid=TRANSPORT, total_value=Decimal("1"))

    result = import_ocds_file(AMENDMENT)

    assert (result.contracts_created, result.contracts_updated) == (0, 1)
    own.refresh_from_db()
    assert own.reference == "WCC-2025-0377"
    assert own.total_value == Decimal("24750.00")
    assert own.supplier.name == "Malvern Hills Community Transport"
    assert own.category is not None  # what the notice does not give is left alone
    assert own.version == 2


def test_a_contract_whose_reference_belongs_to_another_ocid_is_an_error():
    ContractFactory(reference=f"{TRANSPORT}/1", ocid="ocds-b5fd17-somethingelse")

    result = import_ocds_file(AMENDMENT)

    assert result.status == REJECTED
    assert "another ocid" in result.errors[0]


# -- references ---------------------------------------------------------------------------------


def test_a_short_reference_is_the_ocid_and_the_contract_id():
    assert contract_reference("ocds-h6vhtk-04a1b2", "031112-2025-1") == (
        "ocds-h6vhtk-04a1b2/031112-2025-1"
    )


def test_a_long_reference_is_shortened_to_sixty_characters_and_stays_unique():
    ocid = "ocds-b5fd17-6f1c2b0e-5d3a-4c8e-9a71-2e4b8f0c1d23"
    first = contract_reference(ocid, "WCC-CONTRACT-2025-000001-LOT-1")
    second = contract_reference(ocid, "WCC-CONTRACT-2025-000002-LOT-1")

    assert len(first) == len(second) == 60
    assert first != second
    # The start of the ocid, a hash of the whole, and the last 20 characters of the id.
    assert first[:31] == "ocds-b5fd17-6f1c2b0e-5d3a-4c8e~"
    assert first[39:] == "/CT-2025-000001-LOT-1"
    assert contract_reference(ocid, "WCC-CONTRACT-2025-000001-LOT-1") == first


# -- files that are rejected --------------------------------------------------------------------


def test_malformed_json_is_rejected_with_its_line_and_column():
    text = '{\n  "releases": [\n    {"ocid": "ocds-x-1",}\n  ]\n}\n'

    result = import_ocds_file(text.encode())

    assert result.status == REJECTED
    assert "line 3, column 25" in result.file_error
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "content",
    [
        b'{"results": []}',
        b"[1, 2, 3]",
        b'"releases"',
        b'{"releases": {"ocid": "ocds-x-1"}}',
    ],
)
def test_json_that_is_not_an_ocds_package_is_rejected(content):
    result = import_ocds_file(content)

    assert result.status == REJECTED
    assert "OCDS package" in result.file_error or "must be a list" in result.file_error


def test_a_release_without_an_ocid_rejects_the_whole_file():
    package = _package(CONTRACTS_FINDER)
    del package["releases"][2]["ocid"]

    result = import_ocds_file(_bytes(package))

    assert result.status == REJECTED
    assert result.file_error == "Release 3 has no ocid, so it is not an OCDS release."
    assert _counts() == (0, 0, 0, 0)


def test_a_record_with_only_links_to_its_releases_and_no_compiled_release_is_rejected():
    package = _package(FIND_A_TENDER)
    del package["records"][0]["compiledRelease"]

    result = import_ocds_file(_bytes(package))

    assert result.status == REJECTED
    assert result.file_error.startswith(
        "Record 1 has no compiledRelease, no versionedRelease and no releases in full"
    )


@pytest.mark.parametrize("content", [b"", b"  \n\t\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_rejected(content):
    result = import_ocds_file(content)

    assert result.status == REJECTED
    assert result.file_error == "The file is empty."


def test_deeply_nested_json_is_rejected_without_crashing():
    content = ("[" * 100_000 + "]" * 100_000).encode()

    result = import_ocds_file(content)

    assert result.status == REJECTED
    assert "nested too deeply" in result.file_error


def test_deeply_nested_json_inside_a_release_is_rejected_without_crashing():
    content = (
        '{"releases": [{"ocid": "ocds-x-1", "date": "2025-01-01", "tender": '
        + '{"a": ' * 100_000
        + "1"
        + "}" * 100_000
        + "}]}"
    ).encode()

    result = import_ocds_file(content)

    assert result.status == REJECTED
    assert "nested too deeply" in result.file_error


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
def test_a_number_json_does_not_allow_is_rejected(constant):
    package = _package(CONTRACTS_FINDER)
    text = json.dumps(package).replace('"amount": 18500', f'"amount": {constant}', 1)

    result = import_ocds_file(text.encode())

    assert result.status == REJECTED
    assert f"{constant} is not a number JSON allows" in result.file_error


def test_a_file_that_is_not_utf8_is_rejected():
    result = import_ocds_file('{"releases": []}'.encode("utf-16"))

    assert result.status == REJECTED
    assert "not UTF-8" in result.file_error


def test_a_missing_file_is_rejected_with_a_message(tmp_path):
    result = import_ocds_file(tmp_path / "missing.json")

    assert result.status == REJECTED
    assert result.file_error.startswith("The file cannot be read")


def test_an_empty_release_list_imports_nothing_and_says_so():
    result = import_ocds_file(b'{"version": "1.1", "releases": []}')

    assert result.status == IMPORTED
    assert result.contracts_created == 0
    assert result.warnings == ["The package has no releases, so there was nothing to import."]


def test_a_value_in_another_currency_is_skipped_and_named_and_the_rest_imports():
    package = _package(CONTRACTS_FINDER)
    package["releases"][1]["contracts"][0]["value"]["currency"] = "EUR"

    result = import_ocds_file(_bytes(package))

    assert result.status == IMPORTED
    assert [item.message for item in result.skipped] == [
        f"{TRANSPORT} (release 2) skipped: contracts[0].value is in EUR; only pounds (GBP) can"
        " be imported.",
        "ocds-b5fd17-c8b1e2f3-4d5a-4e6b-9c7d-8e9f0a1b2c3d (release 5) skipped: no award or"
        " contract yet.",
    ]
    assert result.skipped_by_reason() == {"no award yet": 1, "a value not in pounds": 1}
    assert (result.releases_imported, result.contracts_created) == (2, 2)
    assert not Contract.objects.filter(ocid=TRANSPORT).exists()
    assert Contract.objects.count() == 2


def test_strict_rejects_the_file_for_a_value_in_another_currency_and_names_the_release():
    package = _package(CONTRACTS_FINDER)
    package["releases"][1]["contracts"][0]["value"]["currency"] = "EUR"

    result = import_ocds_file(_bytes(package), strict=True)

    assert result.status == REJECTED
    assert result.file_error is None
    assert result.errors == [
        f"{TRANSPORT} (release 2): contracts[0].value is in EUR; only pounds (GBP) can be imported."
    ]
    assert (result.contracts_created, result.suppliers_created) == (0, 0)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda r: r.pop("date"), "date is missing or is not a date"),
        (lambda r: r.update(date="last Tuesday"), "date is missing or is not a date"),
        (lambda r: r.update(awards="none"), "awards must be a list of objects."),
        (lambda r: r["contracts"][0].update(awardID="9"), "awardID does not match an award"),
        (lambda r: r["contracts"][0].pop("id"), "contracts[0].id is missing."),
        (
            lambda r: r["contracts"][0]["value"].update(amount="18,500"),
            "contracts[0].value.amount is not a number",
        ),
        (
            lambda r: r["contracts"][0]["value"].update(amount=-5),
            "contracts[0].value.amount must be between 0",
        ),
        (
            lambda r: r["contracts"][0]["period"].update(endDate="31/03/2029"),
            "contracts[0].period.endDate is not a date",
        ),
        (lambda r: r["contracts"][0].update(title=["a"]), "contracts[0].title must be text."),
        (lambda r: r.update(ocid="x" * 200), "ocid: Ensure this value has at most 120"),
    ],
)
def test_a_bad_release_is_reported_and_nothing_is_written(change, message):
    package = _package(CONTRACTS_FINDER)
    change(package["releases"][1])

    result = import_ocds_file(_bytes(package))

    assert result.status == REJECTED
    assert len(result.errors) == 1
    assert message in result.errors[0]
    assert _counts() == (0, 0, 0, 0)


def test_row_counts_and_values_are_unchanged_after_a_rejected_file():
    import_ocds_file(CONTRACTS_FINDER)
    counts = _counts()
    values = list(Contract.objects.order_by("reference").values())
    package = _package(AMENDMENT)
    contract = package["releases"][0]["contracts"][0]
    contract["value"]["currency"] = "USD"
    package["releases"].append(_package(FIND_A_TENDER)["records"][0]["compiledRelease"])

    result = import_ocds_file(_bytes(package), strict=True)

    assert result.status == REJECTED
    assert _counts() == counts
    assert list(Contract.objects.order_by("reference").values()) == values


def test_a_dry_run_reports_the_changes_and_writes_nothing():
    result = import_ocds_file(CONTRACTS_FINDER, dry_run=True)

    assert result.status == DRY_RUN
    assert (result.contracts_created, result.contracts_updated, result.suppliers_created) == (
        3,
        0,
        3,
    )
    assert _counts() == (0, 0, 0, 0)


def test_a_dry_run_of_an_update_writes_nothing():
    import_ocds_file(CONTRACTS_FINDER)
    counts = _counts()

    result = import_ocds_file(AMENDMENT, dry_run=True)

    assert (result.status, result.contracts_updated) == (DRY_RUN, 1)
    assert _counts() == counts
    assert _contract(TRANSPORT).total_value == Decimal("18500.00")


def test_an_open_file_can_be_imported():
    with CONTRACTS_FINDER.open("rb") as handle:
        result = import_ocds_file(handle)

    assert result.contracts_created == 3


def _many_releases(count: int) -> bytes:
    release = _package(FIND_A_TENDER)["records"][0]["compiledRelease"]
    releases = []
    for number in range(count):
        parties = [{**party, "id": f"{party['id']}-{number}"} for party in release["parties"]]
        for party in parties:
            party["name"] = f"{party['name']} {count}-{number}"
            party.pop("identifier", None)
        awards = [
            {**award, "suppliers": [{"id": f"{award['suppliers'][0]['id']}-{number}"}]}
            for award in release["awards"]
        ]
        releases.append(
            {
                **release,
                "ocid": f"ocds-h6vhtk-{count}-{number:06d}",
                "parties": parties,
                "awards": awards,
            }
        )
    return _bytes({"version": "1.1", "releases": releases})


def _import_queries(size: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = import_ocds_file(_many_releases(size))
    assert result.contracts_created == 2 * size
    return len(queries)


def test_new_contracts_are_written_in_the_same_number_of_queries_whatever_the_file_size():
    # Two lookups, two bulk inserts each with its history, the spend matching and the rebuild
    # of the spend summary it triggers, savepoints.
    assert _import_queries(1) == _import_queries(12) <= 13


def test_a_large_file_is_written_in_batches_not_a_query_a_row():
    # SQLite caps the parameters of one statement, so bulk inserts go in batches of ~30 rows.
    assert _import_queries(100) < 40  # 200 contracts and 200 suppliers, with history


# -- the management command ---------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_the_counts():
    out = io.StringIO()

    call_command("import_ocds", str(FIND_A_TENDER), stdout=out)

    assert "4 contracts created, 0 updated, 4 suppliers created" in out.getvalue()
    assert Contract.objects.count() == 4


def test_the_command_dry_run_saves_nothing():
    out = io.StringIO()

    call_command("import_ocds", str(CONTRACTS_FINDER), "--dry-run", stdout=out)

    assert "Nothing was saved" in out.getvalue()
    assert "no award or contract yet" in out.getvalue()
    assert Contract.objects.count() == 0


def test_the_command_fails_on_a_rejected_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"releases": [\n  {"ocid": }\n]}')
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_ocds", str(bad), stderr=err)

    assert "line 2, column 12" in err.getvalue()
