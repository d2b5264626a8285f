"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

They run when /usr/bin/chromium exists (CI installs it) and are skipped with that reason
otherwise. Playwright must never download its own browser, so the executable is given.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import OperationalError, connections, transaction
from django_tasks_db.management.commands import db_worker

from tests.factories import UserFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
AXE_URL = "/static/dist/js/axe.min.js"  # built from the axe-core npm package
PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# alongside it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects, so `-m "not browser"` leaves these out
def pytest_collection_modifyitems(config, items) -> None:
    skip = pytest.mark.skip(
        reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def make_user(username: str, group: str, **extra: str) -> User:
    user: User = UserFactory.create(username=username, password=PASSWORD, **extra)
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    """Fill the Day, Month and Year boxes of the GOV.UK date input named by its legend."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page) -> tuple[list[dict], int]:
    """Run axe-core with the WCAG 2.0/2.1/2.2 A and AA rules; return violations and rules run.

    The caller waits for what it expects of the page first (a heading, a message): a click's
    navigation may not have begun yet. Waiting for the load event covers one that has begun but
    whose document has no head yet, where the script tag would have nowhere to go."""
    page.wait_for_load_state("load")
    page.add_script_tag(url=AXE_URL)  # served by us, so the Content Security Policy allows it
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                     help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})),
                    rules: r.passes.length + r.violations.length + r.incomplete.length
                           + r.inapplicable.length};
        }""",
        WCAG_TAGS,
    )
    return result["violations"], result["rules"]


def bring_charts_into_view(page) -> None:
    """Scroll to each chart in turn: static/js/charts.js loads plotly.js and draws a chart only
    when it comes near the viewport."""
    charts = page.locator(".app-chart")
    for index in range(charts.count()):
        charts.nth(index).scroll_into_view_if_needed()


@pytest.fixture
def worker(monkeypatch) -> Iterator[threading.Event]:
    """The database backend's worker in a thread, started when the test sets the event.

    On SQLite the worker claims a task in an EXCLUSIVE transaction, so that two worker
    processes never take the same one. The test database is one in-memory database shared by
    every thread, and there an exclusive transaction locks every reader out of every table: each
    poll, ten a second, would make the live server's page fail with "database table is locked".
    With one worker nothing else claims tasks, so here it claims them in an ordinary transaction,
    which locks only the table it writes."""
    if connections["default"].vendor == "sqlite":
        monkeypatch.setattr(db_worker, "exclusive_transaction", transaction.atomic)
    start = threading.Event()
    runner = db_worker.Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )

    def run() -> None:
        start.wait()
        while runner.running:
            try:
                runner.run()
            except OperationalError:
                # SQLite's shared in-memory test database: "database table is locked" while the
                # live server's thread writes the same table. The real worker is a process with
                # its own connection and a busy timeout; here the thread polls again.
                time.sleep(runner.interval)  # the poll interval the worker itself keeps
        connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield start
    runner.running = False
    start.set()
    thread.join(timeout=30)
