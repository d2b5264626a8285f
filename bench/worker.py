"""One bench task, run by bench/run.py in its own process with DATABASE_URL set.

`python -m bench.worker <task> [arguments]`; the last line of output is the result as JSON
after RESULT_PREFIX. Keeping each task in a fresh process means the runner needs no Django
settings itself, and the import's peak memory is its own.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "


def migrate() -> dict[str, Any]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", "framework", verbosity=0)
    return {"seconds": round(time.perf_counter() - started, 2)}


def spend_file(path: str, lines: str, suppliers: str) -> dict[str, Any]:
    from bench.spend_import import spend_file_write

    return spend_file_write(Path(path), lines=int(lines), suppliers=int(suppliers))


def spend_import(path: str) -> dict[str, Any]:
    from bench.spend_import import spend_file_import

    return spend_file_import(Path(path))


def raw_copy(path: str) -> dict[str, Any]:
    from bench.spend_import import raw_copy

    return raw_copy(Path(path))


def generate(scale: str) -> dict[str, Any]:
    from demo.generate import demo_data_generate

    summary = demo_data_generate(scale=float(scale), seed=2022)
    return {
        "seconds": summary.seconds,
        "suppliers": summary.suppliers,
        "contracts": summary.contracts,
        "spend_lines": summary.spend_lines,
        "total_spend": str(summary.total_spend),
    }


def pages() -> list[dict[str, Any]]:
    from bench.pages import pages_measure

    return pages_measure()


def flags() -> list[dict[str, Any]]:
    from bench.flags import flags_measure

    return flags_measure()


TASKS: dict[str, Callable[..., dict[str, Any] | list[dict[str, Any]]]] = {
    "migrate": migrate,
    "spend-file": spend_file,
    "import": spend_import,
    "raw-copy": raw_copy,
    "generate": generate,
    "pages": pages,
    "flags": flags,
}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    task, *arguments = argv
    result = TASKS[task](*arguments)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
