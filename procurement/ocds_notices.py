"""Each Procurement Act notice as an OCDS 1.1 release, and a contract's notices as a release
package, validated offline against the schema shipped in procurement/importers/ocds/schema/.

Which source each part follows:
- the structure (ocid, id, date, tag, initiationType, parties, buyer, awards, contracts,
  amendments, implementation.milestones) and the code lists (releaseTag, partyRole,
  contractStatus, milestoneType): the OCDS 1.1 release schema and its codelists;
- the tag of each notice: contract details -> `contract`, contract change -> `contractAmendment`,
  contract termination -> `contractTermination` (the releaseTag codelist's meanings); contract
  performance -> `implementationUpdate`, each KPI rating an `assessment` milestone (our choice:
  the stored references hold no UK platform guidance for this notice);
- party identifiers `GB-COH-<number>` (Companies House) and `GB-PPON-<number>` (the central
  digital platform's organisation number), the buyer's `details.classifications` scheme
  `UK_CA_TYPE`, and `details.scale` "sme" / "large": as Find a Tender's published releases
  carry them; `details.vcse`, `details.shelteredWorkshop` (supported employment) and
  `details.publicServiceMissionOrganization` (public service mutual) name the UK notice fields
  the same way; `value.amountGross` holds the value including VAT beside `amount` without it;
- the pipeline notice (UK1, s.93): a release package, one release per planned procurement (each
  is a contracting process of its own, so its own ocid), tagged `planning` as the central
  platform tags UK1, `tender.status` "planned" (the tenderStatus codelist: a future contracting
  process is planned), the estimated value in `tender.value`, and the day the tender notice is
  expected in `tender.communication.futureNoticeDate` (the OCDS communication extension, which
  the platform's planning notices use);
- the payments compliance notice (UK17, s.69) describes the council, not a contracting process,
  so it has no OCDS release: its figures are on its page and from `manage.py
  payments_compliance`.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from procurement.models import Contract, KpiRating, Notice, PipelineItem, Supplier, Variation
from procurement.selectors.council_notices import pipeline_notice_items

SCHEMA_DIR = Path(__file__).parent / "importers" / "ocds" / "schema"
TAGS: dict[str, str] = {
    Notice.Kind.CONTRACT_DETAILS: "contract",
    Notice.Kind.CONTRACT_CHANGE: "contractAmendment",
    Notice.Kind.CONTRACT_TERMINATION: "contractTermination",
    Notice.Kind.CONTRACT_PERFORMANCE: "implementationUpdate",
}


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validators() -> tuple[Draft4Validator, Draft4Validator]:
    release = _schema("release-schema.json")
    package = _schema("release-package-schema.json")
    registry = Registry().with_resource(release["id"], DRAFT4.create_resource(release))
    return Draft4Validator(release), Draft4Validator(package, registry=registry)


def release_errors(release: dict[str, Any]) -> list[str]:
    """What makes `release` invalid against the OCDS 1.1 release schema (empty if valid)."""
    return [error.message for error in _validators()[0].iter_errors(release)]


def package_errors(package: dict[str, Any]) -> list[str]:
    return [error.message for error in _validators()[1].iter_errors(package)]


def _money(amount: Decimal | None, gross: Decimal | None = None) -> dict[str, Any] | None:
    if amount is None and gross is None:
        return None
    value: dict[str, Any] = {"currency": "GBP"}
    if amount is not None:
        value["amount"] = float(amount)
    if gross is not None:
        value["amountGross"] = float(gross)
    return value


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def ocid(contract: Contract) -> str:
    """The procurement's identifier: the platform's ocid, else one under the council's prefix."""
    prefix = getattr(settings, "OCDS_OCID_PREFIX", "ocds-wcc000")
    return contract.ocid or f"{prefix}-{contract.reference}"


def _supplier_party(supplier: Supplier) -> dict[str, Any]:
    if supplier.ppon:
        scheme, number = "GB-PPON", supplier.ppon
    elif supplier.company_number:
        scheme, number = "GB-COH", supplier.company_number
    else:
        scheme, number = "", str(supplier.pk)
    party: dict[str, Any] = {
        "id": f"{scheme}-{number}" if scheme else f"supplier-{number}",
        "name": supplier.name,
        "roles": ["supplier"],
        "details": {
            "scale": "sme" if supplier.is_sme else "large",
            "vcse": supplier.is_vcse,
            "shelteredWorkshop": supplier.is_supported_employment,
            "publicServiceMissionOrganization": supplier.is_public_service_mutual,
        },
    }
    if scheme:
        party["identifier"] = {"scheme": scheme, "id": number, "legalName": supplier.name}
    if supplier.postcode:
        party["address"] = {"postalCode": supplier.postcode, "country": "GB"}
    return party


def _buyer() -> dict[str, Any]:
    name = getattr(settings, "COUNCIL_NAME", "")
    ids = getattr(settings, "OCDS_BUYER_IDS", []) or [name]
    return {
        "id": ids[0],
        "name": name,
        "roles": ["buyer"],
        "details": {
            "classifications": [
                {
                    "scheme": "UK_CA_TYPE",
                    "id": "publicAuthoritySubCentralGovernment",
                    "description": "Public authority - sub-central government",
                }
            ]
        },
    }


