"""Reference data from the browser: preview a fixture against the database, then load it.

A fixture is the framework (uploaded, or rebuilt from the strategy text by
`maturity.strategy_parser`) or the social value goals and measures. The preview sorts every
record into added, changed or left alone; applying runs `loaddata` itself, so the result is
exactly what the command would give.
Nothing is ever deleted (loaddata deletes nothing), so an indicator with assessments stays, and
an assessment or target already recorded differently is refused (they are append-only).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

from maturity.management.commands.build_framework_fixture import default_source
from maturity.strategy_parser import (
    StrategyFormatError,
    fixture_records,
    parse_strategy,
    render_fixture,
)

# Only the reference data the two shipped fixtures hold may be loaded from the browser: a
# fixture of users or payments could otherwise be uploaded too.
ALLOWED_MODELS = {
    "maturity.framework",
    "maturity.strategyperiod",
    "maturity.theme",
    "maturity.keyarea",
    "maturity.indicator",
    "maturity.leveldescriptor",
    "maturity.assessment",
    "maturity.target",
    "socialvalue.goal",
    "socialvalue.measure",
}
APPEND_ONLY = {"maturity.assessment", "maturity.target"}
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ModelPlan:
    label: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # "Indicator 3: name, position"


@dataclass
class ReferencePlan:
    models: list[ModelPlan]
    refused: list[str]  # append-only rows the fixture would change: applying is refused

    @property
    def added(self) -> int:
        return sum(m.added for m in self.models)

    @property
    def changed(self) -> int:
        return sum(m.changed for m in self.models)

    @property
    def unchanged(self) -> int:
        return sum(m.unchanged for m in self.models)


def strategy_fixture_text() -> str:
    """The framework fixture rebuilt from the strategy text, as `build_framework_fixture` does."""
    try:
        text = default_source().read_text(encoding="utf-8")
        return render_fixture(fixture_records(parse_strategy(text)))
    except (OSError, StrategyFormatError) as error:
        raise ValidationError(f"The strategy text could not be read: {error}") from error


def parse_fixture(text: str) -> list[dict]:
    """The fixture's records, each checked; every problem names the record (or JSON line)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB: it is not one of the fixtures.")
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"The file is not JSON: {error.msg} on line {error.lineno}, column {error.colno}."
        ) from error
    if not isinstance(records, list):
        raise ValidationError("The file is not a fixture: it must be a list of records.")
    problems = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            problems.append(f"Record {number}: not a record with a model, pk and fields.")
            continue
        label = str(record.get("model", "")).lower()
        if label not in ALLOWED_MODELS:
            problems.append(
                f"Record {number}: “{label}” is not reference data that can be loaded here."
            )
        elif record.get("pk") is None:
            problems.append(f"Record {number}: {label} has no pk (every record needs a fixed key).")
        else:
            model = apps.get_model(label)
            names = {f.name for f in model._meta.get_fields()}
            unknown = sorted(set(record["fields"]) - names)
            if unknown:
                problems.append(f"Record {number}: {label} has no field {', '.join(unknown)}.")
    if problems:
        raise ValidationError(problems)
    if not records:
        raise ValidationError("The fixture holds no records.")
    return records


def _stored_value(model, field_name: str, value):
    field_obj = model._meta.get_field(field_name)
    if field_obj.is_relation:
        return value
    return field_obj.to_python(value)


def fixture_plan(records: list[dict]) -> ReferencePlan:
    """What loading `records` would add, change and leave alone (one query per model)."""
    by_model: dict[str, list[dict]] = {}
    for record in records:
        by_model.setdefault(record["model"].lower(), []).append(record)
    plans, refused = [], []
    for label, rows in by_model.items():
        model = apps.get_model(label)
        plan = ModelPlan(label=str(model._meta.verbose_name_plural).capitalize())
        fields = sorted({name for row in rows for name in row["fields"]})
        attnames = [model._meta.get_field(name).attname for name in fields]
        pk_field = model._meta.pk
        existing = {
            values[0]: dict(zip(fields, values[1:], strict=True))
            for values in model._base_manager.filter(
                pk__in=[pk_field.to_python(row["pk"]) for row in rows]
            ).values_list("pk", *attnames)
        }
        for row in rows:
            stored = existing.get(pk_field.to_python(row["pk"]))
            if stored is None:
                plan.added += 1
                continue
            differs = [
                name
                for name, value in row["fields"].items()
                if _stored_value(model, name, value) != _stored_value(model, name, stored[name])
            ]
            if not differs:
                plan.unchanged += 1
                continue
            plan.changed += 1
            where = f"{model._meta.verbose_name.capitalize()} {row['pk']}: {', '.join(differs)}"
            plan.changes.append(where)
            if label in APPEND_ONLY:
                refused.append(where)
        plans.append(plan)
    return ReferencePlan(models=plans, refused=refused)


@transaction.atomic
def fixture_apply(records: list[dict]) -> Counter:
    """Load `records` with `loaddata` (all or nothing); refused if history would change."""
    plan = fixture_plan(records)
    if plan.refused:
        raise ValidationError(
            [
                f"{where} would change, and assessments and targets are history."
                for where in plan.refused
            ]
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reference.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        try:
            call_command("loaddata", str(path), verbosity=0)
        except (CommandError, DatabaseError, DeserializationError) as error:
            raise ValidationError(f"The fixture could not be loaded: {error}") from error
    return Counter(record["model"].lower() for record in records)
