"""Who a supplier is: the one rule the spend import, the OCDS import, the register's look-up
and any later importer share.

A Companies House number decides first (`normalise_company_number`); without one, the name key
(`name_key`) does. The key folds only what does not tell firms apart: case, accents,
punctuation, HTML entities, "&" for "and", a leading "The" and trailing legal forms ("Ltd",
"Limited", "plc", "LLP", "CIC", ...). Word order and every other word stay, so "Fostering UK"
and "UK Fostering" are two suppliers. A name that matches a supplier holding a different
company number is not merged: `SupplierIndex.find` reports the conflict and the importer
creates a new supplier and says so. Names of suppliers merged into another
(`procurement.services.supplier_merge`) are kept as aliases and resolve to the survivor.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q

if TYPE_CHECKING:
    from procurement.models import Supplier

_COMPANY = re.compile(r"^([A-Z]{2})?(\d{1,8})$")


def normalise_company_number(raw: str) -> str:
    """Companies House numbers are 8 characters: 8 digits, or 2 letters and 6 digits ("SC012345").
    Excel drops the leading zeros, so they are put back. Anything else gives ""."""
    value = "".join((raw or "").split()).upper()
    match = _COMPANY.match(value)
    if not match or not int(match[2]):
        return ""
    prefix, digits = match[1] or "", match[2]
    width = 8 - len(prefix)
    return prefix + digits.zfill(width) if len(digits) <= width else ""


def _as_held(number: str) -> str:
    """A stored number as the importers compare it: normalised, or as written if it is not a
    Companies House number (an OCDS file may give another register's)."""
    return normalise_company_number(number) or "".join((number or "").split()).upper()


# Legal forms, as words once punctuation is gone; longest first so "public limited company"
# goes whole rather than leaving "public".
_LEGAL_FORMS = sorted(
    (
        tuple(form.split())
        for form in (
            "limited",
            "ltd",
            "plc",
            "public limited company",
            "llp",
            "limited liability partnership",
            "lp",
            "limited partnership",
            "cic",
            "community interest company",
            "cio",
            "charitable incorporated organisation",
            "inc",
            "incorporated",
            "co",
            "company",
        )
    ),
    key=len,
    reverse=True,
)
_COMPANY_WORDS = {("co",), ("company",)}
_APOSTROPHES = re.compile(r"['’‘`]")
_INITIALS = re.compile(r"(?<![a-z0-9])(?:[a-z]\.){2,}")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """The name folded for matching; "" if nothing is left (a name that is only "Ltd").

    "ACME Ltd", "Acme Limited" and "ACME LTD." give "acme"; "Acme &amp; Co" and "Acme and Co"
    give "acme and co"; "Fostering UK" and "UK Fostering" stay apart.
    """
    text = name or ""
    for _ in range(3):  # "&amp;amp;" has been escaped twice on its way through a pipeline
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _APOSTROPHES.sub("", text.replace("&", " and ").replace("+", " and "))
    text = _INITIALS.sub(lambda initials: initials[0].replace(".", ""), text)  # "p.l.c." = "plc"
    words = _NON_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while form := next(
        (f for f in _LEGAL_FORMS if len(f) <= len(words) and tuple(words[-len(f) :]) == f), None
    ):
        if len(form) == len(words):  # the name is nothing but a legal form
            return ""
        if form in _COMPANY_WORDS and words[-len(form) - 1] == "and":
            break  # "Acme & Co" is a partnership's name, not a legal form
        words = words[: -len(form)]
    return " ".join(words)


@dataclass(frozen=True)
class Found:
    """What `SupplierIndex.find` resolved: a supplier (None: a new supplier is needed) and,
    where a supplier of that name holds a different company number, that supplier."""

    supplier: Supplier | None
    conflict: Supplier | None = None

    @property
    def supplier_id(self) -> int | None:
        return None if self.supplier is None else self.supplier.pk

    def conflict_message(self, *, name: str, number: str) -> str:
        other = self.conflict
        if other is None:
            raise ValueError("conflict_message needs a conflict")
        return (
            f'Supplier "{name}" (company {number}) has the name of supplier "{other.name}" '
            f"(company {other.company_number}); the numbers differ, so they are kept apart. "
            "If they are one firm, merge them from the register's list of likely duplicates."
        )


# Names (and numbers) per look-up query. Each is bound twice (a name against suppliers and
# aliases, a number as written and without leading zeros): SQLite allows 999 variables a
# statement; PostgreSQL 65,535.
_PER_QUERY = {"sqlite": 240}
_PER_QUERY_DEFAULT = 5000


class SupplierIndex:
    """The register's suppliers for the names and numbers of one file, loaded in one query per
    batch (names, aliases of merged suppliers and numbers together).

    `find` applies the rule; `add` and `find_new` let a supplier the import is about to create
    be found again, so a file that names a new supplier twice creates it once.
    """

    def __init__(self, *, name_keys: Iterable[str], numbers: Iterable[str]) -> None:
        from procurement.models import Supplier

        self._by_number: dict[str, Supplier] = {}
        self._by_name: dict[str, list[Supplier]] = defaultdict(list)
        self._new_by_number: dict[str, Supplier] = {}
        self._new_by_name: dict[str, Supplier] = {}
        names = sorted({key for key in name_keys if key})
        wanted = sorted({number for number in numbers if number})
        per_query = _PER_QUERY.get(connection.vendor, _PER_QUERY_DEFAULT)
        seen: set[tuple[str, int]] = set()
        for start in range(0, max(len(names), len(wanted)), per_query):
            name_batch = set(names[start : start + per_query])
            number_batch = wanted[start : start + per_query]
            # The register may hold a number without Excel's lost zeros.
            written = set(number_batch) | {number.lstrip("0") for number in number_batch}
            found = (
                Supplier.objects.filter(
                    Q(normalised_name__in=name_batch)
                    | Q(aliases__normalised_name__in=name_batch)
                    | Q(company_number__in=written)
                )
                .annotate(alias_key=F("aliases__normalised_name"))
                .order_by("id")
            )
            for supplier in found:
                number = _as_held(supplier.company_number)
                if number in written:
                    self._by_number.setdefault(number, supplier)
                for key in {supplier.normalised_name, supplier.alias_key} & name_batch:
                    if (key, supplier.pk) not in seen:
                        seen.add((key, supplier.pk))
                        self._by_name[key].append(supplier)

    def find(self, *, key: str, number: str) -> Found:
        """The supplier a name key and (normalised) company number name: the number's holder,
        else the oldest supplier of that name whose number is the same or blank. A supplier of
        that name with another number is a conflict: reported, never merged."""
        if number and (supplier := self._by_number.get(number)) is not None:
            return Found(supplier)
        candidates = self._by_name.get(key, [])
        for supplier in candidates:
            if not number or _as_held(supplier.company_number) in ("", number):
                return Found(supplier)
        return Found(None, candidates[0] if candidates else None)

    def find_new(self, *, key: str, number: str) -> Supplier | None:
        """A supplier this import has already decided to create, by number then name."""
        if number and (new := self._new_by_number.get(number)) is not None:
            return new
        new = self._new_by_name.get(key)
        if new is not None and number and _as_held(new.company_number) not in ("", number):
            return None
        return new

    def add(self, supplier: Supplier, *, key: str, number: str) -> None:
        """Remember a supplier this import creates."""
        self._new_by_name.setdefault(key, supplier)
        if number:
            self._new_by_number.setdefault(number, supplier)


def supplier_name_matches(key: str) -> Q:
    """Suppliers whose name key, or the key of a name merged into them, is `key`."""
    from procurement.models import SupplierAlias

    return Q(normalised_name=key) | Q(
        Exists(SupplierAlias.objects.filter(supplier=OuterRef("pk"), normalised_name=key))
    )
