"""The spend importer's rules, in one place: which heading is which field, and what a row says.

Both ways of writing a file call these and nothing else: the careful path (`spend`), row by
row, and PostgreSQL's COPY fast path (`spend_copy`), which checks each distinct value once.
The browser's preview (`preview_spend_file`) uses the same recognition, so what it proposes is
what the import will do.

Headings are folded before they are compared: case, spaces, underscores, punctuation, camelCase
and currency words go ("Amount £ (Excl VAT)", "amount_excl_vat" and "AmountExclVAT" are one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import CharField

from procurement.identity import name_key, normalise_company_number
from procurement.importers.csvread import (
    DELIMITED_OTHERWISE,
    HEADER_SEARCH_LINES,
    FileProblem,
    other_delimiter,
    parse_amount,
    parse_date,
)
from procurement.models import SpendTransaction

DATE, SUPPLIER, AMOUNT = "date", "supplier", "amount"
REFERENCE, SERVICE_AREA, EXPENSE_TYPE = "reference", "service_area", "expense_type"
PURPOSE, COMPANY_NUMBER, IRRECOVERABLE_VAT = "purpose", "company_number", "irrecoverable_vat"
INVOICE_DATE, PROCUREMENT_CARD = "invoice_date", "procurement_card"
CAPITAL_REVENUE, MERCHANT_CATEGORY, ORGANISATION = (
    "capital_revenue",
    "merchant_category",
    "organisation",
)

# (field, label, required) in the order a mapping step shows them.
SPEND_FIELDS: tuple[tuple[str, str, bool], ...] = (
    (DATE, "Date paid", True),
    (SUPPLIER, "Supplier", True),
    (AMOUNT, "Amount", True),
    (REFERENCE, "Transaction number or reference", False),
    (SERVICE_AREA, "Service area", False),
    (EXPENSE_TYPE, "Expense type", False),
    (PURPOSE, "Purpose", False),
    (COMPANY_NUMBER, "Supplier's company registration number", False),
    (IRRECOVERABLE_VAT, "Irrecoverable VAT", False),
    (INVOICE_DATE, "Invoice date", False),
    (PROCUREMENT_CARD, "Procurement card", False),
    (CAPITAL_REVENUE, "Capital or revenue", False),
    (MERCHANT_CATEGORY, "Merchant category", False),
    (ORGANISATION, "Organisation (who published the file)", False),
)
REQUIRED = tuple(name for name, _, required in SPEND_FIELDS if required)
FIELD_NAMES = tuple(name for name, _, _ in SPEND_FIELDS)
LABELS = {name: label for name, label, _ in SPEND_FIELDS}

# The published standards' names (Transparency Code 2015, the LGA / opendatacommunities 2015
# spend schema) and the names councils use, in order of preference: where a file has two
# columns for an optional field, the first wins. A required field with two is ambiguous.
ALIASES: dict[str, tuple[str, ...]] = {
    DATE: (
        "Payment Date",
        "Paid Date",
        "Date Paid",
        "Date of Payment",
        "Paid On",
        "Pay Date",
        "Date",
        "Transaction Date",
    ),
    SUPPLIER: (
        "Supplier Name",
        "Beneficiary Name",
        "Beneficiary",
        "Supplier",
        "Vendor Name",
        "Vendor",
        "Payee Name",
        "Creditor Name",
        "Merchant Name",
        "Name of Supplier",
    ),
    AMOUNT: (
        "Amount",
        "Net Amount",
        "Nett Amount",
        "Value",
        "Net Value",
        "Amount Excl VAT",
        "Amount Excluding VAT",
        "Amount Ex VAT",
        "Net Amount Excl VAT",
        "Invoice Net Amount",
        "Invoice Nett Amount",
        "Payment Amount",
        "Transaction Amount",
        "Amount Paid",
        "Value Excl VAT",
    ),
    REFERENCE: (
        "Transaction Number",
        "Transaction Reference",
        "Transaction ID",
        "Transaction No",
        "Reference",
        "Payment Reference",
        "Reference Number",
        "Invoice Number",
        "Invoice Reference",
        "Invoice No",
        "Document Number",
        "Voucher Number",
    ),
    SERVICE_AREA: (
        "Expense Area",
        "Service Area",
        "Organisational Unit",
        "Department",
        "Directorate",
        "Service Division Label",
        "Service Division",
        "Service",
    ),
    EXPENSE_TYPE: (
        "Expense Type",
        "Expenditure Category",
        "Expense Category",
        "Expenditure Type",
        "Category Internal Name",
        "Description",
        "Expense Description",
        "Subjective Description",
        "Subj Description",
    ),
    PURPOSE: ("Purpose", "Purpose of Expenditure", "Purpose of Spend", "Purpose of Payment"),
    COMPANY_NUMBER: (
        "Supplier Company Number",
        "Company Number",
        "Companies House Number",
        "Company Registration Number",
        "Beneficiary Registration Number",
        "Supplier Registration Number",
        "Registration Number",
    ),
    IRRECOVERABLE_VAT: (
        "Irrecoverable VAT Amount",
        "Irrecoverable VAT",
        "VAT Irrecoverable",
        "Non Recoverable VAT",
    ),
    INVOICE_DATE: (
        "Invoice Date",
        "Invoice Creation Date",
        "Date of Invoice",
        "Invoice Posted Date",
    ),
    PROCUREMENT_CARD: (
        "Procurement Card",
        "Purchase Card",
        "P Card",
        "Procurement Card Transaction",
    ),
    CAPITAL_REVENUE: ("Capital Or Revenue", "Capital Revenue", "Revenue Or Capital", "Cap Rev"),
    MERCHANT_CATEGORY: (
        "Merchant Category",
        "Merchant Category Code",
        "Merchant Category Description",
    ),
    ORGANISATION: (
        "Organisation Label",
        "Organisation Name",
        "Organisation",
        "Body Name",
        "Body",
        "Council",
        "Local Authority",
    ),
}

_WORDS = re.compile(r"[^\W_]+")
_CURRENCY_WORDS = frozenset({"gbp", "pounds", "pound", "sterling"})


def fold_heading(cell: str) -> str:
    """A heading as it is compared: "Amount £ (Excl VAT)", "amount_excl_vat" -> "amountexclvat"."""
    words = _WORDS.findall(cell.replace("£", " ").lower())
    return "".join(word for word in words if word not in _CURRENCY_WORDS)


_FOLDED = {
    name: {fold_heading(alias): rank for rank, alias in enumerate(aliases)}
    for name, aliases in ALIASES.items()
}


def layout_signature(headings: Sequence[str]) -> str:
    """A stable key for a file's layout: the sha256 of its folded headings, in order.

    Headings differing only in case, spacing or punctuation, and empty cells past the last
    heading, give the same signature, so a mapping remembered for a layout fits next month's.
    """
    folded = [fold_heading(heading) for heading in headings]
    while folded and not folded[-1]:
        folded.pop()
    return hashlib.sha256("\x1f".join(folded).encode()).hexdigest()


def map_argument(field_name: str, heading: str) -> str:
    """The command-line option that places `heading` as `field_name`, quoted for a shell."""
    return f"--map {shlex.quote(f'{field_name}={heading}')}"


# -- recognising a header ------------------------------------------------------------------------


@dataclass
class Recognition:
    """What one row, read as a header, says about each field."""

    line: int
    headings: list[str]  # as written, up to the last non-empty one
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index
    missing: list[str] = field(default_factory=list)  # required fields not placed
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # field -> competing headings
    repeated: str | None = None  # a heading that appears twice where it matters
    unknown_mapping: dict[str, str] = field(default_factory=dict)  # mapped headings not found
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.missing or self.ambiguous or self.repeated or self.unknown_mapping)

    @property
    def placed(self) -> int:
        return len(self.columns) + len(self.ambiguous)

    @property
    def mapping(self) -> dict[str, str]:
        """Field -> heading as written, in SPEND_FIELDS order."""
        return {
            name: self.headings[self.columns[name]] for name in FIELD_NAMES if name in self.columns
        }

    @property
    def ignored(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headings) if i not in used and h.strip()]


def recognise(
    row: Sequence[str], *, line: int, mapping: Mapping[str, str] | None = None
) -> Recognition:
    """Place each field's column in a header row; `mapping` (field -> heading) wins over names."""
    headings = [cell.replace("\ufeff", "").strip() for cell in row]
    while headings and not headings[-1]:
        headings.pop()
    found = Recognition(line=line, headings=headings)
    folded = [fold_heading(heading) for heading in headings]
    taken: set[int] = set()
    for name, heading in (mapping or {}).items():
        if name not in ALIASES:
            raise ValueError(f'"{name}" is not a spend field ({", ".join(FIELD_NAMES)})')
        want = fold_heading(heading)
        index = next((i for i, f in enumerate(folded) if f == want and want), None)
        if index is None:
            found.unknown_mapping[name] = heading
        else:
            found.columns[name] = index
            taken.add(index)
    for name, ranks in _FOLDED.items():
        if name in found.columns or name in found.unknown_mapping:
            continue
        candidates = sorted(
            (ranks[f], i) for i, f in enumerate(folded) if f in ranks and i not in taken
        )
        if not candidates:
            continue
        names = [folded[i] for _, i in candidates]
        if len(set(names)) < len(names):
            twice = next(f for f in names if names.count(f) > 1)
            found.repeated = headings[folded.index(twice)]
        if name in REQUIRED and len(candidates) > 1:
            found.ambiguous[name] = [headings[i] for _, i in candidates]
            continue
        found.columns[name] = candidates[0][1]
    if DATE not in found.columns and DATE not in found.ambiguous and INVOICE_DATE in found.columns:
        found.columns[DATE] = found.columns.pop(INVOICE_DATE)
        heading = found.headings[found.columns[DATE]]
        found.notes.append(
            f'The file has no payment date, so its invoice date ("{heading}") is used as the'
            " date paid"
        )
    found.missing = [
        name for name in REQUIRED if name not in found.columns and name not in found.ambiguous
    ]
    return found


