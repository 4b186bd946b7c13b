"""Each demo role signs in and opens every page it can see; the console stays clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from layouts.shell import NAV_ITEMS

ROLES = {
    "demo-la": "la_user",
    "demo-nlar": "nlar_rep",
    "demo-coordinator": "coordinator",
    "demo-admin": "admin",
}


@pytest.mark.parametrize("username", list(ROLES))
def test_browser_role_opens_every_page(as_user, username):
    s = as_user(username)
    role = ROLES[username]
    for path, _label, roles in NAV_ITEMS:
        if roles is not None and role not in roles:
            continue
        s.open(path)
        # the page's heading arrives with its layout callback: wait for it (bounded), not a sleep
        expect(s.page.locator("h1"), path).to_have_count(1, timeout=30_000)
        expect(s.page.get_by_text("Synthetic data."), path).to_be_visible()
    assert s.errors == []


def test_browser_overview_shows_charts(as_user):
    s = as_user("demo-coordinator")
    s.open("/")
    s.page.wait_for_selector("#overview-sus-graph .main-svg")
    summary = s.page.locator("#overview-sus-summary").inner_text()
    assert "mean SUS ranged from" in summary or "too few" in summary
    assert s.page.locator("#overview-las").inner_text().isdigit()
    s.screenshot("overview")
    assert s.errors == []


def test_browser_wrong_password_message(browser, live_server):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("demo-la")
    page.get_by_label("Password").fill("nope")
    page.get_by_role("button", name="Sign in").click()
    assert "not right" in page.locator("#login-error").inner_text()
    ctx.close()
