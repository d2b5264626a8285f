"""The red-flag rules (procurement.flags) on rows built in the test, from patterns in real
council files: a weekly hire series, per-child care fees, lines of one payment document, a
credit-note reversal, a supplier set up twice, references one character apart."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from procurement.flags import (
    ContractTerms,
    Kind,
    Payment,
    Rules,
    document_of,
    find_duplicates,
    find_outside_contracts,
    find_splits,
    find_twin_suppliers,
    merged,
    one_character_apart,
    ranked,
)

D = Decimal
RULES = Rules()
SINCE = dt.date(2024, 4, 1)
_ids = itertools.count(1)


def pay(
    amount: str,
    day: dt.date,
    *,
    supplier_id: int = 1,
    supplier: str = "Acme Plant Hire Ltd",
    reference: str = "",
    purpose: str = "Plant hire",
    company_number: str = "",
    contract_id: int | None = None,
) -> Payment:
    n = next(_ids)
    return Payment(
        id=n,
        supplier_id=supplier_id,
        supplier=supplier,
        written_as=supplier,
        company_number=company_number,
        paid_on=day,
        amount=D(amount),
        reference=reference,
        service_area="Highways",
        purpose=purpose,
        expense_type="",
        invoice_date=None,
        contract_id=contract_id,
        filename="june.csv",
        line_number=n + 1,
    )


def june(day: int) -> dt.date:
    return dt.date(2024, 6, day)


# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference,document",
    [
        ("46295929-2", "46295929"),
        ("46295929/12", "46295929"),
        ("2006-00001", None),  # Leeds' per-line transaction number
        ("INV-A", None),
        ("", None),
    ],
)
def test_a_reference_names_a_line_of_a_document_only_with_a_short_line_number(reference, document):
    assert document_of(reference) == document


@pytest.mark.parametrize(
    "first,second,apart",
    [
        ("INV1234", "INV1234A", True),  # a suffix added
        ("INV-1234", "INV1234", True),  # a character dropped
        ("INVO123", "INV0123", True),  # a letter O for a zero
        ("AB12", "BA12", True),  # letters swapped
        ("2006-00001", "2006-00002", False),  # the next transaction number
        ("2006-10756", "2006-10765", False),  # digits swapped: another transaction
        ("INV1234", "INV1234", False),
        ("INV1234", "XYZ9", False),
        ("", "A", False),
    ],
)
def test_references_one_character_apart(first, second, apart):
    assert one_character_apart(first, second) is apart


# -- duplicates ---------------------------------------------------------------------------------


def test_one_amount_paid_twice_days_apart_is_one_duplicate_flag():
    rows = [pay("1234.50", june(1), reference="A-1"), pay("1234.50", june(8), reference="B-7")]

    flags, recurring = find_duplicates(rows, rules=RULES, since=SINCE)

    assert [(f.kind, f.amount, len(f.payments)) for f in flags] == [
        (Kind.DUPLICATE, D("1234.50"), 2)
    ]
    assert "paid 7 days apart" in flags[0].signs
    assert recurring == []


def test_a_weekly_series_of_one_amount_is_recurring_not_34_duplicates():
    # Weekly plant hire at one price: 34 identical payments gave 33 flags before.
    rows = [pay("2450.00", SINCE + dt.timedelta(days=7 * week)) for week in range(34)]

    flags, recurring = find_duplicates(rows, rules=RULES, since=SINCE)

    assert flags == []
    assert [(r.amount, r.payments) for r in recurring] == [(D("2450.00"), 34)]


def test_a_series_with_one_invoice_paid_twice_under_a_near_reference_is_flagged():
    rows = [
        pay("2450.00", SINCE + dt.timedelta(days=7 * week), reference=f"PH{1000 + week}")
        for week in range(6)
    ]
    rows.append(pay("2450.00", SINCE + dt.timedelta(days=16), reference="PH1002A"))

    flags, recurring = find_duplicates(rows, rules=RULES, since=SINCE)

    assert [sorted(p.reference for p in f.payments) for f in flags] == [["PH1002", "PH1002A"]]
    assert "references one character apart" in flags[0].signs
    assert len(recurring) == 1


def test_per_child_care_fees_paid_in_one_run_are_not_duplicates():
    # A fostering agency paid the same weekly fee for several children on the same days.
    rows = [
        pay("1057.14", day, supplier="Foster Care Ltd", purpose="Independent Fostering Agencies")
        for day in (june(1), june(1), june(1), june(3), june(3))
    ]

    flags, _ = find_duplicates(rows, rules=RULES, since=SINCE)

    assert flags == []


def test_a_care_fee_paid_twice_under_the_same_reference_is_still_flagged():
    rows = [
        pay("3200.00", june(1), purpose="Residential Care", reference="CF-881"),
        pay("3200.00", june(9), purpose="Residential Care", reference="CF-881"),
    ]

    flags, _ = find_duplicates(rows, rules=RULES, since=SINCE)

    assert [f.signs[:1] + tuple(s for s in f.signs if "reference" in s) for f in flags] == [
        ("same supplier and amount", "same reference")
    ]


def test_lines_of_one_payment_document_are_not_duplicates_of_each_other():
    rows = [pay("800.00", june(4), reference=f"46295929-{line}") for line in (1, 2, 3)]

    flags, recurring = find_duplicates(rows, rules=RULES, since=SINCE)

    assert (flags, recurring) == ([], [])


def test_two_payments_of_one_amount_on_the_same_day_need_a_reference_to_be_flagged():
    rows = [pay("950.00", june(4), reference="X-1"), pay("950.00", june(4), reference="Y-9")]

    assert find_duplicates(rows, rules=RULES, since=SINCE)[0] == []


def test_a_payment_reversed_by_a_credit_note_and_reissued_is_not_flagged():
    rows = [
        pay("5000.00", june(1), reference="INV-7"),
        pay("-5000.00", june(2), reference="CN-7"),
        pay("5000.00", june(20), reference="INV-7R"),
    ]

    flags, _ = find_duplicates(rows, rules=RULES, since=SINCE)

    assert flags == []


def test_a_payment_made_twice_and_recovered_by_a_credit_note_is_shown_as_recovered():
    rows = [
        pay("5000.00", june(1), reference="INV-7"),
        pay("5000.00", june(5), reference="INV-7"),
        pay("-5000.00", june(12), reference="CN-7"),
    ]

    flags, _ = find_duplicates(rows, rules=RULES, since=SINCE)

    assert [(f.kind, f.recovered_on, f.amount, len(f.payments)) for f in flags] == [
        (Kind.DUPLICATE, june(12), D("0"), 3)
    ]


def test_small_amounts_are_not_flagged():
    rows = [pay("12.50", june(1)), pay("12.50", june(2))]

    assert find_duplicates(rows, rules=RULES, since=SINCE)[0] == []


def test_a_pair_ending_before_the_year_belongs_to_the_year_before():
    rows = [pay("700.00", dt.date(2024, 3, 25)), pay("700.00", dt.date(2024, 3, 29))]

    assert find_duplicates(rows, rules=RULES, since=SINCE)[0] == []


# -- a supplier set up twice -------------------------------------------------------------------


def test_one_invoice_paid_to_two_records_of_one_company_is_flagged():
    rows = [
        pay("18750.00", june(3), supplier_id=1, supplier="Northern Roofing Ltd", reference="7781"),
        pay(
            "18750.00",
            june(24),
            supplier_id=2,
            supplier="Northern Roofng Limited",
            reference="7781",
        ),
        pay("18750.00", june(10), supplier_id=3, supplier="Southern Paving Ltd"),
    ]

    flags = find_twin_suppliers(rows, rules=RULES, since=SINCE)

    assert [(f.kind, f.amount, f.supplier) for f in flags] == [
        (Kind.TWIN_SUPPLIER, D("18750.00"), "Northern Roofing Ltd / Northern Roofng Limited")
    ]
    assert flags[0].signs[:3] == (
        "supplier names differ only in spelling",
        "same amount",
        "same reference",
    )


def test_two_records_sharing_a_company_number_are_twins_whatever_their_names():
    rows = [
        pay("990.00", june(3), supplier_id=1, supplier="ABC Ltd", company_number="1234567"),
        pay("990.00", june(4), supplier_id=2, supplier="Trading As XYZ", company_number="1234567"),
    ]

    flags = find_twin_suppliers(rows, rules=RULES, since=SINCE)

    assert [f.signs[0] for f in flags] == ["suppliers share a company number"]


def test_different_firms_paid_the_same_amount_are_not_twins():
    rows = [
        pay("500.00", june(3), supplier_id=1, supplier="Leeds Music Service"),
        pay("500.00", june(4), supplier_id=2, supplier="Bradford Youth Theatre"),
    ]

    assert find_twin_suppliers(rows, rules=RULES, since=SINCE) == []


def test_one_twin_payment_matching_two_of_the_other_records_is_one_flag():
    rows = [
        pay("7200.00", june(2), supplier_id=1, supplier="Pennine Lifts Ltd"),
        pay("7200.00", june(9), supplier_id=1, supplier="Pennine Lifts Ltd"),
        pay("7200.00", june(20), supplier_id=2, supplier="Penine Lifts Ltd"),
    ]

    flags = find_twin_suppliers(rows, rules=RULES, since=SINCE)

    assert [(f.supplier, f.amount, len(f.payments)) for f in flags] == [
        ("Pennine Lifts Ltd / Penine Lifts Ltd", D("14400.00"), 3)
    ]


# -- split purchases ---------------------------------------------------------------------------


def _split(rows, *, totals=None, contracts=None):
    return find_splits(
        rows, rules=RULES, since=SINCE, year_totals=totals or {}, contracts=contracts or {}
    )


def test_payments_under_a_threshold_that_add_up_past_it_within_30_days_are_a_split():
    rows = [pay("4800", june(1)), pay("4900", june(15)), pay("4950", dt.date(2024, 7, 1))]

    (flag,) = _split(rows)

    assert (flag.kind, flag.extra["threshold"], flag.amount, len(flag.payments)) == (
        Kind.SPLIT,
        D("5000"),
        D("14650"),
        3,
    )
    assert "each within 10% of the threshold" in flag.signs


def test_a_run_is_reported_once_at_the_highest_threshold_it_crosses():
    rows = [pay("24000", june(1)), pay("23000", june(5)), pay("24999", june(9))]

    flags = _split(rows)

    assert [(f.extra["threshold"], f.amount) for f in flags] == [(D("25000"), D("71999"))]


@pytest.mark.parametrize(
    "amounts_days",
    [
        [("4800", 1), ("3000", 40)],  # over 30 days apart
        [("2000", 1), ("2000", 2), ("1500", 3)],  # each under half the threshold
        [("4800", 1), ("5001", 2)],  # one at or over the threshold is not hidden
        [("4999", d) for d in range(1, 20, 3)],  # seven bills: a supplier's stream, not one buy
    ],
    ids=["too-far-apart", "small-bills", "one-over", "many-bills"],
)
def test_these_payments_are_not_a_split(amounts_days):
    rows = [pay(amount, june(1) + dt.timedelta(days=day - 1)) for amount, day in amounts_days]

    assert _split(rows) == []


def test_care_placements_are_never_a_split():
    rows = [pay("4800", june(d), purpose="General External Residential Placements") for d in (1, 2)]

    assert _split(rows) == []


def test_a_supplier_otherwise_paid_above_the_threshold_is_not_a_split():
    rows = [pay("4800", june(1)), pay("4900", june(2))]

    assert _split(rows, totals={1: D("9700") + D("5000")}) == []
    assert len(_split(rows, totals={1: D("9700") + D("4999")})) == 1


def test_a_supplier_with_a_contract_covering_the_run_is_not_a_split():
    rows = [pay("4800", june(1)), pay("4900", june(2))]

    assert _split(rows, contracts={1: [(dt.date(2024, 1, 1), dt.date(2025, 1, 1))]}) == []
    assert len(_split(rows, contracts={1: [(dt.date(2023, 1, 1), dt.date(2024, 1, 1))]})) == 1


@pytest.mark.parametrize(
    "purpose", ["Grants to voluntary organisations", "Maintenance contract", "Client transport"]
)
def test_grants_charges_coded_to_a_contract_and_per_client_payments_are_not_a_split(purpose):
    rows = [pay("4800", june(1), purpose=purpose), pay("4900", june(2), purpose=purpose)]

    assert _split(rows) == []


def test_a_payment_cancelled_by_a_credit_note_is_no_part_of_a_split():
    rows = [pay("4800", june(1)), pay("-4800", june(3)), pay("4800", june(4))]

    assert _split(rows) == []
    assert len(_split([*rows, pay("4900", june(5))])) == 1


def test_a_series_of_one_amount_beyond_the_window_is_not_a_split():
    weekly = [pay("3000", june(1) + dt.timedelta(weeks=week)) for week in range(8)]
    three_in_a_month = [pay("3000", june(d)) for d in (1, 10, 20)]

    assert _split(weekly) == []
    assert len(_split(three_in_a_month)) == 1


def test_lines_of_one_document_are_one_purchase_not_a_split():
    lines = [pay("3000", june(1), reference=f"46295929-{n}") for n in (1, 2, 3)]
    two_documents = [
        pay("3000", june(1), reference="46295929-1"),
        pay("3000", june(8), reference="51120001-1"),
    ]

    assert _split(lines) == []
    assert len(_split(two_documents)) == 1


def test_payments_under_a_contract_are_not_a_split():
    rows = [pay("4800", june(1), contract_id=9), pay("4900", june(2), contract_id=9)]

    assert _split(rows) == []


def test_the_thresholds_are_the_rules_numbers():
    rows = [pay("950", june(d)) for d in (1, 2)]
    assert _split(rows) == []

    flags = find_splits(
        rows,
        rules=Rules(split_thresholds=(D("1000"),)),
        since=SINCE,
        year_totals={},
        contracts={},
    )

    assert [f.extra["threshold"] for f in flags] == [D("1000")]


# -- payments outside contracts ----------------------------------------------------------------


def test_payments_90_days_after_the_only_contract_ended_are_flagged_once():
    terms = [ContractTerms(7, "C-7", 1, dt.date(2022, 1, 1), dt.date(2024, 5, 31), None)]
    rows = [
        pay("1000", dt.date(2024, 5, 30)),
        pay("1100", june(25)),  # a late invoice for work done under the contract
        pay("1200", dt.date(2024, 9, 5)),
        pay("1300", dt.date(2024, 9, 25)),
    ]

    (flag,) = find_outside_contracts(rows, contracts=terms, since=SINCE, rules=RULES)

    assert (flag.kind, flag.amount, len(flag.payments)) == (Kind.AFTER_CONTRACT, D("2500"), 2)


def test_a_new_contract_or_an_open_ended_one_covers_the_payments():
    ended = ContractTerms(7, "C-7", 1, dt.date(2022, 1, 1), dt.date(2024, 5, 31), None)
    rows = [pay("1200", dt.date(2024, 9, 5))]

    for other_end in (dt.date(2025, 5, 31), None):
        renewed = ContractTerms(8, "C-8", 1, dt.date(2024, 6, 1), other_end, None)
        assert (
            find_outside_contracts(rows, contracts=[ended, renewed], since=SINCE, rules=RULES) == []
        )


def test_payments_more_than_10_percent_past_a_contracts_value_are_flagged_with_the_excess():
    terms = [ContractTerms(7, "C-7", 1, None, None, D("10000"), paid_before=D("8000"))]
    rows = [
        pay("1500", june(1), contract_id=7),
        pay("1500", june(10), contract_id=7),
        pay("700", june(20), contract_id=7),
    ]

    (flag,) = find_outside_contracts(rows, contracts=terms, since=SINCE, rules=RULES)

    # £11,000 paid is within 10% of the value; the £700 after it is not.
    assert (flag.kind, flag.amount, len(flag.payments)) == (Kind.OVER_VALUE, D("1700"), 1)


# -- ranking and keys --------------------------------------------------------------------------


def test_flags_rank_by_pounds_at_risk_times_agreeing_signs():
    big = find_duplicates(
        [pay("90000", june(1), supplier_id=2), pay("90000", june(3), supplier_id=2)],
        rules=RULES,
        since=SINCE,
    )[0]
    small = find_duplicates(
        [pay("600", june(1), reference="A1"), pay("600", june(2), reference="A1")],
        rules=RULES,
        since=SINCE,
    )[0]

    assert [f.amount for f in ranked([*small, *big])] == [D("90000"), D("600")]


def test_a_documentary_sign_counts_three_times_in_the_score():
    days_apart = find_duplicates(
        [pay("5000", june(1), supplier_id=2), pay("5000", june(3), supplier_id=2)],
        rules=RULES,
        since=SINCE,
    )[0][0]
    rekeyed = find_duplicates(
        [pay("3000", june(1), reference="INV881"), pay("3000", june(3), reference="INV881A")],
        rules=RULES,
        since=SINCE,
    )[0][0]

    assert (days_apart.weight, rekeyed.weight) == (3, 6)
    assert (days_apart.score, rekeyed.score) == (15003, 18006)
    assert ranked([days_apart, rekeyed]) == [rekeyed, days_apart]


def test_a_flags_key_is_the_identity_of_its_payments_not_their_row_ids():
    first = [pay("1234.50", june(1), reference="A"), pay("1234.50", june(8), reference="B")]
    again = [pay("1234.50", june(1), reference="A"), pay("1234.50", june(8), reference="B")]

    (one,) = find_duplicates(first, rules=RULES, since=SINCE)[0]
    (two,) = find_duplicates(again, rules=RULES, since=SINCE)[0]

    assert {p.id for p in one.payments}.isdisjoint(p.id for p in two.payments)
    assert one.key == two.key
    assert one.lines.startswith("june.csv:")


def test_a_pair_that_is_both_a_duplicate_and_a_split_is_one_flag_with_both_signs():
    rows = [pay("70000", june(1)), pay("70000", june(3))]
    duplicates, _ = find_duplicates(rows, rules=RULES, since=SINCE)
    splits = _split(rows)

    (flag,) = merged(duplicates, splits)

    assert flag.kind == Kind.DUPLICATE
    assert flag.signs[-1] == "together cross the £100,000 threshold"