class NeedsMapping(FileProblem):
    """A header was found but a required field cannot be placed, or two headings compete."""

    def __init__(self, message: str, recognition: Recognition) -> None:
        super().__init__(message)
        self.recognition = recognition


def _columns_list(headings: Sequence[str]) -> str:
    return ", ".join(f'"{heading}"' for heading in headings if heading)


def _guess(recognition: Recognition, name: str, sample: Sequence[Sequence[str]]) -> str | None:
    """A heading whose first values read as the field (dates, amounts), for the --map advice."""
    used = set(recognition.columns.values())
    today = dt.date.today()
    check = {
        DATE: lambda cell: parse_date(cell, today=today),
        AMOUNT: parse_amount,
    }.get(name)
    if check is None or not sample:
        return None
    for index, heading in enumerate(recognition.headings):
        if index in used or not heading:
            continue
        cells = [row[index] for row in sample if index < len(row) and row[index].strip()]
        try:
            for cell in cells:
                check(cell)
        except ValueError:
            continue
        if cells:
            return heading
    return None


def refusal(recognition: Recognition, sample: Sequence[Sequence[str]] = ()) -> FileProblem:
    """The refusal for a header that is not complete: what is wrong and the --map that fixes it."""
    line, headings = recognition.line, recognition.headings
    parts: list[str] = []
    fixes: list[str] = []
    if recognition.repeated:  # a heading names no one column, so no mapping can fix it
        return FileProblem(
            f'The header on line {line} has the column "{recognition.repeated}" twice: rename'
            " or remove one"
        )
    for name, heading in recognition.unknown_mapping.items():
        parts.append(f'the file has no column "{heading}" to use as the {name}')
    for name, competing in recognition.ambiguous.items():
        parts.append(
            f"more than one {name} column ({_columns_list(competing)}): remove or rename all but"
            " one, or choose one"
        )
        fixes.append(map_argument(name, competing[0]))
    for name in recognition.missing:
        parts.append(f"no {name} column (no heading reads as {LABELS[name].lower()})")
        guess = _guess(recognition, name, sample)
        fixes.append(map_argument(name, guess or "HEADING"))
    message = f"The header on line {line} has " + "; ".join(parts)
    if DATE in recognition.missing and _guess(recognition, DATE, sample) is None:
        message += (
            ". A spend file lists each payment with the date it was paid; a file of totals (per"
            " supplier or per month) is a summary, not payments, and cannot be imported"
        )
    message += f". The file's columns are {_columns_list(headings)}"
    if fixes:
        message += f". To say which column is which, import with {' '.join(fixes)}"
    return NeedsMapping(message, recognition)


