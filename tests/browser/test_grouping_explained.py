"""Why findings were grouped, groups marked "related, not the same" and a finding's closest
findings, on the candidate requirements page in a real browser, as an NLAR rep."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import SCREENSHOTS


def test_rep_sees_why_grouped_marks_a_related_group_and_sees_closest_findings(as_user):
    rep = as_user("demo-nlar")
    page = rep.page
    rep.open("/requirements")
    page.locator("#req-candidates .ag-row[row-index='0'] .ag-cell").first.click()
    title, why = page.locator("#req-cand-title"), page.locator("#req-why")
    expect(title).to_contain_text("Findings in candidate")
    expect(page.get_by_role("heading", name="Why these findings are grouped")).to_be_visible()
    expect(why).to_contain_text("Most typical finding")
    expect(why).to_contain_text("Shared phrases")
    cid = title.inner_text().rsplit(" ", 1)[-1]
    expect(page).to_have_url(re.compile(rf"[?&]candidate={re.escape(cid)}(&|$)"))  # shareable
    page.reload()  # the address alone brings the same candidate back
    expect(title).to_have_text(f"Findings in candidate {cid}", timeout=15000)
    expect(why).to_contain_text("Most typical finding")
    related = page.locator("#req-related-links")
    expect(page.get_by_role("heading", name="Related, not the same")).to_be_visible()
    expect(related).to_contain_text("None marked.")

    target = page.get_by_label("Mark this group related, not the same, as")
    expect(target.locator("option").nth(1)).to_be_attached()
    other = target.locator("option").nth(1).get_attribute("value")
    target.select_option(other)
    page.get_by_role("button", name="Mark related, not the same").click()
    expect(page.locator("#req-relate-msg")).to_contain_text(f"as {other}")
    to_other = related.get_by_role("link", name=re.compile(f"^{re.escape(other)}:"))
    expect(to_other).to_have_attribute("href", f"/requirements?candidate={other}")

    findings = page.locator("#req-cand-findings .ag-center-cols-container .ag-row")
    findings.first.locator(".ag-cell").first.click()
    near_note = page.locator("#req-near-note")
    expect(near_note).to_contain_text("most like it")
    rows = page.locator("#req-near table tbody tr")
    expect(rows.first).to_contain_text("%")
    expect(page.locator("#req-near table")).to_contain_text("Similarity")
    violations = axe_violations(page)  # the new panels are labelled and headed
    assert violations == [], describe(violations)
    rep.screenshot("requirements-related")
    section = title.locator("xpath=..")  # the candidate's findings, closest and related
    section.screenshot(path=str(SCREENSHOTS / "requirements-related-candidate.png"))
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing scrolls sideways
    expect(rows.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#req-near-heading").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "requirements-related-candidate-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    to_other.click()  # the linked group's page links back
    page.wait_for_url(re.compile(r"candidate="))
    expect(title).to_have_text(f"Findings in candidate {other}", timeout=15000)
    expect(page).to_have_url(re.compile(rf"[?&]candidate={re.escape(other)}(&|$)"))
    back = related.get_by_role("link", name=re.compile(f"^{re.escape(cid)}:"))
    expect(back).to_have_attribute("href", f"/requirements?candidate={cid}")
    page.get_by_label("Remove the mark between this group and").select_option(cid)
    page.get_by_role("button", name="Remove mark").click()
    expect(page.locator("#req-relate-msg")).to_contain_text("Mark removed.")
    expect(related).to_contain_text("None marked.")
    assert rep.errors == []
