"""Import contracts from Open Contracting Data Standard (OCDS 1.1) files.

Find a Tender and Contracts Finder publish their notices as OCDS release packages
(`{"releases": [...]}`) and record packages (`{"records": [{"compiledRelease": ...}]}`).
Each contract in a release (or each award, where a release has no contracts yet) becomes one
row of the contracts register. The rules, in the order they apply:

- Releases that share an ocid are compiled oldest first, as OCDS merging does: later values
  win, and lists of objects with an "id" (parties, awards, contracts) merge by id. So a file
  with an award notice and a later amendment writes the amended contract once.
- Reference: `<ocid>/<contract id>`. When that is longer than the register allows (60), a
  contract id that repeats the ocid (as Contracts Finder's do) loses that repetition; if it is
  still too long, it keeps the start of the ocid and the end of the contract id with eight
  characters of a SHA-1 of the whole between them: readable, stable between runs and unique.
- An existing contract is found by that reference or, when the council typed the ocid onto a
  contract of its own, by its ocid (if the release has one contract and the register one
  contract with that ocid). Only fields the notice gives are overwritten, and only when they
  differ, through `save()` with the version bumped, so django-simple-history records who
  changed what and an officer's open edit form is told it is stale. A second run of the same
  file therefore changes nothing.
- Suppliers are found by Companies House number (identifier scheme GB-COH) or, failing that,
  by the name key, as `procurement.identity` decides for every importer (never against a
  supplier with a different company number: that is reported as a warning). Suppliers
  already in the register are left as they are. New ones take:
  size from `details.scale` (OCDS only says micro, sme or large: "sme" is recorded as small,
  the most common SME size, for an officer to correct); VCSE when a charity number (GB-CHC)
  is given; and local when the postcode area is WR. WR is the Worcester postcode area: it
  covers most of the county but also a few Herefordshire villages, and misses the county's
  towns under B (Bromsgrove, Redditch) and DY (Kidderminster), so officers should review it.
- Only pounds: a value in any other currency is an error for that release.

Everything is checked before anything is written and the whole file is written in one
transaction, or not at all. No schema is downloaded: the fields used are checked by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.db_errors import is_unique_violation, refusal_message
from procurement.identity import SupplierIndex, name_key, normalise_company_number
from procurement.models import Contract, Route, Supplier
from procurement.services.matching import transactions_match_contracts

logger = logging.getLogger(__name__)

IMPORTED = "imported"
DRY_RUN = "dry_run"
REJECTED = "rejected"

REFERENCE_MAX = Contract._meta.get_field("reference").max_length
TITLE_MAX = Contract._meta.get_field("title").max_length
NAME_MAX = Supplier._meta.get_field("name").max_length
POSTCODE_MAX = Supplier._meta.get_field("postcode").max_length
MONEY_LIMIT = Decimal(10) ** 12  # MONEY has 14 digits, 2 after the point
PENNY = Decimal("0.01")
LOCAL_POSTCODE_AREAS = frozenset({"WR"})

ROUTES = {
    "open": Route.OPEN,
    "selective": Route.RESTRICTED,
    "limited": Route.DIRECT,
    "direct": Route.DIRECT,
}
CONTRACT_STATUSES = {
    "active": Contract.Status.LIVE,
    "terminated": Contract.Status.TERMINATED,
    "pending": Contract.Status.DRAFT,
    "cancelled": Contract.Status.TERMINATED,
}
SCALES = {
    "micro": Supplier.Size.MICRO,
    "sme": Supplier.Size.SMALL,
    "large": Supplier.Size.LARGE,
}
NOT_A_PACKAGE = (
    'The file is JSON but not an OCDS package: it needs a "releases" list (release package) '
    'or a "records" list (record package).'
)


@dataclass
class OcdsImportResult:
    status: str
    contracts_created: int = 0
    contracts_updated: int = 0
    suppliers_created: int = 0
    errors: list[str] = field(default_factory=list)
    file_error: str | None = None
    warnings: list[str] = field(default_factory=list)


class _FileError(Exception):
    """The file as a whole cannot be read as an OCDS package."""


class _Invalid(Exception):
    """One release (or one contract in it) cannot be imported."""


@dataclass
class _SupplierRow:
    key: str
    name: str
    company_number: str
    charity_number: str
    postcode: str
    size: str


@dataclass
class _ContractRow:
    reference: str
    ocid: str
    label: str
    supplier: _SupplierRow
    fields: dict[str, Any]


def import_ocds_file(
    source: str | Path | bytes | IO,
    *,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> OcdsImportResult:
    """Import an OCDS release or record package (a path, the bytes, or an open file)."""
    try:
        text = _read(source)
        releases = _package_releases(_parse(text))
    except _FileError as error:
        return OcdsImportResult(status=REJECTED, file_error=str(error))
    except RecursionError:
        return OcdsImportResult(status=REJECTED, file_error="The file is nested too deeply.")

    result = OcdsImportResult(status=DRY_RUN if dry_run else IMPORTED)
    if not releases:
        result.warnings.append("The package has no releases, so there was nothing to import.")
    if _MAY_NOT_STORE.search(text):
        result.errors.extend(_unstorable(releases))
    try:
        rows = _contract_rows(releases, result)
    except RecursionError:
        return OcdsImportResult(status=REJECTED, file_error="The file is nested too deeply.")
    if result.errors:
        result.status = REJECTED
        return result
    try:
        with transaction.atomic():
            _import_rows(rows, result, dry_run=dry_run, user=user)
    except DatabaseError as error:
        if is_unique_violation(error):
            message = (
                "Another change to the same contracts was saved at the same time. "
                "Nothing was imported: run the import again."
            )
        else:
            logger.exception("OCDS import refused by the database")
            message = refusal_message(error)
        return OcdsImportResult(status=REJECTED, file_error=message)
    if result.errors:
        result.status = REJECTED
        result.contracts_created = result.contracts_updated = result.suppliers_created = 0
    return result


# -- reading the file ---------------------------------------------------------------------------


def _read(source: str | Path | bytes | IO) -> str:
    try:
        if isinstance(source, str | Path):
            data = Path(source).read_bytes()
        elif isinstance(source, bytes):
            data = source
        else:
            data = source.read()
    except OSError as error:
        raise _FileError(f"The file cannot be read: {error.strerror or error}.") from error
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _FileError(
            f"The file is not UTF-8 text (the byte at position {error.start + 1} is not)."
        ) from error


class _NotJsonNumber(ValueError):
    """NaN or Infinity: Python's json reads them, but they are not JSON."""


