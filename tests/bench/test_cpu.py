"""CPU accounting of `make loadtest`, with real processes that burn a known amount of CPU."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.cpu import CpuSampler, machine_busy_seconds, process_cpu
from tests.waiting import wait_until

BURN = """
import sys, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
burn(float(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
burn(float(sys.argv[2]))
print("done", flush=True)
sys.stdin.readline()  # stay alive until the test has sampled the end (or closes stdin)
"""
MARK = "cpu-sampler-test-burner"


def _burner(before: float, during: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BURN, str(before), str(during), MARK],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _ours(pid: int, parent: int, command: str) -> str | None:
    # This process's burners only: another pytest-xdist worker may be running these tests too.
    return "burner" if MARK in command and parent == os.getpid() else None


def _finish_sampled(burner: subprocess.Popen[str], sampler: CpuSampler) -> None:
    """Let the burner do its second burn, wait until the sampler's thread has seen all of it,
    then let the burner exit."""
    assert burner.stdin is not None and burner.stdout is not None  # both are PIPE
    burner.stdin.write("go\n")
    burner.stdin.flush()
    assert burner.stdout.readline() == "done\n"
    spent = process_cpu(burner.pid)[1]
    wait_until(
        lambda: sampler.last.get(burner.pid, ("", -1.0))[1] >= spent,
        seconds=30,
        message="the sampler never sampled the finished burner",
    )
    burner.communicate(timeout=30)


def test_it_counts_only_the_cpu_used_inside_the_block():
    burner = _burner(0.6, 0.3)
    assert burner.stdout.readline() == "ready\n"

    with CpuSampler(_ours, interval=0.1) as sampler:
        _finish_sampled(burner, sampler)

    assert 0.25 <= sampler.used()["burner"] <= 0.5


def test_a_process_born_inside_the_block_counts_from_zero():
    with CpuSampler(_ours, interval=0.1) as sampler:
        burner = _burner(0.3, 0.2)
        assert burner.stdout.readline() == "ready\n"
        _finish_sampled(burner, sampler)

    assert 0.45 <= sampler.used()["burner"] <= 0.8  # both burns, and Python's start


def test_processes_outside_every_group_are_not_counted():
    with CpuSampler(lambda pid, parent, command: None, interval=0.1) as sampler:
        _burner(0.1, 0.1).communicate("go\n", timeout=30)

    assert sampler.used() == {}


def test_process_cpu_reads_the_parent_and_grows_with_work():
    burner = _burner(0.0, 0.4)
    burner.stdout.readline()
    parent, before = process_cpu(burner.pid)
    busy_before = machine_busy_seconds()
    burner.stdin.write("go\n")
    burner.stdin.flush()
    wait_until(
        lambda: process_cpu(burner.pid)[1] - before >= 0.3,
        seconds=30,
        message="the burner's CPU time never grew by its 0.3 s of work",
    )

    assert parent == os.getpid()
    # Both counters move in clock ticks, the machine's a tick or two behind the process's.
    assert machine_busy_seconds() - busy_before >= 0.3 - 2 / os.sysconf("SC_CLK_TCK")
    burner.communicate(timeout=30)
