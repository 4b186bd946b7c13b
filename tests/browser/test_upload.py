"""In Chromium: download the template, fill it in, upload it, read the report, confirm,
find it in the history and on the Overview; then put the earlier version back."""

from __future__ import annotations

import random
import re

from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from data.reference.codes import instrument
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Submission, User

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def _current(demo_url, period: str) -> tuple[int, int]:
    """demo-la's current submission for `period`: (id, respondents)."""
    sessions = make_sessionmaker(make_engine(demo_url))
    with session_scope(sessions) as s:
        authority = s.scalar(select(User.authority_id).where(User.username == "demo-la"))
        return s.execute(
            select(Submission.id, Submission.n_respondents).where(
                Submission.authority_id == authority,
                Submission.period == period,
                Submission.status == "current",
            )
        ).one()


def _respondents_tile(s) -> int:
    s.open("/")
    tile = s.page.locator("#overview-respondents")
    expect(tile).to_have_text(re.compile(r"^[0-9,]+$"), timeout=20_000)
    return int(tile.inner_text().replace(",", ""))


def _expect_tile(s, value: int) -> None:
    s.open("/")
    expect(s.page.locator("#overview-respondents")).to_have_text(f"{value:,}", timeout=20_000)


def _violations(page) -> list[str]:
    # Grid bodies are AG Grid's own markup (and make axe very slow); headers are checked.
    results = Axe().run(page, context={"exclude": [[".ag-body"]]}, options=WCAG)
    return [v["id"] for v in results.response["violations"]]


def _fill(template_path, out_path, respondents: int) -> None:
    wb = load_workbook(template_path)
    wb["About"]["B4"] = "2010-Q2"
    wb["About"]["B6"] = "2010-06-30"
    rng = random.Random(7)
    items = [i.code for i in instrument(1)]
    for i in range(respondents):
        comment = "Ring Mrs Jones on 0161 496 0000 about access" if i == 0 else ""
        wb["Responses"].append(
            [f"B{i:03d}", "social_worker", "assessment", "3-5"]
            + [rng.randint(1, 5) for _ in items]
            + [comment]
        )
    wb["Findings"].append(
        ["F1", "NAV", "supplier", "general", "high", 9, "Saving a visit takes eight clicks", ""]
    )
    wb.save(out_path)


def test_browser_upload_filled_template_confirm_history_overview(as_user, demo_url, tmp_path):
    s = as_user("demo-la")
    old_id, old_n = _current(demo_url, "2010-Q2")
    tile_before = _respondents_tile(s)

    s.open("/upload")
    with s.page.expect_download() as download:
        s.page.get_by_role("button", name="Download the Excel template (.xlsx)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    filled = tmp_path / "our-results.xlsx"
    _fill(template, filled, old_n + 30)

    s.page.locator("#upload-files input[type=file]").set_input_files(str(filled))
    s.page.wait_for_selector("#upload-summary-list", timeout=20_000)
    assert "The file passed every check" in s.page.locator("#upload-outcome").inner_text()
    summary = s.page.locator("#upload-summary-list").inner_text()
    assert f"Respondents\n{old_n + 30}" in summary and "Period\n2010-Q2" in summary
    assert "Supersedes" in summary and f"({old_n} respondents" in summary
    redactions = s.page.locator("#upload-redactions-section")
    redactions.get_by_text("Mrs [redacted: name] on [redacted: phone]", exact=False).wait_for()
    assert _violations(s.page) == []
    s.screenshot("upload-report")

    s.page.get_by_role("button", name="Confirm and store").click()
    expect(s.page.locator("#upload-result")).to_contain_text("Stored:", timeout=20_000)
    history = s.page.locator("#upload-history")
    first_row = history.locator(".ag-row[row-index='0']")
    expect(first_row).to_contain_text("Demo LA user", timeout=20_000)
    expect(first_row).to_contain_text("2010-Q2")
    expect(first_row).to_contain_text("current")
    expect(history.locator(f".ag-row[row-id='{old_id}']")).to_contain_text("superseded")
    s.screenshot("upload-history")

    _expect_tile(s, tile_before + 30)

    # Put the demo data back as it was: make the earlier version current again.
    s.open("/upload")
    old_row = history.locator(f".ag-row[row-id='{old_id}']")
    old_row.locator(".ag-selection-checkbox input").check()
    assert old_row.get_attribute("aria-selected") == "true"
    s.page.get_by_role("button", name="Make the selected version current").click()
    message = s.page.locator("#upload-history-message")
    expect(message).to_contain_text("Made current again", timeout=20_000)
    assert _current(demo_url, "2010-Q2") == (old_id, old_n)
    _expect_tile(s, tile_before)
    assert s.errors == []


def test_browser_upload_report_lists_problems(as_user, tmp_path):
    s = as_user("demo-la")
    s.open("/upload")
    bad = tmp_path / "about.csv"
    bad.write_text("field,value\nperiod,2030-Q9\n", encoding="utf-8")
    s.page.locator("#upload-files input[type=file]").set_input_files(str(bad))
    s.page.get_by_text("Nothing has been stored", exact=False).wait_for(timeout=20_000)
    problems = s.page.locator("#upload-problems-section")
    problems.get_by_text("no Responses file was uploaded", exact=False).wait_for()
    with s.page.expect_download() as download:
        s.page.get_by_role("button", name="Download the problems (CSV)").click()
    assert download.value.suggested_filename == "upload-problems.csv"
    assert s.page.get_by_role("button", name="Confirm and store").is_hidden()
    s.screenshot("upload-problems")
    assert s.errors == []


def test_browser_admin_page(as_user):
    s = as_user("demo-admin")
    s.open("/admin")
    for grid in ("users", "authorities", "products", "use", "audit"):
        s.page.locator(f"#admin-{grid} .ag-row").first.wait_for()
    assert _violations(s.page) == []
    s.page.get_by_role("link", name="Audit log").click()
    s.page.get_by_label("Action").select_option("sign_in")
    s.page.wait_for_function(
        """() => {
            const cells = [...document.querySelectorAll("#admin-audit .ag-row [col-id='action']")];
            return cells.length > 0 && cells.every((c) => c.innerText === "sign_in");
        }""",
        timeout=20_000,
    )
    s.screenshot("admin")
    assert s.errors == []