# A string (skipped whole) or NaN/Infinity outside one: the first such constant is the one the
# parser met, as all before it was valid JSON.
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _reject_constant(name: str) -> None:
    raise _NotJsonNumber(f"{name} is not a number JSON allows")


def _where_constant(text: str) -> str:
    """Where the first NaN or Infinity outside a string is (" at line 3, column 5"), or ""."""
    for match in _CONSTANT.finditer(text):
        if match[1]:
            start = match.start(1)
            line = text.count("\n", 0, start) + 1
            column = start - text.rfind("\n", 0, start)
            return f" at line {line}, column {column}"
    return ""


def _parse(text: str) -> Any:
    if not text.strip():
        raise _FileError("The file is empty.")
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise _FileError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise _FileError("The file is nested too deeply to be an OCDS package.") from error
    except _NotJsonNumber as error:
        raise _FileError(f"The file is not valid JSON: {error}{_where_constant(text)}.") from error
    except ValueError as error:  # an integer of thousands of digits
        raise _FileError(f"The file is not valid JSON: {error}.") from error


def _package_releases(package: Any) -> list[tuple[int, dict]]:
    """The package's releases (or records' compiled releases), numbered from 1."""
    if not isinstance(package, dict):
        raise _FileError(NOT_A_PACKAGE)
    if "releases" in package:
        kind, items = "release", package["releases"]
    elif "records" in package:
        kind, items = "record", package["records"]
    else:
        raise _FileError(NOT_A_PACKAGE)
    if not isinstance(items, list):
        raise _FileError(f'The package\'s "{kind}s" must be a list.')

    releases = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _FileError(f"{kind.capitalize()} {number} is not a JSON object.")
        release = item
        if kind == "record":
            release = item.get("compiledRelease")
            if not isinstance(release, dict):
                raise _FileError(
                    f"Record {number} has no compiledRelease; only record packages with "
                    "compiled releases can be imported."
                )
            release = {**release, "ocid": item.get("ocid") or release.get("ocid")}
        ocid = release.get("ocid")
        if not isinstance(ocid, str) or not ocid.strip():
            raise _FileError(
                f"{kind.capitalize()} {number} has no ocid, so it is not an OCDS release."
            )
        releases.append((number, {**release, "ocid": ocid.strip()}))
    return releases


