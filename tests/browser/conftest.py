"""The real service for browser tests: migrated database, demo loaded, ``srj serve`` on a free
port, and Debian's chromium driven by Playwright.

The server runs in a subprocess exactly as the README starts it (``srj db upgrade``,
``srj demo load``, ``srj serve``), with its own data directory (secrets, model) and database.
Commands the test runs besides (``srj auth token``, ``srj registry relink``) share that
environment. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser_support import SRJ, LiveServer
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BACKENDS = [
    b.strip()
    for b in os.environ.get("SRJ_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    database_factory: Any,
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("live")
    env = dict(os.environ)
    env.update(
        SRJ_ENV="development",
        SRJ_DATA_DIR=str(root / "var"),
        # A database of its own (a fresh PostgreSQL database, or a SQLite file), migrated.
        SRJ_DATABASE_URL=database_factory(request.param),
        SRJ_LOG_JSON="true",
        # Every decision applies at once; no sampling for second opinions in this scenario.
        SRJ_REVIEW_SECOND_OPINION_RATE="0",
    )
    port = _free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", env, root / "server.log")
    server.srj("db", "upgrade")
    server.srj("demo", "load", timeout=1800)
    with server.log.open("w") as log:
        process = subprocess.Popen(
            [SRJ, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, server.log.read_text()[-3000:]
                try:
                    if httpx.get(server.base_url + "/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not become ready in 60 s"
                time.sleep(0.3)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


# Module scope, not session: Playwright's sync API runs an event loop while it is open, and a
# browser kept open to the end of the session breaks every later test that starts its own
# sync_playwright (tests/matching/jobs/test_jobs_report_browser.py). Launching twice costs ~1 s.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
