"""Import contracts from Open Contracting Data Standard (OCDS 1.1) files.

Find a Tender and Contracts Finder publish their notices as OCDS release packages
(`{"releases": [...]}`) and record packages (`{"records": [...]}`). A file may hold one
package, several written one after another, or one release, record or package a line (JSON
Lines). `read` finds the releases, `rows` turns each into rows of the register, `write` writes
them. The rules, in the order they apply:

- A record gives its compiled release; failing that, the latest values of its versioned
  release; failing that, its releases compiled. Releases that share an ocid are compiled oldest
  first by the standard's own merge rules (ocdsmerge, the Open Contracting Partnership's
  reference implementation, reading the OCDS 1.1 release schema shipped in `schema/`: nothing
  is downloaded). So a file with an award notice and a later amendment writes the amended
  contract once.
- Whose: only releases whose buyer has one of the council's names or identifiers
  (`OCDS_BUYER_NAMES`, `OCDS_BUYER_IDS`, or the command's `--buyer`) are imported; the others
  of a national file are counted as left out. Names are compared with HTML entities decoded and
  case, punctuation and spaces folded. A release naming no buyer at all is kept.
- Usable: a release with no award yet, an award supplier with no name (withheld) or no
  supplier, or a value in another currency than pounds is skipped, named with its reason and
  counted by reason; the rest imports. With `strict`, the last two refuse the file, as before.
  A release that breaks the standard (an amount that is not a number, a date that is not a
  date, a list that is not a list) refuses the file: it says the file is not what it claims.
- HTML entities (`&amp;`, `&#039;`, twice-encoded `&amp;amp;`) in titles, descriptions and
  names are decoded before matching and storing.
- An award to several suppliers is a framework agreement (or a dynamic purchasing system): one
  contract with `is_framework` set, all its suppliers in `framework_suppliers` and the first as
  its `supplier`; its value is the framework's maximum, which the dashboards do not add to any
  one supplier's contract value.
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

Everything is checked before anything is written and the whole file is written in one
transaction, or not at all.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.db_errors import is_unique_violation, refusal_message
from procurement.importers.ocds.read import (
    MAY_NOT_STORE,
    FileError,
    Found,
    compile_by_ocid,
    parse_values,
    read_text,
    releases_in,
    unstorable,
)
from procurement.importers.ocds.rows import (
    MONEY_LIMIT,
    NO_AWARD,
    SKIP_REASONS,
    ContractRow,
    Invalid,
    Unusable,
    contract_reference,
    fold_buyer,
    is_local_postcode,
    is_ours,
    release_rows,
)
from procurement.importers.ocds.write import import_rows

__all__ = [
    "DRY_RUN",
    "IMPORTED",
    "MONEY_LIMIT",
    "REJECTED",
    "SKIP_REASONS",
    "OcdsImportResult",
    "contract_reference",
    "import_ocds_file",
    "is_local_postcode",
]

logger = logging.getLogger(__name__)

IMPORTED = "imported"
DRY_RUN = "dry_run"
REJECTED = "rejected"


@dataclass
class Skipped:
    reason: str  # one of SKIP_REASONS
    message: str  # names the release (ocid, its number in the file, its line) and the detail


@dataclass
class OcdsImportResult:
    status: str
    contracts_created: int = 0
    contracts_updated: int = 0
    suppliers_created: int = 0
    errors: list[str] = field(default_factory=list)
    file_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    releases_imported: int = 0  # releases (one an ocid, once compiled) that gave contracts
    skipped: list[Skipped] = field(default_factory=list)
    left_out: int = 0  # releases of other buyers
    frameworks: int = 0  # framework agreements among the contracts imported

    def skipped_by_reason(self) -> dict[str, int]:
        counts = Counter(item.reason for item in self.skipped)
        return {reason: counts[reason] for reason in SKIP_REASONS if counts[reason]}


def import_ocds_file(
    source: str | Path | bytes | IO[bytes] | IO[str],
    *,
    dry_run: bool = False,
    user: User | None = None,
    strict: bool = False,
    buyers: Iterable[str] | None = None,
    buyer_ids: Iterable[str] | None = None,
) -> OcdsImportResult:
    """Import an OCDS file (a path, the bytes, or an open file).

    `buyers` and `buyer_ids` name the council as a buyer; by default the settings
    `OCDS_BUYER_NAMES` and `OCDS_BUYER_IDS`. Both empty imports every buyer's releases.
    `strict` refuses the whole file for a release it would otherwise skip."""
    try:
        text = read_text(source)
        found = releases_in(parse_values(text))
    except FileError as error:
        return OcdsImportResult(status=REJECTED, file_error=str(error))
    except RecursionError:
        return OcdsImportResult(status=REJECTED, file_error="The file is nested too deeply.")

    result = OcdsImportResult(status=DRY_RUN if dry_run else IMPORTED)
    if not found:
        result.warnings.append("The package has no releases, so there was nothing to import.")
    if MAY_NOT_STORE.search(text):
        result.errors.extend(unstorable(found))
    names = frozenset(
        fold_buyer(name) for name in (settings.OCDS_BUYER_NAMES if buyers is None else buyers)
    ) - {""}
    ids = frozenset(
        str(value).strip()
        for value in (settings.OCDS_BUYER_IDS if buyer_ids is None else buyer_ids)
    ) - {""}
    try:
        rows = _rows(found, result, names=names, ids=ids, strict=strict)
    except RecursionError:
        return OcdsImportResult(status=REJECTED, file_error="The file is nested too deeply.")
    if result.errors:
        result.status = REJECTED
        return result
    try:
        with transaction.atomic():
            import_rows(rows, result, dry_run=dry_run, user=user)
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
        result.releases_imported = result.frameworks = 0
    return result


def _rows(
    found: list[Found],
    result: OcdsImportResult,
    *,
    names: frozenset[str],
    ids: frozenset[str],
    strict: bool,
) -> list[ContractRow]:
    today = timezone.localdate()
    rows: list[ContractRow] = []
    for ocid, label, release in compile_by_ocid(found, result.errors):
        if (names or ids) and not is_ours(release, names, ids):
            result.left_out += 1
            continue
        try:
            release_part = release_rows(ocid, release, label, today)
        except Invalid as error:
            result.errors.append(f"{label}: {error}")
            continue
        except Unusable as error:
            if strict and error.reason != NO_AWARD:
                result.errors.append(f"{label}: {error}.")
            else:
                result.skipped.append(Skipped(error.reason, f"{label} skipped: {error}."))
            continue
        result.releases_imported += 1
        result.frameworks += sum(row.fields["is_framework"] for row in release_part)
        rows.extend(release_part)
    return rows