# In text decoded from UTF-8, a NUL or half a surrogate pair can only be a \u escape: JSON
# refuses a raw NUL, and UTF-8 cannot hold half a pair.
_MAY_NOT_STORE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _unstorable(releases: list[tuple[int, dict]]) -> list[str]:
    """Each release holding text no database can store: a NUL character (PostgreSQL refuses
    it) or an unpaired surrogate (not Unicode text at all). Names the first field in each."""
    errors = []
    for number, release in releases:
        stack: list[tuple[str, Any]] = [("", release)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                items = [
                    (f"{path}.{key}" if path else str(key), item) for key, item in value.items()
                ]
                stack.extend(reversed(items))
            elif isinstance(value, list):
                stack.extend(reversed([(f"{path}[{i}]", item) for i, item in enumerate(value)]))
            elif isinstance(value, str) and (problem := _text_problem(value)):
                errors.append(
                    f"{_clip(release['ocid'])} (release {number}): {_clip(path)} holds {problem}."
                )
                break
    return errors


def _text_problem(text: str) -> str:
    if "\x00" in text:
        return "a NUL character (\\u0000), which cannot be stored: remove it"
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError as error:
            return (
                f"half of a surrogate pair (\\u{ord(text[error.start]):04x}), which is not text:"
                " check how the file was made"
            )
    return ""


# -- from releases to register rows ------------------------------------------------------------


def _contract_rows(
    releases: list[tuple[int, dict]], result: OcdsImportResult
) -> list[_ContractRow]:
    by_ocid: dict[str, list[tuple[dt.datetime, int, dict]]] = defaultdict(list)
    for number, release in releases:
        published = _datetime(release.get("date"))
        if published is None:
            result.errors.append(
                f"Release {number} ({_clip(release['ocid'])}): date is missing or is not a date "
                "and time, so it cannot be put in order."
            )
            continue
        by_ocid[release["ocid"]].append((published, number, release))

    today = timezone.localdate()
    rows: list[_ContractRow] = []
    for ocid, dated in by_ocid.items():
        dated.sort(key=lambda item: (item[0], item[1]))
        numbers = ", ".join(str(number) for _, number, _ in dated)
        label = f"{_clip(ocid)} (release{'s' if len(dated) > 1 else ''} {numbers})"
        compiled: dict = {}
        for _, _, release in dated:
            compiled = _merge(compiled, release)
        rows.extend(_release_rows(ocid, compiled, label, today, result))
    return rows


def _merge(base: dict, update: dict) -> dict:
    merged = dict(base)
    for key, value in update.items():
        old = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(old, dict):
            merged[key] = _merge(old, value)
        elif _identified(value) and _identified(old):
            items = {str(item["id"]): item for item in old}
            for item in value:
                key_id = str(item["id"])
                items[key_id] = _merge(items[key_id], item) if key_id in items else item
            merged[key] = list(items.values())
        else:
            merged[key] = value
    return merged


def _identified(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "id" in item for item in value)
    )


def _release_rows(
    ocid: str, release: dict, label: str, today: dt.date, result: OcdsImportResult
) -> list[_ContractRow]:
    try:
        tender = _obj(release, "tender")
        parties = {str(party.get("id")): party for party in _objs(release, "parties")}
        awards = _objs(release, "awards")
        contracts = _objs(release, "contracts")
        route = ROUTES.get(_text(tender, "procurementMethod", "tender.").lower(), Route.OTHER)
    except _Invalid as error:
        result.errors.append(f"{label}: {error}")
        return []

    if contracts:
        items = [
            (f"contracts[{i}].", item, _award_for(item, awards)) for i, item in enumerate(contracts)
        ]
    else:
        items = [
            (f"awards[{i}].", award, award)
            for i, award in enumerate(awards)
            if award.get("status") != "unsuccessful"
        ]
        if not items:
            result.warnings.append(f"{label}: no award or contract yet, so it was skipped.")

    rows = []
    for path, item, award in items:
        try:
            rows.append(_row(ocid, label, path, item, award, tender, parties, route, today, result))
        except _Invalid as error:
            result.errors.append(f"{label}: {error}")
    return rows


