"""Merging duplicate suppliers: what moves, what is kept, what is refused, and the pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from core.concurrency import StaleEdit
from procurement.importers.spend import import_spend_file
from procurement.models import (
    Contract,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
    SupplierAlias,
    SupplierMerge,
)
from procurement.selectors.register import supplier_duplicates
from procurement.selectors.spend import spend_by_year, spend_top_suppliers
from procurement.services.payment_matching import transactions_match_contracts
from procurement.services.supplier_merge import MergeRefused, supplier_merge
from socialvalue.models import Commitment, SupplierContact
from tests.procurement.factories import ContractFactory, SpendTransactionFactory, SupplierFactory
from tests.socialvalue.factories import CommitmentFactory, SupplierContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """Two spellings of one firm: the older holds the number, the newer a contract and spend."""
    kept = SupplierFactory(name="Acme Services Ltd", company_number="01234567")
    merged = SupplierFactory(name="ACME SERVICES", postcode="WR1 1AA", charity_number="")
    contract = ContractFactory(
        supplier=merged, start_date=dt.date(2024, 4, 1), end_date=dt.date(2026, 3, 31)
    )
    SpendTransactionFactory(supplier=kept, paid_on=dt.date(2023, 6, 1), amount=Decimal("100"))
    SpendTransactionFactory(supplier=kept, paid_on=dt.date(2024, 6, 1), amount=Decimal("200"))
    SpendTransactionFactory(supplier=merged, paid_on=dt.date(2024, 7, 1), amount=Decimal("300"))
    SpendTransactionFactory(supplier=merged, paid_on=dt.date(2025, 5, 1), amount=Decimal("50.25"))
    CommitmentFactory(contract=contract)
    SupplierContactFactory(supplier=merged)
    transactions_match_contracts()
    return kept, merged, contract


def _year_totals() -> dict[int, tuple[Decimal, int]]:
    return {year.year: (year.total, year.payments) for year in spend_by_year()}


def test_a_merge_moves_payments_contracts_and_users_and_keeps_the_dashboard_totals(pair):
    kept, merged, contract = pair
    before = _year_totals()
    assert before == {
        2023: (Decimal("100.00"), 1),
        2024: (Decimal("500.00"), 2),
        2025: (Decimal("50.25"), 1),
    }

    record = supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=None)

    assert not Supplier.objects.filter(pk=merged.pk).exists()
    assert SpendTransaction.objects.filter(supplier=kept).count() == 4
    assert Contract.objects.get(pk=contract.pk).supplier_id == kept.pk
    assert Commitment.objects.get().contract.supplier_id == kept.pk
    assert SupplierContact.objects.get().supplier_id == kept.pk
    assert _year_totals() == before
    # The survivor's own 2024 payment now falls under the moved contract.
    assert SpendTransaction.objects.get(amount=200).contract_id == contract.pk
    assert SpendYearSummary.objects.filter(supplier_id=merged.pk).count() == 0
    assert spend_top_suppliers(year=2024)[0].total == Decimal("500.00")
    on_contract = {row.year: row.on_contract for row in spend_by_year()}
    assert on_contract == {2023: 0, 2024: Decimal("500.00"), 2025: Decimal("50.25")}
    assert record.moved == {"contracts": 1, "spend transactions": 2, "supplier contacts": 1}


def test_a_merge_is_recorded_and_the_old_name_becomes_an_alias(pair, officer):
    kept, merged, _ = pair

    record = supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=officer)

    assert (record.kept_id, record.merged_supplier_id) == (kept.pk, merged.pk)
    assert (record.kept_name, record.merged_name) == ("Acme Services Ltd", "ACME SERVICES")
    assert (record.kept_company_number, record.merged_company_number) == ("01234567", "")
    assert record.merged_by == officer
    alias = SupplierAlias.objects.get()
    assert (alias.supplier_id, alias.name, alias.merge_id) == (kept.pk, "ACME SERVICES", record.pk)
    kept.refresh_from_db()
    assert kept.postcode == "WR1 1AA"  # a blank filled from the merged supplier
    assert kept.version == 2


def test_both_suppliers_history_is_kept_and_says_why(pair, officer):
    kept, merged, contract = pair

    supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=officer)

    reason = f"Merged supplier ACME SERVICES (ID {merged.pk}) into Acme Services Ltd (ID {kept.pk})"
    kept_history = list(Supplier.history.filter(id=kept.pk).order_by("history_id"))
    merged_history = list(Supplier.history.filter(id=merged.pk).order_by("history_id"))
    assert [h.history_type for h in kept_history] == ["+", "~"]
    assert [h.history_type for h in merged_history] == ["+", "-"]
    assert kept_history[-1].history_change_reason == reason
    assert merged_history[-1].history_change_reason == reason
    assert kept_history[-1].history_user == officer
    contract_history = Contract.history.filter(id=contract.pk).order_by("history_id")
    assert [h.supplier_id for h in contract_history] == [merged.pk, kept.pk]


def test_a_later_import_of_the_merged_name_resolves_to_the_survivor(pair):
    kept, merged, _ = pair
    supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=None)

    result = import_spend_file(
        io.BytesIO(b"Supplier Name,Amount,Date\nAcme Services.,10.00,01/08/2024\n")
    )

    assert result.suppliers_created == 0
    assert SpendTransaction.objects.get(amount=10).supplier_id == kept.pk


def test_different_company_numbers_refuse_the_merge_and_change_nothing(pair):
    kept, merged, _ = pair
    merged.company_number = "07654321"
    merged.save()

    with pytest.raises(MergeRefused, match="01234567 and ACME SERVICES has 07654321"):
        supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=None)

    assert Supplier.objects.count() == 2
    assert SupplierMerge.objects.count() == 0
    assert SpendTransaction.objects.filter(supplier=merged).count() == 2


def test_one_number_written_two_ways_is_not_a_conflict():
    kept = SupplierFactory(name="Acme Ltd", company_number="01234567")
    merged = SupplierFactory(name="Acme Limited UK", company_number="1234567")

    supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=None)

    assert list(Supplier.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_supplier_cannot_be_merged_into_itself_and_a_stale_page_is_refused(pair):
    kept, merged, _ = pair
    with pytest.raises(MergeRefused, match="two different suppliers"):
        supplier_merge(kept_id=kept.pk, merged_id=kept.pk, user=None)
    with pytest.raises(StaleEdit):
        supplier_merge(
            kept_id=kept.pk, merged_id=merged.pk, user=None, expected_versions={kept.pk: 7}
        )
    assert Supplier.objects.count() == 2


def test_the_surviving_supplier_takes_the_merged_number_when_it_has_none():
    kept = SupplierFactory(name="Acme")
    merged = SupplierFactory(name="Acme Ltd", company_number="SC012345")

    supplier_merge(kept_id=kept.pk, merged_id=merged.pk, user=None)

    kept.refresh_from_db()
    assert kept.company_number == "SC012345"
    assert SupplierAlias.objects.get().company_number == "SC012345"


# -- likely duplicates ------------------------------------------------------------------------


def test_likely_duplicates_are_grouped_by_name_key_or_company_number(
    django_assert_max_num_queries,
):
    a = SupplierFactory(name="Acme Ltd")
    b = SupplierFactory(name="ACME LIMITED")
    c = SupplierFactory(name="Beta Services", company_number="01234567")
    d = SupplierFactory(name="Beta Facilities", company_number="1234567")  # the zero lost
    SupplierFactory(name="Fostering UK")
    SupplierFactory(name="UK Fostering")
    SupplierFactory(name="Gamma Ltd", company_number="07777777")
    SpendTransactionFactory(supplier=a, amount=Decimal("40"))
    SpendTransactionFactory(supplier=b, amount=Decimal("2.50"))
    transactions_match_contracts()

    with django_assert_max_num_queries(2):
        duplicates = supplier_duplicates()

    groups = duplicates.groups

    shapes = [
        (group.reason, group.key, [supplier.pk for supplier in group.suppliers]) for group in groups
    ]
    assert shapes == [
        ("company number", "01234567", [c.pk, d.pk]),
        ("name", "acme", [a.pk, b.pk]),
    ]
    assert [s.spend_total for s in groups[1].suppliers] == [Decimal("40.00"), Decimal("2.50")]
    assert not duplicates.truncated


# -- the pages ---------------------------------------------------------------------------------


def test_the_suppliers_list_links_to_the_duplicates_page_for_officers(officer_client):
    response = officer_client.get(reverse("procurement:supplier-list"))

    assert reverse("procurement:supplier-duplicates") in response.content.decode()


def test_the_duplicates_page_links_each_likely_duplicate_to_its_merge_page(
    officer_client, django_assert_max_num_queries
):
    first = SupplierFactory(name="Acme Ltd")
    second = SupplierFactory(name="ACME LIMITED")
    SupplierFactory(name="UK Fostering")
    SupplierFactory(name="Fostering UK")

    with django_assert_max_num_queries(3):
        response = officer_client.get(reverse("procurement:supplier-duplicates"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 group of likely duplicates" in page
    assert reverse("procurement:supplier-merge", args=[first.pk, second.pk]) in page
    assert ">Fostering UK</a>" not in page


def test_the_merge_page_shows_what_moves_and_changes_nothing_on_get(
    pair, officer_client, django_assert_max_num_queries
):
    kept, merged, _ = pair
    url = reverse("procurement:supplier-merge", args=[kept.pk, merged.pk])

    # The session and user, the pair, then one count per kind of row that points at a supplier
    # or its contracts (the Act's KPIs and notices among them), however many rows there are.
    with django_assert_max_num_queries(18):
        response = officer_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    rows = page.split("What ACME SERVICES holds")[1]
    assert ">Contracts</th>" in rows
    assert ">Spend transactions</th>" in rows
    assert ">Commitments (with their contracts)</th>" in rows
    assert Supplier.objects.count() == 2
    assert SupplierMerge.objects.count() == 0


def test_posting_the_merge_page_merges_into_the_chosen_supplier(pair, officer_client):
    kept, merged, contract = pair
    url = reverse("procurement:supplier-merge", args=[kept.pk, merged.pk])

    response = officer_client.post(
        url, {"keep": merged.pk, "first_version": 1, "second_version": 1}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:supplier-detail", args=[merged.pk])
    assert list(Supplier.objects.values_list("pk", flat=True)) == [merged.pk]
    assert SpendTransaction.objects.filter(supplier=merged).count() == 4
    detail = officer_client.get(response["Location"]).content.decode()
    assert "Suppliers merged into this one" in detail
    assert "Acme Services Ltd (ID" in detail
    assert "Merged supplier Acme Services Ltd" in detail  # the history's reason


def test_the_merge_page_refuses_different_company_numbers(pair, officer_client):
    kept, merged, _ = pair
    merged.company_number = "07654321"
    merged.save()
    url = reverse("procurement:supplier-merge", args=[kept.pk, merged.pk])

    shown = officer_client.get(url).content.decode()
    response = officer_client.post(url, {"keep": kept.pk, "first_version": 1, "second_version": 2})

    assert "These suppliers cannot be merged" in shown
    assert "Merge suppliers" not in shown
    assert response.status_code == 200
    assert Supplier.objects.count() == 2
    assert SupplierMerge.objects.count() == 0


def test_a_stale_merge_page_is_refused_with_a_message(pair, officer_client):
    kept, merged, _ = pair
    url = reverse("procurement:supplier-merge", args=[kept.pk, merged.pk])

    response = officer_client.post(url, {"keep": kept.pk, "first_version": 1, "second_version": 0})

    assert response.status_code == 200
    assert "Someone else changed this supplier" in response.content.decode()
    assert Supplier.objects.count() == 2


def test_members_cannot_see_duplicates_or_merge(pair, member_client):
    kept, merged, _ = pair
    url = reverse("procurement:supplier-merge", args=[kept.pk, merged.pk])

    assert member_client.get(reverse("procurement:supplier-duplicates")).status_code == 403
    assert member_client.post(url, {"keep": kept.pk}).status_code == 403
    assert Supplier.objects.count() == 2
