"""One rule decides who a supplier is, for the spend import, the OCDS import and the register."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from procurement.identity import SupplierIndex, name_key, normalise_company_number
from procurement.importers.ocds import import_ocds_file
from procurement.importers.spend import import_spend_file
from procurement.models import Contract, SpendTransaction, Supplier, SupplierAlias
from procurement.selectors.register import supplier_lookup
from tests.procurement.factories import SupplierFactory

FIND_A_TENDER = (
    Path(__file__).resolve().parent.parent / "data" / "ocds" / "find_a_tender_records.json"
)


def _csv(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


# -- the name key: (first, second, same supplier?) in the shape of data-hub-api's
# company/contact_matching.py tests --------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # legal forms and case fold
        ("ACME Ltd", "Acme Limited", True),
        ("ACME LTD.", "acme ltd", True),
        ("Acme plc", "ACME P.L.C.", True),
        ("Acme Public Limited Company", "Acme PLC", True),
        ("Acme LLP", "Acme Limited Liability Partnership", True),
        ("Acme CIC", "Acme Community Interest Company", True),
        ("The Acme Company Limited", "Acme Ltd", True),
        # entities, "&" and "and"
        ("Acme &amp; Co", "Acme and Co", True),
        ("Acme & Co", "ACME AND CO", True),
        ("Acme &amp;amp; Co", "Acme & Co", True),
        ("Children&#039;s Society", "Childrens Society", True),
        ("O’Brien Plumbing", "O'Brien Plumbing Ltd", True),
        ("Café Nero", "CAFE NERO", True),
        ("Severn  Trent - Water", "Severn Trent Water", True),
        # words that tell firms apart stay
        ("Fostering UK", "UK Fostering", False),
        ("Acme UK Ltd", "Acme Ltd", False),
        ("Acme & Co", "Acme", False),
        ("Acme Holdings", "Acme", False),
        ("North Care", "Care North", False),
        ("Acme Services Ltd", "Acme Solutions Ltd", False),
    ],
)
def test_name_keys_fold_only_what_does_not_tell_firms_apart(first, second, same):
    assert (name_key(first) == name_key(second)) is same, (name_key(first), name_key(second))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("The ACME Ltd.", "acme"),
        ("Acme &amp; Co", "acme and co"),
        ("Fostering UK", "fostering uk"),
        ("UK Fostering", "uk fostering"),
        ("The", "the"),
        ("Limited", ""),
        ("Ltd.", ""),
        ("Limited Edition Prints Ltd", "limited edition prints"),
    ],
)
def test_a_name_key_is_the_name_folded(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("2366686", "02366686"),
        ("02366686", "02366686"),
        (" 0236 6686 ", "02366686"),
        ("sc12345", "SC012345"),
        ("NI 000123", "NI000123"),
        ("OC300001", "OC300001"),
        ("123456789", ""),
        ("SC1234567", ""),
        ("00000000", ""),
        ("not known", ""),
        ("", ""),
    ],
)
def test_company_numbers_are_normalised_or_refused(written, number):
    assert normalise_company_number(written) == number


# -- the index both importers use --------------------------------------------------------------


@pytest.mark.django_db
def test_the_index_prefers_the_number_then_a_name_without_a_conflicting_number():
    numbered = SupplierFactory(name="Acme Ltd", company_number="01234567")
    plain = SupplierFactory(name="Beta Ltd")
    other_beta = SupplierFactory(name="BETA LIMITED", company_number="07654321")

    index = SupplierIndex(name_keys={"acme", "beta", "gamma"}, numbers={"01234567", "07654321"})

    assert index.find(key="something else", number="01234567").supplier == numbered
    assert index.find(key="beta", number="").supplier == plain  # the older of two
    assert index.find(key="beta", number="07654321").supplier == other_beta
    conflict = index.find(key="acme", number="09999999")
    assert (conflict.supplier, conflict.conflict) == (None, numbered)
    assert index.find(key="gamma", number="").supplier is None


@pytest.mark.django_db
def test_the_index_finds_a_merged_suppliers_name_through_its_alias():
    survivor = SupplierFactory(name="Acme Group Ltd")
    SupplierAlias.objects.create(supplier=survivor, name="Acme Grp", normalised_name="acme grp")

    index = SupplierIndex(name_keys={"acme grp"}, numbers=set())

    assert index.find(key="acme grp", number="").supplier == survivor


@pytest.mark.django_db
def test_the_index_looks_up_many_names_in_one_query_a_batch(django_assert_num_queries):
    SupplierFactory.create_batch(5)
    with django_assert_num_queries(1):
        SupplierIndex(name_keys={f"supplier {n}" for n in range(200)}, numbers={"01234567"})


# -- through the spend import ------------------------------------------------------------------


@pytest.mark.django_db
def test_two_spellings_with_one_company_number_become_one_supplier_through_the_spend_import():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Company Number",
            "ACME SERVICES LTD,100.00,01/04/2024,1234567",
            "Acme Facilities Management,250.50,02/04/2024,01234567",
            "Acme &amp; Co,10.00,03/04/2024,",
            "Acme and Co,5.00,03/04/2024,",
        )
    )

    assert result.status == "imported", result
    assert result.suppliers_created == 2
    acme = Supplier.objects.get(company_number="01234567")
    assert acme.name == "ACME SERVICES LTD"
    assert sorted(acme.transactions.values_list("amount", flat=True)) == [100, 250.5]
    co = Supplier.objects.get(normalised_name="acme and co")
    assert co.transactions.count() == 2


@pytest.mark.django_db
def test_two_firms_with_reordered_names_stay_two_through_the_spend_import():
    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date",
            "Fostering UK,100.00,01/04/2024",
            "UK Fostering,200.00,01/04/2024",
            "FOSTERING UK LTD,50.00,02/04/2024",
        )
    )

    assert result.suppliers_created == 2
    totals = {
        supplier.name: sum(t.amount for t in supplier.transactions.all())
        for supplier in Supplier.objects.all()
    }
    assert totals == {"Fostering UK": 150, "UK Fostering": 200}


@pytest.mark.django_db
def test_a_name_match_with_a_different_company_number_is_kept_apart_and_reported():
    existing = SupplierFactory(name="Acme Ltd", company_number="01234567")

    result = import_spend_file(
        _csv(
            "Supplier Name,Amount,Date,Company Number",
            "ACME LIMITED,100.00,01/04/2024,07654321",
        )
    )

    assert result.suppliers_created == 1
    payment = SpendTransaction.objects.get()
    assert payment.supplier != existing
    assert payment.supplier.company_number == "07654321"
    assert len(result.supplier_conflicts) == 1
    assert '"ACME LIMITED" (company 07654321)' in result.supplier_conflicts[0]
    assert '"Acme Ltd" (company 01234567)' in result.supplier_conflicts[0]


@pytest.mark.django_db
def test_a_merged_suppliers_old_name_resolves_to_the_survivor_in_a_later_import():
    survivor = SupplierFactory(name="Acme Group Ltd")
    SupplierAlias.objects.create(supplier=survivor, name="Acme Grp", normalised_name="acme grp")

    result = import_spend_file(_csv("Supplier Name,Amount,Date", "ACME GRP.,75.00,01/04/2024"))

    assert result.suppliers_created == 0
    assert SpendTransaction.objects.get().supplier == survivor


# -- through the OCDS import --------------------------------------------------------------------


def _release_with_supplier(name: str, number: str) -> bytes:
    package = json.loads(FIND_A_TENDER.read_text(encoding="utf-8"))
    release = package["records"][0]["compiledRelease"]
    release["awards"] = release["awards"][:1]
    release["contracts"] = release["contracts"][:1]
    supplier = release["parties"][1]
    supplier["name"] = name
    supplier["identifier"] = {"scheme": "GB-COH", "id": number}
    release["awards"][0]["suppliers"][0]["name"] = name
    return json.dumps({"version": "1.1", "releases": [release]}).encode()


@pytest.mark.django_db
def test_two_spellings_with_one_company_number_become_one_supplier_through_the_ocds_import():
    existing = SupplierFactory(name="Severn Valley Grounds Ltd", company_number="9876543")

    result = import_ocds_file(
        _release_with_supplier("SEVERN VALLEY GROUNDS MAINTENANCE LIMITED", "09876543")
    )

    assert (result.suppliers_created, result.contracts_created) == (0, 1), result
    assert Contract.objects.get().supplier == existing
    assert Supplier.objects.count() == 1


@pytest.mark.django_db
def test_the_ocds_import_decodes_entities_before_matching_names():
    existing = SupplierFactory(name="Grounds & Gardens Ltd")
    package = json.loads(_release_with_supplier("Grounds &amp; Gardens Limited", ""))
    release = package["releases"][0]
    del release["parties"][1]["identifier"]

    result = import_ocds_file(json.dumps(package).encode())

    assert result.suppliers_created == 0, result
    assert Contract.objects.get().supplier == existing


@pytest.mark.django_db
def test_the_ocds_import_keeps_a_conflicting_number_apart_and_warns():
    existing = SupplierFactory(name="Severn Valley Grounds Maintenance", company_number="01111111")

    result = import_ocds_file(
        _release_with_supplier("SEVERN VALLEY GROUNDS MAINTENANCE LIMITED", "09876543")
    )

    assert result.suppliers_created == 1, result
    assert Contract.objects.get().supplier.company_number == "09876543"
    assert Contract.objects.get().supplier != existing
    assert any("company 01111111" in warning for warning in result.warnings), result.warnings


@pytest.mark.django_db
def test_the_ocds_import_keeps_reordered_names_apart():
    existing = SupplierFactory(name="UK Fostering")
    package = json.loads(_release_with_supplier("Fostering UK", ""))
    del package["releases"][0]["parties"][1]["identifier"]

    result = import_ocds_file(json.dumps(package).encode())

    assert result.suppliers_created == 1, result
    assert Contract.objects.get().supplier.name == "Fostering UK"
    assert Contract.objects.get().supplier != existing


# -- the register's look-up ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_register_look_up_follows_the_same_rule():
    acme = SupplierFactory(name="Acme & Co Ltd", company_number="00012345")
    fostering = SupplierFactory(name="Fostering UK")
    SupplierFactory(name="UK Fostering")
    SupplierAlias.objects.create(
        supplier=acme, name="Acme Partners", normalised_name="acme partners"
    )

    assert supplier_lookup(text="acme &amp; co limited").supplier == acme
    assert supplier_lookup(text="12345").supplier == acme  # the number without its zeros
    assert supplier_lookup(text="Acme Partners Ltd").supplier == acme
    assert supplier_lookup(text="fostering uk").supplier == fostering


# -- where the conflict is reported ------------------------------------------------------------

CONFLICTING = b"Supplier Name,Amount,Date,Company Number\nACME LIMITED,100.00,01/04/2024,07654321\n"


@pytest.mark.django_db
def test_the_spend_command_prints_a_kept_apart_conflict(tmp_path):
    SupplierFactory(name="Acme Ltd", company_number="01234567")
    path = tmp_path / "spend.csv"
    path.write_bytes(CONFLICTING)
    out = io.StringIO()

    call_command("import_spend", str(path), stdout=out)

    assert '"ACME LIMITED" (company 07654321) has the name of supplier "Acme Ltd"' in out.getvalue()


@pytest.mark.django_db
def test_the_spend_upload_page_warns_of_a_kept_apart_conflict(officer_client):
    SupplierFactory(name="Acme Ltd", company_number="01234567")
    upload = SimpleUploadedFile("spend.csv", CONFLICTING, content_type="text/csv")

    response = officer_client.post(
        reverse("procurement:spend-import"), {"file": upload}, follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 2
    assert "the numbers differ, so they are kept apart" in shown[1]


# -- the data migration ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_migration_recomputes_every_stored_name_key():
    migration = importlib.import_module("procurement.migrations.0004_supplier_identity_and_merges")
    fostering = SupplierFactory(name="Fostering UK")
    acme = SupplierFactory(name="Acme &amp; Co Ltd")
    Supplier.objects.filter(pk=fostering.pk).update(normalised_name="fostering")  # the old rule
    Supplier.objects.filter(pk=acme.pk).update(normalised_name="acme amp")

    migration.recompute_name_keys(django_apps, None)

    keys = dict(Supplier.objects.values_list("pk", "normalised_name"))
    assert keys == {fostering.pk: "fostering uk", acme.pk: "acme and co"}