def find_spend_header(
    records: Iterator[tuple[int, list[str]]],
    *,
    mapping: Mapping[str, str] | None = None,
) -> tuple[Recognition, list[list[str]]]:
    """Read up to the header row (councils put title lines above it) and recognise it.

    Returns the header's recognition and the records read after it while looking (none when
    the header is complete: the caller goes on reading). Raises NeedsMapping for a header that
    is not complete, FileProblem when no line in the first ten looks like a header.
    """
    best: Recognition | None = None
    after: list[list[str]] = []
    first_wide: Recognition | None = None
    delimiter: str | None = None
    for line, row in records:
        if line > HEADER_SEARCH_LINES:
            if best is not None and len(after) < 5:
                after.append(row)
                continue
            break
        if best is not None:
            after.append(row)
        if len(row) == 1 and (seen := other_delimiter(row[0])):
            if best is None and delimiter is None:
                raise FileProblem(DELIMITED_OTHERWISE.format(name=seen))
            delimiter = delimiter or seen
        found = recognise(row, line=line, mapping=mapping)
        if found.complete:
            return found, []
        if found.repeated and not found.missing:
            raise refusal(found)
        if found.placed and (best is None or found.placed > best.placed):
            best, after = found, []
        if first_wide is None and sum(1 for cell in row if cell.strip()) >= 2:
            first_wide = found
    if delimiter is not None:
        raise FileProblem(DELIMITED_OTHERWISE.format(name=delimiter))
    if best is not None:
        raise refusal(best, after)
    needs = ", ".join(ALIASES[name][0] for name in REQUIRED)
    columns = (
        f" The first line that looks like a header (line {first_wide.line}) has"
        f" {_columns_list(first_wide.headings)}; to say which column is which, import with"
        f" {' '.join(map_argument(name, 'HEADING') for name in REQUIRED)}"
        if first_wide is not None
        else ""
    )
    problem = FileProblem(
        f"No header row was found in the first {HEADER_SEARCH_LINES} lines: no heading reads as"
        f" the date paid, the supplier or the amount (for example {needs}).{columns}"
    )
    if first_wide is not None:
        raise NeedsMapping(str(problem), first_wide)
    raise problem


