"""`make loadtest`: each page of the issue's table under load, beside a hello-world view.

Builds a throwaway PostgreSQL database (framework, social value measures, demo users, demo data
at scale 1), collects the static files into a temporary directory and starts gunicorn with the
production settings (DJANGO_DEBUG=0, a random secret key) on 127.0.0.1 and a free port. It
signs in as the demo member and the demo officer, then holds 50 connections on one page at a
time for 20 seconds each: first the liveness check `/healthz/` (the hello-world view: the
framework and middleware, no database), then every page of the table. It prints requests per
second, each page's share of the hello-world rate (a page's throughput is about the CPUs divided
by its server time, so the share is the page's cost), latency percentiles, server CPU per
response, errors, and the issue's targets (25% for the annual review and the framework, 5% for
the rest). It asserts nothing. gunicorn is stopped and the database dropped at the end, on
failure and on Ctrl-C too.

Requests carry `X-Forwarded-Proto: https`, as the TLS-terminating proxy in front of gunicorn
sends it in production (settings trust it through SECURE_PROXY_SSL_HEADER), so the production
settings run unchanged: SSL redirect, secure cookies and the CSRF origin check included.

Needs PostgreSQL on 127.0.0.1:5432 as user postgres, like `make bench`. Run it from the project
directory as `.venv/bin/python -m bench.loadtest`. Shorter runs while developing:
LOADTEST_SECONDS=5 (per page) LOADTEST_CONNECTIONS=10 LOADTEST_SCALE=0.1; LOADTEST_WARMUP_SECONDS
(2) is the load on each page before it is measured; LOADTEST_WORKERS sets
the gunicorn workers (2 * CPUs + 1 by default), GUNICORN_CMD_ARGS passes anything else to it,
and CACHE_URL (a Redis) is passed on to the servers like any other setting.
"""

from __future__ import annotations

import http.client
import io
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.cpu import Classifier, CpuSampler, machine_busy_seconds
from bench.loadgen import Tally, Target, load_run, percentile
from bench.run import HOST as PG_HOST
from bench.run import PORT as PG_PORT
from bench.run import USER as PG_USER
from bench.run import postgres_problem, psql

