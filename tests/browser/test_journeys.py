"""Every page, as each demo role sees it, at three screen widths (1280×800, 1920×1080 and a
390×844 phone), in headless Chromium with scroll bars shown as a person would see them.

Each journey fails on what makes a page look broken or unusable:
- console errors, failed or refused requests (HTTP status 400 or more);
- axe-core violations at WCAG 2.2 AA (at the desktop and phone widths; the page's empty and
  error states are visited too);
- an element overflowing its card, or a chart covering its card's table toggle and download;
- a grid wider than its container with no horizontal scroll bar, or a cell whose text is cut
  off with no way to read it;
- a button enabled with nothing to do: a download with nothing to download, or an action on
  "the selected …" with nothing selected.

A page a role may not use must say what the role can do instead, with a link.
Screenshots go to build/screenshots/journeys/ (or $ICSDASH_SCREENSHOTS/journeys), never to
tracked files: one of each view where a problem was noted (what a failure's reader needs), or
of every view with ICSDASH_JOURNEY_SCREENSHOTS=1 (each full-page picture costs about 0.25 s;
the four journeys take about 130)."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import SCREENSHOTS
from tests.routes import PAGES

# Its own xdist group: with `-n 2 --dist loadgroup` the four journeys run on one worker while
# the other worker takes other modules (each worker has its own server and browser).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("journeys")]

WIDTHS = [(1280, 800), (1920, 1080), (390, 844)]
AXE_WIDTHS = {1280, 390}
# Pages each role may not use (the server refuses their callbacks too).
NOT_FOR = {
    "demo-la": {"/admin", "/supplier"},
    "demo-nlar": {"/admin", "/supplier"},
    "demo-coordinator": {"/admin", "/upload", "/my-authority", "/supplier"},
    "demo-admin": {"/my-authority", "/supplier"},
}
OUT = SCREENSHOTS / "journeys"  # a subfolder: scripts/screenshots copies only the top level
EVERY_VIEW = os.environ.get("ICSDASH_JOURNEY_SCREENSHOTS") == "1"

# What is measured in the page, in one pass; each problem is one readable line.
CHECKS = (Path(__file__).parent / "journey_checks.js").read_text("utf-8")

SETTLED = """() =>
  !document.querySelector('[data-dash-is-loading="true"], ._dash-loading, .dash-spinner')
  && [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"""
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => d.open = true)"
# After a change of width: dcc.Graph sees its box change (a ResizeObserver, 50 ms debounce),
# marks the chart "dash-graph--pending" and has plotly redraw it at the box's size. Done when
# no chart is pending and every visible autosized chart is as wide as its box (a chart whose
# box kept its width has nothing to redraw). Waited for instead of a fixed 300 ms sleep.
RESIZED = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(gd => gd.checkVisibility() && gd._fullLayout)
  .every(gd => !gd.classList.contains('dash-graph--pending')
    && (gd.layout.width !== undefined || Math.abs(gd._fullLayout.width - gd.clientWidth) <= 1))"""
# AG Grid shows a horizontal scroll bar 100 ms after it finds its columns wider than its
# viewport (it hides one at once): a grid is settled when its columns fit or its bar shows.
GRIDS = """() => [...document.querySelectorAll('.ag-root-wrapper')]
  .filter(g => g.checkVisibility())
  .every(g => {
    const viewport = g.querySelector('.ag-center-cols-viewport');
    const cols = g.querySelector('.ag-center-cols-container');
    const bar = g.querySelector('.ag-body-horizontal-scroll');
    return !(viewport && cols && cols.scrollWidth > viewport.clientWidth + 1)
      || (bar && bar.checkVisibility() && bar.getBoundingClientRect().height > 0
          && !bar.classList.contains('ag-scrollbar-invisible'));
  })"""
# Two animation frames, or 1 s at most: headless Chromium sometimes stops sending frames to a
# page, and an evaluate has no timeout of its own (a CI run hung here for good).
FRAMES = """() => new Promise(r => {
  requestAnimationFrame(() => requestAnimationFrame(r));
  setTimeout(r, 1000);
})"""


class Journey:
    """One role's browser page: records console errors and failed requests as it goes."""

    def __init__(self, page, base: str, role: str):
        self.page, self.base, self.role = page, base, role
        self.problems: list[str] = []
        self.pictured = 0  # problems noted up to the last view looked at
        self.where = ""
        page.on("console", lambda m: self._note(f"console {m.type}: {m.text}", m.type == "error"))
        page.on("pageerror", lambda e: self._note(f"page error: {e}"))
        page.on("requestfailed", lambda r: self._failed(r))
        page.on("response", lambda r: self._note(f"HTTP {r.status} {r.url}", r.status >= 400))

    def _note(self, text: str, keep: bool = True) -> None:
        if keep:
            self.problems.append(f"{self.where}: {text}")

    def _failed(self, request) -> None:
        # a navigation away cancels the old page's polling requests; that is not a failure
        if "ERR_ABORTED" not in (request.failure or ""):
            self._note(f"request failed: {request.url} {request.failure}")

    def login(self) -> None:
        self.where = "login"
        self.page.goto(f"{self.base}/login")
        self.page.get_by_label("Username").fill(self.role)
        self.page.get_by_label("Password").fill("demo")
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{self.base}/")

    def open(self, path: str) -> None:
        self.where = path
        self.page.goto(f"{self.base}{path}")
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(SETTLED, timeout=20_000)

    def check(self, name: str, width: int, *, axe: bool) -> None:
        """Look at the page as it is now; screenshot it if anything was noted since the last
        view (or always, with ICSDASH_JOURNEY_SCREENSHOTS=1)."""
        where = f"{self.where} at {width}px"
        self.problems += [f"{where}: {p}" for p in self.page.evaluate(CHECKS)]
        if axe:
            found = axe_violations(self.page)
            if found:
                self.problems.append(f"{where}: axe\n{describe(found)}")
        if EVERY_VIEW or len(self.problems) > self.pictured:
            OUT.mkdir(parents=True, exist_ok=True)
            path = OUT / f"{self.role}-{name}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
        self.pictured = len(self.problems)

    def at_widths(self, name: str) -> None:
        """The current page at each width, tables open (a closed <details> hides less)."""
        for width, height in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.evaluate(OPEN_DETAILS)
            self.page.evaluate(FRAMES)  # the layout at the new width, resize observers told
            self.page.wait_for_function(RESIZED, timeout=20_000)
            self.page.wait_for_function(SETTLED, timeout=20_000)
            # bounded: a grid that never settles is reported by the check that follows
            with contextlib.suppress(PlaywrightTimeout):
                self.page.wait_for_function(GRIDS, timeout=2_000)
            self.page.evaluate(FRAMES)  # grids and charts painted at their new size
            self.check(name, width, axe=width in AXE_WIDTHS)
        self.page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "overview"


def _refused_page(j: Journey, path: str) -> None:
    """A page the role may not use: a short page saying what the role can do, with a link."""
    main = j.page.locator("main")
    note = main.locator(".not-for-role")
    if note.count() != 1:
        j.problems.append(f"{path}: a page this role may not use does not say so")
        return
    if main.locator(".ag-root-wrapper, .js-plotly-plot, form, input, select").count():
        j.problems.append(f"{path}: a page this role may not use still shows its controls")
    if note.locator("a[href]").count() == 0:
        j.problems.append(f"{path}: the refusal page has no link to what the role can do")


def _states(j: Journey) -> None:
    """Empty, selected and error states the default page does not show."""
    page = j.page
    if j.role == "demo-nlar":
        # Requirements with a candidate and a requirement selected
        j.open("/requirements")
        # (a load state once reached stays reached: wait for what each click shows instead)
        page.locator("#req-candidates .ag-center-cols-container .ag-row").first.click()
        findings = page.locator("#req-cand-findings .ag-center-cols-container .ag-row")
        expect(findings.first).to_be_visible()
        page.locator("#req-list .ag-center-cols-container .ag-row").first.click()
        expect(page.locator("#req-detail-title")).not_to_have_text("No requirement selected")
        j.settle()
        j.at_widths("requirements-selected")
        # the demo's specification downloads as Word; the button is ready again afterwards
        j.open("/specifications")
        # "<group> joint specification 2010 (<group>)" (data/demo/curation.py)
        ours = re.compile(r" joint specification 2010 \(")
        demo_spec = page.locator("#spec-pick option", has_text=ours).first
        title = demo_spec.inner_text().rsplit(" (", 1)[0]
        page.locator("#spec-pick").select_option(value=demo_spec.get_attribute("value"))
        expect(page.locator("#spec-meta")).to_contain_text(f"{title}: version 2")
        j.settle()
        # for the README (scripts/screenshots copies the top level): the demo's own
        # specification, its requirements at several statuses with the supplier
        page.screenshot(path=str(SCREENSHOTS / "specification-demo.png"), full_page=True)
        word = page.get_by_role("button", name="Download Word document")
        with page.expect_download(timeout=30_000) as download:
            word.click()
        assert download.value.suggested_filename.endswith(".docx")
        expect(word).to_be_enabled()
        expect(word).not_to_have_class(re.compile("is-busy"))
    if j.role == "demo-coordinator":
        # a specification with no version yet: nothing to download, and the page says why
        j.open("/specifications")
        page.get_by_label("Title").fill("Specification with nothing in it yet")
        page.get_by_role("button", name="Create specification").click()
        expect(page.locator("#spec-create-msg")).to_contain_text("created")
        j.settle()
        expect(page.get_by_role("button", name="Download Word document")).to_be_disabled()
        expect(page.locator("#spec-download-reason")).to_contain_text("Nothing to download")
        j.at_widths("specifications-empty")
    if j.role == "demo-la":
        # Upload: the error report of a file with problems
        j.open("/upload")
        page.locator("#upload-files input[type=file]").set_input_files(
            files=[
                {
                    "name": "about.csv",
                    "mimeType": "text/csv",
                    "buffer": b"field,value\nperiod,2030-Q9\n",
                }
            ]
        )
        page.get_by_text("Nothing has been stored", exact=False).wait_for(timeout=20_000)
        j.settle()
        j.at_widths("upload-problems")


@pytest.mark.parametrize("role", list(NOT_FOR))
def test_browser_journey(browser, live_server, role):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        j = Journey(ctx.new_page(), live_server, role)
        j.login()
        for path in PAGES:
            j.open(path)
            if path in NOT_FOR[role]:
                _refused_page(j, path)
            j.at_widths(_name(path))
        _states(j)
    finally:
        ctx.close()
    assert not j.problems, f"{role}: {len(j.problems)} problems\n" + "\n".join(j.problems)