def _award_for(contract: dict, awards: list[dict]) -> dict | None:
    award_id = contract.get("awardID")
    if award_id is None:
        return awards[0] if len(awards) == 1 else None
    return next((award for award in awards if str(award.get("id")) == str(award_id)), None)


def _row(
    ocid: str,
    label: str,
    path: str,
    item: dict,
    award: dict | None,
    tender: dict,
    parties: dict[str, dict],
    route: str,
    today: dt.date,
    result: OcdsImportResult,
) -> _ContractRow:
    if award is None:
        raise _Invalid(f"{path}awardID does not match an award, so there is no supplier.")
    item_id = item.get("id")
    if not isinstance(item_id, str | int) or isinstance(item_id, bool) or str(item_id) == "":
        raise _Invalid(f"{path}id is missing.")

    suppliers = _objs(award, "suppliers", path)
    if not suppliers:
        raise _Invalid(f"award {_clip(award.get('id'))} names no supplier.")
    if len(suppliers) > 1:
        result.warnings.append(
            f"{label}: award {_clip(award.get('id'))} names {len(suppliers)} suppliers; the"
            f" contract is recorded against the first, {_clip(suppliers[0].get('name'))}."
        )
    supplier = _supplier_row(parties.get(str(suppliers[0].get("id"))) or suppliers[0], path)

    is_contract = path.startswith("contracts")
    value = _obj(item, "value", path) or _obj(award, "value", path)
    period_name = "period" if is_contract else "contractPeriod"
    period = _obj(item, period_name, path) or _obj(award, "contractPeriod", path)
    title = _text(item, "title", path) or _text(award, "title", path) or _text(tender, "title")
    if not title:
        raise _Invalid(f"{path}title is missing, and so is the tender's title.")
    description = (
        _text(item, "description", path)
        or _text(award, "description", path)
        or _text(tender, "description")
    )
    end_date = _date(period, "endDate", f"{path}{period_name}.")
    status = CONTRACT_STATUSES.get(_text(item, "status", path).lower(), Contract.Status.LIVE)
    if status == Contract.Status.LIVE and end_date is not None and end_date < today:
        status = Contract.Status.EXPIRED
    return _ContractRow(
        reference=contract_reference(ocid, str(item_id)),
        ocid=ocid,
        label=label,
        supplier=supplier,
        fields={
            "title": _shorten(title, TITLE_MAX),
            "description": description,
            "total_value": _money(value, f"{path}value."),
            "start_date": _date(period, "startDate", f"{path}{period_name}."),
            "end_date": end_date,
            "route": route,
            "status": status,
        },
    )


def contract_reference(ocid: str, contract_id: str) -> str:
    """`<ocid>/<contract id>`, shortened to fit the register if need be (see module docs)."""
    full = f"{ocid}/{contract_id}"
    if len(full) <= REFERENCE_MAX:
        return full
    if contract_id.startswith(ocid):  # Contracts Finder repeats the ocid in its ids
        contract_id = contract_id.removeprefix(ocid).lstrip("-_/") or contract_id
        full = f"{ocid}/{contract_id}"
        if len(full) <= REFERENCE_MAX:
            return full
    digest = hashlib.sha1(full.encode(), usedforsecurity=False).hexdigest()[:8]
    tail = contract_id[-20:]
    head = ocid[: REFERENCE_MAX - len(tail) - len(digest) - 2]
    return f"{head}~{digest}/{tail}"


