"""A bounded HTTP/1.1 load generator on asyncio streams, used by `make loadtest`.

A fixed number of connections, each sending one request after another (closed loop) until the
time is up; requests already sent then finish. Connections are kept alive when the server
allows it and opened again when it does not (gunicorn's sync workers close after every
response), so a request's latency includes any connect and the wait in the listen queue.
Standard library only: it needs no Django and no third-party client.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """One URL path and the headers (a session cookie, say) its connections send."""

    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, host: str) -> bytes:
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Tally:
    """What one target's connections saw: a latency per response, statuses and errors."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def responses(self) -> int:
        return len(self.latencies)

    @property
    def non_200(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 200)

    @property
    def errors(self) -> int:
        return self.non_200 + sum(self.connection_errors.values())

    def merge(self, other: Tally) -> Tally:
        return Tally(
            latencies=self.latencies + other.latencies,
            statuses=self.statuses + other.statuses,
            connection_errors=self.connection_errors + other.connection_errors,
            seconds=max(self.seconds, other.seconds),
        )


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `percent`% of values <= it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


class ServerClosed(Exception):
    """The server closed the connection before sending a status line."""


async def _send(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> bytes:
    """Send the request and wait for the status line; ServerClosed if the server hung up."""
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
    except (ConnectionResetError, BrokenPipeError) as error:
        raise ServerClosed from error
    if not status_line:
        raise ServerClosed
    return status_line


async def _read_response(reader: asyncio.StreamReader, status_line: bytes) -> tuple[int, bool]:
    """Read the rest of a response to the end of its body; returns its status and keep-alive."""
    version, status, *_ = status_line.split(b" ", 2)
    headers: dict[bytes, bytes] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)  # the chunk and its CRLF
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # trailers
    else:
        await reader.read()  # the body runs to the end of the connection
        return int(status), False
    keep_alive = version == b"HTTP/1.1" and headers.get(b"connection") != b"close"
    return int(status), keep_alive


async def _connection(
    host: str, port: int, target: Target, deadline: float, timeout: float, tally: Tally
) -> None:
    request = target.request(f"{host}:{port}")
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        reused = writer is not None
        try:
            async with asyncio.timeout(timeout):
                if reader is None or writer is None:  # they are set and cleared together
                    reader, writer = await asyncio.open_connection(host, port)
                status_line = await _send(reader, writer, request)
                status, keep_alive = await _read_response(reader, status_line)
        except ServerClosed:
            if writer is not None:
                writer.close()
            reader = writer = None
            if reused:
                continue  # a kept-alive connection was closed: send again, as browsers do
            tally.connection_errors["closed before the status line"] += 1
            continue
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            if writer is not None:
                writer.close()
            reader = writer = None
            tally.connection_errors[type(error).__name__] += 1
            await asyncio.sleep(0.01)  # a refused connection must not spin the loop
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[status] += 1
        if not keep_alive:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(
    host: str, port: int, targets: list[Target], connections: int, seconds: float, timeout: float
) -> dict[str, Tally]:
    tallies = {target.name: Tally() for target in targets}
    started = time.perf_counter()
    deadline = started + seconds
    async with asyncio.TaskGroup() as group:
        for index in range(connections):
            target = targets[index % len(targets)]
            group.create_task(
                _connection(host, port, target, deadline, timeout, tallies[target.name])
            )
    elapsed = time.perf_counter() - started
    for tally in tallies.values():
        tally.seconds = elapsed
    return tallies


def load_run(
    *,
    host: str,
    port: int,
    targets: list[Target],
    connections: int,
    seconds: float,
    timeout: float = 30.0,
) -> dict[str, Tally]:
    """Spread `connections` over the targets in turn for `seconds`; one tally per target.

    Each tally's `seconds` is the wall time of the whole run, including the requests that
    were still in flight at the deadline.
    """
    run = _run(host, port, targets, connections, seconds, timeout)
    # A thread of its own gets a fresh event loop, even if the caller's thread runs one (the
    # browser tests' Playwright does, in the same test session).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run).result()
