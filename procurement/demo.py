"""Procurement's part of the demo data: suppliers, contracts, spend, savings and pipeline.

The `demo` app asks for it (`demo.generate`), with the demo officers from `accounts.demo`; the
tables it draws names and categories from are in `procurement.demo_data`.

Scale 1 is about one council year: 2,000 suppliers, 800 contracts and 60,000 spend lines over
the three financial years 2022/23 to 2024/25. The same seed and scale always give the same
suppliers, contracts and spend (each stage draws from its own `random.Random`, so changing one
stage does not reshuffle the others). Contract end dates are placed around the day the data is
generated, so there are always contracts ending in the next twelve months. Each payment's
contract is set as it is written, by the rule procurement.services.payment_matching applies (same
supplier, paid within the contract's dates, latest start wins), and the spend dashboard's
summary is rebuilt afterwards. A contract's value then follows what is paid under it (its pace
over the whole term and a margin), so contracts are paid within their value but for a handful;
a few suppliers are set up twice, and a few payments made twice and orders split under a
threshold are planted, so each kind of red flag shows (tests/demo/test_demo_data.py).

What marks demo data, so `--replace` removes only what the generator made:

- spend: the SpendImport rows named ``demo-data`` (their transactions go with them);
- suppliers, contracts, variations, savings and pipeline items: their "created" history record
  carries the change reason ``DEMO_REASON``. A demo supplier or contract that real data has
  since been attached to (an imported payment, a contract, a saving) is kept;
- the categories are kept and reused.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.test.utils import override_settings
from simple_history.utils import bulk_create_with_history

from core.demo import DEMO_MARK, DEMO_REASON
from core.financial_year import financial_year_of
from procurement.demo_data import (
    BRAND_WORDS,
    CARBON,
    CARE,
    CATEGORIES,
    DEPARTMENTS,
    DISTRICTS,
    INWARD_LETTERS,
    LOCAL_OUTWARD,
    LOCAL_PLACES,
    NATIONALS,
    OTHER_OUTWARD,
    OTHER_PLACES,
    PERSONAL_DATA,
    REDACTED_TYPES,
    ROUTES,
    SAVING_REASONS,
    SIZE_MIX,
    SLAVERY_RISK,
    SURNAMES,
    VARIATION_REASONS,
    VCSE_FORMS,
)
from procurement.flags import Rules
from procurement.identity import name_key as normalise_name
from procurement.models import (
    Category,
    Contract,
    PipelineItem,
    Risk,
    Route,
    Saving,
    SpendImport,
    SpendTransaction,
    Supplier,
    Variation,
)
from procurement.services.spend_summary import spend_summary_rebuild

DEMO_FILENAME = "demo-data"

PER_SCALE = {"suppliers": 2000, "contracts": 800, "lines": 60_000, "savings": 150, "pipeline": 40}
ANNUAL_SPEND = 450_000_000  # pounds a year at scale 1
FIRST_YEAR, YEARS = 2022, 3  # spend runs 1 April 2022 to 31 March 2025
TOP_SHARE = 0.60  # the top 5% of suppliers by value take about this share of the spend
ON_CONTRACT = 0.8  # a contract holder's payment falls inside one of its contracts this often
OVER_VALUE_SHARE = 0.02  # contracts paid past their value (and so red-flagged)
AFTER_CONTRACT_SHARE = 0.03  # off-contract payments of a former holder after its last contract
BATCH = 5000


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    message: str
    suppliers: int = 0
    contracts: int = 0
    spend_lines: int = 0
    total_spend: Decimal = Decimal("0")
    on_contract_share: float = 0.0
    seconds: float = 0.0


def demo_data_checksum(*, seed: int, scale: float) -> str:
    return hashlib.sha256(f"{DEMO_FILENAME} seed={seed} scale={scale:g}".encode()).hexdigest()


def procurement_demo_generate(
    *,
    officers: Sequence[User],
    scale: float,
    seed: int,
    replace: bool,
    today: dt.date,
    log: Callable[[str], None] | None,
) -> DemoSummary:
    """Procurement's part of the demo data, or nothing if this seed and scale are already
    loaded. Its one caller, `demo.generate.demo_data_generate`, holds the defaults."""
    if scale <= 0:
        raise ValueError("scale must be more than 0")
    started = time.perf_counter()
    sha = demo_data_checksum(seed=seed, scale=scale)
    existing = SpendImport.objects.filter(filename=DEMO_FILENAME)
    if existing.filter(sha256=sha).exists() and not replace:
        return DemoSummary(
            False, f"Demo data for seed {seed} at scale {scale:g} is already loaded."
        )
    if existing.exists() and not replace:
        return DemoSummary(
            False, "Other demo data is loaded: run again with --replace to swap it for this one."
        )
    log = log or _quiet
    with transaction.atomic():
        if replace:
            removed = procurement_demo_delete()
            log(f"Removed earlier demo data: {removed}")
        generator = _Generator(seed=seed, scale=scale, today=today, officers=officers, log=log)
        summary = generator.run(sha=sha)
    return DemoSummary(True, "Demo data generated.", **summary, seconds=_since(started))


def procurement_demo_delete() -> dict[str, int]:
    """Remove what the generator made (see the module docstring); returns counts by model."""
    removed: dict[str, int] = {}
    imports = SpendImport.objects.filter(filename=DEMO_FILENAME)
    removed["spend lines"] = SpendTransaction.objects.filter(spend_import__in=imports).count()
    imports.delete()
    # Demo rows that real records have since been attached to stay: removing them would lose
    # that data.
    in_use: dict[type[Model], tuple[QuerySet[Any, Any], ...]] = {
        Contract: (Variation.objects.values("contract_id"), Saving.objects.values("contract_id")),
        Supplier: (
            Contract.objects.values("supplier_id"),
            SpendTransaction.objects.filter(supplier__isnull=False).values("supplier_id"),
        ),
    }
    # The history of a wiped row goes too, so no "deleted" record is written for each one.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model in (Saving, Variation, PipelineItem, Contract, Supplier):
            ids = _demo_ids(model)
            deletable = model.objects.filter(pk__in=ids)
            for used in in_use.get(model, ()):
                deletable = deletable.exclude(pk__in=used)
            _, by_model = deletable.delete()
            removed[str(model._meta.verbose_name_plural)] = by_model.get(model._meta.label, 0)
            model.history.filter(id__in=ids).exclude(id__in=model.objects.values("pk")).delete()
    return removed


def _quiet(message: str) -> None:
    pass


_T = TypeVar("_T")


def _known(value: _T | None) -> _T:
    """A field the generator always fills in, though the model allows it to be empty."""
    if value is None:
        raise ValueError("The demo generator left a field empty.")
    return value


def _demo_ids(model: Any) -> Any:
    return model.history.filter(history_type="+", history_change_reason=DEMO_REASON).values("id")


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)


def _quota(rng: random.Random, n: int, shares: Sequence[tuple[Any, float]]) -> list[Any]:
    """n labels in the given shares, shuffled: exact counts, even at tiny scales."""
    labels: list[Any] = []
    for label, share in shares:
        labels += [label] * round(n * share)
    labels = labels[:n] + [shares[0][0]] * (n - len(labels))
    rng.shuffle(labels)
    return labels


def _weekday(day: int, lo: int, hi: int) -> int:
    """Move a weekend day (as an ordinal) to the Friday before or the Monday after, in range."""
    weekday = dt.date.fromordinal(day).weekday()
    if weekday < 5:
        return day
    if day - (weekday - 4) >= lo:
        return day - (weekday - 4)
    return min(day + 7 - weekday, hi)


def _money(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


@dataclass
class _Supplier:
    name: str
    category: str
    size: Supplier.Size
    vcse: bool
    local: bool
    strategic: bool = False
    national: bool = False
    weight: float = 0.0
    pk: int = 0


@dataclass
class _Contract:
    supplier: int  # index into the supplier list
    kind: str
    start: dt.date
    end: dt.date
    status: str
    pk: int = 0


def demo_supplier_names(*, count: int, seed: int = 2022) -> list[tuple[str, str]]:
    """(name, category key) for `count` suppliers: the names the generator would use."""
    return [
        (row.name, row.category)
        for row in _supplier_rows(random.Random(f"{seed}:suppliers"), count)
    ]


def _supplier_rows(rng: random.Random, n: int) -> list[_Supplier]:
    """n suppliers' names, categories, sizes and flags: 12% VCSE, 40% local, most small."""
    nationals = NATIONALS[: min(len(NATIONALS), max(1, round(n * 0.035)))]
    others = n - len(nationals)
    sizes = _quota(rng, others, [(size, share) for size, share, _ in SIZE_MIX])
    local = _quota(rng, others, [(True, 0.40 * n / max(1, others)), (False, 1.0)])
    vcse_count = max(1, round(n * 0.12)) - sum(vcse for *_, vcse, _ in nationals)
    vcse = _quota(rng, others, [(True, vcse_count / max(1, others)), (False, 1.0)])
    keys = list(CATEGORIES)
    weights = [CATEGORIES[key].weight for key in keys]
    used = {normalise_name(name) for name, *_ in nationals}
    rows = [
        _Supplier(name, key, Supplier.Size.LARGE, is_vcse, is_local, strategic, national=True)
        for name, key, strategic, is_vcse, is_local in nationals
    ]
    for index in range(others):
        size = sizes[index]
        if vcse[index] and size in (Supplier.Size.LARGE, Supplier.Size.UNKNOWN):
            size = Supplier.Size.SMALL
        row = _Supplier("", rng.choices(keys, weights)[0], size, vcse[index], local[index])
        row.name = _supplier_name(rng, row, used)
        rows.append(row)
    return rows


