"""XLSX downloads, written one way: write-only openpyxl, one sheet per name, every cell through
`core.csv_export.safe_cell` (so a name cannot run as a formula), headers in bold."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core.csv_export import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_MAX = 31  # Excel's limit
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)


@dataclass(frozen=True)
class SheetTable:
    """A table on a sheet: its bold header, its rows and, where a sheet holds several, a title."""

    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    title: str | None = None


@dataclass(frozen=True)
class Sheet:
    """A sheet of tables one below another; with a `heading`, a blank row before each table."""

    name: str
    tables: Sequence[SheetTable]
    heading: str | None = None


def cell_value(value: Any) -> Any:
    """What a cell holds: made safe, and a Decimal as the number Excel stores."""
    value = safe_cell(value)
    return float(value) if isinstance(value, Decimal) else value


def _styled(sheet: WriteOnlyWorksheet, values: Sequence[Any], font: Font) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=cell_value(value))
        cell.font = font
        cells.append(cell)
    return cells


def workbook_bytes(sheets: Iterable[Sheet], *, title: str) -> bytes:
    """The workbook's bytes: each sheet its heading, then each table's title, header and rows."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.name[:SHEET_NAME_MAX])
        if spec.heading is not None:
            sheet.append(_styled(sheet, [spec.heading], HEADING))
        for table in spec.tables:
            if spec.heading is not None:
                sheet.append([])
            if table.title is not None:
                sheet.append(_styled(sheet, [table.title], BOLD))
            sheet.append(_styled(sheet, table.header, BOLD))
            for row in table.rows:
                sheet.append([cell_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
