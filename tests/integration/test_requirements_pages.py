"""Requirements and specifications pages through Dash's callback endpoint, as the browser
calls them, with crafted inputs: rights are enforced on the server whatever the page shows."""

from __future__ import annotations

import base64
import io
import json

import docx
import pytest
from sqlalchemy import delete, func, select, update

from data.privacy.access import Viewer
from data.requirements import clusters, curation, endorsements
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import (
    CurationLink,
    Endorsement,
    Finding,
    FindingCluster,
    Requirement,
    RequirementEvidence,
    Specification,
    SpecificationItem,
    SpecificationVersion,
    Supplier,
    User,
)
from tests.integration.conftest import output_id

ACCEPT = ["req-accept-msg.children", "req-changed-accept.data"]
CURATE = ["req-curate-msg.children", "req-changed-curate.data"]
ENDORSE = ["req-endorse-msg.children", "req-changed-endorse.data"]
DETAIL = [
    f"req-{c}"
    for c in (
        "detail-title.children",
        "detail-statement.children",
        "detail-reach.children",
        "detail-meta.children",
        "endorse-area.style",
        "evidence-note.children",
        "evidence.rowData",
        "curate-panel.style",
        "reword-statement.value",
        "reword-priority.value",
        "merge-target.options",
    )
]
CURATE_BUTTONS = ("req-reword", "req-merge", "req-unmerge", "req-split")