def _supplier_row(party: dict, path: str) -> _SupplierRow:
    name = _text(party, "name", f"{path}supplier.")
    if not name:
        raise _Invalid(f"{path}supplier {_clip(party.get('id'))} has no name.")
    company_number = charity_number = ""
    for identifier in [_obj(party, "identifier"), *_objs(party, "additionalIdentifiers")]:
        scheme = _text(identifier, "scheme").upper()
        number = re.sub(r"\s+", "", _text(identifier, "id")).upper()
        if scheme == "GB-COH" and number and not company_number:
            company_number = normalise_company_number(number) or number
        elif scheme == "GB-CHC" and number and not charity_number:
            charity_number = number
    postcode = " ".join(_text(_obj(party, "address"), "postalCode").upper().split())
    if len(postcode) > POSTCODE_MAX:
        postcode = ""
    scale = _text(_obj(party, "details"), "scale").lower()
    name = _shorten(name, NAME_MAX)
    return _SupplierRow(
        key=f"coh:{company_number}" if company_number else f"name:{name_key(name)}",
        name=name,
        company_number=company_number,
        charity_number=charity_number,
        postcode=postcode,
        size=SCALES.get(scale, Supplier.Size.UNKNOWN),
    )


def is_local_postcode(postcode: str) -> bool:
    """In the county, as far as a postcode shows: the WR (Worcester) postcode area."""
    area = re.match(r"[A-Z]+", postcode.upper())
    return bool(area) and area.group() in LOCAL_POSTCODE_AREAS


# -- checked accessors: each field used is checked by hand ------------------------------------


def _obj(parent: dict, key: str, path: str = "") -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"{path}{key} must be an object.")
    return value


def _objs(parent: dict, key: str, path: str = "") -> list[dict]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Invalid(f"{path}{key} must be a list of objects.")
    return value


def _text(parent: dict, key: str, path: str = "") -> str:
    value = parent.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise _Invalid(f"{path}{key} must be text.")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clip(value: Any) -> str:
    """Text from the file as a message shows it: at most 60 characters (a message must not
    repeat a 200 KB value), with a NUL or half a surrogate pair written as its escape."""
    text = str(value)
    text = text if len(text) <= 60 else text[:60] + "…"
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()


