"""Red flags in a year of payments: the rules, as pure functions over plain rows.

procurement.selectors.flags reads the rows (a few queries) and hands them here; nothing in
this module touches the database, so every rule is tested on rows built in the test.

What the rules leave out is as deliberate as what they find. On real council files most
repeats of an amount are ordinary: a weekly hire at one price, per-child fees paid in one run,
the lines of one payment document, a payment reversed by a credit note and re-issued. So:

- a supplier paid one amount on RECURRING_DATES or more dates is a recurring payment (listed
  for context), not a duplicate, unless two of its payments carry the same reference or
  references one character apart;
- two payments of one amount on the same day are a duplicate only on reference evidence;
- lines of one document (reference "46295929-2") are never duplicates of each other;
- a credit note cancels the payment it reverses; where another payment of the amount still
  stands it is shown as "paid twice, recovered".

A flag's key is a hash of its kind and the identity of its payments (supplier name as
written, date, amount, reference), never of row ids, so a triage decision survives a
re-import of the same period and a rebuild of the summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import SequenceMatcher

from core.money import format_pounds, whole_pounds
from core.text import counted
from procurement.identity import name_key

ZERO = Decimal("0")
SAME_REFERENCE = "same reference"
NEAR_REFERENCE = "references one character apart"
SAME_COMPANY = "suppliers share a company number"
NAME_SPELT_TWO_WAYS = "supplier names differ only in spelling"
STRONG_SIGNS = frozenset({SAME_REFERENCE, NEAR_REFERENCE, SAME_COMPANY, NAME_SPELT_TWO_WAYS})


class Kind:
    DUPLICATE = "duplicate"
    TWIN_SUPPLIER = "supplier-twice"
    SPLIT = "split"
    AFTER_CONTRACT = "after-contract"
    OVER_VALUE = "over-contract-value"

    LABELS = {
        DUPLICATE: "Possible duplicate payment",
        TWIN_SUPPLIER: "Same invoice paid to two supplier records",
        SPLIT: "Possible split purchase",
        AFTER_CONTRACT: "Paid after the contract ended",
        OVER_VALUE: "Paid above the contract's value",
    }


@dataclass(frozen=True)
class Rules:
    """The numbers the rules use; procurement.selectors.flags builds them from settings."""

    duplicate_days: int = 7
    recurring_dates: int = 3
    min_amount: Decimal = Decimal("500")
    twin_days: int = 60
    twin_name_similarity: float = 0.9
    split_thresholds: tuple[Decimal, ...] = (Decimal("5000"), Decimal("25000"), Decimal("100000"))
    split_days: int = 30
    split_min_share: Decimal = Decimal("0.5")
    split_max_payments: int = 4
    # Invoices for work done under a contract arrive after it ends: payments within this many
    # days of the end are not "after the contract".
    contract_grace_days: int = 90
    # Paid to date may pass a contract's value by this share before it is flagged: the
    # Procurement Act 2023 treats a change of up to 10% (goods and services) as minor.
    contract_tolerance: Decimal = Decimal("0.10")
    # Purposes paid per person or per period (care fees, placements, timesheets): the same
    # amount again is the next child or week, and no purchase is split. Matched as words in
    # the payment's purpose or expense type.
    per_person: tuple[str, ...] = (
        "care",
        "placement",
        "fostering",
        "nursing",
        "residential",
        "supported",
        "day centre",
        "agency staff",
        "home care",
        "client",
        "accommodation",
        "floating support",
        "support package",
        "school transport",
        "special school",
    )
    # Purposes that are no purchase to split: grants are not procured, and a charge the ledger
    # codes to a contract ("contract cleaning", "maintenance contract") has one, whether or
    # not the register holds it.
    not_split: tuple[str, ...] = ("grant", "contract")

    def is_per_person(self, payment: Payment) -> bool:
        return _names_any(payment, self.per_person)

    def may_be_split(self, payment: Payment) -> bool:
        return not (self.is_per_person(payment) or _names_any(payment, self.not_split))


def _names_any(payment: Payment, words: Iterable[str]) -> bool:
    text = f" {payment.purpose} {payment.expense_type} ".lower()
    return any(word in text for word in words)


@dataclass(frozen=True)
class Payment:
    id: int
    supplier_id: int | None
    supplier: str  # the supplier's name in the register
    written_as: str  # the name as the file wrote it
    company_number: str
    paid_on: dt.date
    amount: Decimal
    reference: str
    service_area: str
    purpose: str
    expense_type: str
    invoice_date: dt.date | None
    contract_id: int | None
    filename: str
    line_number: int

    @property
    def identity(self) -> str:
        """Who, when, how much and which reference: the same after a re-import."""
        return f"{name_key(self.written_as)}|{self.paid_on}|{self.amount:.2f}|{self.reference}"

    @property
    def file_line(self) -> str:
        return f"{self.filename}:{self.line_number}"


@dataclass(frozen=True)
class Flag:
    kind: str
    supplier_id: int | None
    supplier: str
    amount: Decimal  # the pounds at risk
    payments: tuple[Payment, ...]
    signs: tuple[str, ...]  # the evidence that agrees, in words
    recovered_on: dt.date | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return Kind.LABELS[self.kind]

    @property
    def first_paid_on(self) -> dt.date:
        return min(p.paid_on for p in self.payments)

    @property
    def last_paid_on(self) -> dt.date:
        return max(p.paid_on for p in self.payments)

    @property
    def weight(self) -> int:
        """How many signs agree, a documentary one (the same or a near invoice reference, a
        shared company number, one name spelt two ways) counting three times: those are what
        real duplicates look like, a repeated amount alone is mostly ordinary."""
        return len(self.signs) + 2 * sum(s in STRONG_SIGNS for s in self.signs)

    @property
    def score(self) -> int:
        """Pounds at risk times the weight of the signs that agree: a £100k pair on one sign
        outranks a £600 pair on three, and of two equal sums the better evidenced comes first.
        A recovered duplicate has nothing at risk; it still counts its signs."""
        return int(self.amount.to_integral_value()) * self.weight + self.weight

    @property
    def key(self) -> str:
        identities = sorted(p.identity for p in self.payments)
        text = "\n".join([self.kind, *identities])
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    @property
    def lines(self) -> str:
        return ";".join(p.file_line for p in sorted(self.payments, key=_by_file_line))


@dataclass(frozen=True)
class Recurring:
    supplier_id: int | None
    supplier: str
    amount: Decimal
    payments: int
    first_paid_on: dt.date
    last_paid_on: dt.date


@dataclass(frozen=True)
class Found:
    flags: list[Flag]
    recurring: list[Recurring]


def _by_file_line(payment: Payment) -> tuple[str, int]:
    return payment.filename, payment.line_number


def _by_date(payment: Payment) -> tuple[dt.date, int]:
    return payment.paid_on, payment.id


# -- references --------------------------------------------------------------------------------

_DOCUMENT_LINE = re.compile(r"^(?P<document>.*\d.*?)[-/](?P<line>\d{1,3})$")


def document_of(reference: str) -> str | None:
    """The payment document a reference names a line of ("46295929-2" -> "46295929"), or None.

    A line number has at most three digits, so a per-line transaction number such as Leeds'
    "2006-00001" is not read as line 1 of document 2006.
    """
    match = _DOCUMENT_LINE.match(reference.strip())
    return match["document"] if match else None


def one_character_apart(first: str, second: str) -> bool:
    """References that differ by one inserted, dropped or swapped character, or one changed
    character that is not simply a different digit (the next number of a sequence).

    "INV1234" / "INV1234A", "INV-12" / "INV12", "INVO123" / "INV0123": yes.
    "2006-00001" / "2006-00002" and "2006-10756" / "2006-10765": no, in a file of per-line
    transaction numbers those are other transactions.
    """
    a, b = first.strip().upper(), second.strip().upper()
    if not a or not b or a == b:
        return False
    if len(a) == len(b):
        differ = [i for i in range(len(a)) if a[i] != b[i]]
        if len(differ) == 1:
            i = differ[0]
            return not (a[i].isdigit() and b[i].isdigit())
        if len(differ) == 2 and differ[1] == differ[0] + 1:
            i = differ[0]
            swapped = a[i] == b[i + 1] and a[i + 1] == b[i]
            return swapped and not (a[i].isdigit() and a[i + 1].isdigit())
        return False
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _reference_sign(first: Payment, second: Payment) -> str | None:
    if not first.reference or not second.reference:
        return None
    if first.reference.strip().upper() == second.reference.strip().upper():
        return SAME_REFERENCE
    if one_character_apart(first.reference, second.reference):
        return NEAR_REFERENCE
    return None


def _same_document(first: Payment, second: Payment) -> bool:
    document = document_of(first.reference)
    return (
        document is not None
        and document == document_of(second.reference)
        and first.paid_on == second.paid_on
    )


# -- duplicates to one supplier ----------------------------------------------------------------


def _cancel_credit_notes(
    rows: list[Payment], rules: Rules
) -> tuple[list[Payment], list[tuple[Payment, Payment, Payment]]]:
    """Payments left standing once each credit note has cancelled the payment it reverses
    (the latest one before it), and the (kept, cancelled, credit) triples where another
    payment of the amount stood within duplicate_days of the cancelled one: paid twice and
    recovered. A reversal with no twin (reversed and re-issued) leaves no trace."""
    standing: list[Payment] = []
    recovered: list[tuple[Payment, Payment, Payment]] = []
    for row in sorted(rows, key=_by_date):
        if row.amount > 0:
            standing.append(row)
            continue
        before = [p for p in standing if p.paid_on <= row.paid_on]
        if not before:
            continue
        cancelled = before[-1]
        standing.remove(cancelled)
        twins = [
            p
            for p in standing
            if abs((p.paid_on - cancelled.paid_on).days) <= rules.duplicate_days
            and not _same_document(p, cancelled)
        ]
        if twins:
            recovered.append((twins[-1], cancelled, row))
    return standing, recovered


def _pair_signs(first: Payment, second: Payment, rules: Rules) -> list[str]:
    signs = ["same supplier and amount"]
    gap = abs((second.paid_on - first.paid_on).days)
    if 0 < gap <= rules.duplicate_days:
        signs.append(f"paid {counted(gap, 'day')} apart")
    if reference := _reference_sign(first, second):
        signs.append(reference)
    if (first.service_area, first.purpose) == (second.service_area, second.purpose):
        signs.append("same service area and purpose")
    if first.invoice_date and first.invoice_date == second.invoice_date:
        signs.append("same invoice date")
    return signs


def _is_duplicate(signs: Sequence[str]) -> bool:
    """Same supplier and amount is not enough: the pair must be days apart (a second payment
    run), or carry the same or a near reference."""
    return any(s.startswith("paid ") or s in (SAME_REFERENCE, NEAR_REFERENCE) for s in signs)


def _reference_only(signs: Sequence[str]) -> bool:
    return any(s in (SAME_REFERENCE, NEAR_REFERENCE) for s in signs)


def find_duplicates(
    payments: Iterable[Payment], *, rules: Rules, since: dt.date
) -> tuple[list[Flag], list[Recurring]]:
    """One flag per supplier and amount (not one per step), and the recurring payments.

    `payments` may start before `since` (so a pair across the year end is found); a flag is
    kept only if its latest payment is on or after `since`.
    """
    groups: dict[tuple[int, Decimal], list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.supplier_id is None or abs(payment.amount) < rules.min_amount:
            continue
        groups[(payment.supplier_id, abs(payment.amount))].append(payment)

    flags: list[Flag] = []
    recurring: list[Recurring] = []
    for (_supplier_id, amount), rows in groups.items():
        standing, recovered = _cancel_credit_notes(rows, rules)
        for kept, cancelled, credit in recovered:
            if credit.paid_on < since:
                continue
            signs = _pair_signs(kept, cancelled, rules)
            per_person = rules.is_per_person(kept)
            if not (_reference_only(signs) if per_person else _is_duplicate(signs)):
                continue
            flags.append(
                Flag(
                    kind=Kind.DUPLICATE,
                    supplier_id=kept.supplier_id,
                    supplier=kept.supplier,
                    amount=ZERO,
                    payments=(kept, cancelled, credit),
                    signs=tuple(signs),
                    recovered_on=credit.paid_on,
                )
            )
        if len(standing) < 2:
            continue
        dates = {p.paid_on for p in standing}
        is_recurring = len(dates) >= rules.recurring_dates
        if is_recurring and max(dates) >= since:
            first = standing[0]
            recurring.append(
                Recurring(
                    first.supplier_id,
                    first.supplier,
                    amount,
                    len(standing),
                    min(dates),
                    max(dates),
                )
            )
        # More than two payments of one amount (after document lines) is a series or a batch
        # (per child, per vehicle): only a shared or near reference marks a duplicate in it.
        documents = {document_of(p.reference) or p.id for p in standing}
        batch = is_recurring or len(documents) > 2 or rules.is_per_person(standing[0])
        involved: dict[int, Payment] = {}
        signs_seen: list[str] = []
        for i, first in enumerate(standing):
            for second in standing[i + 1 :]:
                if _same_document(first, second):
                    continue
                signs = _pair_signs(first, second, rules)
                found = _reference_only(signs) if batch else _is_duplicate(signs)
                if not found:
                    continue
                involved[first.id] = first
                involved[second.id] = second
                signs_seen.extend(s for s in signs if s not in signs_seen)
        if len(involved) < 2 or max(p.paid_on for p in involved.values()) < since:
            continue
        rows_in = tuple(sorted(involved.values(), key=_by_date))
        flags.append(
            Flag(
                kind=Kind.DUPLICATE,
                supplier_id=rows_in[0].supplier_id,
                supplier=rows_in[0].supplier,
                amount=amount * (len(rows_in) - 1),
                payments=rows_in,
                signs=tuple(signs_seen),
            )
        )
    return flags, recurring


# -- one invoice paid to two supplier records --------------------------------------------------


def _twin_reason(first: Payment, second: Payment, rules: Rules) -> str | None:
    if first.company_number and first.company_number == second.company_number:
        return SAME_COMPANY
    a, b = name_key(first.supplier), name_key(second.supplier)
    if not a or not b:
        return None
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < rules.twin_name_similarity:
        return None
    if matcher.quick_ratio() < rules.twin_name_similarity:
        return None
    if matcher.ratio() >= rules.twin_name_similarity:
        return NAME_SPELT_TWO_WAYS
    return None


def find_twin_suppliers(payments: Iterable[Payment], *, rules: Rules, since: dt.date) -> list[Flag]:
    """The same amount paid to two supplier records that are one firm (same company number,
    or names a few letters apart) within twin_days: the commonest real duplicate. One flag
    per pair of records and amount, however many of their payments pair up."""
    by_amount: dict[Decimal, list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.supplier_id is not None and payment.amount >= rules.min_amount:
            by_amount[payment.amount].append(payment)
    groups: dict[tuple[int, int, Decimal], tuple[dict[int, Payment], list[str]]] = {}
    for amount, rows in by_amount.items():
        rows.sort(key=_by_date)
        for i, first in enumerate(rows):
            for second in rows[i + 1 :]:
                if (second.paid_on - first.paid_on).days > rules.twin_days:
                    break
                if second.supplier_id == first.supplier_id or second.paid_on < since:
                    continue
                reason = _twin_reason(first, second, rules)
                if reason is None:
                    continue
                ids = sorted((first.supplier_id or 0, second.supplier_id or 0))
                involved, signs = groups.setdefault((ids[0], ids[1], amount), ({}, []))
                involved[first.id], involved[second.id] = first, second
                found = [reason, "same amount"]
                if reference := _reference_sign(first, second):
                    found.append(reference)
                if abs((second.paid_on - first.paid_on).days) <= rules.duplicate_days:
                    found.append("paid within a week")
                signs.extend(s for s in found if s not in signs)
    flags: list[Flag] = []
    for (_low, _high, amount), (involved, signs) in groups.items():
        rows_in = tuple(sorted(involved.values(), key=_by_date))
        names = list(dict.fromkeys(p.supplier for p in rows_in))
        flags.append(
            Flag(
                kind=Kind.TWIN_SUPPLIER,
                supplier_id=rows_in[-1].supplier_id,
                supplier=" / ".join(names),
                amount=amount * (len(rows_in) - 1),
                payments=rows_in,
                signs=tuple(signs),
            )
        )
    return flags


# -- split purchases ---------------------------------------------------------------------------


def _one_purchase(run: Sequence[Payment], *, threshold: Decimal, rules: Rules) -> bool:
    """Could the run be one purchase cut to stay under `threshold`? A few payments (not a
    placement's weekly fees), for one purpose, adding up to less than the next threshold (a
    £40,000 purchase is not hidden from a £5,000 rule by £4,999 invoices)."""
    above = [t for t in rules.split_thresholds if t > threshold]
    ceiling = min(above) if above else threshold * 2
    total = sum((p.amount for p in run), ZERO)
    return (
        len(run) <= rules.split_max_payments
        and total < ceiling
        and len({(p.service_area, p.purpose) for p in run}) == 1
    )


def _document_key(payment: Payment) -> object:
    """The payment document a line belongs to (its lines are one purchase), else the line."""
    document = document_of(payment.reference)
    return (document, payment.paid_on) if document is not None else payment.id


def _purchases(rows: Iterable[Payment], rules: Rules) -> list[Payment]:
    """One supplier's payments that may be parts of a purchase, by date: without those a
    credit note cancelled, and without a series (one amount paid on recurring_dates or more
    dates over more than split_days: a weekly or monthly charge, not a purchase cut up)."""
    by_amount: dict[Decimal, list[Payment]] = defaultdict(list)
    for row in rows:
        by_amount[abs(row.amount)].append(row)
    kept: list[Payment] = []
    for same in by_amount.values():
        standing, _recovered = _cancel_credit_notes(same, rules)
        dates = {p.paid_on for p in standing}
        if (
            len(dates) >= rules.recurring_dates
            and (max(dates) - min(dates)).days > rules.split_days
        ):
            continue
        kept.extend(standing)
    return sorted(kept, key=_by_date)


def find_splits(
    payments: Iterable[Payment],
    *,
    rules: Rules,
    since: dt.date,
    year_totals: Mapping[int, Decimal],
    contracts: Mapping[int, Sequence[tuple[dt.date | None, dt.date | None]]],
) -> list[Flag]:
    """Runs of payments to one supplier within split_days whose total crosses a threshold of
    the contract procedure rules while each payment stays under it.

    Left out: payments under a contract or coded to one, grants, per-person payments, those a
    credit note cancelled, a series of one amount, lines of a document itself over the
    threshold (and runs of one document's lines), suppliers with a contract in the register
    covering the run, suppliers otherwise paid the threshold or more in the year (year_totals
    less the run), and payments under split_min_share of the threshold (small bills add up to
    anything).
    A run is reported once, at the highest threshold it crosses.
    """
    by_supplier: dict[int, list[Payment]] = defaultdict(list)
    for payment in payments:
        if (
            payment.supplier_id is not None
            and payment.contract_id is None
            and rules.may_be_split(payment)
        ):
            by_supplier[payment.supplier_id].append(payment)
    flags: list[Flag] = []
    for supplier_id, paid in by_supplier.items():
        rows = _purchases(paid, rules)
        documents: dict[object, Decimal] = defaultdict(Decimal)
        for p in rows:
            documents[_document_key(p)] += p.amount
        used: set[int] = set()
        for threshold in sorted(rules.split_thresholds, reverse=True):
            band = [
                p
                for p in rows
                if p.id not in used
                and rules.split_min_share * threshold <= p.amount < threshold
                and documents[_document_key(p)] < threshold
            ]
            i = 0
            while i < len(band):
                end = band[i].paid_on + dt.timedelta(days=rules.split_days)
                run = [p for p in band[i:] if p.paid_on <= end]
                total = sum((p.amount for p in run), ZERO)
                if len({_document_key(p) for p in run}) < 2 or total < threshold:
                    i += 1
                    continue
                if len(run) > rules.split_max_payments:
                    i += len(run)  # a volume supplier's stream of bills, not one purchase
                    continue
                if not _one_purchase(run, threshold=threshold, rules=rules):
                    i += 1
                    continue
                i += len(run)
                first, last = run[0].paid_on, run[-1].paid_on
                if last < since:
                    continue
                if year_totals.get(supplier_id, ZERO) - total >= threshold:
                    continue
                if any(
                    (start is None or start <= last) and (finish is None or finish >= first)
                    for start, finish in contracts.get(supplier_id, ())
                ):
                    continue
                used.update(p.id for p in run)
                signs = [
                    f"{len(run)} payments in {(last - first).days + 1} days",
                    f"each under {whole_pounds(threshold)}, together {format_pounds(total)}",
                    "no contract in the register",
                ]
                if all(p.amount >= threshold * Decimal("0.9") for p in run):
                    signs.append("each within 10% of the threshold")
                signs.append("same service area and purpose")
                flags.append(
                    Flag(
                        kind=Kind.SPLIT,
                        supplier_id=supplier_id,
                        supplier=run[0].supplier,
                        amount=total,
                        payments=tuple(run),
                        signs=tuple(signs),
                        extra={"threshold": threshold},
                    )
                )
    return flags


# -- payments outside contracts ----------------------------------------------------------------


@dataclass(frozen=True)
class ContractTerms:
    """A contract as the checks need it: its supplier, dates with variations applied, and
    its value with variations, and what has been paid under it before the year."""

    id: int
    reference: str
    supplier_id: int
    start: dt.date | None
    end: dt.date | None
    value: Decimal | None
    paid_before: Decimal = ZERO
    paid_by: Decimal = ZERO  # paid under it by the end of the year


def find_outside_contracts(
    payments: Iterable[Payment],
    *,
    contracts: Sequence[ContractTerms],
    since: dt.date,
    rules: Rules,
) -> list[Flag]:
    """Payments to a supplier more than contract_grace_days after every contract it holds has
    ended (variations extending one count), and payments that take a contract more than
    contract_tolerance past its value (variations included)."""
    grace = dt.timedelta(days=rules.contract_grace_days)
    rows = sorted((p for p in payments if p.paid_on >= since), key=_by_date)
    by_supplier: dict[int, list[ContractTerms]] = defaultdict(list)
    for terms in contracts:
        by_supplier[terms.supplier_id].append(terms)
    flags: list[Flag] = []

    after: dict[int, list[Payment]] = defaultdict(list)
    for payment in rows:
        held = by_supplier.get(payment.supplier_id or 0)
        if not held or payment.amount <= 0:
            continue
        if all(t.end is not None and t.end + grace < payment.paid_on for t in held):
            after[payment.supplier_id or 0].append(payment)
    for supplier_id, paid in after.items():
        ended = max(t.end for t in by_supplier[supplier_id] if t.end is not None)
        flags.append(
            Flag(
                kind=Kind.AFTER_CONTRACT,
                supplier_id=supplier_id,
                supplier=paid[0].supplier,
                amount=sum((p.amount for p in paid), ZERO),
                payments=tuple(paid),
                signs=(f"last contract ended {ended:%-d %b %Y}", "no variation or new contract"),
                extra={"ended": ended},
            )
        )

    terms_by_id = {t.id: t for t in contracts}
    running: dict[int, Decimal] = {t.id: t.paid_before for t in contracts}
    beyond: dict[int, list[Payment]] = defaultdict(list)
    for payment in rows:
        paid_under = terms_by_id.get(payment.contract_id or 0)
        if paid_under is None or paid_under.value is None:
            continue
        running[paid_under.id] += payment.amount
        limit = paid_under.value * (1 + rules.contract_tolerance)
        if running[paid_under.id] > limit and payment.amount > 0:
            beyond[paid_under.id].append(payment)
    for contract_id, paid in beyond.items():
        terms = terms_by_id[contract_id]
        excess = running[contract_id] - (terms.value or ZERO)
        if excess <= 0:
            continue
        flags.append(
            Flag(
                kind=Kind.OVER_VALUE,
                supplier_id=terms.supplier_id,
                supplier=paid[0].supplier,
                amount=excess,
                payments=tuple(paid),
                signs=(
                    f"contract {terms.reference} valued at {format_pounds(terms.value)}",
                    f"paid {format_pounds(running[contract_id])} to date",
                ),
                extra={"contract_id": contract_id},
            )
        )
    return flags


def merged(duplicates: Sequence[Flag], splits: Sequence[Flag]) -> list[Flag]:
    """Duplicates and splits, with a split made of exactly a duplicate's payments folded into
    that duplicate as one more sign: one pair of payments is one thing to check, not two."""
    by_payments = {frozenset(p.id for p in flag.payments): flag for flag in duplicates}
    kept: list[Flag] = []
    for split in splits:
        twin = by_payments.get(frozenset(p.id for p in split.payments))
        if twin is None:
            kept.append(split)
            continue
        threshold = split.extra["threshold"]
        assert isinstance(threshold, Decimal)
        crossing = f"together cross the {whole_pounds(threshold)} threshold"
        by_payments[frozenset(p.id for p in twin.payments)] = replace(
            twin, signs=(*twin.signs, crossing)
        )
    return [*by_payments.values(), *kept]


def ranked(flags: Iterable[Flag]) -> list[Flag]:
    """Largest score first; ties by pounds, then supplier and date, so the order is stable."""
    return sorted(flags, key=lambda f: (-f.score, -f.amount, f.supplier, f.first_paid_on, f.kind))