def fire(client, outputs: list[str], inputs: list[tuple], state: list[tuple], changed: str):
    """POST one callback: inputs/state as (id, property, value); `changed` is the trigger id."""
    response = client.callback(
        output_id(outputs),
        [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        [{"id": i, "property": p, "value": v} for i, p, v in state],
        changed=[f"{i}.{p}" for i, p, _ in inputs if i == changed],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def text(response: dict, component: str) -> str:
    return json.dumps(response[component])


@pytest.fixture(scope="module")
def sessions(small_db):
    engine = make_engine(small_db)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def world(sessions):
    """Stored candidates; the chronology candidate (3 LAs, 3 groups) and the slow-screens one."""
    with session_scope(sessions) as s:
        clusters.regroup(s)
        ids = dict(s.execute(select(Supplier.name, Supplier.id)).all())
        cid = {
            key: s.scalar(
                select(FindingCluster.cluster_id)
                .join(Finding, Finding.id == FindingCluster.finding_id)
                .where(Finding.description.like(f"{start}%"))
                .limit(1)
            )
            for key, start in (("chron", "Chronology"), ("slow", "Screens slow"))
        }
    return {"olm": ids["OLM"], "corelogic": ids["Corelogic"], **cid}


@pytest.fixture(autouse=True)
def no_requirements(sessions, world):
    """Each test starts without requirements or specifications (candidates stay)."""
    with session_scope(sessions) as s:
        for model in (
            SpecificationItem,
            SpecificationVersion,
            Specification,
            Endorsement,
            RequirementEvidence,
            CurationLink,
        ):
            s.execute(delete(model))
        s.execute(update(Requirement).values(merged_into_id=None))
        s.execute(delete(Requirement))


def as_viewer(s, username: str) -> Viewer:
    u = s.scalar(select(User).where(User.username == username))
    return Viewer(u.id, u.role, u.authority_id, u.supplier_id)


def accept(client, candidate: str, group, statement="Let workers filter the chronology by event"):
    return fire(
        client,
        ACCEPT,
        [("req-accept", "n_clicks", 1)],
        [
            ("req-candidate", "data", candidate),
            ("req-accept-statement", "value", statement),
            ("req-accept-priority", "value", "must"),
            ("req-accept-group", "value", str(group)),
            ("req-accept-into", "value", None),
            ("req-changed-accept", "data", {"n": 0}),
        ],
        "req-accept",
    )


def curate(
    client,
    button: str,
    selected: int,
    *,
    target=None,
    ticked=(),
    statement="Reworded requirement statement",
):
    return fire(
        client,
        CURATE,
        [(b, "n_clicks", 1 if b == button else None) for b in CURATE_BUTTONS],
        [
            ("req-selected", "data", selected),
            ("req-reword-statement", "value", statement),
            ("req-reword-priority", "value", "could"),
            ("req-merge-target", "value", target),
            ("req-evidence", "selectedRows", [{"finding_id": f} for f in ticked]),
            ("req-split-statement", "value", "A split-off requirement statement"),
            ("req-split-priority", "value", "could"),
            ("req-changed-curate", "data", {"n": 0}),
        ],
        button,
    )


def endorse(client, selected: int, button: str = "req-endorse"):
    return fire(
        client,
        ENDORSE,
        [
            ("req-endorse", "n_clicks", 1 if button == "req-endorse" else None),
            ("req-withdraw", "n_clicks", 1 if button == "req-withdraw" else None),
        ],
        [("req-selected", "data", selected), ("req-changed-endorse", "data", {"n": 0})],
        button,
    )


def count(sessions, model, *where) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def new_requirement(sessions, username: str, candidate: str, group, statement: str) -> int:
    with session_scope(sessions) as s:
        viewer = as_viewer(s, username)
        return curation.accept_candidate(s, viewer, candidate, statement, "should", group).id


def test_la_user_cannot_accept_merge_edit_or_regroup(signed_in, sessions, world):
    la = signed_in("la")
    before = count(sessions, Requirement)
    for group in (world["olm"], "all"):
        assert "Not allowed" in text(accept(la, world["chron"], group), "req-accept-msg")
    assert count(sessions, Requirement) == before
    rid = new_requirement(
        sessions, "nlar", world["slow"], world["olm"], "Screens fast at month end"
    )
    other = new_requirement(sessions, "coord", world["chron"], None, "Chronology filter by event")
    for button, kwargs in (
        ("req-reword", {}),
        ("req-merge", {"target": other}),
        ("req-split", {"ticked": [1]}),
        ("req-unmerge", {}),
    ):
        response = curate(la, button, rid, **kwargs)
        assert "Not allowed" in text(response, "req-curate-msg"), button
    with session_scope(sessions) as s:
        assert s.get(Requirement, rid).statement == "Screens fast at month end"
        assert s.get(Requirement, rid).merged_into_id is None
    regroup = fire(
        la,
        ["req-regroup-msg.children", "req-changed-regroup.data"],
        [("req-regroup", "n_clicks", 1)],
        [("req-changed-regroup", "data", {"n": 0})],
        "req-regroup",
    )
    assert "Not allowed" in text(regroup, "req-regroup-msg")


def test_nlar_rep_curates_only_their_own_group(signed_in, sessions, world):
    rep = signed_in("nlar")  # OLM
    for group in (world["corelogic"], "all"):
        assert "Not allowed" in text(accept(rep, world["slow"], group), "req-accept-msg")
    theirs = new_requirement(sessions, "coord", world["slow"], world["corelogic"], "Faster screens")
    response = accept(rep, world["chron"], world["olm"])
    assert "Accepted as R-" in text(response, "req-accept-msg")
    mine = response["req-changed-accept"]["data"]["select"]
    assert "Not allowed" in text(curate(rep, "req-reword", theirs), "req-curate-msg")
    assert "Not allowed" in text(curate(rep, "req-merge", mine, target=theirs), "req-curate-msg")
    assert "Not allowed" in text(curate(rep, "req-merge", theirs, target=mine), "req-curate-msg")
    assert "reworded" in text(curate(rep, "req-reword", mine), "req-curate-msg")
    with session_scope(sessions) as s:
        assert s.get(Requirement, mine).statement == "Reworded requirement statement"
        assert s.get(Requirement, mine).supplier_id == world["olm"]
        assert s.get(Requirement, theirs).statement == "Faster screens"


def listed(client, group) -> list[str]:
    """The requirement list's refs (R-1 ...) for the group control's value."""
    inputs = [("req-group", "value", group), ("req-show-merged", "value", [])] + [
        (f"req-changed-{s}", "data", {"n": 0}) for s in ("accept", "endorse", "curate")
    ]
    response = client.callback(
        "..req-list.rowData..",  # one dict output
        [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        changed=["req-group.value"],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return sorted(r["key"] for r in response.get_json()["response"]["req-list"]["rowData"])


def test_list_filters_by_group_and_an_unknown_group_means_all(signed_in, sessions, world):
    olm = new_requirement(sessions, "coord", world["chron"], world["olm"], "Filter the chronology")
    other = new_requirement(sessions, "coord", world["slow"], world["corelogic"], "Faster screens")
    client = signed_in("coord")
    everyone = listed(client, "all")
    assert {f"R-{olm}", f"R-{other}"} <= set(everyone)
    assert f"R-{olm}" in listed(client, str(world["olm"]))
    assert f"R-{other}" not in listed(client, str(world["olm"]))
    for forged in ("999999", "R-1", " ", ["1"], None):
        assert listed(client, forged) == everyone, forged
    refused = client.callback(  # a value no dropdown sends: refused before the callback runs
        "..req-list.rowData..",
        [{"id": "req-group", "property": "value", "value": {"a": 1}},
         {"id": "req-show-merged", "property": "value", "value": []}]
        + [{"id": f"req-changed-{s}", "property": "data", "value": {"n": 0}}
           for s in ("accept", "endorse", "curate")],
        changed=["req-group.value"],
    )  # fmt: skip
    assert refused.status_code == 400
    assert "Malformed callback request" in refused.get_data(as_text=True)


def test_endorsements_count_once_per_la(signed_in, sessions, world):
    rid = new_requirement(sessions, "coord", world["chron"], None, "Chronology filtered by event")
    la, rep, la2 = signed_in("la"), signed_in("nlar"), signed_in("la2")  # la and nlar: one LA
    assert "Endorsed R-" in text(endorse(la, rid), "req-endorse-msg")
    assert "already endorsed" in text(endorse(rep, rid), "req-endorse-msg")
    assert count(sessions, Endorsement, Endorsement.requirement_id == rid) == 1
    detail = fire(
        la,
        DETAIL,
        [
            ("req-selected", "data", rid),
            ("req-changed-endorse", "data", {"n": 1}),
            ("req-changed-curate", "data", {"n": 0}),
        ],
        [],
        "req-selected",
    )
    assert "endorsed by 1 LA" in text(detail, "req-detail-reach")
    assert detail["req-curate-panel"]["style"] == {"display": "none"}  # not a curator
    endorse(la2, rid)
    assert count(sessions, Endorsement, Endorsement.requirement_id == rid) == 2
    assert "Not allowed" in text(endorse(signed_in("coord"), rid), "req-endorse-msg")
    endorse(la2, rid, "req-withdraw")
    assert count(sessions, Endorsement, Endorsement.requirement_id == rid) == 1


def test_merge_and_unmerge_never_double_count_an_la(signed_in, sessions, world):
    olm = world["olm"]
    a = new_requirement(sessions, "nlar", world["chron"], olm, "Filter the chronology by event")
    b = new_requirement(sessions, "nlar", world["slow"], olm, "Keep screens fast at month end")
    la, la2, rep = signed_in("la"), signed_in("la2"), signed_in("nlar")
    for client, rid in ((la, a), (la, b), (la2, b)):
        endorse(client, rid)
    with session_scope(sessions) as s:
        before = endorsements.reaches(s, [a, b])
    assert "merged into" in text(curate(rep, "req-merge", b, target=a), "req-curate-msg")
    with session_scope(sessions) as s:
        merged = endorsements.reaches(s, [a])[a]
        assert merged.las == before[a].las | before[b].las and len(merged.las) == 3
        assert merged.endorsers == before[a].endorsers | before[b].endorsers
        assert len(merged.endorsers) == 2  # Testbury endorsed both: counted once
    assert "unmerged" in text(curate(rep, "req-unmerge", b), "req-curate-msg")
    with session_scope(sessions) as s:
        assert endorsements.reaches(s, [a, b]) == before


def test_specification_page_rights_and_word_download(signed_in, sessions, world):
    rid = new_requirement(sessions, "coord", world["chron"], None, "Chronology filters for all")
    create = ["spec-create-msg.children", "spec-changed-create.data"]

    def make(client, group):
        return fire(
            client,
            create,
            [("spec-create", "n_clicks", 1)],
            [
                ("spec-new-title", "value", "Joint specification 2010"),
                ("spec-new-group", "value", str(group)),
                ("spec-changed-create", "data", {"n": 0}),
            ],
            "spec-create",
        )

    assert "Not allowed" in text(make(signed_in("la"), world["olm"]), "spec-create-msg")
    rep = signed_in("nlar")
    assert "Not allowed" in text(make(rep, world["corelogic"]), "spec-create-msg")
    spec = make(rep, world["olm"])["spec-changed-create"]["data"]["select"]
    saved = fire(
        rep,
        ["spec-save-msg.children", "spec-changed-version.data"],
        [("spec-save-version", "n_clicks", 1)],
        [
            ("spec-pick", "value", spec),
            ("spec-build-reqs", "value", [rid]),
            ("spec-build-period", "value", None),
            ("spec-build-note", "value", "first"),
            ("spec-changed-version", "data", {"n": 0}),
        ],
        "spec-save-version",
    )
    assert "Version 1 saved" in text(saved, "spec-save-msg")
    status = fire(
        signed_in("la"),
        ["spec-status-msg.children", "spec-changed-status.data"],
        [("spec-status-save", "n_clicks", 1)],
        [
            ("spec-status-req", "value", rid),
            ("spec-status-value", "value", "declined"),
            ("spec-status-release", "value", ""),
            ("spec-changed-status", "data", {"n": 0}),
        ],
        "spec-status-save",
    )
    assert "Not allowed" in text(status, "spec-status-msg")
    download = fire(
        signed_in("la2"),
        ["spec-download.data", "spec-download-msg.children"],
        [("spec-download-docx", "n_clicks", 1), ("spec-download-csv", "n_clicks", None)],
        [("spec-pick", "value", spec), ("spec-version", "value", 1)],
        "spec-download-docx",
    )
    payload = download["spec-download"]["data"]
    assert payload["filename"] == "joint-specification-2010-v1.docx"
    document = docx.Document(io.BytesIO(base64.b64decode(payload["content"])))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Chronology filters for all" in body and "Built with: Supplier group: OLM" in body
