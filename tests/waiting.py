"""Waiting for another process or thread to reach a state that no event or pipe reports.

Where the other side can say so (a threading.Event, a line on a pipe), tests wait on that.
Where only its effects show (a journal file growing, a backend in pg_stat_activity, a sampler
having read a counter), `wait_until` polls a condition with a deadline: it returns as soon as the
condition holds, and fails the test with `message` when the deadline passes; the only fixed
pause is the short one between two looks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.02  # seconds between two looks: short against the waits, long against a query


def wait_until(
    condition: Callable[[], T], *, seconds: float, message: str, poll: float = POLL
) -> T:
    """Call `condition` until it returns something truthy, and return that; raise
    AssertionError(`message`) if `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, message
        time.sleep(poll)
