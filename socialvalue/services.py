"""Writes for social value: commitments, returns through their statuses, evidence files.

A return moves draft → submitted → verified, or submitted → rejected (with a reason) → edited
and submitted again. Each change goes through `core.concurrency.update_versioned`, so two people
acting on the same return at once cannot overwrite each other, and django-simple-history keeps
who changed the status and when.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.concurrency import update_versioned
from core.history import history_note, history_save
from procurement.models import Contract
from socialvalue.models import (
    Commitment,
    EvidenceFile,
    Measure,
    ReturnLine,
    SocialValueReturn,
    quantity_problem,
)
from socialvalue.periods import Period

Status = SocialValueReturn.Status

# -- commitments ---------------------------------------------------------------------------------


@transaction.atomic
def commitment_save(
    *,
    contract: Contract,
    measure: Measure,
    quantity: Decimal,
    due_by: dt.date,
    notes: str = "",
    user: User,
    commitment: Commitment | None = None,
) -> Commitment:
    """Record a new commitment, or change one (`commitment`), on a contract."""
    duplicate = Commitment.objects.filter(contract=contract, measure=measure)
    if commitment is not None:
        duplicate = duplicate.exclude(pk=commitment.pk)
    if duplicate.exists():
        raise ValidationError(
            {"measure": f"This contract already has a commitment for {measure.code}: change it"}
        )
    commitment = commitment or Commitment(contract=contract, recorded_by=user)
    commitment.measure = measure
    commitment.quantity = quantity
    commitment.due_by = due_by
    commitment.notes = notes
    return history_save(commitment, user=user)


@transaction.atomic
def commitment_delete(*, commitment: Commitment, user: User) -> None:
    history_note(commitment, user=user)
    commitment.delete()


# -- returns -------------------------------------------------------------------------------------


def _check_status(social_value_return: SocialValueReturn, *allowed: str, action: str) -> None:
    if social_value_return.status not in allowed:
        raise ValidationError(
            f"This return is {social_value_return.get_status_display().lower()}, "
            f"so it cannot be {action}."
        )


@transaction.atomic
def return_create(
    *, contract: Contract, period: Period, user: User, today: dt.date | None = None
) -> SocialValueReturn:
    """Start a draft return, with a line for each measure the contract has a commitment for.

    Only for a period that has ended: what was delivered is not known until then."""
    today = today or timezone.localdate()
    if not period.has_ended(today=today):
        starts = period.end + dt.timedelta(days=1)
        raise ValidationError(
            {
                "period": f"{period.label} has not ended yet: its return can be started from "
                f"{starts.day} {starts:%B %Y}"
            }
        )
    # Lock the contract so two people starting the same period cannot both pass the check.
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    overlapping = SocialValueReturn.objects.filter(
        contract=contract, period_start__lte=period.end, period_end__gte=period.start
    ).first()
    if overlapping is not None:
        raise ValidationError(
            {"period": f"There is already a return for {overlapping.period_label}: open that one"}
        )
    social_value_return = SocialValueReturn(
        contract=contract,
        period_start=period.start,
        period_end=period.end,
        created_by=user,
    )
    history_save(social_value_return, user=user)
    measure_ids = Commitment.objects.filter(contract=contract).values_list("measure_id", flat=True)
    ReturnLine.objects.bulk_create(
        ReturnLine(social_value_return=social_value_return, measure_id=measure_id)
        for measure_id in measure_ids
    )
    return social_value_return


@dataclass(frozen=True)
class LineInput:
    measure: Measure
    quantity: Decimal
    evidence: str = ""
    evidence_url: str = ""


@transaction.atomic
def return_update(
    *,
    social_value_return: SocialValueReturn,
    expected_version: int,
    lines: list[LineInput],
    user: User,
) -> SocialValueReturn:
    """Save the quantities and evidence of a draft or rejected return.

    Lines for measures already on the return are changed; others are added. Every quantity is
    checked first, so a wrong figure saves nothing.
    """
    _check_status(social_value_return, *SocialValueReturn.EDITABLE, action="changed")
    quarters = social_value_return.period.quarter_count
    problems = [quantity_problem(line.measure, line.quantity, quarters=quarters) for line in lines]
    problems = [problem for problem in problems if problem]
    if problems:
        raise ValidationError(problems)
    updated = update_versioned(
        social_value_return, expected_version=expected_version, changes={}, user=user
    )
    existing = {line.measure_id: line for line in updated.lines.all()}
    for line in lines:
        row = existing.get(line.measure.pk) or ReturnLine(
            social_value_return=updated, measure=line.measure
        )
        changed = (row.quantity, row.evidence, row.evidence_url) != (
            line.quantity,
            line.evidence,
            line.evidence_url,
        )
        if row.pk and not changed:
            continue
        row.quantity = line.quantity
        row.evidence = line.evidence
        row.evidence_url = line.evidence_url
        history_save(row, user=user)
    return updated


def return_submit(
    *, social_value_return: SocialValueReturn, expected_version: int, user: User
) -> SocialValueReturn:
    _check_status(social_value_return, *SocialValueReturn.EDITABLE, action="submitted")
    return update_versioned(
        social_value_return,
        expected_version=expected_version,
        changes={
            "status": Status.SUBMITTED,
            "submitted_by": user,
            "submitted_at": timezone.now(),
            "rejection_reason": "",
        },
        user=user,
    )


def return_verify(
    *, social_value_return: SocialValueReturn, expected_version: int, user: User
) -> SocialValueReturn:
    _check_status(social_value_return, Status.SUBMITTED, action="verified")
    return update_versioned(
        social_value_return,
        expected_version=expected_version,
        changes={"status": Status.VERIFIED, "reviewed_by": user, "reviewed_at": timezone.now()},
        user=user,
    )


def return_reject(
    *,
    social_value_return: SocialValueReturn,
    expected_version: int,
    reason: str,
    user: User,
) -> SocialValueReturn:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the return is rejected"})
    _check_status(social_value_return, Status.SUBMITTED, action="rejected")
    return update_versioned(
        social_value_return,
        expected_version=expected_version,
        changes={
            "status": Status.REJECTED,
            "rejection_reason": reason.strip(),
            "reviewed_by": user,
            "reviewed_at": timezone.now(),
        },
        user=user,
    )


# -- evidence files ------------------------------------------------------------------------------

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
TYPE_NAMES = {
    ".pdf": "a PDF",
    ".docx": "a Word document",
    ".xlsx": "an Excel workbook",
    ".csv": "a CSV file",
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
}
ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
BINARY_STARTS = (
    b"MZ",
    b"\x7fELF",
    b"PK\x03\x04",
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"\xca\xfe",
)


def _looks_like(suffix: str, upload: UploadedFile) -> bool:
    """Does the content match the extension? Checked on the bytes, not the name or the browser."""
    upload.seek(0)
    head: bytes = upload.read(8192)
    upload.seek(0)
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if suffix in ZIP_MEMBERS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                return ZIP_MEMBERS[suffix] in archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
    if suffix == ".csv":
        if head.startswith(BINARY_STARTS) or b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine; anything else is not.
            if error.start < len(head) - 4:
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError:
                    return False
        return True
    return False


def evidence_problem(upload: UploadedFile) -> str:
    """Why an uploaded file cannot be accepted as evidence; '' if it can."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        return (
            "The file must be a PDF, Word document (.docx), Excel workbook (.xlsx), CSV, "
            "PNG or JPEG"
        )
    if upload.size is None or upload.size == 0:
        return "The selected file is empty"
    if upload.size > MAX_EVIDENCE_BYTES:
        return "The file must be smaller than 10 MB"
    if not _looks_like(suffix, upload):
        return f"The file is not {TYPE_NAMES[suffix]}: its contents do not match its name"
    return ""


@transaction.atomic
def evidence_attach(
    *,
    social_value_return: SocialValueReturn,
    upload: UploadedFile,
    user: User,
    measure: Measure | None = None,
) -> EvidenceFile:
    _check_status(social_value_return, *SocialValueReturn.EDITABLE, action="changed")
    problem = evidence_problem(upload)
    if problem:
        raise ValidationError({"file": problem})
    name = upload.name or ""  # a form's upload always has a name (evidence_problem checks it)
    suffix = Path(name).suffix.lower()
    evidence = EvidenceFile(
        social_value_return=social_value_return,
        measure=measure,
        original_name=Path(name).name[:255],
        content_type=EVIDENCE_TYPES[suffix],
        size=upload.size or 0,
        uploaded_by=user,
    )
    evidence.file.save(upload.name, upload, save=False)
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile) -> None:
    _check_status(evidence.social_value_return, *SocialValueReturn.EDITABLE, action="changed")
    stored = evidence.file
    evidence.delete()
    transaction.on_commit(lambda: stored.delete(save=False))
