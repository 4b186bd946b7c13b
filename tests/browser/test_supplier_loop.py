"""The supplier loop in a real browser: the demo supplier signs in, lands on its own page,
sees only the specification addressed to it, answers a requirement with a question; the NLAR
representative sees the question on the requirement page. Other pages are refused to the
supplier on the server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from data.demo.supplier_loop import SPEC_TITLE
from tests.browser.conftest import Session

QUESTION = "Which screens do practitioners mean: the case summary or the chronology?"


def _login_supplier(browser, base: str) -> Session:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    s = Session(ctx.new_page(), base)
    s.page.goto(f"{base}/login")
    s.page.get_by_label("Username").fill("demo-supplier")
    s.page.get_by_label("Password").fill("demo")
    s.page.get_by_role("button", name="Sign in").click()
    s.page.wait_for_url(f"{base}/supplier")
    return s


def test_sup001_supplier_answers_and_rep_sees_it(browser, live_server, as_user):
    sup = _login_supplier(browser, live_server)
    page = sup.page
    nav = page.locator("#nav-links")
    expect(page.get_by_role("link", name="Supplier answers")).to_be_visible()
    for hidden in ("Overview", "Compare groups", "Common requirements", "Upload"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    picker = page.locator("#supplier-spec")
    expect(picker.locator("option", has_text=SPEC_TITLE)).to_have_count(1)
    named = [t for t in picker.locator("option").all_inner_texts() if t.strip()]
    assert named == [SPEC_TITLE]  # only the specification addressed to its supplier
    body = page.locator("#supplier-spec-body")
    expect(body).to_contain_text("Authorities raising it", timeout=20000)
    expect(body).to_contain_text("Delivered in release 2009.2")
    expect(body).to_contain_text("Needs clarification")
    for refused in ("/requirements", "/admin", "/compare", "/my-authority"):
        assert page.request.get(f"{live_server}{refused}").status == 403, refused

    chooser = page.locator("#supplier-answer-req")
    labels = [t for t in chooser.locator("option").all_inner_texts() if t.startswith("R-")]
    ref = re.match(r"(R-\d+)", labels[3]).group(1)
    chooser.select_option(label=labels[3])
    page.get_by_label("Needs clarification (write your question)").check()
    page.get_by_label("Question, reason or note").fill(QUESTION)
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#supplier-answer-msg")).to_contain_text(
        f"Your answer to {ref} is recorded"
    )
    expect(page.locator(f"#supplier-item-{ref[2:]}")).to_contain_text(QUESTION)
    sup.screenshot("supplier")
    assert sup.errors == []

    rep = as_user("demo-nlar")
    rep.open(f"/requirements?requirement={ref}")
    expect(rep.page.locator("#req-detail-title")).to_have_text(ref, timeout=20000)
    answers = rep.page.locator("#req-answers")
    expect(answers).to_contain_text("Needs clarification")
    expect(answers).to_contain_text(QUESTION)
    rep.page.get_by_label("Reply in the thread").fill("The chronology, in every team.")
    rep.page.get_by_role("button", name="Send reply").click()
    expect(rep.page.locator("#req-answers-reply-msg")).to_contain_text("Reply sent")
    expect(answers).to_contain_text("The chronology, in every team.")
    assert rep.errors == []
    sup.page.context.close()


def test_sup002_supplier_and_inbox_pages_pass_axe(browser, live_server):
    from tests.browser.axe import axe_violations, describe

    sup = _login_supplier(browser, live_server)
    for path, ready in (("/supplier", "#supplier-spec-body article"), ("/inbox", "#inbox-list")):
        sup.open(path)
        sup.page.wait_for_selector(ready)
        violations = axe_violations(sup.page)
        assert violations == [], describe(violations)
    assert sup.errors == []
    sup.page.context.close()
