"""The demo data generator at a tiny scale: counts, repeatability, shares and spend matching."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Q, Sum
from django.utils import timezone

from demo.generate import demo_data_generate
from maturity.models import Assessment, Target
from procurement.demo import DEMO_FILENAME
from procurement.flags import Kind
from procurement.models import (
    Category,
    Contract,
    PipelineItem,
    Saving,
    SpendImport,
    SpendTransaction,
    SpendYearSummary,
    Supplier,
    Variation,
)
from procurement.selectors.flags import spend_flags_found
from procurement.services.payment_matching import transactions_match_contracts
from tests.procurement.factories import ContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SCALE = 0.01


def _names() -> list[str]:
    return list(Supplier.objects.order_by("name").values_list("name", flat=True))


def _total() -> Decimal:
    return SpendTransaction.objects.aggregate(total=Sum("amount"))["total"]


@pytest.fixture
def generated():
    return demo_data_generate(scale=SCALE, seed=2022)


def test_it_generates_counts_in_proportion_to_the_scale(generated):
    assert generated.created
    assert Supplier.objects.count() == generated.suppliers == 20
    assert Contract.objects.count() == generated.contracts == 8
    assert SpendTransaction.objects.count() == generated.spend_lines == 600
    assert _total() == generated.total_spend
    assert Category.objects.count() == 26
    assert Saving.objects.count() == 2
    assert PipelineItem.objects.count() == 1
    officers = get_user_model().objects.filter(username__startswith="officer")
    assert officers.filter(groups__name="Officers").count() == 12
    assert not any(officer.has_usable_password() for officer in officers)


def test_the_same_seed_gives_the_same_suppliers_and_total_spend(generated):
    names, total = _names(), _total()

    again = demo_data_generate(scale=SCALE, seed=2022, replace=True)

    assert again.created
    assert _names() == names
    assert _total() == total
    assert Supplier.objects.count() == 20

    demo_data_generate(scale=SCALE, seed=7, replace=True)

    assert _names() != names
    assert _total() != total


def test_running_again_with_the_same_seed_and_scale_does_nothing(generated):
    out = StringIO()

    call_command("generate_demo_data", scale=SCALE, seed=2022, stdout=out)

    assert "already loaded" in out.getvalue()
    assert SpendImport.objects.count() == 1
    assert Supplier.objects.count() == 20
    assert SpendTransaction.objects.count() == 600


def test_another_seed_is_refused_until_asked_to_replace(generated):
    refused = demo_data_generate(scale=SCALE, seed=7)

    assert not refused.created
    assert "--replace" in refused.message
    assert SpendImport.objects.count() == 1


def test_replacing_removes_only_what_the_generator_made(generated):
    own_supplier = SupplierFactory(name="Real Supplier Ltd")
    own_contract = ContractFactory(reference="WCC-OWN-1", supplier=own_supplier)
    demo_supplier = Supplier.objects.exclude(pk=own_supplier.pk).first()
    kept_contract = ContractFactory(reference="OFFICER-1", supplier=demo_supplier)

    demo_data_generate(scale=0.02, seed=2022, replace=True)

    assert Supplier.objects.filter(pk=own_supplier.pk).exists()
    assert Contract.objects.filter(pk__in=[own_contract.pk, kept_contract.pk]).count() == 2
    # The demo supplier an officer gave a contract to stays; every other old one went.
    assert Supplier.objects.filter(pk=demo_supplier.pk).exists()
    assert Supplier.objects.count() == 40 + 2
    assert Contract.objects.count() == 16 + 2
    assert SpendTransaction.objects.count() == 1200
    assert SpendImport.objects.filter(filename=DEMO_FILENAME).count() == 1


def test_the_command_prints_a_summary():
    out = StringIO()

    call_command("generate_demo_data", scale=SCALE, seed=3, stdout=out)

    text = out.getvalue()
    assert "Suppliers: 20" in text
    assert "Contracts: 8" in text
    assert "Spend lines: 600" in text
    assert "Total spend: £" in text
    assert "Elapsed:" in text


def test_sme_vcse_and_local_suppliers_all_have_a_share(generated):
    suppliers = Supplier.objects.all()
    spend = SpendTransaction.objects.filter(amount__gt=0)

    assert suppliers.filter(size__in=Supplier.SME_SIZES).count() >= 10
    assert suppliers.filter(is_vcse=True).count() == 2
    assert suppliers.filter(is_local=True).count() == 8
    for share in (
        Q(supplier__size__in=Supplier.SME_SIZES),
        Q(supplier__is_vcse=True),
        Q(supplier__is_local=True),
    ):
        assert spend.filter(share).aggregate(total=Sum("amount"))["total"] > 0
    local = suppliers.filter(is_local=True).values_list("postcode", flat=True)
    assert all(code.startswith(("WR", "B60", "B61", "B96", "B97", "B98", "DY1")) for code in local)


def test_some_contracts_end_in_the_next_twelve_months(generated):
    today = timezone.localdate()
    ending = Contract.objects.exclude(status=Contract.Status.DRAFT).filter(
        end_date__gte=today, end_date__lte=today + dt.timedelta(days=365)
    )

    assert ending.count() >= 1
    assert all(c.reference.startswith("WCC-") for c in Contract.objects.all())
    assert Variation.objects.count() == 1


def test_redacted_rows_have_no_supplier_and_only_credit_notes_are_under_500(generated):
    redacted = SpendTransaction.objects.filter(supplier_name=SpendTransaction.REDACTED)

    assert redacted.count() == 12
    assert not redacted.filter(supplier__isnull=False).exists()
    assert not redacted.filter(contract__isnull=False).exists()
    assert SpendTransaction.objects.filter(amount__lt=0).count() == 6
    assert not SpendTransaction.objects.filter(amount__gte=0, amount__lte=500).exists()


def test_spend_is_linked_only_to_a_contract_that_covers_the_date(generated):
    linked = SpendTransaction.objects.filter(contract__isnull=False)
    generated_links = dict(SpendTransaction.objects.values_list("id", "contract_id"))

    assert linked.count() > 100
    assert not linked.exclude(contract__supplier=F("supplier")).exists()
    assert not linked.filter(
        Q(contract__start_date__gt=F("paid_on")) | Q(contract__end_date__lt=F("paid_on"))
    ).exists()
    transactions_match_contracts()
    assert dict(SpendTransaction.objects.values_list("id", "contract_id")) == generated_links


def test_the_spend_dashboard_summary_is_built_from_the_spend(generated):
    summary = SpendYearSummary.objects.aggregate(total=Sum("amount"), lines=Sum("payments"))

    assert summary["total"] == generated.total_spend
    assert summary["lines"] == 600 - 6
    assert set(SpendYearSummary.objects.values_list("financial_year", flat=True)) == {
        2022,
        2023,
        2024,
    }


def test_maturity_follow_up_assessments_are_added_once(framework):
    demo_data_generate(scale=SCALE, seed=2022)
    assessments, targets = Assessment.objects.count(), Target.objects.count()

    demo_data_generate(scale=SCALE, seed=2022, replace=True)

    assert assessments == 65 + 30
    assert targets > 65
    assert Assessment.objects.count() == assessments
    assert Target.objects.count() == targets


@pytest.mark.parametrize("today", [dt.date(2025, 9, 1), dt.date(2026, 12, 2)])
def test_the_demo_shows_each_kind_of_red_flag_and_contracts_mostly_paid_within_value(today):
    demo_data_generate(scale=0.05, seed=2022, today=today)  # what `make run` loads

    flags = [flag for year in (2022, 2023, 2024) for flag in spend_flags_found(year=year).flags]

    kinds = Counter(flag.kind for flag in flags)
    assert set(kinds) == set(Kind.LABELS), kinds
    assert kinds[Kind.OVER_VALUE] <= 3, kinds
    assert len(flags) <= SpendTransaction.objects.count() / 150, kinds
