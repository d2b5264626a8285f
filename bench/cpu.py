"""CPU time of groups of processes over a stretch of time, read from Linux's /proc.

Processes come and go during a load test (Django closes a database connection after
DATABASE_CONN_MAX_AGE and opens another, so its PostgreSQL backend changes; gunicorn replaces
a worker that timed out), so a thread samples every process each `interval` seconds and keeps
each one's first and last figures. A process born during the stretch counts from zero; one
that ends between two samples loses at most `interval` seconds of its time.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")
# Which group a process belongs to, from its pid, parent pid and command line; None: no group.
Classifier = Callable[[int, int, str], str | None]


def process_cpu(pid: int) -> tuple[int, float]:
    """The parent pid and the CPU seconds (user and system) one process has used so far."""
    # The command name in brackets may hold spaces; the fields after it are fixed.
    fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent on anything but idle and I/O wait since boot."""
    ticks = [int(value) for value in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]  # user .. steal, less idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """`with CpuSampler(classify) as sampler: ...`, then `sampler.used()` per group."""

    def __init__(self, classify: Classifier, *, interval: float = 0.5) -> None:
        self.classify = classify
        self.interval = interval
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.at_start: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                parent, seconds = process_cpu(pid)
                command = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except (OSError, IndexError, ValueError):
                continue  # it ended while we looked
            group = self.classify(pid, parent, command)
            if group is not None:
                self.first.setdefault(pid, (group, seconds))
                self.last[pid] = (group, seconds)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> CpuSampler:
        self.sample()
        self.at_start = set(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def used(self) -> dict[str, float]:
        """CPU seconds per group between entering and leaving the `with` block."""
        totals: dict[str, float] = defaultdict(float)
        for pid, (group, seconds) in self.last.items():
            before = self.first[pid][1] if pid in self.at_start else 0.0
            totals[group] += seconds - before
        return dict(totals)