# The tree whose server is measured: this one, or another checkout to compare (LOADTEST_ROOT).
ROOT = Path(os.environ.get("LOADTEST_ROOT", Path(__file__).resolve().parent.parent))
DATABASE = os.environ.get("LOADTEST_DATABASE", "loadtest_procurement")
HOST = "127.0.0.1"
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "20"))  # per page
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "50"))
SCALE = os.environ.get("LOADTEST_SCALE", "1")
WORKERS = int(os.environ.get("LOADTEST_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
CALIBRATION_SECONDS = min(5.0, SECONDS)
# Load on each page before it is measured, not counted: every worker has then drawn the page
# once into its own cache (without CACHE_URL each process keeps one), so the figures are the
# steady state and not a few first renders spread over a short run.
WARMUP_SECONDS = float(os.environ.get("LOADTEST_WARMUP_SECONDS", "2"))
P99_TARGET_S = 1.0
# The demo data's last year of spend (2024/25): the year pages show it, not an empty year.
YEAR = "?year=2024"
# (page, URL path, demo user who reads it, target share of the hello-world view's rate)
HELLO = ("hello-world", "/healthz/", None, 1.0)
PAGES = (
    ("annual review", f"/review/{YEAR}", "member", 0.25),
    ("contracts list", "/procurement/contracts/", "officer", 0.05),
    ("framework", "/maturity/", "officer", 0.25),
    ("gap dashboard", "/maturity/gaps/", "officer", 0.05),
    ("spend dashboard", f"/procurement/spend/{YEAR}", "officer", 0.05),
    ("social value", f"/social-value/dashboard/{YEAR}", "officer", 0.05),
)
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def demo_passwords(output: str) -> dict[str, str]:
    """The passwords create_demo_users prints once, as `officer: password XYZ  (Officers)`."""
    return dict(re.findall(r"^(\w+): password (\S+)", output, flags=re.MULTILINE))


def cookies_from(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def get(port: int, path: str, cookies: dict[str, str]) -> tuple[int, str, float]:
    """One request on a fresh connection: status, body and seconds."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={**PROXY_HEADERS, "Cookie": cookie_header(cookies)})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, body, time.perf_counter() - started
    finally:
        connection.close()


def sign_in(port: int, username: str, password: str) -> dict[str, str]:
    """GET the sign-in page for the CSRF cookie and token, POST the credentials."""
    origin = f"https://{HOST}:{port}"
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", "/login/", headers=PROXY_HEADERS)
        response = connection.getresponse()
        cookies = cookies_from(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
        if response.status != 200 or token is None:
            raise RuntimeError(f"GET /login/ gave {response.status} without a CSRF token")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        connection.request(
            "POST",
            "/login/",
            body=urlencode(form),
            headers={
                **PROXY_HEADERS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie_header(cookies),
                "Origin": origin,
                "Referer": f"{origin}/login/",
            },
        )
        response = connection.getresponse()
        response.read()
        cookies |= cookies_from(response)
    finally:
        connection.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"signing in as {username} gave {response.status} and no session")
    return cookies


def production_env(database: str, scratch: Path) -> dict[str, str]:
    """The production settings (DJANGO_DEBUG=0, a random secret key) on `database`, with static
    files and uploads in `scratch`: the load test's and Lighthouse's servers."""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_STATIC_ROOT": str(scratch / "static"),
        "DJANGO_MEDIA_ROOT": str(scratch / "uploads"),
    }


def demo_database(env: dict[str, str], database: str, scale: str) -> tuple[dict[str, str], str]:
    """A new `database` with the reference data, the demo users and demo data at `scale`, and
    the static files collected: the demo users' passwords and generate_demo_data's output."""
    psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql("postgres", f"CREATE DATABASE {database}")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "loaddata", "framework", "socialvalue", "--verbosity", "0")
    passwords = demo_passwords(manage(env, "create_demo_users"))
    made = manage(env, "generate_demo_data", "--scale", scale)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    psql(database, "VACUUM ANALYZE")
    return passwords, made


def gunicorn_start(
    env: dict[str, str], port: int, log: Path, *, workers: int = WORKERS
) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("w") as output:
        # Its own session: Ctrl-C reaches this process, which stops gunicorn in order.
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            status, _, _ = get(port, "/login/", {})
        except OSError:  # not listening yet: look again shortly
            time.sleep(0.1)
            continue
        if status == 200:
            return server
        raise RuntimeError(f"gunicorn is up but GET /login/ gave {status}:\n{log.read_text()}")
    raise RuntimeError("gunicorn did not answer within 30 s")


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # SIGTERM: gunicorn lets workers finish their request, then exits
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tally_lines(name: str, tally: Tally) -> list[str]:
    ms = [latency * 1000 for latency in tally.latencies]
    rate = tally.responses / tally.seconds if tally.seconds else 0.0
    figures = " ".join(f"{percentile(ms, p):7.0f}" for p in (50, 90, 99, 100))
    lines = [
        f"  {name:<16} {tally.responses:8,} {rate:8.1f} {figures} "
        f"{tally.non_200:7,} {sum(tally.connection_errors.values()):7,}"
    ]
    if tally.non_200:
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(tally.statuses.items()))
        lines.append(f"  {'':<16} statuses {statuses}")
    if tally.connection_errors:
        errors = ", ".join(f"{kind}: {count}" for kind, count in tally.connection_errors.items())
        lines.append(f"  {'':<16} connection errors {errors}")
    return lines


def report(tallies: dict[str, Tally]) -> list[str]:
    total = Tally()
    for tally in tallies.values():
        total = total.merge(tally)
    header = f"  {'page':<16} {'requests':>8} {'req/s':>8} {'p50':>7} {'p90':>7} {'p99':>7} "
    lines = [header + f"{'max':>7} {'non-200':>7} {'conn err':>7}   (latency in ms)"]
    for name, tally in tallies.items():
        lines += tally_lines(name, tally)
    lines += tally_lines("total", total)
    p99 = percentile(total.latencies, 99)
    verdicts = [
        ("zero errors", total.errors == 0, f"{total.errors:,} errors"),
        (f"p99 < {P99_TARGET_S:.0f} s", p99 < P99_TARGET_S, f"p99 {p99 * 1000:.0f} ms"),
    ]
    lines.append("")
    for target, met, figure in verdicts:
        lines.append(f"  target {target:<12} {'met' if met else 'NOT MET':<8} ({figure})")
    return lines


def share_lines(tallies: dict[str, Tally], server_ms: dict[str, float]) -> list[str]:
    """The issue's table: each page's rate, its share of the hello-world view's rate (the
    first tally), p50, server CPU per response and whether the page meets its target."""
    targets = {name: share for name, _, _, share in (HELLO, *PAGES)}
    hello_name = next(iter(tallies))
    hello = tallies[hello_name]
    hello_rate = hello.responses / hello.seconds if hello.seconds else 0.0
    header = f"  {'page':<16} {'req/s':>8} {'share':>7} {'p50 ms':>8} {'CPU ms':>7}  target"
    lines = [header]
    for name, tally in tallies.items():
        rate = tally.responses / tally.seconds if tally.seconds else 0.0
        share = rate / hello_rate if hello_rate else 0.0
        p50 = percentile([latency * 1000 for latency in tally.latencies], 50)
        target = targets.get(name, 0.0)
        verdict = (
            ""
            if name == hello_name
            else f"{target:.0%} {'met' if share >= target and not tally.errors else 'NOT MET'}"
        )
        lines.append(
            f"  {name:<16} {rate:8.1f} {share:7.1%} {p50:8.0f} "
            f"{server_ms.get(name, math.nan):7.1f}  {verdict}"
        )
    return lines


def server_process(server: subprocess.Popen) -> Classifier:
    """gunicorn's workers, and PostgreSQL's backends for the load test database."""

    def group(pid: int, parent: int, command: str) -> str | None:
        if parent == server.pid:
            return "gunicorn workers"
        if command.startswith("postgres: ") and f" {DATABASE} " in command:
            return "PostgreSQL backends"  # "postgres: 15/main: postgres DATABASE 127.0.0.1(..."
        return None

    return group


def cpu_lines(used: dict[str, float], responses: int) -> list[str]:
    """Where the CPU went during the load, per response, and the rate that cost allows."""
    per_response = {name: seconds / max(responses, 1) * 1000 for name, seconds in used.items()}
    server_ms = per_response["gunicorn workers"] + per_response["PostgreSQL backends"]
    cpus = os.cpu_count() or 1
    lines = ["", "  CPU during the load (seconds, and ms per response):"]
    lines += [
        f"    {name:<20} {seconds:7.1f} s  {per_response[name]:6.1f} ms"
        for name, seconds in used.items()
    ]
    lines.append(
        f"  At {server_ms:.0f} ms of server CPU a response, {cpus} CPUs serve at most about "
        f"{cpus * 1000 / server_ms:.0f} responses a second; with {CONNECTIONS} connections "
        f"that means a mean latency of at least {CONNECTIONS * server_ms / cpus:.0f} ms."
        if server_ms
        else "  (no server CPU figures: /proc not readable)"
    )
    return lines


def measure(port: int, sessions: dict[str, dict[str, str]], server: subprocess.Popen) -> None:
    pages = (HELLO, *PAGES)
    # A page at rest: what one request costs with nothing else running.
    print("Pages at rest: 5 requests one after another after a warm-up")
    for name, path, user, _ in pages:
        cookies = sessions[user] if user else {}
        status, body, _ = get(port, path, cookies)
        if status != 200:  # a lost session redirects to the sign-in page
            raise RuntimeError(f"{path} as {user} gave {status}, not the page")
        timings = sorted(get(port, path, cookies)[2] * 1000 for _ in range(5))
        print(
            f"  {name:<16} median {timings[2]:6.0f} ms  min {timings[0]:6.0f} ms  "
            f"{len(body.encode()) / 1024:6.0f} KiB"
        )
    # The generator must not be the bottleneck: its rate on a cheap URL bounds what it measures.
    _, body, _ = get(port, "/login/", {})
    css = re.search(r'href="(/static/[^"]+\.css)"', body)
    if css:
        cpu = time.process_time()
        calibration = load_run(
            host=HOST,
            port=port,
            targets=[Target("static css", css[1], PROXY_HEADERS)],
            connections=CONNECTIONS,
            seconds=CALIBRATION_SECONDS,
        )
        tally = calibration["static css"]
        print(
            f"\nLoad generator check: {css[1]} through gunicorn and whitenoise, "
            f"{CONNECTIONS} connections, {CALIBRATION_SECONDS:.0f} s: "
            f"{tally.responses / tally.seconds:,.0f} req/s, {tally.errors} errors, "
            f"generator CPU {(time.process_time() - cpu) / tally.seconds:.0%} of one core"
        )
    print(
        f"\nLoad: {CONNECTIONS} connections on one page at a time, {SECONDS:.0f} s each after "
        f"{WARMUP_SECONDS:.0f} s not counted (the member on the annual review, the officer on "
        "the rest)"
    )
    machine, generator = machine_busy_seconds(), time.process_time()
    load_before = os.getloadavg()[0]
    tallies: dict[str, Tally] = {}
    server_ms: dict[str, float] = {}
    used = {"gunicorn workers": 0.0, "PostgreSQL backends": 0.0}
    for name, path, user, _ in pages:
        headers = {**PROXY_HEADERS, "Cookie": cookie_header(sessions[user])} if user else {}
        if WARMUP_SECONDS > 0:
            load_run(
                host=HOST,
                port=port,
                targets=[Target(name, path, headers or PROXY_HEADERS)],
                connections=CONNECTIONS,
                seconds=WARMUP_SECONDS,
            )
        with CpuSampler(server_process(server)) as sampler:
            run = load_run(
                host=HOST,
                port=port,
                targets=[Target(name, path, headers or PROXY_HEADERS)],
                connections=CONNECTIONS,
                seconds=SECONDS,
            )
        tallies[name] = run[name]
        page_used = {"gunicorn workers": 0.0, "PostgreSQL backends": 0.0, **sampler.used()}
        server_ms[name] = sum(page_used.values()) / max(run[name].responses, 1) * 1000
        for group, seconds in page_used.items():
            used[group] = used.get(group, 0.0) + seconds
    used["load generator"] = time.process_time() - generator
    used["anything else"] = machine_busy_seconds() - machine - sum(used.values())
    responses = sum(tally.responses for tally in tallies.values())
    print("\n".join(report(tallies)))
    print("\n  Share of the hello-world view's rate (CPU ms: gunicorn and PostgreSQL a response):")
    print("\n".join(share_lines(tallies, server_ms) + cpu_lines(used, responses)))
    print(
        f"  Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after. "
        '"anything else" is other work on the machine.'
    )


def main() -> int:
    problem = postgres_problem()
    if problem:
        print(f"make loadtest needs PostgreSQL on {PG_HOST}:{PG_PORT} as user {PG_USER}: {problem}")
        return 1
    # SIGTERM (a CI timeout, say) unwinds like Ctrl-C, through the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch:
        env = production_env(DATABASE, Path(scratch))
        try:
            print(f"Setting up {DATABASE}: fixtures, demo users, demo data at scale {SCALE}")
            passwords, made = demo_database(env, DATABASE, SCALE)
            counts = re.findall(r"^(Suppliers|Contracts|Spend lines): ([\d,]+)", made, re.MULTILINE)
            print("  " + ", ".join(f"{count} {what.lower()}" for what, count in counts))
            port = free_port()
            server = gunicorn_start(env, port, Path(scratch) / "gunicorn.log")
            print(
                f"gunicorn config.wsgi on {HOST}:{port}, {WORKERS} workers "
                f"{os.environ.get('GUNICORN_CMD_ARGS', '(sync)')}, {os.cpu_count()} CPUs, "
                f"DJANGO_DEBUG=0; setup took {time.perf_counter() - started:.0f} s\n"
            )
            sessions = {
                user: sign_in(port, user, passwords[user]) for user in {page[2] for page in PAGES}
            }
            measure(port, sessions, server)
            log = (Path(scratch) / "gunicorn.log").read_text().strip()
            if log:
                lines = log.splitlines()
                print(f"\ngunicorn and Django logged {len(lines)} lines; the last ones:")
                print("\n".join(lines[-20:]))
        finally:
            if server is not None:
                gunicorn_stop(server)
            psql("postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    if isinstance(sys.stdout, io.TextIOWrapper):  # progress shows as it happens under make
        sys.stdout.reconfigure(line_buffering=True)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted: gunicorn stopped and the database dropped.")
        sys.exit(130)
