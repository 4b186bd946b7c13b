"""Time each page's first load in headless Chromium: HTML, scripts, layout and first callbacks.

    python bench/first_load.py --database-url sqlite:///bench/out/national.db [--pages / /compare]

Serves the app under gunicorn (as production would, compression on), signs in as each user,
then for every page measures navigation start until the last response has arrived and every
chart has drawn (a 0.3 s quiet window detects the end; it is not counted; the tab icon's
request is not part of the page). The first page
of a session also pays for the scripts (Plotly is the largest)."""

from __future__ import annotations

import argparse
import signal
import tempfile
import time

import _common  # noqa: F401
from _common import emit
from load import free_port, start_server
from pages import PAGES

QUIET = 0.3  # seconds without requests that mean the page has finished loading
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def measure(base: str, username: str, password: str, pages=PAGES) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        page.wait_for_load_state("networkidle")
        inflight, last = set(), [time.perf_counter()]

        def counted(request) -> bool:
            # the tab icon, which Chromium fetches whenever it likes after the page has
            # loaded, is not part of the page (HTML, scripts, layout and first callbacks)
            return "_favicon.ico" not in request.url

        def started(request) -> None:
            if counted(request):
                inflight.add(request)
                last[0] = time.perf_counter()

        def ended(request) -> None:
            if counted(request):
                inflight.discard(request)
                last[0] = time.perf_counter()

        page.on("request", started)
        page.on("requestfinished", ended)
        page.on("requestfailed", ended)
        drawn = (
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".every(g => g.querySelector('.main-svg'))"
        )
        for path in pages:
            for visit in ("first", "again"):
                start = time.perf_counter()
                page.goto(f"{base}{path}")
                # Done when nothing has been in flight for QUIET s and every chart is drawn;
                # the time is when the last response arrived or drawing finished, whichever is
                # later, so the quiet window itself is not counted.
                drawn_at, seen = None, None
                while time.perf_counter() - start < 60:
                    page.wait_for_timeout(20)
                    now = time.perf_counter()
                    if inflight or seen != last[0]:
                        drawn_at, seen = None, None if inflight else last[0]
                    if not inflight and drawn_at is None and page.evaluate(drawn):
                        drawn_at = now
                    if drawn_at is not None and now - last[0] >= QUIET:
                        break
                done = max(last[0], drawn_at or time.perf_counter())
                rows.append(
                    {"user": username, "page": path, "visit": visit,
                     "load_ms": round((done - start) * 1000)}
                )  # fmt: skip
        browser.close()
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.db")
    parser.add_argument("--users", nargs="+", default=["bench-coordinator", "bench-la"])
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--pages", nargs="+", default=PAGES, choices=PAGES, help="default: every page"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = start_server(url, args.workers, port, None, log)
        try:
            base = f"http://127.0.0.1:{port}"
            rows = [r for u in args.users for r in measure(base, u, args.password, args.pages)]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    worst = max(r["load_ms"] for r in rows)
    emit("First page load in headless Chromium", rows, {"worst_load_ms": worst}, as_json=args.json)
    return rows


if __name__ == "__main__":
    main()