def notice_release(notice: Notice) -> dict[str, Any]:
    """The notice as one OCDS release (a few queries: the variation or the ratings). Only a
    contract's notice has one: the pipeline notice is a package (pipeline_release_package)."""
    contract = notice.contract
    if contract is None:
        raise ValueError("The council's own notices have no contract release.")
    supplier = contract.supplier
    supplier_party = _supplier_party(supplier)
    buyer = _buyer()
    status = "active"
    if notice.kind == Notice.Kind.CONTRACT_TERMINATION:
        status = "terminated"
    period = {
        key: _timestamp(day)
        for key, day in (("startDate", contract.start_date), ("endDate", contract.end_date))
        if day
    }
    value = _money(contract.total_value, contract.value_including_vat)
    award: dict[str, Any] = {
        "id": contract.reference,
        "status": "active",
        "suppliers": [{"id": supplier_party["id"], "name": supplier.name}],
    }
    contract_block: dict[str, Any] = {
        "id": contract.reference,
        "awardID": contract.reference,
        "title": contract.title,
        "status": status,
    }
    if contract.awarded_on:
        award["date"] = _timestamp(contract.awarded_on)
    if contract.signed_on:
        contract_block["dateSigned"] = _timestamp(contract.signed_on)
    if value:
        award["value"] = value
        contract_block["value"] = value
    if period:
        contract_block["period"] = period
    if notice.kind == Notice.Kind.CONTRACT_CHANGE:
        variation = Variation.objects.get(pk=int(notice.key.split(":")[1]))
        contract_block["amendments"] = [
            {
                "id": str(variation.pk),
                "date": _timestamp(variation.varied_on),
                "rationale": notice.reason,
                "description": variation.reason,
            }
        ]
    if notice.kind == Notice.Kind.CONTRACT_PERFORMANCE:
        rated_on = dt.date.fromisoformat(notice.key.split(":")[2])
        ratings = KpiRating.objects.filter(kpi__contract=contract, rated_on=rated_on)
        contract_block["implementation"] = {
            "milestones": [
                {
                    "id": f"kpi-{rating.kpi_id}-{rated_on.isoformat()}",
                    "title": rating.kpi.name,
                    "type": "assessment",
                    "description": rating.get_rating_display()
                    + (f": {rating.explanation}" if rating.explanation else ""),
                    "dateMet": _timestamp(rated_on),
                    "status": "met",
                }
                for rating in ratings.select_related("kpi").order_by("kpi_id")
            ]
        }
    published = notice.published_on or timezone.localdate()
    return {
        "ocid": ocid(contract),
        "id": f"{ocid(contract)}-{notice.key.replace(':', '-')}",
        "date": _timestamp(published),
        "tag": [TAGS[notice.kind]],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer, supplier_party],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "awards": [award],
        "contracts": [contract_block],
    }


def contract_release_package(contract: Contract) -> dict[str, Any]:
    """All the contract's notices as one OCDS release package."""
    notices = Notice.objects.filter(contract=contract).select_related(
        "contract", "contract__supplier"
    )
    return {
        "uri": settings.SITE_URL + reverse("procurement:contract-notices-json", args=[contract.pk]),
        "version": "1.1",
        "publishedDate": timezone.now().replace(microsecond=0).isoformat(),
        "publisher": {"name": getattr(settings, "COUNCIL_NAME", "")},
        "releases": [notice_release(notice) for notice in notices.order_by("due_on", "id")],
    }


def _pipeline_release(
    item: PipelineItem, *, notice: Notice, buyer: dict[str, Any]
) -> dict[str, Any]:
    prefix = getattr(settings, "OCDS_OCID_PREFIX", "ocds-wcc000")
    process = f"{prefix}-pipeline-{item.pk}"
    tender: dict[str, Any] = {
        "id": f"pipeline-{item.pk}",
        "title": item.title,
        "status": "planned",
        "value": _money(item.estimated_value),
        "communication": {"futureNoticeDate": _timestamp(item.planned_start)},
    }
    if item.notes:
        tender["description"] = item.notes
    published = notice.published_on or timezone.localdate()
    return {
        "ocid": process,
        "id": f"{process}-{notice.key.replace(':', '-')}",
        "date": _timestamp(published),
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }


def pipeline_release_package(notice: Notice) -> dict[str, Any]:
    """The pipeline notice (s.93) as an OCDS release package: one `planning` release for each
    procurement over £2 million planned in the notice's 18 months. One query."""
    if notice.kind != Notice.Kind.PIPELINE or notice.period_start is None:
        raise ValueError("Only a pipeline notice has a pipeline release package.")
    buyer = _buyer()
    items = pipeline_notice_items(financial_year=notice.period_start.year)
    return {
        "uri": settings.SITE_URL + reverse("procurement:notice-json", args=[notice.pk]),
        "version": "1.1",
        "publishedDate": timezone.now().replace(microsecond=0).isoformat(),
        "publisher": {"name": getattr(settings, "COUNCIL_NAME", "")},
        "releases": [_pipeline_release(item, notice=notice, buyer=buyer) for item in items],
    }
