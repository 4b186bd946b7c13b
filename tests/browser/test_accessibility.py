"""axe-core (WCAG 2.0/2.1/2.2 A and AA) reports no violations on the Overview and the analysis
pages, checked with every table alternative opened so the grids are checked too (an open
<details> shows everything a closed one does, and more). Each page is ready when its last
chart has drawn; for the NLAR representative that is the per-authority breakdown, which only
they see."""

from __future__ import annotations

import pytest

from tests.browser.axe import axe_violations, describe

PAGES = {
    "demo-la": [
        ("/", "#overview-sus-graph .main-svg"),
        ("/my-authority", "#my-authority-change-graph .main-svg"),
    ],
    "demo-coordinator": [
        ("/compare", "#compare-heatmap-graph .main-svg"),
        ("/themes", "#themes-by-area-graph .main-svg"),
    ],
    "demo-nlar": [("/compare", "#compare-breakdown-graph .main-svg")],
}


@pytest.mark.parametrize("user", list(PAGES))
def test_browser_axe_finds_no_violations(as_user, user):
    s = as_user(user)
    for path, ready in PAGES[user]:
        s.open(path)
        s.page.wait_for_selector(ready)
        s.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        s.page.wait_for_load_state("networkidle")
        # every visible table alternative has received its columns (a chart's frame draws
        # before its data arrives, so "drawn" alone can run axe on a grid still empty)
        s.page.wait_for_function(
            "() => [...document.querySelectorAll('.ag-root')].filter(g => g.checkVisibility())"
            ".every(g => g.getAttribute('aria-colcount') !== '0')"
        )
        violations = axe_violations(s.page)
        assert violations == [], f"{path}\n{describe(violations)}"
    assert s.errors == []