def _supplier_name(rng: random.Random, row: _Supplier, used: set[str]) -> str:
    trades = CATEGORIES[row.category].trades
    places = LOCAL_PLACES if row.local else OTHER_PLACES
    for attempt in range(30):
        place, trade, surname = rng.choice(places), rng.choice(trades), rng.choice(SURNAMES)
        suffix = "Ltd" if rng.random() < 0.58 else "Limited"
        if row.vcse:
            name = rng.choice(VCSE_FORMS).format(place=place)
        elif row.size == Supplier.Size.MICRO and rng.random() < 0.15:
            name = f"{rng.choice('ABCDEGHJKLMPRST')} {surname} {trade}"  # a sole trader
        else:
            pattern = rng.random()
            if row.category in ("legal", "finance", "professional") and pattern < 0.5:
                partner = rng.choice(SURNAMES)
                name = f"{surname} & {partner} {'LLP' if pattern < 0.3 else trade}"
            elif pattern < 0.45:
                name = f"{place} {trade} {suffix}"
            elif pattern < 0.75:
                name = f"{surname} {trade} {suffix}"
            elif pattern < 0.82:
                name = f"{surname} & Sons {suffix}"
            else:
                name = f"{rng.choice(BRAND_WORDS)} {trade} {suffix}"
        if attempt > 20:
            name = f"{name} ({rng.choice(places)})"
        key = normalise_name(name)
        if key not in used:
            used.add(key)
            return name
    raise RuntimeError("Could not find an unused supplier name")  # pragma: no cover


