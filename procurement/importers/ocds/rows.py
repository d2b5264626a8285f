"""From a compiled release to rows of the contracts register: whose release it is, whether the
council can use it, and the contract (or framework agreement) and suppliers it gives."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Model

from core.money import to_penny, whole_pounds
from procurement.identity import name_key, normalise_company_number
from procurement.importers.ocds.read import JsonObject, release_time
from procurement.importers.ocds.text import clip, plain, shorten, shown
from procurement.models import Contract, Route, Supplier


def _max_length(model: type[Model], field_name: str) -> int:
    model_field = model._meta.get_field(field_name)
    assert isinstance(model_field, CharField) and model_field.max_length is not None, field_name
    return model_field.max_length


REFERENCE_MAX = _max_length(Contract, "reference")
TITLE_MAX = _max_length(Contract, "title")
NAME_MAX = _max_length(Supplier, "name")
POSTCODE_MAX = _max_length(Supplier, "postcode")
MONEY_LIMIT = Decimal(10) ** 12  # MONEY has 14 digits, 2 after the point
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

# Why a release the council cannot use is skipped (the keys of the report's counts).
NO_AWARD = "no award yet"
SUPPLIER_NOT_NAMED = "a supplier is not named"
NOT_POUNDS = "a value not in pounds"
SKIP_REASONS = (NO_AWARD, SUPPLIER_NOT_NAMED, NOT_POUNDS)


class Invalid(Exception):
    """One release (or one contract in it) breaks the standard: the file is refused."""


class Unusable(Exception):
    """One release is valid but the council cannot use it: it is skipped, with its reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class SupplierRow:
    key: str
    name: str
    company_number: str
    charity_number: str
    postcode: str
    size: str
    ppon: str = ""  # the central digital platform's organisation number (GB-PPON)


@dataclass
class ContractRow:
    reference: str
    ocid: str
    label: str
    suppliers: list[SupplierRow]  # the first is the contract's supplier
    fields: dict[str, Any] = field(default_factory=dict)
    contract: Contract | None = None  # the register's contract, once matched or planned

    @property
    def supplier(self) -> SupplierRow:
        return self.suppliers[0]

    @property
    def is_framework(self) -> bool:
        return bool(self.fields["is_framework"])


# -- whose release ------------------------------------------------------------------------------


def fold_buyer(text: str) -> str:
    """A buyer's name for comparing: entities decoded, case, punctuation and spaces folded."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain(text).casefold()).split())


def buyer_of(release: JsonObject) -> tuple[str, set[str]]:
    """The release's buyer: its name and every identifier given for it."""
    buyer = _object_or_empty(release.get("buyer"))
    listed = release.get("parties")
    parties: list[Any] = listed if isinstance(listed, list) else []
    party: JsonObject = next(
        (
            item
            for item in parties
            if isinstance(item, dict)
            and (
                (buyer.get("id") is not None and str(item.get("id")) == str(buyer.get("id")))
                or (not buyer and "buyer" in (item.get("roles") or []))
            )
        ),
        {},
    )
    name = buyer.get("name") or party.get("name") or ""
    ids = {str(value) for value in (buyer.get("id"), party.get("id")) if value not in (None, "")}
    identifier = _object_or_empty(party.get("identifier"))
    if identifier.get("id") not in (None, ""):
        ids.add(str(identifier["id"]))
        if identifier.get("scheme"):
            ids.add(f"{identifier['scheme']}-{identifier['id']}")
    return (name if isinstance(name, str) else ""), ids


