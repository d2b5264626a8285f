"""Reading an OCDS file: the JSON values in it, the releases they hold, and compiling the
releases of one ocid by the standard's merge rules (ocdsmerge, with the shipped schema)."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

from ocdsmerge import CompiledRelease
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning
from ocdsmerge.rules import MergeRules, get_merge_rules

from core.text import agreeing
from procurement.importers.ocds.text import clip

# The OCDS 1.1 release schema (1.1.5), shipped with the code so nothing is downloaded: see
# schema/README.md. ocdsmerge reads its merge rules from it.
RELEASE_SCHEMA = Path(__file__).resolve().parent / "schema" / "release-schema.json"

NOT_A_PACKAGE = (
    'The file is JSON but not an OCDS package: it needs a "releases" list (release package) '
    'or a "records" list (record package).'
)
VERSIONED_KEYS = frozenset({"releaseID", "releaseDate", "releaseTag", "value"})

# A JSON object as the file holds it: its values are checked where they are used (rows.py).
JsonObject = dict[str, Any]


class FileError(Exception):
    """The file as a whole cannot be read as OCDS."""


@dataclass
class Found:
    """One release (or a record's release) as the file holds it, and where."""

    number: int  # counted from 1 across the whole file
    kind: str  # "release" or "record"
    line: int | None  # the line its JSON value starts on, for files of several values
    release: JsonObject

    @property
    def where(self) -> str:
        line = f", line {self.line}" if self.line is not None else ""
        return f"{self.kind} {self.number}{line}"


def read_text(source: str | Path | bytes | IO[bytes] | IO[str]) -> str:
    data: bytes | str
    try:
        if isinstance(source, str | Path):
            data = Path(source).read_bytes()
        elif isinstance(source, bytes):
            data = source
        else:
            data = source.read()
    except OSError as error:
        raise FileError(f"The file cannot be read: {error.strerror or error}.") from error
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
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


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)
_SPACE = re.compile(r"\s*")


def parse_values(text: str) -> list[tuple[int, Any]]:
    """Every JSON value in the file with the line it starts on: one package, JSON Lines, or
    packages written one after another. Any malformed value refuses the whole file."""
    if not text.strip():
        raise FileError("The file is empty.")
    values = []
    position = _after_space(text, 0)
    try:
        while position < len(text):
            line = text.count("\n", 0, position) + 1
            value, position = _DECODER.raw_decode(text, position)
            values.append((line, value))
            position = _after_space(text, position)
    except json.JSONDecodeError as error:
        raise FileError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise FileError("The file is nested too deeply to be an OCDS package.") from error
    except _NotJsonNumber as error:
        raise FileError(f"The file is not valid JSON: {error}{_where_constant(text)}.") from error
    except ValueError as error:  # an integer of thousands of digits
        raise FileError(f"The file is not valid JSON: {error}.") from error
    return values


def _after_space(text: str, position: int) -> int:
    """Where the whitespace at position ends (`_SPACE` matches anywhere, if only nothing)."""
    match = _SPACE.match(text, position)
    return match.end() if match else position


def releases_in(values: list[tuple[int, Any]]) -> list[Found]:
    """The releases of every package (or bare release or record) in the file, in order."""
    several = len(values) > 1
    found: list[Found] = []
    counters = {"release": 0, "record": 0}
    for line, value in values:
        if not isinstance(value, dict):
            raise FileError(NOT_A_PACKAGE if not several else f"Line {line}: {NOT_A_PACKAGE}")
        if "releases" in value and "ocid" not in value:
            kind, items = "release", value["releases"]
        elif "records" in value:
            kind, items = "record", value["records"]
        elif several and "ocid" in value:  # JSON Lines of bare releases or records
            kind = "record" if "compiledRelease" in value or "releases" in value else "release"
            items = [value]
        else:
            raise FileError(NOT_A_PACKAGE if not several else f"Line {line}: {NOT_A_PACKAGE}")
        if not isinstance(items, list):
            raise FileError(f'The package\'s "{kind}s" must be a list.')
        for item in items:
            counters[kind] += 1
            number = counters[kind]
            if not isinstance(item, dict):
                raise FileError(f"{kind.capitalize()} {number} is not a JSON object.")
            release = _record_release(item, number) if kind == "record" else item
            ocid = release.get("ocid")
            if not isinstance(ocid, str) or not ocid.strip():
                raise FileError(
                    f"{kind.capitalize()} {number} has no ocid, so it is not an OCDS release."
                )
            found.append(
                Found(number, kind, line if several else None, {**release, "ocid": ocid.strip()})
            )
    return found


