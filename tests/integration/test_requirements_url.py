"""The requirements page keeps its view in the URL (?group=&candidate=&requirement=&v=), through
Dash's callback endpoint as the browser calls it: selecting a candidate writes it, opening the
URL restores it once the server has checked the viewer may open it, and a forged, unknown or
withheld candidate gives no selection and a short note, never its findings."""

from __future__ import annotations

import pytest
from dash import dcc

from callbacks import requirements as callbacks
from data.errors import NotFound
from data.pages import evidence
from data.privacy.disclosure import DisclosureRules
from data.store.db import session_scope
from data.store.versioning import current_data_version
from layouts import requirements as layout
from layouts.ids import REQUIREMENTS as R
from tests.integration import test_requirements_pages as pages
from tests.integration.test_requirements_pages import as_viewer, fire

sessions, world = pages.sessions, pages.world  # that module's fixtures: its database

SEARCH = ["req-search.data"]
SHOW = [
    f"req-{c}"
    for c in (
        "candidate.data",
        "link-note.children",
        "cand-title.children",
        "cand-note.children",
        "why.children",
        "cand-findings.rowData",
        "accept-into.options",
    )
]
WITHHOLD_ALL = DisclosureRules(min_las=10_000)  # no other authority's finding is ever shown


@pytest.fixture(scope="module")
def chron(world) -> str:
    return world["chron"]


def search(client, group, candidate, requirement) -> str:
    return fire(
        client,
        SEARCH,
        [
            ("req-group", "value", group),
            ("req-candidate", "data", candidate),
            ("req-selected", "data", requirement),
        ],
        [],
        "req-candidate",
    )["req-search"]["data"]


def opened(client, query, selected=None) -> dict:
    """The page opened with `query` (initial call: no trigger), or a row `selected` later."""
    changed = "req-candidates" if selected is not None else "none"
    return fire(
        client,
        SHOW,
        [("req-candidates", "selectedRows", selected or []), ("req-query", "data", query)],
        [],
        changed,
    )


def test_selecting_a_candidate_writes_it_to_the_url(signed_in, sessions, world, chron):
    with session_scope(sessions) as s:
        version = current_data_version(s)
    rep = signed_in("nlar")
    group = str(world["olm"])
    got = search(rep, group, chron, None)
    assert got == f"?group={group}&candidate={chron}&v={version}"
    got = search(rep, "all", chron, 7)  # "all" is the default: left out, as on other pages
    assert got == f"?candidate={chron}&requirement=R-7&v={version}"
    assert search(rep, group, None, None) == f"?group={group}&v={version}"


def test_the_url_restores_the_candidate_and_a_row_picked_later_replaces_it(signed_in, chron):
    la = signed_in("la")
    got = opened(la, {"candidate": chron, "v": "3"})
    assert got["req-candidate"]["data"] == chron
    assert got["req-link-note"]["children"] is None
    assert got["req-cand-title"]["children"] == f"Findings in candidate {chron}"
    assert got["req-cand-findings"]["rowData"]  # the restored candidate's findings, at once
    other = "C-2" if chron != "C-2" else "C-1"
    later = opened(la, {"candidate": chron}, selected=[{"candidate": other}])
    assert later["req-candidate"]["data"] == other and later["req-link-note"]["children"] is None
    assert later["req-cand-title"]["children"] == f"Findings in candidate {other}"
    none = opened(la, {})  # no candidate in the URL
    assert none["req-candidate"]["data"] is None and none["req-cand-findings"]["rowData"] == []


@pytest.mark.parametrize(
    "forged",
    ["C-nothing", "x" * 500, ["C-1", "C-2"], "<script>alert(1)</script>", 12345, "C-1\x00", " "],
    ids=["unknown", "too-long", "repeated-key", "markup", "number", "nul", "blank"],
)
def test_a_forged_candidate_in_the_url_selects_nothing_and_says_so(signed_in, forged):
    got = opened(signed_in("la"), {"candidate": forged})
    assert got["req-candidate"]["data"] is None
    note = got["req-link-note"]["children"]
    assert note == evidence.LINK_REFUSED and "<script>" not in note
    assert got["req-cand-findings"]["rowData"] == []  # nothing of any group is shown
    assert got["req-cand-title"]["children"] == "Findings in the selected candidate"


def test_a_candidate_whose_findings_are_all_withheld_is_not_opened(
    signed_in, sessions, chron, monkeypatch
):
    """A coordinator has no authority of its own: with every other authority's finding
    withheld, the link opens nothing, with the same note as an unknown id (no probing)."""
    with session_scope(sessions) as s:
        coord = as_viewer(s, "coord")
        assert evidence.linked_candidate(s, coord, DisclosureRules(), chron) == chron
        with pytest.raises(NotFound) as refused:
            evidence.linked_candidate(s, coord, WITHHOLD_ALL, chron)
        assert str(refused.value) == evidence.LINK_REFUSED
    monkeypatch.setattr(callbacks, "rules", lambda: WITHHOLD_ALL)
    got = opened(signed_in("coord"), {"candidate": chron})
    assert got["req-candidate"]["data"] is None
    assert got["req-link-note"]["children"] == evidence.LINK_REFUSED
    assert got["req-cand-findings"]["rowData"] == []


def test_the_layout_never_puts_the_raw_url_candidate_in_the_page():
    tree = layout.layout(candidate="C-nothing", group="5")
    stores = {c.id: c for c in _walk(tree) if isinstance(c, dcc.Store)}
    assert stores[R("candidate")].data is None  # only the checked id, set by the callback
    assert stores[R("query")].data == {"candidate": "C-nothing", "group": "5"}


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _walk(child)