def _object_or_empty(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def is_ours(release: JsonObject, names: frozenset[str], ids: frozenset[str]) -> bool:
    """Whether the council bought it. A release that names no buyer is kept: it cannot be
    anyone else's, and the council's own files (or a portal's) may leave it out."""
    name, release_ids = buyer_of(release)
    if not name and not release_ids:
        return True
    return fold_buyer(name) in names or bool(release_ids & ids)


# -- from a release to rows ---------------------------------------------------------------------


def release_rows(ocid: str, release: JsonObject, label: str, today: dt.date) -> list[ContractRow]:
    """The release's rows; Invalid (a fault) or Unusable (a reason to skip it) for the whole."""
    tender = obj(release, "tender")
    parties = {str(party.get("id")): party for party in objs(release, "parties")}
    awards = objs(release, "awards")
    contracts = objs(release, "contracts")
    route = ROUTES.get(text(tender, "procurementMethod", "tender.").lower(), Route.OTHER)

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
        raise Unusable(NO_AWARD, "no award or contract yet")
    return [
        _row(ocid, label, path, item, award, tender, parties, route, today)
        for path, item, award in items
    ]


def _award_for(contract: JsonObject, awards: list[JsonObject]) -> JsonObject | None:
    award_id = contract.get("awardID")
    if award_id is None:
        return awards[0] if len(awards) == 1 else None
    return next((award for award in awards if str(award.get("id")) == str(award_id)), None)


def _row(
    ocid: str,
    label: str,
    path: str,
    item: JsonObject,
    award: JsonObject | None,
    tender: JsonObject,
    parties: dict[str, JsonObject],
    route: str,
    today: dt.date,
) -> ContractRow:
    if award is None:
        raise Invalid(f"{path}awardID does not match an award, so there is no supplier.")
    item_id = item.get("id")
    if not isinstance(item_id, str | int) or isinstance(item_id, bool) or str(item_id) == "":
        raise Invalid(f"{path}id is missing.")

    named = objs(award, "suppliers", path)
    if not named:
        raise Unusable(SUPPLIER_NOT_NAMED, f"award {clip(award.get('id'))} names no supplier")
    suppliers: dict[str, SupplierRow] = {}
    for supplier in named:
        row = _supplier_row(parties.get(str(supplier.get("id"))) or supplier, path)
        suppliers.setdefault(row.key, row)

    is_contract = path.startswith("contracts")
    value = obj(item, "value", path) or obj(award, "value", path)
    period_name = "period" if is_contract else "contractPeriod"
    period = obj(item, period_name, path) or obj(award, "contractPeriod", path)
    title = text(item, "title", path) or text(award, "title", path) or text(tender, "title")
    if not title:
        raise Invalid(f"{path}title is missing, and so is the tender's title.")
    description = (
        text(item, "description", path)
        or text(award, "description", path)
        or text(tender, "description")
    )
    end_date = _date(period, "endDate", f"{path}{period_name}.")
    status = CONTRACT_STATUSES.get(text(item, "status", path).lower(), Contract.Status.LIVE)
    if status == Contract.Status.LIVE and end_date is not None and end_date < today:
        status = Contract.Status.EXPIRED
    return ContractRow(
        reference=contract_reference(ocid, str(item_id)),
        ocid=ocid,
        label=label,
        suppliers=list(suppliers.values()),
        fields={
            "title": shorten(plain(title), TITLE_MAX),
            "description": plain(description),
            "total_value": _money(value, f"{path}value."),
            "start_date": _date(period, "startDate", f"{path}{period_name}."),
            "end_date": end_date,
            "route": route,
            "status": status,
            # An award to several suppliers is a framework agreement (or a dynamic purchasing
            # system): its value is the most that may be spent under it, by all of them.
            "is_framework": len(suppliers) > 1,
            **_act_fields(path, item, award, value, is_contract=is_contract),
        },
    )


def _act_fields(
    path: str, item: JsonObject, award: JsonObject, value: JsonObject, *, is_contract: bool
) -> dict[str, Any]:
    """What the contract details notice needs (procurement/act.py), where the release gives it:
    the award's date, the contract's signature date, the value with VAT (`amountGross`, as the
    UK platform's releases carry it). Absent ones are left out, so an officer's entry stays."""
    found = {
        "awarded_on": _date(award, "date", path),
        "signed_on": _date(item, "dateSigned", path) if is_contract else None,
        "value_including_vat": _money(
            {"amount": value.get("amountGross"), "currency": value.get("currency")},
            f"{path}value.amountGross.",
        ),
    }
    return {name: found_value for name, found_value in found.items() if found_value is not None}


def contract_reference(ocid: str, contract_id: str) -> str:
    """`<ocid>/<contract id>`, shortened to fit the register if need be (see the package's
    docs)."""
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


def _supplier_row(party: JsonObject, path: str) -> SupplierRow:
    name = plain(text(party, "name", f"{path}supplier."))
    if not name:
        raise Unusable(
            SUPPLIER_NOT_NAMED, f"{path}supplier {clip(party.get('id'))} has no name (withheld)"
        )
    company_number = charity_number = ppon = ""
    for identifier in [obj(party, "identifier"), *objs(party, "additionalIdentifiers")]:
        scheme = text(identifier, "scheme").upper()
        number = re.sub(r"\s+", "", text(identifier, "id")).upper()
        if scheme == "GB-COH" and number and not company_number:
            company_number = normalise_company_number(number) or number
        elif scheme == "GB-CHC" and number and not charity_number:
            charity_number = number
        elif scheme == "GB-PPON" and number and not ppon:
            ppon = number
    postcode = " ".join(text(obj(party, "address"), "postalCode").upper().split())
    if len(postcode) > POSTCODE_MAX:
        postcode = ""
    scale = text(obj(party, "details"), "scale").lower()
    name = shorten(name, NAME_MAX)
    return SupplierRow(
        key=f"coh:{company_number}" if company_number else f"name:{name_key(name)}",
        name=name,
        company_number=company_number,
        charity_number=charity_number,
        postcode=postcode,
        size=SCALES.get(scale, Supplier.Size.UNKNOWN),
        ppon=ppon[:40],
    )


def is_local_postcode(postcode: str) -> bool:
    """In the county, as far as a postcode shows: the WR (Worcester) postcode area."""
    area = re.match(r"[A-Z]+", postcode.upper())
    return area is not None and area.group() in LOCAL_POSTCODE_AREAS


# -- checked accessors: each field used is checked by hand ------------------------------------


def obj(parent: JsonObject, key: str, path: str = "") -> JsonObject:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{path}{key} must be an object.")
    return value


def objs(parent: JsonObject, key: str, path: str = "") -> list[JsonObject]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Invalid(f"{path}{key} must be a list of objects.")
    return value


def text(parent: JsonObject, key: str, path: str = "") -> str:
    value = parent.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"{path}{key} must be text.")


def _date(parent: JsonObject, key: str, path: str) -> dt.date | None:
    """The calendar date as the publisher wrote it (in its own UTC offset)."""
    if parent.get(key) is None:
        return None
    parsed = release_time(parent[key])
    if parsed is None:
        raise Invalid(f"{path}{key} is not a date: {shown(parent[key])}.")
    return parsed.date()


def _money(value: JsonObject, path: str) -> Decimal | None:
    amount = value.get("amount")
    if amount is None:
        return None
    currency = text(value, "currency", path).upper()
    if currency != "GBP":
        raise Unusable(
            NOT_POUNDS,
            f"{path[:-1]} is in {clip(currency) or 'no stated currency'}; only pounds (GBP) can"
            " be imported",
        )
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise Invalid(f"{path}amount is not a number: {shown(amount)}.")
    amount = Decimal(amount)
    if not amount.is_finite() or not 0 <= amount < MONEY_LIMIT:
        raise Invalid(
            f"{path}amount must be between 0 and {whole_pounds(MONEY_LIMIT)}: {clip(amount)}."
        )
    return to_penny(amount)