def _supplier_object(rng: random.Random, row: _Supplier) -> Supplier:
    outward = rng.choice(LOCAL_OUTWARD if row.local else OTHER_OUTWARD)
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    company = charity = ""
    is_company = row.name.endswith(("Ltd", "Limited", "PLC", "LLP", "CIC"))
    if row.vcse and not row.name.endswith("CIC"):
        charity = str(
            rng.randint(1_000_000, 1_210_000)
            if rng.random() < 0.8
            else rng.randint(500_000, 529_999)
        )  # noqa: E501
        is_company = rng.random() < 0.5  # a charitable company has both numbers
    if is_company:
        prefix = "OC" if row.name.endswith("LLP") else ""
        digits = 6 if prefix else 8
        company = f"{prefix}{rng.randint(1_000, 16_000_000 if not prefix else 450_000):0{digits}d}"  # noqa: E501
    return Supplier(
        name=row.name,
        normalised_name=normalise_name(row.name),
        company_number=company,
        charity_number=charity,
        postcode=f"{outward} {inward}",
        size=row.size,
        is_vcse=row.vcse,
        is_local=row.local,
        is_strategic=row.strategic,
        financial_risk=rng.choices(
            [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN], [55, 20, 5, 20]
        )[0],
    )


class _Generator:
    def __init__(
        self,
        *,
        seed: int,
        scale: float,
        today: dt.date,
        officers: Sequence[User],
        log: Callable[[str], None],
    ) -> None:
        self.seed, self.scale, self.today, self.log = seed, scale, today, log
        self.officers = list(officers)
        self.counts = {key: max(1, round(value * scale)) for key, value in PER_SCALE.items()}
        self.window = (
            dt.date(FIRST_YEAR, 4, 1).toordinal(),
            dt.date(FIRST_YEAR + YEARS, 3, 31).toordinal(),
        )

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:{stage}")

    def run(self, *, sha: str) -> dict[str, Any]:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("categories", self.categories_create),
            ("suppliers", self.suppliers_create),
            ("contracts and variations", self.contracts_create),
            ("spend", lambda: self.spend_create(sha=sha)),
            ("spend summary for the dashboard", spend_summary_rebuild),
            ("savings and pipeline", self.plans_create),
        ]
        for name, step in steps:
            started = time.perf_counter()
            step()
            self.log(f"  {name}: {_since(started)} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Supplier, Contract, SpendTransaction):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        return {
            "suppliers": len(self.suppliers),
            "contracts": len(self.contracts),
            "spend_lines": self.spend_lines,
            "total_spend": _money(self.total_pence),
            "on_contract_share": round(self.on_contract_pence / max(1, self.positive_pence), 3),
        }

    # -- reference data ----------------------------------------------------------------------

    def categories_create(self) -> None:
        self.categories: dict[str, Category] = {}
        for key, profile in CATEGORIES.items():
            self.categories[key], _ = Category.objects.get_or_create(
                name=profile.name, defaults={"sub_team": profile.sub_team}
            )

    # -- suppliers ---------------------------------------------------------------------------

    def suppliers_create(self) -> None:
        rng = self.rng("suppliers")
        n = self.counts["suppliers"]
        self.suppliers = _supplier_rows(rng, n)
        objects = [_supplier_object(rng, row) for row in self.suppliers]
        # Value: national firms carry most, then by size, with noise; weight by rank (Pareto-like).
        value_of = {size: value for size, _, value in SIZE_MIX}
        scores = [
            (3000.0 if row.national else value_of[row.size])
            * (2.5 if row.local else 1.0)  # the council buys locally where it can
            * rng.lognormvariate(0, 1.2)
            for row in self.suppliers
        ]
        ranked = sorted(range(n), key=lambda index: -scores[index])
        exponent = _zipf_exponent(n, TOP_SHARE)
        for rank, index in enumerate(ranked, start=1):
            self.suppliers[index].weight = rank**-exponent
        for index in ranked[: max(1, n // 100)]:
            objects[index].is_strategic = True
        self.by_value = ranked
        self._twins_make(objects)
        created = bulk_create_with_history(
            objects, Supplier, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        for row, obj in zip(self.suppliers, created, strict=True):
            row.pk = obj.pk

    def _twins_make(self, objects: list[Supplier]) -> None:
        """A few suppliers set up twice: a low-value record renamed as a misspelling of a
        mid-value company's name, with its company number (the commonest real duplicate)."""
        rng = self.rng("twins")
        n = len(self.suppliers)
        count = max(1, round(10 * self.scale) // 3)
        firsts = [
            i
            for i in self.by_value[n // 10 : n // 2]
            if objects[i].company_number
            and not self.suppliers[i].national
            and self.suppliers[i].category not in CARE
            and re.search(r"[A-Za-z]{5,}", self.suppliers[i].name)
        ]
        spare = [i for i in reversed(self.by_value) if not self.suppliers[i].national]
        self.twins: list[tuple[int, int]] = []
        for first in rng.sample(firsts, min(count, len(firsts))):
            twin = next((i for i in spare if i != first and i not in firsts), None)
            if twin is None:
                break
            spare.remove(twin)
            word = next(re.finditer(r"[A-Za-z]{5,}", self.suppliers[first].name))
            name = self.suppliers[first].name
            at = rng.choice(
                [k for k in range(word.start() + 1, word.end() - 1) if name[k] != name[k + 1]]
            )
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]  # two letters swapped
            self.suppliers[twin].name = objects[twin].name = name
            self.suppliers[twin].category = self.suppliers[first].category
            objects[twin].normalised_name = normalise_name(name)
            objects[twin].company_number = objects[first].company_number
            objects[twin].charity_number = ""
            self.twins.append((first, twin))

    # -- contracts and variations ------------------------------------------------------------

    def contracts_create(self) -> None:
        rng = self.rng("contracts")
        n, today = self.counts["contracts"], self.today
        kinds = _quota(
            rng,
            n,
            [
                ("covering", 0.30),
                ("ending_soon", 0.15),
                ("expired_live", 0.03),
                ("draft", 0.03),
                ("terminated", 0.01),
                ("old", 0.16),
                ("mid", 0.22),
                ("recent", 0.10),
            ],
        )
        if "ending_soon" not in kinds:
            kinds[0] = "ending_soon"
        # The most valuable suppliers each hold a contract; the rest go by value, with repeats.
        anchors = min(n, max(1, round(len(self.suppliers) * 0.10)))
        holders = self.by_value[:anchors]
        weights = [row.weight**0.5 for row in self.suppliers]
        holders += rng.choices(range(len(self.suppliers)), weights, k=n - len(holders))
        owners = _quota(rng, n, [(True, 0.95), (False, 1.0)])
        self.contracts: list[_Contract] = []
        objects: list[Contract] = []
        for index in range(n):
            supplier = self.suppliers[holders[index]]
            kind = kinds[index]
            if index < anchors and kind in ("draft", "old", "recent"):
                kind = "covering"
            start, end = self._contract_dates(rng, kind)
            status = Contract.Status.LIVE
            if kind == "draft" or start > today:
                status = Contract.Status.DRAFT
            elif kind == "terminated":
                status = Contract.Status.TERMINATED
            elif end < today and kind != "expired_live":
                status = Contract.Status.EXPIRED
            self.contracts.append(_Contract(holders[index], kind, start, end, status))
            objects.append(self._contract_row(rng, supplier, start, end, status, owners[index]))
        self._references(objects)
        created = bulk_create_with_history(
            objects, Contract, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        for row, obj in zip(self.contracts, created, strict=True):
            row.pk = obj.pk
        self.contract_objects = created
        self._variations(rng)

    def _contract_dates(self, rng: random.Random, kind: str) -> tuple[dt.date, dt.date]:
        def day(first: dt.date, last: dt.date) -> dt.date:
            return dt.date.fromordinal(rng.randint(first.toordinal(), max(first, last).toordinal()))

        def years(low: int, high: int) -> dt.timedelta:
            return dt.timedelta(days=365 * rng.randint(low, high) - 1)

        today, spend_end = self.today, dt.date(FIRST_YEAR + YEARS, 3, 31)
        if kind == "ending_soon":
            end = today + dt.timedelta(days=rng.randint(14, 364))
            return day(dt.date(2019, 4, 1), min(end, dt.date(2024, 4, 1))), end
        if kind == "expired_live":
            end = today - dt.timedelta(days=rng.randint(7, 300))
            return day(dt.date(2018, 4, 1), min(end, dt.date(2023, 4, 1))), end
        if kind == "draft":
            start = today + dt.timedelta(days=rng.randint(30, 240))
            return start, start + years(2, 5)
        if kind == "covering":
            start = day(dt.date(2017, 4, 1), dt.date(2022, 4, 1))
            return start, max(start + years(3, 10), spend_end + years(0, 3))
        if kind == "old":  # ended in the years the spend covers, so its end shows in it
            end = day(dt.date(FIRST_YEAR - 1, 12, 1), min(today, spend_end))
            return end - years(1, 4), end
        if kind == "recent":
            start = day(spend_end, today - dt.timedelta(days=30))
            return start, start + years(2, 5)
        start = day(dt.date(FIRST_YEAR, 4, 1), dt.date(FIRST_YEAR + YEARS - 1, 12, 1))
        end = start + years(1, 5)
        if kind == "terminated":
            end = day(start + dt.timedelta(days=90), min(end, today))
        return start, end

    def _contract_row(
        self,
        rng: random.Random,
        supplier: _Supplier,
        start: dt.date,
        end: dt.date,
        status: str,
        owned: bool,
    ) -> Contract:
        key = supplier.category if rng.random() < 0.92 else rng.choice(list(CATEGORIES))
        profile = CATEGORIES[key]
        title = rng.choice(profile.titles).format(
            district=rng.choice(DISTRICTS), lot=rng.randint(1, 6)
        )
        size_factor = {"large": 5.0, "medium": 1.5, "micro": 0.25}.get(supplier.size, 0.6)
        total = min(
            50_000_000, max(5_000, rng.lognormvariate(math.log(120_000), 1.4) * size_factor)
        )
        total = round(total, 2 if total < 100_000 else 0)
        years = max(1, round((end - start).days / 365))
        big = total > 100_000
        weighting = None
        if big and rng.random() < 0.85:
            weighting = rng.choice((10, 10, 10, 12.5, 15, 15, 20, 20, 5))
        elif not big and rng.random() < 0.35:
            weighting = rng.choice((0, 5, 10))
        route = rng.choices([route for route, _ in ROUTES], [weight for _, weight in ROUTES])[0]
        if key in CARE and rng.random() < 0.5:
            route = Route.LIGHT_TOUCH
        elif total < 25_000:
            route = Route.QUOTATION
        elif route == Route.QUOTATION:
            route = Route.OPEN
        return Contract(
            reference="",
            title=title,
            description=f"{profile.name}: {title.lower()}.",
            supplier_id=supplier.pk,
            category=self.categories[key],
            owner=rng.choice(self.officers) if owned else None,
            department=rng.choice(DEPARTMENTS[profile.sub_team]),
            route=route,
            start_date=start,
            end_date=end,
            review_date=end - dt.timedelta(days=270) if rng.random() < 0.6 else None,
            extension_options=rng.choice(
                ("", "", "1 × 12 months", "2 × 12 months", "1 × 24 months")
            ),  # noqa: E501
            total_value=Decimal(str(total)),
            annual_value=_money(round(total * 100 / years)),
            status=status,
            social_value_weighting=None if weighting is None else Decimal(str(weighting)),
            risk_rating=rng.choices(
                [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN], [50, 30, 10, 10]
            )[0],  # noqa: E501
            modern_slavery_risk=rng.choices(
                [Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.UNKNOWN],
                [25, 40, 20, 15] if key in SLAVERY_RISK else [60, 15, 3, 22],
            )[0],
            processes_personal_data=key in PERSONAL_DATA or rng.random() < 0.1,
            carbon_commitment=rng.random() < (0.7 if key in CARBON else 0.25),
        )

    def _references(self, objects: list[Contract]) -> None:
        """WCC-<year it started>-<number>, numbered in start order within each year."""
        order = sorted(range(len(objects)), key=lambda i: (objects[i].start_date, i))
        numbers: dict[int, int] = {}
        width = max(4, len(str(len(objects))))
        for index in order:
            year = _known(objects[index].start_date).year
            numbers[year] = numbers.get(year, 0) + 1
            objects[index].reference = f"WCC-{year}-{numbers[year]:0{width}d}"

    def _variations(self, rng: random.Random) -> None:
        self.varied_by: dict[int, Decimal] = {}
        candidates = [
            index
            for index, row in enumerate(self.contracts)
            if row.status != Contract.Status.DRAFT and row.start < self.today
        ]
        chosen = rng.sample(candidates, min(len(candidates), round(len(self.contracts) * 0.10)))
        objects = []
        for index in sorted(chosen):
            row, contract = self.contracts[index], self.contract_objects[index]
            reason = rng.choice(VARIATION_REASONS)
            extends = reason.startswith("Extension") and (row.end - row.start).days > 500
            latest = min(row.end - dt.timedelta(days=365) if extends else row.end, self.today)
            varied_on = dt.date.fromordinal(
                rng.randint(row.start.toordinal(), max(row.start, latest).toordinal())
            )
            change = Decimal(_known(contract.total_value)) * Decimal(str(rng.uniform(-0.05, 0.25)))
            self.varied_by[index] = change.quantize(Decimal("1"))
            objects.append(
                Variation(
                    contract_id=row.pk,
                    varied_on=varied_on,
                    reason=reason,
                    value_change=change.quantize(Decimal("1")),
                    new_end_date=row.end if extends else None,
                    approved_by=rng.choice(
                        (
                            "Head of Commercial",
                            "Strategic Director of People",
                            "Director of Economy and Infrastructure",
                            "Procurement Board",
                        )
                    ),
                    recorded_by=contract.owner or rng.choice(self.officers),
                )
            )
        bulk_create_with_history(
            objects, Variation, batch_size=BATCH, default_change_reason=DEMO_REASON
        )

    # -- spend -------------------------------------------------------------------------------

    def spend_create(self, *, sha: str) -> None:
        rng = self.rng("spend")
        lines = self._spend_lines(rng)
        lines.sort()
        self.spend_lines = len(lines)
        self.total_pence = sum(line[2] for line in lines)
        spend_import = SpendImport.objects.create(
            filename=DEMO_FILENAME,
            sha256=sha,
            rows_imported=len(lines),
            total_amount=_money(self.total_pence),
            first_paid_on=dt.date.fromordinal(lines[0][0]),
            last_paid_on=dt.date.fromordinal(lines[-1][0]),
        )
        covering = self._covering()
        self.on_contract_pence = self.positive_pence = 0
        contracts: list[int | None] = []
        for day, supplier, *_ in lines:
            contract = None
            for start, end, pk in covering.get(supplier, ()) if supplier >= 0 else ():
                if start <= day <= end:
                    contract = pk
                    break
            contracts.append(contract)
        self._contract_values_fit(rng, lines, contracts)

        def rows():
            for number, (day, supplier, pence, area, expense_type) in enumerate(lines):
                contract = contracts[number]
                if pence > 0:
                    self.positive_pence += pence
                    if contract is not None:
                        self.on_contract_pence += pence
                row = self.suppliers[supplier] if supplier >= 0 else None
                yield (
                    spend_import.pk,
                    number + 2,  # line 1 of the published file is its header
                    dt.date.fromordinal(day),
                    row.pk if row else None,
                    row.name if row else SpendTransaction.REDACTED,
                    _pounds(pence),
                    area,
                    expense_type,
                    f"{5_100_000_000 + number}",
                    contract,
                )

        if connection.vendor == "postgresql":
            _copy_spend(rows())
        else:
            _insert_spend(rows())

    def _contract_values_fit(
        self,
        rng: random.Random,
        lines: Sequence[tuple[int, int, int, str, str]],
        contracts: Sequence[int | None],
    ) -> None:
        """Each contract's value from what is paid under it: the pace of its payments over
        its whole term, and a margin, so it is paid within its value; a handful
        (OVER_VALUE_SHARE) are paid past it, for the red flags. A contract with no payments
        keeps the value it was drawn with."""
        paid: dict[int, int] = {}
        for (_day, _supplier, pence, *_), under in zip(lines, contracts, strict=True):
            if under is not None and pence > 0:
                paid[under] = paid.get(under, 0) + pence
        lo, hi = self.window
        index_of = {row.pk: index for index, row in enumerate(self.contracts)}
        paid_most = sorted(paid, key=lambda pk: -paid[pk])
        over = set(rng.sample(paid_most[: max(1, len(paid_most) // 2)], self._over_value(paid)))
        changed = []
        for pk in sorted(paid):
            index = index_of[pk]
            row, contract = self.contracts[index], self.contract_objects[index]
            term = max(1, (row.end - row.start).days + 1)
            seen = max(1, min(hi, row.end.toordinal()) - max(lo, row.start.toordinal()) + 1)
            pounds = Decimal(paid[pk]).scaleb(-2)
            if pk in over:
                value = pounds * Decimal(str(rng.uniform(0.6, 0.85)))
            else:
                value = pounds * Decimal(term) / Decimal(seen) * Decimal(str(rng.uniform(1.1, 1.6)))
            value = max(Decimal(5_000), value - self.varied_by.get(index, Decimal(0)))
            contract.total_value = value.quantize(
                Decimal("1") if value > 100_000 else Decimal("0.01")
            )
            contract.annual_value = (contract.total_value / max(1, round(term / 365))).quantize(
                Decimal("0.01")
            )
            if contract.total_value >= 25_000 and contract.route == Route.QUOTATION:
                contract.route = Route.OPEN
            elif contract.total_value < 25_000 and contract.route != Route.LIGHT_TOUCH:
                contract.route = Route.QUOTATION
            changed.append(contract)
        fields = ["total_value", "annual_value", "route"]
        Contract.objects.bulk_update(changed, fields, batch_size=BATCH)
        # The "created" history records say what the contract was created with.
        by_id = {contract.pk: contract for contract in changed}
        created = list(Contract.history.filter(id__in=by_id, history_type="+"))
        for record in created:
            for name in fields:
                setattr(record, name, getattr(by_id[record.id], name))
        Contract.history.model.objects.bulk_update(created, fields, batch_size=BATCH)

    def _over_value(self, paid: dict[int, int]) -> int:
        return min(len(paid), max(1, round(len(self.contracts) * OVER_VALUE_SHARE)))

    def _covering(self) -> dict[int, list[tuple[int, int, int]]]:
        """Per supplier, its matchable contracts in the order the matcher prefers them."""
        covering: dict[int, list[tuple[int, int, int]]] = {}
        for row in self.contracts:
            if row.status != Contract.Status.DRAFT:
                covering.setdefault(row.supplier, []).append(
                    (row.start.toordinal(), row.end.toordinal(), row.pk)
                )
        for options in covering.values():
            options.sort(key=lambda option: (option[0], option[2]), reverse=True)
        return covering

    def _spend_lines(self, rng: random.Random) -> list[tuple[int, int, int, str, str]]:
        """(day, supplier index or -1 for redacted, pence, expense area, expense type) rows."""
        total_lines = self.counts["lines"]
        redacted = round(total_lines * 0.02)
        credits = round(total_lines * 0.01)
        duplicates = max(2, round(10 * self.scale))
        splits = max(1, round(5 * self.scale))
        regular = max(1, total_lines - redacted - credits - duplicates - 3 * splits)
        lo, hi = self.window
        windows: dict[int, list[tuple[int, int]]] = {}
        for row in self.contracts:
            start, end = max(lo, row.start.toordinal()), min(hi, row.end.toordinal())
            if row.status != Contract.Status.DRAFT and start <= end:
                windows.setdefault(row.supplier, []).append((start, end))
        n = len(self.suppliers)
        line_weights = [row.weight**0.45 for row in self.suppliers]
        picked = rng.choices(range(n), line_weights, k=regular)
        per_supplier = [0] * n
        for index in picked:
            per_supplier[index] += 1
        total_weight = sum(row.weight for row in self.suppliers)
        pounds = ANNUAL_SPEND * self.scale * YEARS
        mean_pence = [
            pounds * 100 * row.weight / total_weight / max(1, per_supplier[index])
            for index, row in enumerate(self.suppliers)
        ]

        def describe(index: int) -> tuple[str, str]:
            profile = CATEGORIES[self.suppliers[index].category]
            return rng.choice(profile.areas), rng.choice(profile.types)

        # A supplier is paid off contract too, but rarely once its last contract has ended
        # (with the rules' grace for late invoices): those few are red-flagged.
        grace = Rules().contract_grace_days
        paid_until: dict[int, int] = {}
        for row in self.contracts:
            if row.status != Contract.Status.DRAFT:
                until = row.end.toordinal() + grace
                paid_until[row.supplier] = max(paid_until.get(row.supplier, until), until)

        def day_for(index: int) -> int:
            options = windows.get(index)
            if options and rng.random() < ON_CONTRACT:
                start, end = rng.choice(options)
            else:
                start, end = lo, hi
                until = paid_until.get(index, hi)
                if lo <= until < hi and rng.random() > AFTER_CONTRACT_SHARE:
                    end = until
            return _weekday(rng.randint(start, end), start, end)

        lines = []
        for index in picked:
            pence = round(mean_pence[index] * rng.lognormvariate(-0.125, 0.5))
            if pence <= 50_000:
                pence = rng.randint(50_001, 250_000)
            lines.append((day_for(index), index, pence, *describe(index)))
        for _ in range(redacted):
            area, expense_type = rng.choice(REDACTED_TYPES)
            day = _weekday(rng.randint(lo, hi), lo, hi)
            lines.append((day, -1, rng.randint(50_001, 350_000), area, expense_type))
        for index in rng.choices(range(n), line_weights, k=credits):
            pence = -max(1_000, round(mean_pence[index] * rng.uniform(0.02, 0.5)))
            lines.append((day_for(index), index, pence, *describe(index)))
        lines += self._planted(rng, lines[:regular], windows, duplicates=duplicates, splits=splits)
        return lines

    def _planted(
        self,
        rng: random.Random,
        regular: Sequence[tuple[int, int, int, str, str]],
        windows: dict[int, list[tuple[int, int]]],
        *,
        duplicates: int,
        splits: int,
    ) -> list[tuple[int, int, int, str, str]]:
        """What the red flags should find, `duplicates + 3 * splits` lines in all: payments
        made twice a few days apart, the same invoice paid to a supplier's second record (a
        misspelt name sharing its company number, see suppliers_create), and orders split into
        three payments just under a threshold, to suppliers with no contract, otherwise paid
        well under it. Never care or other per-person payments, which the flags read apart."""
        lo, hi = self.window
        plain = Rules()
        purchase = [
            line
            for line in regular
            if self.suppliers[line[1]].category not in CARE
            and not any(word in f"{line[3]} {line[4]}".lower() for word in plain.not_split)
        ] or list(regular)
        planted: list[tuple[int, int, int, str, str]] = []
        twins = list(self.twins)
        paid_to = {first: [line for line in purchase if line[1] == first] for first, _ in twins}
        twins = [(first, twin) for first, twin in twins if paid_to[first]]
        for first, twin in twins[: max(1, duplicates // 3)]:
            day, _, pence, area, expense_type = rng.choice(paid_to[first])
            later = _weekday(min(hi, day + rng.randint(3, 40)), lo, hi)
            planted.append((later, twin, pence, area, expense_type))
        for day, index, pence, area, expense_type in rng.sample(
            purchase, min(len(purchase), duplicates - len(planted))
        ):
            # Three to seven days on, a weekday still, and within the rules' week.
            later = _weekday(min(hi, day + rng.randint(3, 7)), lo, hi)
            planted.append((later, index, pence, area, expense_type))
        twinned = {i for pair in self.twins for i in pair}
        self.split_targets = sorted(
            (
                i
                for i, row in enumerate(self.suppliers)
                if i not in windows
                and i not in twinned
                and row.category not in CARE
                and not row.national
            ),
            key=lambda i: self.suppliers[i].weight,
        )
        thresholds = plain.split_thresholds[:2]
        yearly = ANNUAL_SPEND * self.scale / sum(row.weight for row in self.suppliers)
        for index in self.split_targets[:splits]:
            row = self.suppliers[index]
            threshold = next(
                (t for t in thresholds if yearly * row.weight < float(t) / 2), thresholds[-1]
            )
            area, expense_type = (
                rng.choice(CATEGORIES[row.category].areas),
                rng.choice(CATEGORIES[row.category].types),
            )
            day = _weekday(rng.randint(lo, hi - 21), lo, hi)
            for offset in (0, rng.randint(2, 6), rng.randint(8, 20)):
                pence = round(float(threshold) * 100 * rng.uniform(0.9, 0.995))
                planted.append((_weekday(day + offset, lo, hi), index, pence, area, expense_type))
        while len(planted) < duplicates + 3 * splits:  # too few suppliers to split for
            day, index, pence, area, expense_type = rng.choice(purchase)
            planted.append((_weekday(min(hi, day + 4), lo, hi), index, pence, area, expense_type))
        return planted

    # -- savings and pipeline ---------------------------------------------------------------

    def plans_create(self) -> None:
        rng = self.rng("plans")
        live = [i for i, row in enumerate(self.contracts) if row.status != Contract.Status.DRAFT]
        values = [float(_known(self.contract_objects[i].annual_value)) for i in live]
        savings = []
        for _ in range(self.counts["savings"]):
            index = rng.choices(live, values)[0] if live and rng.random() < 0.9 else None
            contract = self.contract_objects[index] if index is not None else None
            year = rng.randint(FIRST_YEAR, FIRST_YEAR + YEARS - 1)
            if contract is not None:  # a saving cannot come before its contract started
                started = financial_year_of(_known(contract.start_date))
                year = min(max(year, started), FIRST_YEAR + YEARS)
            base = (
                float(_known(contract.annual_value)) if contract else rng.uniform(20_000, 400_000)
            )
            savings.append(
                Saving(
                    contract=contract,
                    financial_year=year,
                    kind=Saving.Kind.CASHABLE if rng.random() < 0.65 else Saving.Kind.NON_CASHABLE,
                    amount=Decimal(max(500, round(base * rng.uniform(0.01, 0.08), -1))),
                    description=rng.choice(SAVING_REASONS),
                    recorded_by=rng.choice(self.officers),
                )
            )
        bulk_create_with_history(
            savings, Saving, batch_size=BATCH, default_change_reason=DEMO_REASON
        )
        soon = [i for i, row in enumerate(self.contracts) if row.kind == "ending_soon"]
        items = []
        for number in range(self.counts["pipeline"]):
            replaces = rng.choice(soon) if soon and number % 2 == 0 else None
            contract = self.contract_objects[replaces] if replaces is not None else None
            key = rng.choice(list(CATEGORIES))
            start = self.today + dt.timedelta(days=rng.randint(-60, 540))
            status = PipelineItem.Status.PLANNED if start > self.today else "in_progress"
            status = rng.choices([status, "awarded", "cancelled"], [85, 10, 5])[0]
            value = (
                float(_known(contract.total_value)) * rng.uniform(0.9, 1.3)
                if contract
                else rng.lognormvariate(math.log(300_000), 1.2)
            )
            items.append(
                PipelineItem(
                    title=f"Re-procurement: {contract.title}"
                    if contract
                    else rng.choice(CATEGORIES[key].titles).format(
                        district=rng.choice(DISTRICTS), lot=rng.randint(1, 6)
                    ),
                    category=contract.category if contract else self.categories[key],
                    estimated_value=Decimal(round(value, -2)),
                    planned_start=start,
                    route=rng.choice((Route.OPEN, Route.FRAMEWORK, Route.RESTRICTED, Route.DPS)),
                    status=status,
                    owner=(contract.owner if contract else None) or rng.choice(self.officers),
                    replaces=contract,
                    notes=f"From the annual procurement plan {DEMO_MARK}.",
                )
            )
        bulk_create_with_history(
            items, PipelineItem, batch_size=BATCH, default_change_reason=DEMO_REASON
        )


def _zipf_exponent(n: int, top_share: float) -> float:
    """The exponent s for which weights 1/rank**s give the top 5% of n about `top_share`."""
    top = max(1, round(n * 0.05))
    low, high = 0.0, 4.0
    for _ in range(40):
        s = (low + high) / 2
        weights = [rank**-s for rank in range(1, n + 1)]
        if sum(weights[:top]) / sum(weights) < top_share:
            low = s
        else:
            high = s
    return (low + high) / 2


_SPEND_COLUMNS = (
    "spend_import",
    "line_number",
    "paid_on",
    "supplier",
    "supplier_name",
    "amount",
    "service_area",
    "expense_type",
    "reference",
    "contract",
)


def _pounds(pence: int) -> str:
    return f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _spend_sql() -> tuple[str, str]:
    column_of = {field.name: field.column for field in SpendTransaction._meta.concrete_fields}
    columns = [column_of[name] for name in _SPEND_COLUMNS]
    quote = connection.ops.quote_name
    return quote(SpendTransaction._meta.db_table), ", ".join(quote(c) for c in columns)


def _copy_spend(rows: Iterator[tuple]) -> None:
    """PostgreSQL: COPY the rows in, 100,000 at a time."""
    table, columns = _spend_sql()
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, 100_000)):
            buffer = io.StringIO()
            csv.writer(buffer).writerows(
                ["\\N" if value is None else value for value in row] for row in chunk
            )
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)


def _insert_spend(rows: Iterator[tuple]) -> None:
    """Other databases: one INSERT run over each batch, without a model instance per row."""
    table, columns = _spend_sql()
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_SPEND_COLUMNS))})"
    ops = connection.ops
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, BATCH)):
            cursor.executemany(
                sql,
                [(*row[:2], ops.adapt_datefield_value(row[2]), *row[3:]) for row in chunk],
            )
