"""Known duplicates and splits hidden in real council files are found, whatever the file.

Every real spend file the project keeps (../shared/data/real/spend/, else the copies in
tests/data/real/spend/) is imported once for the module; files the importer refuses, and empty
ones, are skipped with the importer's reason. Into each, at positions drawn from a seeded
random generator (three seeds), the test plants cases drawn from the file's own suppliers,
amounts, service areas and purposes:

- an invoice paid twice, its reference re-keyed one character apart;
- one invoice paid to a supplier set up twice: a name spelt differently, and a second record
  sharing the company number;
- a purchase split into payments just under a threshold, for a supplier not otherwise paid
  above it and with no contract;

and decoys that look like them but are ordinary: a weekly series of one amount, care fees
paid per resident, the lines of one payment document, a payment reversed by a credit note and
re-issued. Each planted case must be flagged within the top TOP flags of its year; no decoy's
payment may be in any flag; and the file must stay within the issue's bound of one flag per
150 payments. Nothing here knows what any file holds.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.db import transaction

from core.financial_year import financial_year_bounds, financial_year_of
from procurement.flags import Flag, Kind, one_character_apart
from procurement.identity import name_key
from procurement.importers.spend import import_spend_file
from procurement.models import SpendImport, SpendTransaction, Supplier
from procurement.selectors.flags import flag_rules, spend_flags_found
from procurement.services.spend_summary import spend_summary_rebuild
from tests.procurement.factories import SpendImportFactory, SpendTransactionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "real" / "spend"
COPIES = Path(__file__).resolve().parent.parent / "data" / "real" / "spend"
SEEDS = (3, 14, 2020)
TOP = 25  # half the first page of the flag list
MOST_FLAGS_PER_THOUSAND = Decimal(1000) / 150
D = Decimal


def _real_files() -> list[Path]:
    names = sorted(
        {p.name for folder in (SHARED, COPIES) if folder.is_dir() for p in folder.glob("*.csv")}
    )
    return [SHARED / name if (SHARED / name).exists() else COPIES / name for name in names]


@dataclass(frozen=True)
class Row:
    id: int
    supplier_id: int
    supplier: str
    amount: Decimal
    paid_on: dt.date
    reference: str
    service_area: str
    purpose: str
    expense_type: str


@dataclass
class RealFile:
    name: str
    payments: int
    rows: list[Row]
    year: int
    flags_before: dict[int, set[str]]  # each year's flags' keys

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        """Days of the file's main financial year that its payments cover."""
        days = [r.paid_on for r in self.rows if financial_year_of(r.paid_on) == self.year]
        return min(days), max(days)


@pytest.fixture(scope="module", params=_real_files(), ids=lambda path: path.name)
def real_file(request, django_db_setup, django_db_blocker) -> Iterator[RealFile]:
    """The file imported as the council's own spend, once for the module, rolled back after."""
    path: Path = request.param
    if path.stat().st_size == 0:
        pytest.skip(f"{path.name} is empty (0 bytes): no payments to hide cases among")
    with django_db_blocker.unblock(), transaction.atomic():
        result = import_spend_file(path, skip_bad_rows=True)
        if result.status != "imported":
            transaction.set_rollback(True)
            pytest.skip(
                f"{path.name} is refused by the importer ({result.status}): {result.file_error}"
            )
        SpendImport.objects.update(is_own=True)
        spend_summary_rebuild()
        rows = [
            Row(
                id=t.id,
                supplier_id=t.supplier_id or 0,
                supplier=t.supplier.name if t.supplier else "",
                amount=t.amount,
                paid_on=t.paid_on,
                reference=t.reference,
                service_area=t.service_area,
                purpose=t.purpose,
                expense_type=t.expense_type,
            )
            for t in SpendTransaction.objects.filter(supplier__isnull=False)
            .select_related("supplier")
            .order_by("id")
        ]
        if not rows:
            transaction.set_rollback(True)
            pytest.skip(f"{path.name} holds no payments to a named supplier")
        years = Counter(financial_year_of(r.paid_on) for r in rows)
        flags_before = {year: {f.key for f in spend_flags_found(year=year).flags} for year in years}
        yield RealFile(
            name=path.name,
            payments=SpendTransaction.objects.count(),
            rows=rows,
            year=years.most_common(1)[0][0],
            flags_before=flags_before,
        )
        transaction.set_rollback(True)


