"""Real-browser fixtures: the app on a small synthetic demo database, served from a thread,
driven by Playwright in Debian's Chromium. A missing browser is a failure, not a skip.

Screenshots go to build/screenshots/ (or $ICSDASH_SCREENSHOTS), never over the tracked
docs/screenshots/: `scripts/screenshots` runs these tests and copies a run's pictures there."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.demo import load_demo
from dashboard.factory import create_app
from data.store.db import make_engine, make_sessionmaker
from tests.conftest import fresh_database
from tests.integration.conftest import make_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(
    os.environ.get("ICSDASH_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)
ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # With `-n 2 --dist loadgroup` each module is a work unit of its own (tests/conftest.py),
    # so the browser modules share out between both workers, each with its own server, demo
    # database and browser (both workers start those anyway: the journeys' group needs them).
    # One "browser" group for them all ran about five minutes on one worker.
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    url = fresh_database("sqlite", tmp_path_factory.mktemp("browser"), "demo")
    load_demo(
        make_sessionmaker(make_engine(url)),
        n_authorities=24,
        periods=("2009-Q4", "2010-Q1", "2010-Q2"),
        log=lambda *_: None,
    )
    return url


@pytest.fixture(scope="session")
def live_server(demo_url):
    app = create_app(make_config(demo_url, DEMO=True))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright hides scroll bars in headless mode; show them, as a person sees them
        # (a grid that scrolls sideways must show that it does).
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            ignore_default_args=["--hide-scrollbars"],
        )
        yield b
        b.close()


class Session:
    """A signed-in browser page that records console errors."""

    def __init__(self, page, base: str):
        self.page, self.base, self.errors = page, base, []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def login(self, username: str, password: str = "demo") -> None:
        self.page.goto(f"{self.base}/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{self.base}/")

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def make(username: str) -> Session:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        contexts.append(ctx)
        s = Session(ctx.new_page(), live_server)
        s.login(username)
        return s

    yield make
    for ctx in contexts:
        ctx.close()