def _record_release(record: JsonObject, number: int) -> JsonObject:
    """A record's release: its compiled release, or the latest values of its versioned
    release, or its releases compiled by the merge rules."""
    ocid = record.get("ocid")
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return {**compiled, "ocid": ocid or compiled.get("ocid")}
    versioned = record.get("versionedRelease")
    if isinstance(versioned, dict):
        # A versioned release has no date of its own (it is omitted when merging): its latest
        # release's date orders it against other releases of its ocid.
        dates = [str(date) for date in _release_dates(versioned)]
        return {
            "date": max(dates, key=lambda date: release_time(date) or _EPOCH, default=None),
            **latest_values(versioned),
            "ocid": ocid or versioned.get("ocid"),
        }
    listed = record.get("releases")
    releases: list[Any] = listed if isinstance(listed, list) else []
    # A linked release is only its url, date and tag; a release in full has its ocid.
    full = [release for release in releases if isinstance(release, dict) and "ocid" in release]
    if not full or len(full) != len(releases):
        raise FileError(
            f"Record {number} has no compiledRelease, no versionedRelease and no releases in "
            "full (only links to them), so there is nothing to import: publish the record with "
            "its releases, or use the release package."
        )
    try:
        return {**compile_releases(full), "ocid": ocid or full[-1].get("ocid")}
    except _MergeError as error:
        raise FileError(f"Record {number} ({clip(ocid)}): {error}") from error


def latest_values(versioned: Any) -> Any:
    """A versioned release as a compiled one: each field's latest value."""
    if isinstance(versioned, dict):
        return {key: latest_values(value) for key, value in versioned.items()}
    if isinstance(versioned, list):
        if versioned and all(
            isinstance(item, dict) and "value" in item and VERSIONED_KEYS.issuperset(item)
            for item in versioned
        ):
            return versioned[-1]["value"]
        return [latest_values(item) for item in versioned]
    return versioned


def _release_dates(versioned: Any) -> list[Any]:
    if isinstance(versioned, dict):
        if VERSIONED_KEYS.issuperset(versioned) and "releaseDate" in versioned:
            return [versioned["releaseDate"]]
        return [date for value in versioned.values() for date in _release_dates(value)]
    if isinstance(versioned, list):
        return [date for value in versioned for date in _release_dates(value)]
    return []


@cache
def merge_rules() -> MergeRules:
    """The merge rules of the shipped schema (a path: ocdsmerge downloads only a URL)."""
    return get_merge_rules(str(RELEASE_SCHEMA))


class _MergeError(Exception):
    pass


def compile_releases(releases: list[JsonObject]) -> JsonObject:
    """Releases of one ocid compiled by the standard's merge rules, oldest first (in the order
    of their dates as times, not as text: the offsets of a publisher's dates may differ)."""
    ordered = sorted(releases, key=lambda release: release_time(release.get("date")) or _EPOCH)
    compiled = CompiledRelease(merge_rules=merge_rules())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OCDSMergeWarning)
            for release in ordered:
                compiled.append(release)
            merged: JsonObject = compiled.asdict()  # ocdsmerge has no types
            return merged
    except (OCDSMergeError, TypeError, AttributeError, ValueError, KeyError) as error:
        raise _MergeError(
            f"its releases cannot be compiled by the OCDS merge rules ({clip(error)})."
        ) from error


_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def release_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def compile_by_ocid(found: list[Found], errors: list[str]) -> list[tuple[str, str, JsonObject]]:
    """One compiled release per ocid, in the order the ocids first appear: (ocid, label,
    release). A release with no usable date cannot be put in order: an error naming it."""
    by_ocid: dict[str, list[tuple[dt.datetime, Found]]] = {}
    for item in found:
        published = release_time(item.release.get("date"))
        if published is None:
            errors.append(
                f"{item.where.capitalize()} ({clip(item.release['ocid'])}): date is missing or "
                "is not a date and time, so it cannot be put in order."
            )
            continue
        by_ocid.setdefault(item.release["ocid"], []).append((published, item))

    compiled = []
    for ocid, dated in by_ocid.items():
        dated.sort(key=lambda pair: (pair[0], pair[1].number))
        items = [item for _, item in dated]
        label = _label(ocid, items)
        if len(items) == 1:
            compiled.append((ocid, label, items[0].release))
            continue
        try:
            release = compile_releases([item.release for item in items])
        except _MergeError as error:
            errors.append(f"{label}: {error}")
            continue
        compiled.append((ocid, label, release))
    return compiled


def _label(ocid: str, items: list[Found]) -> str:
    kind = items[0].kind
    numbers = ", ".join(str(item.number) for item in items)
    lines = sorted({item.line for item in items if item.line is not None})
    where = f"{agreeing(len(items), kind)} {numbers}"
    if lines:
        where += f", {agreeing(len(lines), 'line')} {', '.join(map(str, lines))}"
    return f"{clip(ocid)} ({where})"


# In text decoded from UTF-8, a NUL or half a surrogate pair can only be a \u escape: JSON
# refuses a raw NUL, and UTF-8 cannot hold half a pair.
MAY_NOT_STORE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def unstorable(found: list[Found]) -> list[str]:
    """Each release holding text no database can store: a NUL character (PostgreSQL refuses
    it) or an unpaired surrogate (not Unicode text at all). Names the first field in each."""
    errors = []
    for item in found:
        stack: list[tuple[str, Any]] = [("", item.release)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                items = [
                    (f"{path}.{key}" if path else str(key), child) for key, child in value.items()
                ]
                stack.extend(reversed(items))
            elif isinstance(value, list):
                stack.extend(reversed([(f"{path}[{i}]", child) for i, child in enumerate(value)]))
            elif isinstance(value, str) and (problem := _text_problem(value)):
                errors.append(
                    f"{clip(item.release['ocid'])} ({item.where}): {clip(path)} holds {problem}."
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