# -- planting ----------------------------------------------------------------------------------


class Planter:
    """Plants cases among a file's payments from one seed, each from the file's own rows."""

    def __init__(self, real: RealFile, seed: int) -> None:
        self.real = real
        self.random = random.Random(f"{real.name}:{seed}")
        self.rules = flag_rules()
        self.spend_import = SpendImportFactory(filename="planted.csv", is_own=True)
        self.used: set[int] = set()  # suppliers already planted on
        start, end = financial_year_bounds(real.year)
        self.year_start, self.year_end = start, end
        self.totals: dict[int, Decimal] = defaultdict(Decimal)
        self.largest: dict[int, Decimal] = defaultdict(Decimal)
        self.paid: dict[int, list[Row]] = defaultdict(list)
        for row in real.rows:
            self.totals[row.supplier_id] += row.amount
            self.largest[row.supplier_id] = max(self.largest[row.supplier_id], row.amount)
            self.paid[row.supplier_id].append(row)
        self.keys = {name_key(r.supplier) for r in real.rows}
        positive = sorted(r.amount for r in real.rows if r.amount >= self.rules.min_amount)
        # Amounts worth an auditor's time: the file's own, from its upper quartile.
        self.large = positive[len(positive) * 3 // 4 : len(positive) * 99 // 100] or positive
        self.references = [r.reference for r in real.rows if r.reference]
        self._serial = self.random.randrange(10_000_000, 90_000_000)

    # What the planted rows draw on.

    def _row(self, *, large: bool = True, where: Callable[[Row], bool] = lambda r: True) -> Row:
        """A payment of the file to a supplier not planted on yet, for a purpose the rules
        read as a purchase."""
        candidates = [
            r
            for r in self.real.rows
            if r.supplier_id not in self.used
            and r.amount > 0
            and (not large or r.amount >= self.large[0])
            and not self._names(r, (*self.rules.per_person, *self.rules.not_split))
            and where(r)
        ]
        row = self.random.choice(candidates)
        self.used.add(row.supplier_id)
        return row

    @staticmethod
    def _names(row: Row, words: tuple[str, ...]) -> bool:
        text = f" {row.purpose} {row.expense_type} ".lower()
        return any(word in text for word in words)

    def _day(self, span: int, row: Row | None = None) -> dt.date:
        """A day of the file's year from which `span` more days stay in the year and, given a
        row, clear by more than duplicate_days of the supplier's own payments of its amount."""
        first, last = self.real.bounds
        last = min(last, self.year_end - dt.timedelta(days=span))
        first = min(first, last)
        gap = self.rules.duplicate_days + 1
        taken = (
            []
            if row is None
            else [r.paid_on for r in self.paid[row.supplier_id] if abs(r.amount) == row.amount]
        )
        days = [
            day
            for n in range((last - first).days + 1)
            if all(
                (day := first + dt.timedelta(days=n)) - t > dt.timedelta(gap)
                or t - (day + dt.timedelta(days=span)) > dt.timedelta(gap)
                for t in taken
            )
        ]
        return self.random.choice(days or [first])

    def reference(self) -> str:
        """A new reference in the file's style: unique, never one character from another."""
        self._serial += self.random.randint(1_000, 9_000)
        return str(self._serial)

    def pay(self, supplier: Supplier, amount: Decimal, on: dt.date, like: Row, **extra) -> int:
        fields = {
            "service_area": like.service_area,
            "purpose": like.purpose,
            "expense_type": like.expense_type,
            "reference": self.reference(),
            **extra,
        }
        payment = cast(
            SpendTransaction,
            SpendTransactionFactory(
                spend_import=self.spend_import,
                supplier=supplier,
                amount=amount,
                paid_on=on,
                **fields,
            ),
        )
        return payment.pk

    # The hidden cases.

    def paid_twice(self) -> set[int]:
        """An invoice paid twice, its reference re-keyed with one character changed."""
        row = self._row()
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(14, row)
        reference = self._invoice_number()
        again = self._rekeyed(reference)
        assert one_character_apart(reference, again)
        return {
            self.pay(supplier, row.amount, on, row, reference=reference),
            self.pay(
                supplier,
                row.amount,
                on + dt.timedelta(self.random.randint(1, 14)),
                row,
                reference=again,
            ),
        }

    def _invoice_number(self) -> str:
        letters = "".join(
            self.random.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(self.random.randint(2, 3))
        )
        return f"{letters}{self.random.randint(1000, 999999)}"

    def _rekeyed(self, reference: str) -> str:
        """The same invoice number keyed again: a suffix, a dropped or added separator, a
        letter O for a nought, two letters swapped."""
        how = self.random.choice(("suffix", "separator", "nought", "swap"))
        letters = len(reference.rstrip("0123456789"))
        if how == "suffix":
            return reference + self.random.choice("ABX")
        if how == "separator":
            return f"{reference[:letters]}-{reference[letters:]}"
        if how == "nought" and "0" in reference[letters:]:
            i = reference.index("0", letters)
            return f"{reference[:i]}O{reference[i + 1 :]}"
        return (
            f"{reference[1]}{reference[0]}{reference[2:]}"
            if reference[0] != reference[1]
            else reference + "A"
        )

    def twin_by_spelling(self) -> set[int]:
        """The same invoice paid to a second record of the supplier, its name misspelt."""
        row = self._row_with(
            lambda r: len(name_key(r.supplier)) >= 10
            and re.search("[A-Za-z]{4,}", r.supplier) is not None
            and (self.year_end - r.paid_on).days >= 3
        )
        supplier = Supplier.objects.get(pk=row.supplier_id)
        twin = cast(Supplier, SupplierFactory(name=self._misspelt(supplier.name)))
        return self._paid_to_both(row, supplier, twin)

    def twin_by_company_number(self) -> set[int]:
        """The same invoice paid to a second record with the same company number under the
        supplier's trading name."""
        row = self._row_with(lambda r: (self.year_end - r.paid_on).days >= 3)
        supplier = Supplier.objects.get(pk=row.supplier_id)
        number = f"{self.random.randint(1_000_000, 13_999_999):08d}"
        Supplier.objects.filter(pk=supplier.pk).update(company_number=number)
        twin = cast(
            Supplier,
            SupplierFactory(
                name=f"{supplier.name} Trading As Regional Services", company_number=number
            ),
        )
        return self._paid_to_both(row, supplier, twin)

    def _row_with(self, test: Callable[[Row], bool]) -> Row:
        return self._row(where=test)

    def _paid_to_both(self, row: Row, supplier: Supplier, twin: Supplier) -> set[int]:
        """The file's own payment `row`, and the same invoice paid again to `twin`."""
        latest = (self.year_end - row.paid_on).days
        on = row.paid_on + dt.timedelta(days=self.random.randint(3, min(45, max(3, latest))))
        return {row.id, self.pay(twin, row.amount, on, row, reference=row.reference)}

    def _misspelt(self, name: str) -> str:
        """The name with one letter of its first long word dropped, doubled or swapped."""
        word = next(m for m in re.finditer(r"[A-Za-z]{4,}", name))
        for _ in range(100):
            i = self.random.randrange(word.start() + 1, word.end())
            how = self.random.choice(("drop", "double", "swap"))
            if how == "drop":
                spelt = name[:i] + name[i + 1 :]
            elif how == "double":
                spelt = name[:i] + name[i] + name[i:]
            else:
                spelt = name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
            if spelt != name and name_key(spelt) not in self.keys:
                return spelt
        raise AssertionError(f"cannot misspell {name!r}")

    def split(self) -> set[int]:
        """A purchase cut into two or three payments just under a threshold, to a supplier
        otherwise paid well under it and with no contract."""
        threshold = self.random.choice(self.rules.split_thresholds[:2])
        band = [r.amount for r in self.real.rows if threshold * D("0.6") <= r.amount < threshold]
        if len(band) < 3:  # a file of small payments: just under the threshold
            band = [threshold - D(self.random.randint(1, 2000)) for _ in range(3)]
        row = self._row(
            large=False,
            where=lambda r: self.largest[r.supplier_id] < threshold * self.rules.split_min_share
            and self.totals[r.supplier_id] < threshold / 2,
        )
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(30, row)
        count = self.random.choice((2, 3))
        days = sorted(self.random.sample(range(0, 29), count))
        return {
            self.pay(supplier, self.random.choice(band), on + dt.timedelta(days=day), row)
            for day in days
        }

    # The decoys.

    def weekly_series(self) -> set[int]:
        """One amount paid every week for eight weeks (plant hire, a cleaning contract)."""
        row = self._row(large=False)
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(7 * 8, row)
        return {
            self.pay(supplier, row.amount, on + dt.timedelta(weeks=week), row) for week in range(8)
        }

    def care_fees(self) -> set[int]:
        """A care home's fee for each of four residents, paid in one run, and the next run
        four weeks later."""
        row = self._row(large=False)
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(28, row)
        return {
            self.pay(
                supplier,
                row.amount,
                on + dt.timedelta(weeks=4 * cycle),
                row,
                purpose="Residential care placements",
            )
            for cycle in range(2)
            for _resident in range(4)
        }

    def document_lines(self) -> set[int]:
        """Three lines of one payment document, each of one amount."""
        row = self._row(large=False)
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(0, row)
        document = self.reference()
        return {
            self.pay(supplier, row.amount, on, row, reference=f"{document}-{line}")
            for line in (1, 2, 3)
        }

    def reversed_and_reissued(self) -> set[int]:
        """A payment reversed by a credit note and issued again."""
        row = self._row(large=False)
        supplier = Supplier.objects.get(pk=row.supplier_id)
        on = self._day(10, row)
        reference = self._invoice_number()
        credit_on = on + dt.timedelta(days=self.random.randint(1, 5))
        return {
            self.pay(supplier, row.amount, on, row, reference=reference),
            self.pay(supplier, -row.amount, credit_on, row, reference=f"CR{reference}"),
            self.pay(
                supplier,
                row.amount,
                credit_on + dt.timedelta(days=self.random.randint(0, 5)),
                row,
                reference=reference,
            ),
        }


def _flags(year: int) -> list[Flag]:
    return spend_flags_found(year=year).flags


def _rank(flags: list[Flag], planted: set[int], kinds: set[str]) -> int | None:
    return next(
        (
            rank
            for rank, flag in enumerate(flags)
            if flag.kind in kinds and planted <= {p.id for p in flag.payments}
        ),
        None,
    )


# -- the tests ---------------------------------------------------------------------------------


def test_the_file_raises_at_most_one_flag_per_150_payments(real_file):
    flags = sum(len(keys) for keys in real_file.flags_before.values())

    assert D(1000) * flags / real_file.payments <= MOST_FLAGS_PER_THOUSAND, (
        f"{real_file.name}: {flags} flags over {real_file.payments} payments"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_cases_hidden_in_the_file_are_found_near_the_top(real_file, seed):
    planter = Planter(real_file, seed)
    planted = {
        "invoice paid twice, reference re-keyed": (planter.paid_twice(), {Kind.DUPLICATE}),
        "supplier set up twice, name misspelt": (planter.twin_by_spelling(), {Kind.TWIN_SUPPLIER}),
        "supplier set up twice, same company number": (
            planter.twin_by_company_number(),
            {Kind.TWIN_SUPPLIER},
        ),
        "purchase split under a threshold": (planter.split(), {Kind.SPLIT, Kind.DUPLICATE}),
    }
    spend_summary_rebuild()

    flags = _flags(real_file.year)

    ranks = {case: _rank(flags, ids, kinds) for case, (ids, kinds) in planted.items()}
    missed = {case: rank for case, rank in ranks.items() if rank is None or rank >= TOP}
    assert not missed, f"{real_file.name}, seed {seed}: ranks {ranks} of {len(flags)} flags"
    before = real_file.flags_before.get(real_file.year, set())
    added = [(f.label, f.supplier, f.amount) for f in flags if f.key not in before]
    assert len(added) == len(planted), f"{real_file.name}, seed {seed}: {added}"


@pytest.mark.parametrize("seed", SEEDS)
def test_decoys_planted_the_same_way_are_not_flagged(real_file, seed):
    planter = Planter(real_file, seed)
    decoys = {
        "weekly series": planter.weekly_series(),
        "care fees per resident": planter.care_fees(),
        "lines of one document": planter.document_lines(),
        "reversed by a credit note and re-issued": planter.reversed_and_reissued(),
    }
    spend_summary_rebuild()

    flagged = {p.id: flag for flag in _flags(real_file.year) for p in flag.payments}

    caught = {case: {flagged[i].label for i in ids if i in flagged} for case, ids in decoys.items()}
    assert not any(caught.values()), f"{real_file.name}, seed {seed}: {caught}"
