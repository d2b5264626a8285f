"""The load generator behind `make loadtest`, against a real HTTP server on loopback."""

from __future__ import annotations

import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import Target, load_run, percentile


class Server(ThreadingHTTPServer):
    """The test server: what each request carried, and when the test is over."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.seen: list[tuple[str, tuple[str, int], dict[str, str]]] = []
        self.test_over = threading.Event()


class Handler(BaseHTTPRequestHandler):
    server: Server

    protocol_version = "HTTP/1.1"  # keep-alive unless a response says otherwise
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.client_address, dict(self.headers)))
        if self.path == "/ok":
            self._reply(200, b"ok", Content_Length="2")
        elif self.path == "/missing":
            self._reply(404, b"not here", Content_Length="8")
        elif self.path == "/close":
            self._reply(200, b"bye", Content_Length="3", Connection="close")
            self.close_connection = True
        elif self.path == "/drop":  # promises keep-alive, then hangs up anyway
            self._reply(200, b"ok", Content_Length="2")
            self.close_connection = True
        elif self.path == "/until-eof":
            self._reply(200, b"body without a length", Connection="close")
            self.close_connection = True
        elif self.path == "/chunked":
            self._reply(200, b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", Transfer_Encoding="chunked")
        elif self.path == "/slow":  # answers only once the test is over
            self.server.test_over.wait(30)
            self._reply(200, b"ok", Content_Length="2")


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", 0))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.test_over.set()
    httpd.shutdown()
    httpd.server_close()


def _run(server, path: str, *, connections: int = 2, seconds: float = 0.3, **options):
    target = Target("page", path, {"Cookie": "sessionid=abc"})
    port = server.server_address[1]
    return load_run(
        host="127.0.0.1",
        port=port,
        targets=[target],
        connections=connections,
        seconds=seconds,
        **options,
    )["page"]


def _connections_opened(server) -> int:
    return len({client for _, client, _ in server.seen})


def test_percentile_is_the_nearest_rank():
    hundred = [float(n) for n in range(100, 0, -1)]

    assert percentile(hundred, 50) == 50
    assert percentile(hundred, 99) == 99
    assert percentile(hundred, 100) == 100
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 99) == 10
    assert percentile([7.0], 1) == 7
    assert math.isnan(percentile([], 50))


def test_it_keeps_connections_alive_and_counts_every_response(server):
    tally = _run(server, "/ok")

    assert tally.responses > 10
    assert tally.responses == len(server.seen)
    assert tally.statuses == {200: tally.responses}
    assert tally.errors == 0
    assert _connections_opened(server) == 2


def test_it_sends_the_targets_headers_on_every_request(server):
    _run(server, "/ok")

    assert {headers["Cookie"] for _, _, headers in server.seen} == {"sessionid=abc"}
    assert {headers["Host"] for _, _, headers in server.seen} == {
        f"127.0.0.1:{server.server_address[1]}"
    }


def test_it_opens_a_new_connection_when_the_server_says_close(server):
    tally = _run(server, "/close")

    assert tally.responses > 10
    assert tally.errors == 0
    assert _connections_opened(server) == tally.responses


def test_a_kept_alive_connection_the_server_hung_up_is_retried_without_an_error(server):
    tally = _run(server, "/drop")

    assert tally.responses > 10
    assert tally.errors == 0
    assert tally.statuses == {200: tally.responses}


def test_a_body_without_a_length_is_read_to_the_end_of_the_connection(server):
    tally = _run(server, "/until-eof")

    assert tally.responses > 10
    assert tally.errors == 0


def test_chunked_bodies_are_read_to_the_end_before_the_next_request(server):
    tally = _run(server, "/chunked")

    # A chunk left unread would be taken for the next status line and fail to parse.
    assert tally.responses > 10
    assert tally.errors == 0
    assert _connections_opened(server) == 2


def test_responses_other_than_200_are_errors(server):
    tally = _run(server, "/missing")

    assert tally.responses > 0
    assert tally.statuses == {404: tally.responses}
    assert tally.non_200 == tally.errors == tally.responses
    assert not tally.connection_errors


def test_a_response_slower_than_the_timeout_is_a_connection_error(server):
    tally = _run(server, "/slow", connections=1, seconds=0.1, timeout=0.2)

    assert tally.responses == 0
    assert tally.connection_errors == {"TimeoutError": 1}


def test_a_refused_connection_is_a_connection_error_and_not_a_response():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens once it is closed
    tally = load_run(
        host="127.0.0.1", port=port, targets=[Target("page", "/")], connections=1, seconds=0.1
    )["page"]

    assert tally.responses == 0
    assert tally.connection_errors["ConnectionRefusedError"] >= 1


def test_connections_are_shared_out_over_the_targets_in_turn(server):
    port = server.server_address[1]
    tallies = load_run(
        host="127.0.0.1",
        port=port,
        targets=[Target("ok", "/ok"), Target("missing", "/missing")],
        connections=4,
        seconds=0.3,
    )

    assert tallies["ok"].statuses.keys() == {200}
    assert tallies["missing"].statuses.keys() == {404}
    opened = {path: {c for p, c, _ in server.seen if p == path} for path in ("/ok", "/missing")}
    assert len(opened["/ok"]) == len(opened["/missing"]) == 2
