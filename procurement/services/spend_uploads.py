"""Spend files kept between the upload and the mapping step.

A file whose columns need mapping is kept on disk under MEDIA_ROOT (never served: MEDIA_ROOT is
outside the web root) with a random name, and the officer's session holds the only key to it:
another user, or the same officer in another session, cannot reach it. It is deleted when it is
imported or discarded, and any kept file older than KEEP_FOR is deleted the next time a file is
kept, so an abandoned mapping leaves nothing behind for more than a day.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypedDict, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from jobs.models import Job
from jobs.services import job_start
from procurement import tasks
from procurement.importers.spend import (
    ALREADY_IMPORTED,
    IMPORTED,
    NEEDS_MAPPING,
    SpendImportResult,
    import_spend_file,
    preview_spend_file,
)
from procurement.models import SpendLayout
from procurement.selectors.spend_layouts import spend_layout_for
from procurement.services.spend_layouts import spend_layout_save

SESSION_KEY = "spend_uploads"
DIRECTORY = "spend-uploads"
KEEP_FOR = dt.timedelta(days=1)

# request.session (a dict in some tests): what the session keeps is read back from JSON.
Session = MutableMapping[str, Any]


class _Entry(TypedDict):
    """A kept upload as the session holds it, under its token."""

    filename: str
    stored: str
    skip_bad_rows: bool
    publisher: str
    kept_at: str  # ISO 8601


@dataclass(frozen=True)
class KeptUpload:
    token: str
    filename: str  # as the officer uploaded it
    path: Path
    stored: str  # the storage name
    skip_bad_rows: bool
    publisher: str  # "" for the council itself
    kept_at: dt.datetime


def spend_upload_keep(
    *,
    session: Session,
    upload: UploadedFile,
    skip_bad_rows: bool,
    publisher: str,
) -> KeptUpload:
    """Store `upload` until the officer has mapped its columns; returns its token."""
    spend_uploads_purge()
    token, stored = _store(upload)
    kept_at = timezone.now()
    kept: dict[str, _Entry] = dict(session.get(SESSION_KEY, {}))
    kept[token] = {
        "filename": Path(_name_of(upload)).name,
        "stored": stored,
        "skip_bad_rows": skip_bad_rows,
        "publisher": publisher,
        "kept_at": kept_at.isoformat(),
    }
    session[SESSION_KEY] = kept
    return _kept_upload(token, kept[token])


def _store(upload: UploadedFile) -> tuple[str, str]:
    """Save `upload` under a random name; its token and the storage name."""
    token = secrets.token_urlsafe(24)
    upload.seek(0)
    suffix = Path(_name_of(upload)).suffix.lower()
    stored = default_storage.save(f"{DIRECTORY}/{token}{suffix}", upload)
    return token, stored


def _name_of(upload: UploadedFile) -> str:
    return upload.name or ""  # a form's FileField refuses a file without a name


def _bytes_of(upload: UploadedFile) -> BinaryIO:
    """The uploaded file: Django's stubs give IO[Any] | None; an upload's is a BytesIO or a
    temporary file opened for bytes."""
    if upload.file is None:
        raise ValueError("The upload has no file.")
    return cast(BinaryIO, upload.file)


def _kept_upload(token: str, entry: _Entry) -> KeptUpload:
    return KeptUpload(
        token=token,
        filename=entry["filename"],
        path=Path(default_storage.path(entry["stored"])),
        stored=entry["stored"],
        skip_bad_rows=entry["skip_bad_rows"],
        publisher=entry["publisher"],
        kept_at=dt.datetime.fromisoformat(entry["kept_at"]),
    )


def spend_upload_get(*, session: Session, token: str) -> KeptUpload | None:
    """The kept upload `token` names in this session, or None if it is unknown, was imported
    or discarded, is older than KEEP_FOR, or its file has gone."""
    entry: _Entry | None = session.get(SESSION_KEY, {}).get(token)
    if entry is None:
        return None
    kept_at = dt.datetime.fromisoformat(entry["kept_at"])
    if timezone.now() - kept_at > KEEP_FOR or not default_storage.exists(entry["stored"]):
        spend_upload_discard(session=session, token=token)
        return None
    return _kept_upload(token, entry)


def spend_upload_discard(*, session: Session, token: str) -> None:
    """Forget `token` and delete its file."""
    kept: dict[str, _Entry] = dict(session.get(SESSION_KEY, {}))
    entry = kept.pop(token, None)
    session[SESSION_KEY] = kept
    if entry is not None:
        default_storage.delete(entry["stored"])


def spend_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete every kept file older than KEEP_FOR, whoever kept it. Returns how many."""
    if not default_storage.exists(DIRECTORY):
        return 0
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted = 0
    for name in default_storage.listdir(DIRECTORY)[1]:
        stored = f"{DIRECTORY}/{name}"
        if default_storage.get_modified_time(stored) < cutoff:
            default_storage.delete(stored)
            deleted += 1
    return deleted


@dataclass(frozen=True)
class UploadOutcome:
    """An upload's outcome: imported (or refused) as `result`, or kept as `kept` for the
    officer to map its columns first."""

    result: SpendImportResult | None = None
    kept: KeptUpload | None = None
    layout: SpendLayout | None = None  # the remembered layout the file was read with
    job: Job | None = None  # a large file, imported in the background


