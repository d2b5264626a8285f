"""A look at a spend file before importing it: its header, first rows and what recognition makes
of them, for the upload page's mapping step.

It reads the file with the importer's own readers (`csvread` for CSV, `workbook` for .xlsx) and
the importer's own header rules (`spend_rules`), so the header line and the mapping it proposes
are exactly what `import_spend_file` would use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, BinaryIO

from procurement.importers.csvread import FileProblem, binary_source, csv_records, scan_bytes
from procurement.importers.spend_rules import (
    NeedsMapping,
    find_spend_header,
    layout_signature,
)
from procurement.importers.workbook import reads_as_workbook, workbook_as_csv

# Enough rows of a workbook for the header search and a sample; a preview never converts more.
_PREVIEW_ROWS = 200


@dataclass
class SpendPreview:
    headings: list[str] = field(default_factory=list)  # as written in the file
    sample: list[list[str]] = field(default_factory=list)  # the first data rows
    header_line: int = 0  # 0 where no header was found
    mapping: dict[str, str] = field(default_factory=dict)  # field -> heading, by recognition
    missing: list[str] = field(default_factory=list)  # required fields not placed
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # field -> competing headings
    problem: str = ""  # why the file cannot be read at all ("" if it can)
    message: str = ""  # what recognition could not settle, as the importer would say it
    sheet: str | None = None  # the workbook's sheet read, if a workbook
    notes: list[str] = field(default_factory=list)

    @property
    def signature(self) -> str:
        return layout_signature(self.headings)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.headings) and bool(self.missing or self.ambiguous)


def preview_spend_file(
    source: str | Path | BinaryIO, *, filename: str, sheet: str | None = None, rows: int = 5
) -> SpendPreview:
    """The file's header and first `rows` data rows, and the fields recognition places."""
    with binary_source(source) as (stream, _):
        try:
            if reads_as_workbook(stream, filename=filename):
                spool, chosen = workbook_as_csv(stream, sheet=sheet, max_rows=_PREVIEW_ROWS)
                with spool:
                    preview = _preview(spool, rows=rows)
                preview.sheet = chosen
                return preview
            return _preview(stream, rows=rows)
        except FileProblem as problem:
            return SpendPreview(problem=str(problem))


def _preview(stream: IO[bytes], *, rows: int) -> SpendPreview:
    scan = scan_bytes(stream)
    try:
        with csv_records(stream, scan.encoding) as records:
            found, _ = find_spend_header(records)
            message = ""
    except NeedsMapping as refusal:
        found, message = refusal.recognition, str(refusal)
    # Read again for the sample: the header search may have read past the header.
    with csv_records(stream, scan.encoding) as records:
        after = (row for number, row in records if number > found.line)
        sample = list(islice(after, rows))
    width = len(found.headings)
    return SpendPreview(
        headings=found.headings,
        sample=[(row + [""] * width)[:width] for row in sample],
        header_line=found.line,
        mapping=found.mapping,
        missing=list(found.missing),
        ambiguous=dict(found.ambiguous),
        message=message,
        notes=list(found.notes),
    )
