"""Why findings were grouped, and groups marked "related, not the same", on the candidate
requirements page in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from data.requirements import clusters
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import FindingCluster


def test_candidate_shows_why_grouped_and_related_groups(as_user, demo_url):
    rep = as_user("demo-nlar")
    page = rep.page
    rep.open("/requirements")
    first = page.locator("#req-candidates .ag-row[row-index='0'] .ag-cell").first
    expect(first).to_be_visible()
    first.click()
    title, note = page.locator("#req-cand-title"), page.locator("#req-cand-note")
    expect(title).to_contain_text("Findings in candidate")
    expect(note).to_contain_text("Most typical finding")
    expect(note).to_contain_text("Shared phrases")
    cid = title.inner_text().rsplit(" ", 1)[-1]
    engine = make_engine(demo_url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        other = s.scalar(
            select(FindingCluster.cluster_id).where(FindingCluster.cluster_id != cid).limit(1)
        )
        clusters.mark_related(s, None, cid, other)
    try:
        page.locator("#req-candidates .ag-row[row-index='1'] .ag-cell").first.click()
        expect(title).not_to_have_text(f"Findings in candidate {cid}")
        first.click()
        expect(note).to_contain_text(f"Related, not the same: {other}")
    finally:
        with session_scope(sessions) as s:
            clusters.unmark_related(s, None, cid, other)
        engine.dispose()