def spend_upload_import(
    *,
    session: Session,
    upload: UploadedFile,
    user: User,
    skip_bad_rows: bool,
    publisher: str,
) -> UploadOutcome:
    """Import an uploaded spend file with the mapping remembered for its layout, or with the
    columns recognised; keep it for the mapping step when a required column cannot be placed
    or two columns compete for one field and no mapping is remembered for its header."""
    preview = preview_spend_file(_bytes_of(upload), filename=_name_of(upload))
    upload.seek(0)
    layout = spend_layout_for(headings=preview.headings) if preview.headings else None
    if layout is None and preview.needs_mapping:
        kept = spend_upload_keep(
            session=session, upload=upload, skip_bad_rows=skip_bad_rows, publisher=publisher
        )
        return UploadOutcome(kept=kept)
    if not in_request(upload.size or 0):  # an upload's size is always set
        spend_uploads_purge()
        job = spend_upload_queue(
            stored=_store(upload)[1],
            filename=Path(_name_of(upload)).name,
            user=user,
            skip_bad_rows=skip_bad_rows,
            publisher=publisher,
            mapping=layout.mapping if layout else None,
            layout=layout,
        )
        return UploadOutcome(job=job, layout=layout)
    result = import_spend_file(
        _bytes_of(upload),
        filename=_name_of(upload),
        user=user,
        skip_bad_rows=skip_bad_rows,
        mapping=layout.mapping if layout else None,
        publisher=publisher or None,
    )
    if result.status == NEEDS_MAPPING:  # the preview and the import disagree: ask, not refuse
        kept = spend_upload_keep(
            session=session, upload=upload, skip_bad_rows=skip_bad_rows, publisher=publisher
        )
        return UploadOutcome(kept=kept)
    return UploadOutcome(result=result, layout=layout)


def spend_upload_import_mapped(
    *,
    session: Session,
    kept: KeptUpload,
    headings: list[str],
    mapping: dict[str, str],
    user: User,
    skip_bad_rows: bool,
) -> SpendImportResult | Job:
    """Import a kept file with the officer's mapping, or (a large file) queue the job that
    will; see spend_upload_import_kept."""
    if not in_request(kept.path.stat().st_size):
        return spend_upload_queue(
            stored=kept.stored,
            filename=kept.filename,
            user=user,
            skip_bad_rows=skip_bad_rows,
            publisher=kept.publisher,
            mapping=mapping,
            headings=headings,
            kept_token=kept.token,
        )
    result = spend_upload_import_kept(
        kept=kept, headings=headings, mapping=mapping, user=user, skip_bad_rows=skip_bad_rows
    )
    if result.status in (IMPORTED, ALREADY_IMPORTED):
        spend_upload_discard(session=session, token=kept.token)
    return result


def spend_upload_import_kept(
    *,
    kept: KeptUpload,
    headings: list[str],
    mapping: dict[str, str],
    user: User,
    skip_bad_rows: bool,
) -> SpendImportResult:
    """Import a kept file with the officer's mapping. Once it is imported the mapping is
    remembered for its layout and the kept file is deleted (so it is if it had been imported
    before); if it is refused, it is kept so the officer can correct the mapping."""
    with kept.path.open("rb") as source:
        result = import_spend_file(
            source,
            filename=kept.filename,
            user=user,
            skip_bad_rows=skip_bad_rows,
            mapping=mapping,
            publisher=kept.publisher or None,
        )
    if result.status == IMPORTED:
        spend_layout_save(headings=headings, mapping=mapping, user=user)
    return result


def in_request(size: int) -> bool:
    """Whether a file of `size` bytes is imported inside the request (else as a job)."""
    return size <= settings.SPEND_IMPORT_IN_REQUEST_BYTES


def spend_upload_queue(
    *,
    stored: str,
    filename: str,
    user: User,
    skip_bad_rows: bool,
    publisher: str,
    mapping: dict[str, str] | None = None,
    headings: list[str] | None = None,
    layout: SpendLayout | None = None,
    kept_token: str = "",
) -> Job:
    """Queue the import of the stored file as a background job; the worker runs
    procurement.tasks.spend_import. `headings` (with `mapping`): the officer's mapping, to be
    remembered once imported; `kept_token`: the mapping step's file, kept if it is refused."""
    params = {
        "stored": stored,
        "filename": filename,
        "skip_bad_rows": skip_bad_rows,
        "publisher": publisher,
        "mapping": mapping,
        "headings": headings,
        "layout_id": layout.pk if layout else None,
        "kept_token": kept_token,
        "lines": _data_lines(stored),
    }
    return job_start(
        task=tasks.spend_import,
        kind=Job.Kind.SPEND_IMPORT,
        owner=user,
        title=filename,
        params=params,
    )


def _data_lines(stored: str) -> int | None:
    """About how many rows a CSV file has (its line feeds less the header), for the progress
    bar; None for a workbook."""
    if Path(stored).suffix == ".xlsx":
        return None
    lines = 0
    with default_storage.open(stored, "rb") as source:
        while block := source.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0) or None
