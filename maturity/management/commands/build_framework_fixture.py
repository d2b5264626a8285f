"""Build fixtures/framework.json from the procurement strategy text (maturity.strategy_parser)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maturity.strategy_parser import (
    StrategyFormatError,
    fixture_records,
    parse_strategy,
    render_fixture,
)

# The strategy text ships with the project (fixtures/seed/SOURCE.md says where it comes from).
SEED_NAME = "fixtures/seed/worcestershire-corporate-procurement-strategy-2022-2025.txt"


def default_source() -> Path:
    return Path(settings.BASE_DIR) / SEED_NAME


def default_output() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "framework.json"


class Command(BaseCommand):
    help = (
        "Parse Appendix 1 of the council's procurement strategy text and write the maturity "
        "framework fixture (themes, key areas, indicators, descriptors, baseline assessments "
        "and targets)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", type=Path, help=f"Strategy text (default: {SEED_NAME}).")
        parser.add_argument(
            "--output", type=Path, help="Fixture to write (default: fixtures/framework.json)."
        )

    def handle(self, *args, source: Path | None, output: Path | None, **options) -> None:
        source = source or default_source()
        output = output or default_output()
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error}") from error
        try:
            records = fixture_records(parse_strategy(text))
        except StrategyFormatError as error:
            raise CommandError(f"{source}: {error}") from error
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(render_fixture(records).encode("utf-8"))

        counts = Counter(record["model"] for record in records)
        summary = ", ".join(f"{counts[model]} {model.split('.')[1]}" for model in counts)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(records)} records to {output}"))
        self.stdout.write(summary)