# -- names that are not suppliers ----------------------------------------------------------------

REDACTED_FORMS = frozenset(
    {
        "redacted",
        "redacted personal data",
        "personal data redacted",
        "redacted personal information",
        "personal information redacted",
    }
)


def _spaced(name: str) -> str:
    """Lower case, spaces collapsed, punctuation kept: "Various -*" is not "Various Artists"."""
    return " ".join(name.lower().split())


def _letters(name: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@dataclass(frozen=True)
class Placeholders:
    """The supplier names that stand for no one (settings.SPEND_PLACEHOLDER_SUPPLIERS).

    An entry ending in "*" matches every name starting with it; the others match the whole
    name. Case, spaces and punctuation do not count.
    """

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def from_settings(cls) -> Placeholders:
        entries = getattr(settings, "SPEND_PLACEHOLDER_SUPPLIERS", ())
        exact = {_letters(e) for e in entries if not e.endswith("*")}
        prefixes = tuple(_spaced(e[:-1]) for e in entries if e.endswith("*") and e[:-1].strip())
        return cls(frozenset(exact), prefixes)

    def __contains__(self, name: str) -> bool:
        if _letters(name) in self.exact:
            return True
        spaced = _spaced(name)
        # A prefix ends at a word's end: "Withheld*" takes "Withheld - fraud", not "Withheldon".
        return any(
            spaced.startswith(p) and (len(spaced) == len(p) or not spaced[len(p)].isalnum())
            for p in self.prefixes
        )


# -- reading a row -------------------------------------------------------------------------------


def _max_length(field_name: str) -> int:
    field = SpendTransaction._meta.get_field(field_name)
    assert isinstance(field, CharField) and field.max_length is not None, field_name
    return field.max_length


TEXT_MAX = _max_length("service_area")
SHORT_MAX = _max_length("capital_revenue")
REFERENCE_MAX = _max_length("reference")
NAME_MAX = _max_length("supplier_name")
TEXT_FIELDS = (SERVICE_AREA, EXPENSE_TYPE, PURPOSE, MERCHANT_CATEGORY)
WITHHELD = "withheld"  # the kind of a blank supplier cell
SupplierKey = tuple[str, str]  # (normalised name, company number or "")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
CARD_WORDS = (YES, NO)  # as the COPY path's SQL compares them
# A payment's own columns as SpendTransaction names them (its import, supplier and contract
# aside), in the order both ways of writing on PostgreSQL stage and insert them.
PAYMENT_COLUMNS = (
    "line_number",
    "paid_on",
    "amount",
    "service_area",
    "expense_type",
    "reference",
    "purpose",
    "merchant_category",
    "capital_revenue",
    "procurement_card",
    "irrecoverable_vat",
    "invoice_date",
)


class SupplierCell(NamedTuple):
    stored: str  # the name as stored
    key: str | None  # normalised name, None where there is no supplier
    placeholder: str | None  # the placeholder (or WITHHELD) standing for no supplier
    problem: str | None


class SpendRow(NamedTuple):
    line: int
    paid_on: dt.date
    supplier_name: str
    supplier_key: SupplierKey | None  # None where the name is withheld
    amount: Decimal
    service_area: str
    expense_type: str
    reference: str
    purpose: str
    merchant_category: str
    capital_revenue: str
    procurement_card: bool | None
    irrecoverable_vat: Decimal | None
    invoice_date: dt.date | None
    placeholder: str | None
    organisation: str


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file (header is line 1)
    message: str

    def __str__(self) -> str:
        if self.message.startswith(f"line {self.line} "):
            return self.message
        return f"line {self.line}: {self.message}"


class SkippedRow(NamedTuple):
    """A row that is not a payment (a blank row, a total): noted, not imported, not an error."""

    line: int
    reason: str
    amount: Decimal | None  # a total's amount, checked against the rows above it


def _quote(value: str) -> str:
    return f'"{value[:60]}…"' if len(value) > 60 else f'"{value}"'


def procurement_card(cell: str) -> bool | None:
    """Yes / No as councils write it; anything else is not known (None)."""
    folded = cell.strip().lower()
    return True if folded in YES else False if folded in NO else None


# A file has a few thousand distinct suppliers and dates but a million rows, so the parser
# remembers what each distinct cell gave; the cap bounds memory on a file of odd values.
_CACHE_MAX = 100_000


class RowParser:
    """Turns a record into a SpendRow, a SkippedRow or a RowError; built once a pass."""

    def __init__(self, columns: Mapping[str, int], today: dt.date, width: int) -> None:
        self.columns = dict(columns)
        if EXPENSE_TYPE not in columns and PURPOSE in columns:
            # The pages group spend by expense type; a file whose only description of the
            # payment is its purpose (the LGA schema's) gives it there too.
            self.columns[EXPENSE_TYPE] = columns[PURPOSE]
        self.supplier, self.amount, self.date = columns[SUPPLIER], columns[AMOUNT], columns[DATE]
        self.width = width  # cells in the header
        self.used = max(columns.values()) + 1
        self.today = today
        self.placeholders = Placeholders.from_settings()
        self._names: dict[str, SupplierCell] = {}
        self._numbers: dict[str, str] = {}
        self._dates: dict[str, dt.date] = {}

    def cell(self, row: Sequence[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None else ""

    def name(self, cell: str) -> SupplierCell:
        """What a supplier cell says: the name to store, the key to match, or the problem."""
        if (known := self._names.get(cell)) is not None:
            return known
        name = cell.strip()
        if not name:
            known = SupplierCell(SpendTransaction.REDACTED, None, WITHHELD, None)
        elif len(name) > NAME_MAX:
            problem = f"supplier {_quote(name)} is longer than {NAME_MAX} characters"
            known = SupplierCell(name, None, None, problem)
        elif _letters(name) in REDACTED_FORMS:
            known = SupplierCell(SpendTransaction.REDACTED, None, SpendTransaction.REDACTED, None)
        elif name in self.placeholders:
            known = SupplierCell(name, None, name, None)
        elif not (normalised := name_key(name)):
            problem = f'supplier {_quote(name)} has no name left once "Ltd" and "The" go'
            known = SupplierCell(name, None, None, problem)
        else:
            known = SupplierCell(name, normalised, None, None)
        if len(self._names) < _CACHE_MAX:
            self._names[cell] = known
        return known

    def number(self, cell: str) -> str:
        """A company number cell, normalised ("" when blank or not a company number)."""
        if (known := self._numbers.get(cell)) is None:
            number = cell.strip()
            known = normalise_company_number(number) if number else ""
            if len(self._numbers) < _CACHE_MAX:
                self._numbers[cell] = known
        return known

    def day(self, cell: str) -> dt.date:
        """A date; raises ValueError. Only good dates are remembered: bad ones are rare."""
        if (known := self._dates.get(cell)) is None:
            known = parse_date(cell, today=self.today)
            if len(self._dates) < _CACHE_MAX:
                self._dates[cell] = known
        return known

    def _not_a_payment(self, line: int, row: list[str]) -> SkippedRow | None:
        date, supplier = row[self.date].strip(), row[self.supplier].strip()
        amount = row[self.amount].strip()
        if not (date or supplier or amount):
            return SkippedRow(line, "no date, supplier or amount", None)
        if not date and amount and _is_total(row):
            try:
                return SkippedRow(line, "a total", parse_amount(amount))
            except ValueError:
                return None
        return None

    def __call__(self, line: int, row: list[str]) -> SpendRow | SkippedRow | RowError:
        """The quick path for a good row; any doubt goes to error(), which names every
        problem in the row."""
        cells = len(row)
        if cells < self.used:  # a short row: the missing cells are blank
            row = row + [""] * (self.used - cells)
        name = self.name(row[self.supplier])
        try:
            amount = parse_amount(row[self.amount])
            paid_on = self.day(row[self.date])
        except ValueError:
            return self._not_a_payment(line, row) or self.error(line, row, cells)
        reference = self.cell(row, REFERENCE)
        vat_cell = self.cell(row, IRRECOVERABLE_VAT)
        invoice_cell = self.cell(row, INVOICE_DATE)
        try:
            vat = parse_amount(vat_cell) if vat_cell else None
            invoice_date = self.day(invoice_cell) if invoice_cell else None
        except ValueError:
            return self.error(line, row, cells)
        if name.problem or len(reference) > REFERENCE_MAX:
            return self.error(line, row, cells)
        number_column = self.columns.get(COMPANY_NUMBER)
        number = "" if number_column is None else self.number(row[number_column])
        return SpendRow(
            line,
            paid_on,
            name.stored,
            None if name.key is None else (name.key, number),
            amount,
            self.cell(row, SERVICE_AREA)[:TEXT_MAX],
            self.cell(row, EXPENSE_TYPE)[:TEXT_MAX],
            reference,
            self.cell(row, PURPOSE)[:TEXT_MAX],
            self.cell(row, MERCHANT_CATEGORY)[:TEXT_MAX],
            self.cell(row, CAPITAL_REVENUE)[:SHORT_MAX],
            procurement_card(self.cell(row, PROCUREMENT_CARD)),
            vat,
            invoice_date,
            name.placeholder,
            self.cell(row, ORGANISATION)[:TEXT_MAX],
        )

    def error(self, line: int, row: list[str], cells: int | None = None) -> RowError:
        """Every problem in the row, each named: the slow path, for bad rows only.

        A row with fewer cells than the header has lost or fused some (an exporter writing
        "25/06/2012900" for a date and an amount): its cells are not where the header says,
        so the row is named for its length rather than blaming a column.
        """
        if cells is not None and cells < self.width:
            return RowError(line, f"line {line} has {cells} cells; the header has {self.width}")
        problems = []
        if problem := self.name(row[self.supplier]).problem:
            problems.append(problem)
        for name, parse in (
            (AMOUNT, parse_amount),
            (DATE, self.day),
            (IRRECOVERABLE_VAT, parse_amount),
            (INVOICE_DATE, self.day),
        ):
            cell = self.cell(row, name)
            if name in self.columns and (cell or name in REQUIRED):
                try:
                    parse(cell)
                except ValueError as error:
                    prefix = "" if name in REQUIRED else f"{LABELS[name].lower()}: "
                    problems.append(prefix + str(error))
        reference = self.cell(row, REFERENCE)
        if len(reference) > REFERENCE_MAX:
            problems.append(
                f"reference {_quote(reference)} is longer than {REFERENCE_MAX} characters"
            )
        return RowError(line, "; ".join(problems))


_TOTAL = re.compile(r"^(grand\s+)?(sub\s*-?\s*)?totals?\b", re.IGNORECASE)


def _is_total(row: Sequence[str]) -> bool:
    """A footer such as "Total,,,,40292334.84": a cell reading "Total" and no date."""
    return any(_TOTAL.match(cell.strip()) for cell in row)