def _shown(value: Any) -> str:
    """A value as a message quotes it (repr, which escapes a NUL), cut as _clip cuts."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:60] + "…")
    return _clip(repr(value))


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _date(parent: dict, key: str, path: str) -> dt.date | None:
    """The calendar date as the publisher wrote it (in its own UTC offset)."""
    if parent.get(key) is None:
        return None
    parsed = _datetime(parent[key])
    if parsed is None:
        raise _Invalid(f"{path}{key} is not a date: {_shown(parent[key])}.")
    return parsed.date()


def _money(value: dict, path: str) -> Decimal | None:
    amount = value.get("amount")
    if amount is None:
        return None
    currency = _text(value, "currency", path).upper()
    if currency != "GBP":
        raise _Invalid(
            f"{path[:-1]} is in {_clip(currency) or 'no stated currency'}; only pounds (GBP) can"
            " be imported."
        )
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise _Invalid(f"{path}amount is not a number: {_shown(amount)}.")
    amount = Decimal(amount)
    if not amount.is_finite() or not 0 <= amount < MONEY_LIMIT:
        raise _Invalid(f"{path}amount must be between 0 and £{MONEY_LIMIT:,}: {_clip(amount)}.")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# -- matching against the register and writing -------------------------------------------------


def _import_rows(
    rows: list[_ContractRow],
    result: OcdsImportResult,
    *,
    dry_run: bool,
    user: AbstractBaseUser | None,
) -> None:
    """Plan every change (checked with full_clean), then, unless a dry run, write them."""
    suppliers, new_suppliers = _resolve_suppliers(rows, result)
    new_contracts, changed_contracts, touched_supplier_ids = _plan_contracts(
        rows, suppliers, result
    )
    result.suppliers_created = len(new_suppliers)
    result.contracts_created = len(new_contracts)
    result.contracts_updated = len(changed_contracts)
    if result.errors or dry_run:
        return

    if new_suppliers:
        bulk_create_with_history(new_suppliers, Supplier, default_user=user)
    if new_contracts:
        bulk_create_with_history(new_contracts, Contract, default_user=user)
    for contract in changed_contracts:
        contract.version += 1
        contract._history_user = user
        contract.save()
    touched_supplier_ids.update(contract.supplier_id for contract in new_contracts)
    touched_supplier_ids.update(contract.supplier_id for contract in changed_contracts)
    if touched_supplier_ids:
        transactions_match_contracts(supplier_ids=touched_supplier_ids)


def _resolve_suppliers(
    rows: list[_ContractRow], result: OcdsImportResult
) -> tuple[dict[str, Supplier], list[Supplier]]:
    wanted: dict[str, _SupplierRow] = {}
    for row in rows:
        wanted.setdefault(row.supplier.key, row.supplier)
    index = SupplierIndex(
        name_keys={name_key(data.name) for data in wanted.values()},
        numbers={data.company_number for data in wanted.values()},
    )
    resolved: dict[str, Supplier] = {}
    created: list[Supplier] = []
    # Suppliers with a company number first, so a later mention by name alone finds them.
    for key, data in sorted(wanted.items(), key=lambda item: not item[1].company_number):
        folded = name_key(data.name)
        found = index.find(key=folded, number=data.company_number)
        supplier = found.supplier or index.find_new(key=folded, number=data.company_number)
        if supplier is None and found.conflict is not None:
            result.warnings.append(
                found.conflict_message(name=data.name, number=data.company_number)
            )
        if supplier is None:
            supplier = Supplier(
                name=data.name,
                normalised_name=folded,
                company_number=data.company_number,
                charity_number=data.charity_number,
                postcode=data.postcode,
                size=data.size,
                is_vcse=bool(data.charity_number),
                is_local=is_local_postcode(data.postcode),
            )
            _check(supplier, f"Supplier {_clip(data.name)}", result, exclude=[])
            created.append(supplier)
            index.add(supplier, key=folded, number=data.company_number)
        resolved[key] = supplier
    return resolved, created


def _plan_contracts(
    rows: list[_ContractRow], suppliers: dict[str, Supplier], result: OcdsImportResult
) -> tuple[list[Contract], list[Contract], set[int]]:
    references = {row.reference for row in rows}
    ocids = {row.ocid for row in rows}
    by_reference: dict[str, Contract] = {}
    by_ocid: dict[str, list[Contract]] = defaultdict(list)
    for contract in (
        Contract.objects.select_for_update()
        .filter(Q(reference__in=references) | Q(ocid__in=ocids))
        .order_by("pk")
    ):
        by_reference[contract.reference] = contract
        by_ocid[contract.ocid].append(contract)
    rows_per_ocid = Counter(row.ocid for row in rows)

    new: list[Contract] = []
    changed: list[Contract] = []
    touched_supplier_ids: set[int] = set()
    for row in rows:
        supplier = suppliers[row.supplier.key]
        contract = by_reference.get(row.reference)
        if contract is None and rows_per_ocid[row.ocid] == 1 and len(by_ocid[row.ocid]) == 1:
            candidate = by_ocid[row.ocid][0]
            if candidate.reference not in references:
                contract = candidate
        if contract is None:
            contract = Contract(reference=row.reference, ocid=row.ocid, **row.fields)
            contract.supplier = supplier
            if _check(contract, row.label, result):
                new.append(contract)
            continue
        if contract.ocid and contract.ocid != row.ocid:
            result.errors.append(
                f"{row.label}: the register already has contract {contract.reference} for "
                f"another ocid, {contract.ocid}."
            )
            continue
        changes = {
            name: value
            for name, value in {**row.fields, "ocid": row.ocid}.items()
            if getattr(contract, name) != value
        }
        if supplier.pk is None or supplier.pk != contract.supplier_id:
            touched_supplier_ids.add(contract.supplier_id)
            changes["supplier"] = supplier
        if not changes:
            continue
        for name, value in changes.items():
            setattr(contract, name, value)
        if _check(contract, row.label, result):
            changed.append(contract)
    return new, changed, touched_supplier_ids


def _check(
    instance: Supplier | Contract,
    label: str,
    result: OcdsImportResult,
    exclude: list[str] | None = None,
) -> bool:
    """full_clean, minus the foreign keys (set by the importer itself) and the uniqueness of
    the reference (already looked up), so it costs no query a row."""
    try:
        instance.full_clean(
            exclude=["supplier", "category", "owner"] if exclude is None else exclude,
            validate_unique=False,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        result.errors.append(f"{label}: {problems}")
        return False
    return True
