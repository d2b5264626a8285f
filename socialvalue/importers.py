"""Import a measure set (for example a licensed TOMs edition) from CSV.

Columns: code, goal (or theme), description, unit, proxy value (£ per unit), source, year.
A code may appear on several rows, one per year with a proxy value. Goals are created when new.
Every row is checked before anything is written; any bad row means nothing is written. Running
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import Max, Q

from core.financial_year import is_financial_year
from socialvalue.models import Goal, Measure, ProxyValue

COLUMNS = {
    "code": {"code", "measurecode", "reference", "ref"},
    "goal": {"goal", "theme", "goalortheme"},
    "description": {"description", "measure", "measuredescription"},
    "unit": {"unit", "units"},
    "proxy": {"proxyvalue", "proxyvalueperunit", "perunit", "proxy", "value"},
    "source": {"source"},
    "year": {"year", "financialyear"},
}
COLUMN_NAMES = {"proxy": "proxy value"}  # where a column's key is not its name in messages
REQUIRED = ("code", "goal", "description", "unit")
UNITS = {
    **dict.fromkeys(["number", "no", "count", "people", "number of"], Measure.Unit.NUMBER),
    **dict.fromkeys(["hours", "hour", "hrs"], Measure.Unit.HOURS),
    **dict.fromkeys(["£", "gbp", "pounds", "pound", "£ (gbp)"], Measure.Unit.POUNDS),
    **dict.fromkeys(["tonnes", "tonne", "t", "tco2e", "tonnes co2e"], Measure.Unit.TONNES),
}
YEAR = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class MeasureImportResult:
    rows: int = 0
    goals_created: int = 0
    measures_created: int = 0
    measures_updated: int = 0
    measures_unchanged: int = 0
    values_created: int = 0
    values_updated: int = 0
    values_unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {self.rows} rows: {self.goals_created} goals created; measures "
            f"{self.measures_created} created, {self.measures_updated} updated, "
            f"{self.measures_unchanged} unchanged; proxy values {self.values_created} created, "
            f"{self.values_updated} updated, {self.values_unchanged} unchanged."
        )


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    goal: str
    description: str
    unit: str
    proxy: Decimal | None
    source: str
    year: int | None


def _header_key(name: str) -> str | None:
    folded = re.sub(r"[^a-z]", "", name.lower())
    for key, names in COLUMNS.items():
        if folded in names or (key == "proxy" and folded.startswith("proxy")):
            return key
    return None


def _text(source: str | Path | IO) -> str:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _year(text: str) -> int | None:
    match = YEAR.match(text.strip())
    if not match:
        raise ValueError
    first = int(match.group(1))
    second = match.group(2)
    if second is not None and int(second[-2:]) != (first + 1) % 100:
        raise ValueError
    if not is_financial_year(first):
        raise ValueError
    return first


def _parse(line: int, values: dict[str, str]) -> tuple[Row | None, list[str]]:
    # A NUL is not text: PostgreSQL refuses to store it, and SQLite would keep it unseen.
    problems = [
        f"the {COLUMN_NAMES.get(key, key)} holds a NUL character (a zero byte): remove it"
        for key, value in values.items()
        if "\x00" in value
    ]
    code = values.get("code", "").strip()
    goal = values.get("goal", "").strip()
    description = values.get("description", "").strip()
    unit_text = values.get("unit", "").strip()
    proxy_text = values.get("proxy", "").strip().replace("£", "").replace(",", "")
    source = values.get("source", "").strip()
    year_text = values.get("year", "").strip()
    if not code:
        problems.append("the code is empty")
    elif len(code) > 30:
        problems.append("the code is longer than 30 characters")
    if not goal:
        problems.append("the goal (or theme) is empty")
    elif len(goal) > 255:
        problems.append("the goal is longer than 255 characters")
    if not description:
        problems.append("the description is empty")
    elif len(description) > 500:
        problems.append("the description is longer than 500 characters")
    unit = UNITS.get(unit_text.lower())
    if unit is None:
        problems.append(f"the unit “{unit_text}” is not one of number, hours, £ or tonnes")
    proxy: Decimal | None = None
    if proxy_text:
        try:
            proxy = Decimal(proxy_text)
        except InvalidOperation:
            problems.append(f"the proxy value “{proxy_text}” is not a number")
        else:
            if not proxy.is_finite() or proxy < 0:
                problems.append("the proxy value must be zero or more")
            elif proxy >= Decimal("10000000000") or _decimal_places(proxy) > 4:
                problems.append("the proxy value must be under £10bn with at most 4 decimal places")
    if len(source) > 255:
        problems.append("the source is longer than 255 characters")
    year: int | None = None
    if year_text:
        try:
            year = _year(year_text)
        except ValueError:
            problems.append(f"the year “{year_text}” is not a financial year like 2024 or 2024/25")
    if proxy_text and not year_text:
        problems.append("a proxy value needs the financial year it applies to")
    if year_text and not proxy_text:
        problems.append("a year is given but no proxy value")
    if problems or unit is None:  # an unknown unit is one of the problems
        return None, problems
    return Row(line, code, goal, description, unit, proxy, source, year), []


def _decimal_places(value: Decimal) -> int:
    """How many digits a finite `value` has after the point (none for 1E+3)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def read_rows(text: str) -> tuple[list[Row], list[RowError]]:
    """Parse and check every row; the errors name the line and the reason."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [RowError(1, "the file is empty: it needs a header row")]
    keys = [_header_key(name) for name in header]
    missing = [column for column in REQUIRED if column not in keys]
    if missing:
        return [], [RowError(1, f"the header has no {', '.join(missing)} column")]
    rows: list[Row] = []
    errors: list[RowError] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            by_key = {
                key: value for key, value in zip(keys, values, strict=False) if key is not None
            }
            row, problems = _parse(line, by_key)
            if row is None:
                errors.extend(RowError(line, problem) for problem in problems)
            else:
                rows.append(row)
    except csv.Error as error:
        errors.append(RowError(reader.line_num, f"the CSV cannot be read ({error})"))
    if not rows and not errors:
        errors.append(RowError(1, "the file has a header but no measures"))
    errors.extend(_consistency(rows))
    return rows, errors


def _consistency(rows: Iterable[Row]) -> list[RowError]:
    """The same code must mean the same measure on every row, and each year appear once."""
    errors: list[RowError] = []
    first: dict[str, Row] = {}
    years: dict[tuple[str, int], int] = {}
    for row in rows:
        seen = first.setdefault(row.code, row)
        if seen is not row:
            for name in ("goal", "description", "unit"):
                if getattr(seen, name) != getattr(row, name):
                    errors.append(
                        RowError(
                            row.line,
                            f"{row.code} has a different {name} from line {seen.line}",
                        )
                    )
        if row.year is not None:
            earlier = years.setdefault((row.code, row.year), row.line)
            if earlier != row.line:
                errors.append(
                    RowError(
                        row.line,
                        f"{row.code} already has a proxy value for {row.year} on line {earlier}",
                    )
                )
            continue
        if seen is not row:
            errors.append(RowError(row.line, f"{row.code} is repeated from line {seen.line}"))
    return errors


def _existing_unit_problems(rows: list[Row]) -> list[RowError]:
    """A measure in use cannot change unit: the returned quantities would change meaning."""
    codes = {row.code for row in rows}
    used = (
        Measure.objects.filter(code__in=codes)
        .filter(Q(return_lines__isnull=False) | Q(commitments__isnull=False))
        .values_list("code", "unit")
        .distinct()
    )
    units = dict(used)
    errors: list[RowError] = []
    reported: set[str] = set()
    for row in rows:
        if row.code in units and units[row.code] != row.unit and row.code not in reported:
            reported.add(row.code)
            errors.append(
                RowError(
                    row.line,
                    f"{row.code} is already used in returns or commitments with the unit "
                    f"{Measure.Unit(units[row.code]).label}; its unit cannot change",
                )
            )
    return errors


def import_measures_file(source: str | Path | IO, *, dry_run: bool = False) -> MeasureImportResult:
    """Validate the whole file, then write it in one transaction (or, with dry_run, not at all)."""
    result = MeasureImportResult(dry_run=dry_run)
    rows, errors = read_rows(_text(source))
    errors.extend(_existing_unit_problems(rows))
    if errors:
        result.errors = sorted(errors, key=lambda error: error.line)
        return result
    result.rows = len(rows)
    with transaction.atomic():
        _write(rows, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _write(rows: list[Row], result: MeasureImportResult) -> None:
    goals = {goal.name.casefold(): goal for goal in Goal.objects.all()}
    next_position = (Goal.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    for row in rows:
        if row.goal.casefold() not in goals:
            goal = Goal.objects.create(name=row.goal, position=next_position)
            goals[row.goal.casefold()] = goal
            next_position += 1
            result.goals_created += 1

    measures = {m.code: m for m in Measure.objects.filter(code__in={row.code for row in rows})}
    positions = dict(
        Measure.objects.order_by()
        .values("goal_id")
        .annotate(top=Max("position"))
        .values_list("goal_id", "top")
    )
    new: list[Measure] = []
    changed: list[Measure] = []
    for row in rows:
        goal = goals[row.goal.casefold()]
        measure = measures.get(row.code)
        if measure is None:
            positions[goal.pk] = positions.get(goal.pk, 0) + 1
            measure = Measure(
                code=row.code,
                goal=goal,
                description=row.description,
                unit=row.unit,
                position=positions[goal.pk],
            )
            measure.full_clean()
            measures[row.code] = measure
            new.append(measure)
            continue
        if measure in new or measure in changed:
            continue
        if (measure.goal_id, measure.description, measure.unit) != (
            goal.pk,
            row.description,
            row.unit,
        ):
            measure.goal = goal
            measure.description = row.description
            measure.unit = row.unit
            changed.append(measure)
    Measure.objects.bulk_create(new)
    Measure.objects.bulk_update(changed, ["goal", "description", "unit"])
    result.measures_created = len(new)
    result.measures_updated = len(changed)
    result.measures_unchanged = len({row.code for row in rows}) - len(new) - len(changed)
    if new:  # bulk_create sets no primary keys on some databases: read them back
        saved = Measure.objects.filter(code__in=[m.code for m in new])
        measures.update({measure.code: measure for measure in saved})
    _write_proxy_values(rows, measures, result)


def _write_proxy_values(
    rows: list[Row], measures: dict[str, Measure], result: MeasureImportResult
) -> None:
    # A row has a proxy value and its year, or neither (`_parse` refuses one without the other).
    valued = [
        (row, row.proxy, row.year) for row in rows if row.proxy is not None and row.year is not None
    ]
    existing = {
        (value.measure_id, value.financial_year): value
        for value in ProxyValue.objects.filter(
            measure__in=[measures[row.code].pk for row, _, _ in valued]
        )
    }
    new: list[ProxyValue] = []
    changed: list[ProxyValue] = []
    for row, proxy, year in valued:
        measure = measures[row.code]
        value = existing.get((measure.pk, year))
        if value is None:
            value = ProxyValue(
                measure=measure,
                financial_year=year,
                value_per_unit=proxy,
                source=row.source,
            )
            value.full_clean()
            new.append(value)
        elif (value.value_per_unit, value.source) != (proxy, row.source):
            value.value_per_unit = proxy
            value.source = row.source
            changed.append(value)
        else:
            result.values_unchanged += 1
    ProxyValue.objects.bulk_create(new)
    ProxyValue.objects.bulk_update(changed, ["value_per_unit", "source"])
    result.values_created = len(new)
    result.values_updated = len(changed)
