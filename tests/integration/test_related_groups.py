"""Marking candidate groups "related, not the same" and a finding's closest findings, through
Dash's callback endpoint as the browser calls them, with forged requests: only a curator of a
supplier group both candidates hold findings from may mark or unmark, anyone else is refused
with a clear message and nothing changes; closest findings never show a finding the viewer
is not shown in the group's list."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from dashboard.users import create_user
from data.errors import NotFound
from data.pages import evidence
from data.privacy.disclosure import DisclosureRules
from data.requirements import closest, related
from data.store.db import session_scope
from data.store.models import AuditEvent, ClusterRelation, Finding, FindingCluster, User
from tests.integration import test_requirements_pages as pages
from tests.integration.conftest import PASSWORD
from tests.integration.test_requirements_pages import as_viewer, fire, text

sessions, world = pages.sessions, pages.world  # that module's fixtures: its database

RELATE = ["req-relate-msg.children", "req-changed-relate.data"]
PANEL = [
    f"req-{c}"
    for c in (
        "related-area.style",
        "related-links.children",
        "relate-form.style",
        "relate-target.options",
        "unrelate-target.options",
        "relate-target.value",
        "unrelate-target.value",
        "relate.disabled",
        "unrelate.disabled",
    )
]
NEAR = ["req-near-note.children", "req-near.children"]
HIDDEN = {"display": "none"}


@pytest.fixture(scope="module")
def pair(sessions, world):
    """Two candidate groups holding OLM findings, and users of other kinds."""
    with session_scope(sessions) as s:
        groups = related.supplier_groups(
            s, s.scalars(select(FindingCluster.cluster_id).distinct()).all()
        )
        olm = sorted(c for c, held in groups.items() if world["olm"] in held)
        for name, role, code, supplier in (
            ("capita-rep", "nlar_rep", "E09000901", "Capita"),
            ("olm-supplier", "supplier", None, "OLM"),
        ):
            if s.scalar(select(User).where(User.username == name)) is None:
                create_user(s, name, PASSWORD, role, authority_code=code, supplier_name=supplier)
    assert len(olm) >= 2
    return olm[0], olm[1]


@pytest.fixture(autouse=True)
def no_marks(sessions):
    with session_scope(sessions) as s:
        s.execute(delete(ClusterRelation))


def relate(client, candidate, other, button="req-relate"):
    return fire(
        client,
        RELATE,
        [
            ("req-relate", "n_clicks", 1 if button == "req-relate" else None),
            ("req-unrelate", "n_clicks", 1 if button == "req-unrelate" else None),
        ],
        [
            ("req-candidate", "data", candidate),
            ("req-relate-target", "value", other if button == "req-relate" else ""),
            ("req-unrelate-target", "value", other if button == "req-unrelate" else ""),
            ("req-changed-relate", "data", {"n": 0}),
        ],
        button,
    )


def panel(client, candidate):
    return fire(
        client,
        PANEL,
        [
            ("req-candidate", "data", candidate),
            ("req-group", "value", "all"),
            ("req-changed-relate", "data", {"n": 1}),
            ("req-changed-regroup", "data", {"n": 0}),
        ],
        [],
        "req-candidate",
    )


def marks(sessions) -> list[tuple[str, str]]:
    with session_scope(sessions) as s:
        return s.execute(select(ClusterRelation.cluster_a, ClusterRelation.cluster_b)).all()


def audited(sessions, action: str) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


def test_forged_marks_by_non_curators_are_refused_and_change_nothing(
    signed_in,
    sessions,
    pair,
):
    a, b = pair
    for user in ("la", "la2", "capita-rep", "admin"):
        response = relate(signed_in(user), a, b)
        assert "Not allowed" in text(response, "req-relate-msg"), user
        assert "req-changed-relate" not in response or response["req-changed-relate"] is None
    assert marks(sessions) == []
    assert audited(sessions, "candidates_related") == 0
    supplier = signed_in("olm-supplier")
    body = {
        "output": "..req-relate-msg.children...req-changed-relate.data..",
        "outputs": [
            {"id": "req-relate-msg", "property": "children"},
            {"id": "req-changed-relate", "property": "data"},
        ],
        "inputs": [{"id": "req-relate", "property": "n_clicks", "value": 1}],
        "state": [{"id": "req-candidate", "property": "data", "value": a}],
        "changedPropIds": ["req-relate.n_clicks"],
    }
    refused = supplier.post(body)
    assert refused.status_code == 403
    assert "Not available to supplier accounts" in refused.get_data(as_text=True)
    assert marks(sessions) == []


def test_curators_mark_and_unmark_and_the_link_shows_on_both_groups(
    signed_in,
    sessions,
    pair,
):
    a, b = pair
    rep, la = signed_in("nlar"), signed_in("la")
    choices = panel(rep, a)
    assert choices["req-relate-form"]["style"] != HIDDEN
    assert b in [o["value"] for o in choices["req-relate-target"]["options"]]
    assert a not in [o["value"] for o in choices["req-relate-target"]["options"]]
    assert choices["req-unrelate"]["disabled"] is True  # nothing marked yet to remove
    assert panel(la, a)["req-relate-form"]["style"] == HIDDEN  # not a curator: no control
    assert "Marked related, not the same" in text(relate(rep, a, b), "req-relate-msg")
    assert marks(sessions) == [tuple(sorted((a, b)))]
    assert audited(sessions, "candidates_related") == 1
    assert "Already marked" in text(relate(signed_in("coord"), b, a), "req-relate-msg")
    for mine, other in ((a, b), (b, a)):  # shown as a link on both groups, to any viewer
        shown = panel(la, mine)
        assert f"/requirements?candidate={other}" in text(shown, "req-related-links")
        curator = panel(rep, mine)
        assert other in [o["value"] for o in curator["req-unrelate-target"]["options"]]
        assert curator["req-unrelate"]["disabled"] is False
    assert b not in [o["value"] for o in panel(rep, a)["req-relate-target"]["options"]]
    for user in ("la", "capita-rep"):  # nor may they remove it
        response = relate(signed_in(user), a, b, "req-unrelate")
        assert "Not allowed" in text(response, "req-relate-msg"), user
    assert len(marks(sessions)) == 1
    assert "Mark removed" in text(relate(rep, b, a, "req-unrelate"), "req-relate-msg")
    assert marks(sessions) == [] and audited(sessions, "candidates_unrelated") == 1
    assert "None marked" in text(panel(la, a), "req-related-links")


@pytest.mark.parametrize(
    "candidate, other, expected",
    [
        ("C-nothing", "C-1", "No candidate group C-nothing"),
        ("C-1", "C-1", "cannot be related to itself"),
        ("C-1", "", "Choose the other candidate group"),
        ("C-1", 12345, "No candidate group 12345"),
        ("C-1", ["C-2"], "Unknown candidate group"),
        ("C-1", "x" * 500, "Unknown candidate group"),
        (None, "C-1", "Select a candidate first"),
    ],
)
def test_bad_choices_get_a_clear_message(signed_in, sessions, pair, candidate, other, expected):
    response = relate(signed_in("coord"), candidate, other)
    assert expected in text(response, "req-relate-msg")
    assert marks(sessions) == []


def test_closest_findings_show_only_what_the_viewer_sees(signed_in, sessions, world, pair):
    a, b = pair
    la = signed_in("la")
    with session_scope(sessions) as s:
        viewer = as_viewer(s, "la")
        shown = evidence.candidate_findings(s, viewer, DisclosureRules(), a).rows  # the list
        assert len(shown) >= 2
        first = int(shown["finding_id"].iloc[0])
        elsewhere = int(
            s.scalar(select(FindingCluster.finding_id).where(FindingCluster.cluster_id == b))
        )
        own = shown.iloc[: len(shown) - 1]  # a narrower list: its last row is not shown
        hidden = int(shown["finding_id"].iloc[-1])
        with pytest.raises(NotFound, match="not among the findings shown"):
            closest.closest_findings(s, own, a, hidden)
        near = closest.closest_findings(s, own, a, int(own["finding_id"].iloc[0]))
        assert set(near.rows["finding_id"].astype(int)) <= set(own["finding_id"].astype(int))
        assert hidden not in set(near.rows["finding_id"].astype(int))

    def pick(finding):
        return fire(
            la,
            NEAR,
            [
                ("req-cand-findings", "selectedRows", [{"finding_id": finding}]),
                ("req-candidate", "data", a),
            ],
            [],
            "req-cand-findings",
        )

    # the small database repeats one wording: its copies are not the finding's neighbours
    assert shown["description"].map(closest.same_text).nunique() == 1
    got = pick(first)
    assert f"Finding {first}" in text(got, "req-near-note")
    copies = len(shown) - 1
    assert f"{copies} other finding" in text(got, "req-near-note")
    assert "No other text is shown" in text(got, "req-near-note")
    assert got["req-near"]["children"] is None
    other = int(shown["finding_id"].iloc[1])
    with session_scope(sessions) as s:  # give one other finding its own wording, for a while
        finding = s.get(Finding, other)
        wording, finding.description = finding.description, "Screens freeze on large cases."
    try:
        got = pick(first)
    finally:
        with session_scope(sessions) as s:
            s.get(Finding, other).description = wording
    table = text(got, "req-near")
    assert "most like it" in text(got, "req-near-note")
    assert "%" in table and any(w in table for w in ("similar", "almost the same", "related"))
    assert f'"{other}"' in table and "Screens freeze on large cases." in table
    forged = fire(
        la,
        NEAR,
        [
            ("req-cand-findings", "selectedRows", [{"finding_id": elsewhere}]),
            ("req-candidate", "data", a),
        ],
        [],
        "req-cand-findings",
    )
    assert "not among the findings shown to you" in text(forged, "req-near-note")
    assert forged["req-near"]["children"] is None
