"""Candidates, curation and endorsements on SQLite and PostgreSQL: stable candidate ids as
data grows, curated decisions surviving recomputation, rights, and counting each LA once."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from data.errors import PermissionDenied
from data.privacy.disclosure import DisclosureRules
from data.requirements import candidates, clusters, curation, endorsements, views
from data.requirements.curation import CurationError
from data.store.db import session_scope
from data.store.models import (
    AuditEvent,
    Endorsement,
    FindingCluster,
    Requirement,
    RequirementEvidence,
)
from tests.unit.test_requirements_support import (  # noqa: F401 (fixture)
    CHRON,
    add_findings,
    requirements_rule_alone,
    seed_authorities,
    standard_findings,
    supplier_id,
    viewer,
)

RULES = DisclosureRules()


# the requirements layer's own rule (see requirements_rule_alone)
pytestmark = pytest.mark.usefixtures("requirements_rule_alone")


@pytest.fixture
def db(sessions):
    """One session over a database with six LAs and the standard findings."""
    with session_scope(sessions) as s:
        seed_authorities(s)
        s.info["found"] = standard_findings(s)
        yield s


def stored(s) -> dict[int, str]:
    return clusters.stored_assignments(s)


def put(s, ids, cid):
    clusters.assign(s, ids, cid)


def evidence(s, rid) -> set[int]:
    return set(curation.evidence_ids(s, rid))


def endorsers(s, rid) -> set[int]:
    q = select(Endorsement.authority_id).where(Endorsement.requirement_id == rid)
    return set(s.scalars(q))


def test_regroup_keeps_every_stored_id_when_an_la_adds_findings(db):
    first = clusters.regroup(db)
    before = stored(db)
    assert first.findings == len(before) == 10
    assert clusters.ungrouped_count(db) == 0
    new = add_findings(
        db,
        "E09000913",
        "2010-Q1",
        [
            ("NAR", "core_assessment", "medium", 3, "Cannot filter the chronology by event type"),
            ("ACC", "general", "low", 2, "Voice recognition software is not supported"),
        ],
    )
    assert clusters.ungrouped_count(db) == 2
    second = clusters.regroup(db)
    after = stored(db)
    assert {f: after[f] for f in before} == before  # nothing reshuffled
    assert second.changed == 2 and set(after) == set(before) | set(new)
    # (which candidate a new finding joins is grouping.clustering's business, tested there)
    assert clusters.regroup(db).changed == 0  # recomputing again changes nothing


def test_merge_survives_recomputation_from_scratch(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["print"], "C-print")
    coord = viewer(db, "coordinator")
    a = curation.accept_candidate(
        db, coord, "C-chron", "Filter the chronology by event", "must", None
    )
    b = curation.accept_candidate(
        db, coord, "C-print", "Print conference reports well", "should", None
    )
    curation.merge(db, coord, b.id, a.id)
    assert stored(db)[found["print"][0]] == "C-chron"  # candidates follow at once
    db.execute(delete(FindingCluster))
    clusters.regroup(db)
    ids = stored(db)
    assert len({ids[f] for f in found["chron"] + found["print"]}) == 1
    assert evidence(db, a.id) == set(found["chron"] + found["print"])
    assert db.get(Requirement, b.id).merged_into_id == a.id


def test_split_survives_recomputation(db):
    found = db.info["found"]
    chron = found["chron"]
    put(db, chron, "C-chron")
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    req = curation.accept_candidate(
        db, rep, "C-chron", "Filter the chronology", "must", supplier_id(db, "OLM")
    )
    new = curation.split(db, rep, req.id, chron[2:], "Make chronology readable", "could")
    assert evidence(db, req.id) == set(chron[:2]) and evidence(db, new.id) == set(chron[2:])
    for fresh in (False, True):
        if fresh:
            db.execute(delete(FindingCluster))
        clusters.regroup(db)
        ids = stored(db)
        assert {ids[f] for f in chron[:2]}.isdisjoint({ids[f] for f in chron[2:]})
    assert evidence(db, req.id) == set(chron[:2]) and evidence(db, new.id) == set(chron[2:])


def test_curated_decisions_do_not_change_on_regroup(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    coord = viewer(db, "coordinator")
    la = viewer(db, "la_user", "E06000911")
    req = curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    endorsements.endorse(db, la, req.id)
    clusters.regroup(db)
    assert evidence(db, req.id) == set(found["chron"])
    assert endorsers(db, req.id) == {la.authority_id}
    ids = stored(db)
    assert len({ids[f] for f in found["chron"]}) == 1


def test_merge_and_unmerge_count_each_la_once_and_restore_exactly(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["print"], "C-print")
    put(db, found["slow"], "C-slow")
    coord = viewer(db, "coordinator")
    la1 = viewer(db, "la_user", "E09000911")
    la1b = viewer(db, "la_user", "E09000911")  # a second user of the same LA
    la2 = viewer(db, "la_user", "E06000911")
    a = curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    b = curation.accept_candidate(db, coord, "C-print", "Print ICPC reports", "should", None)
    c = curation.accept_candidate(db, coord, "C-slow", "Fast at month end", "could", None)
    assert endorsements.endorse(db, la1, a.id)
    assert not endorsements.endorse(db, la1b, a.id)  # one per LA
    endorsements.endorse(db, la1, b.id)
    endorsements.endorse(db, la2, b.id)
    endorsements.endorse(db, la2, c.id)
    before = {r: (evidence(db, r), endorsers(db, r)) for r in (a.id, b.id, c.id)}

    curation.merge(db, coord, c.id, b.id)  # nested: c into b, then b into a
    curation.merge(db, coord, b.id, a.id)
    reach = endorsements.reaches(db, [a.id])[a.id]
    assert reach.endorsers == {la1.authority_id, la2.authority_id}  # la1 counted once
    assert evidence(db, a.id) == set(found["chron"] + found["print"] + found["slow"])
    assert len(reach.las) == 6  # all six authorities, each once
    # endorsing a merged requirement endorses the one it is merged into
    assert not endorsements.endorse(db, la2, c.id)

    curation.unmerge(db, coord, b.id)
    assert evidence(db, a.id) == before[a.id][0] and endorsers(db, a.id) == before[a.id][1]
    assert evidence(db, b.id) == before[b.id][0] | before[c.id][0]  # c is still merged into b
    curation.unmerge(db, coord, c.id)
    after = {r: (evidence(db, r), endorsers(db, r)) for r in (a.id, b.id, c.id)}
    assert after == before
    origins = db.scalars(select(RequirementEvidence.origin_requirement_id)).all()
    assert set(origins) == {None}
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {
        "requirement_accepted",
        "requirement_merged",
        "requirement_unmerged",
        "requirement_endorsed",
    } <= actions


def test_unmerge_needs_a_merged_requirement_and_merge_needs_one_scope(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["print"], "C-print")
    coord = viewer(db, "coordinator")
    olm = supplier_id(db, "OLM")
    a = curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    b = curation.accept_candidate(db, coord, "C-print", "Print ICPC reports", "must", olm)
    with pytest.raises(CurationError, match="same supplier group"):
        curation.merge(db, coord, b.id, a.id)
    with pytest.raises(CurationError, match="not merged"):
        curation.unmerge(db, coord, a.id)
    with pytest.raises(CurationError, match="two different"):
        curation.merge(db, coord, a.id, a.id)


def test_rights_to_curate(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["print"], "C-print")
    olm, civica = supplier_id(db, "OLM"), supplier_id(db, "Civica")
    la = viewer(db, "la_user", "E09000911")
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    other_rep = viewer(db, "nlar_rep", "E06000911", "Civica")
    coord = viewer(db, "coordinator")
    admin = viewer(db, "admin")
    for who, group in ((la, olm), (la, None), (rep, civica), (rep, None), (admin, None)):
        with pytest.raises(PermissionDenied):
            curation.accept_candidate(db, who, "C-chron", "Filter the chronology", "must", group)
    assert db.scalar(select(func.count()).select_from(Requirement)) == 0
    mine = curation.accept_candidate(db, rep, "C-chron", "Filter the chronology", "must", olm)
    theirs = curation.accept_candidate(
        db, other_rep, "C-chron", "Chronology filter", "must", civica
    )
    national = curation.accept_candidate(db, coord, "C-print", "Print ICPC reports", "must", None)
    for who in (la, other_rep):
        with pytest.raises(PermissionDenied):
            curation.reword(db, who, mine.id, "Something else entirely", "could")
    with pytest.raises(PermissionDenied):
        curation.reword(db, rep, national.id, "Something else entirely", "could")
    with pytest.raises(PermissionDenied):
        curation.merge(db, rep, theirs.id, mine.id)
    with pytest.raises(PermissionDenied):
        curation.split(db, la, mine.id, found["chron"][:1], "A new requirement", "could")
    curation.reword(db, rep, mine.id, "Let workers filter the chronology by event type", "must")
    curation.reword(db, coord, theirs.id, "Chronology filter by event type", "should")
    assert db.get(Requirement, mine.id).statement.startswith("Let workers")
    with pytest.raises(PermissionDenied):
        endorsements.endorse(db, coord, mine.id)


def test_accepting_validates_and_claims_findings_once_per_scope(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["slow"], "C-slow")
    coord = viewer(db, "coordinator")
    olm = supplier_id(db, "OLM")
    with pytest.raises(CurationError, match="clear statement"):
        curation.accept_candidate(db, coord, "C-chron", "short", "must", None)
    with pytest.raises(CurationError, match="MoSCoW"):
        curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "asap", None)
    with pytest.raises(CurationError, match="no findings from that supplier group"):
        curation.accept_candidate(db, coord, "C-slow", "Faster at month end", "must", olm)
    first = curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    with pytest.raises(CurationError, match=f"already backs R-{first.id}"):
        curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    # another scope may accept the same candidate
    curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", olm)
    # a new finding joining the candidate can be added to the existing requirement
    extra = add_findings(db, "E09000913", "2010-Q1", [("NAR", "general", "low", 1, CHRON[0])])
    put(db, extra, "C-chron")
    curation.accept_candidate(db, coord, "C-chron", "", "", None, into_requirement_id=first.id)
    assert evidence(db, first.id) == set(found["chron"] + extra)


def test_candidate_table_applies_disclosure_for_the_viewer(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")  # 4 LAs, 24 respondents
    put(db, found["print"], "C-print")  # 3 LAs, 12 respondents
    put(db, found["slow"], "C-slow")  # 1 LA (Eastholm, Civica)
    coord = viewer(db, "coordinator")
    curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    la = viewer(db, "la_user", "E09000912")  # Birchley, OLM
    table = candidates.candidate_table(db, la, RULES).set_index("candidate")
    assert table.loc["C-chron", "las"] == "4" and table.loc["C-chron", "respondents"] == "24"
    assert table.loc["C-chron", "accepted_as"].startswith("R-")
    assert table.loc["C-slow", "las"] == "c" and table.loc["C-slow", "score"] == "c"
    # 3 LAs: not a safe atom (one LA removed leaves 2), so c as in the findings cube
    assert table.loc["C-print", "las"] == "c" and table.loc["C-print", "respondents"] == "c"
    assert table.loc["C-slow", "title"].startswith("Wording withheld")
    assert table.loc["C-slow", "label"] == "supplier-specific"
    assert table.index[0] == "C-chron"
    # the LA itself sees its own findings, unsuppressed
    own = viewer(db, "la_user", "E06000912")
    mine = candidates.candidate_table(db, own, RULES).set_index("candidate")
    assert mine.loc["C-slow", "las"] == "1" and not mine.loc["C-slow", "title"].startswith("Word")
    # the Civica rep may read the findings of their group; the OLM rep may not
    civ = viewer(db, "nlar_rep", "E06000911", "Civica")
    frame, withheld = candidates.candidate_findings(db, civ, RULES, "C-slow")
    assert len(frame) == 3 and withheld == 0 and set(frame["authority"]) != {"Eastholm"}
    olm = viewer(db, "nlar_rep", "E09000911", "OLM")
    frame, withheld = candidates.candidate_findings(db, olm, RULES, "C-slow")
    assert frame.empty and withheld == 3
    only = candidates.candidate_table(
        db, olm, RULES, candidates.CandidateFilter(supplier_id=supplier_id(db, "OLM"), min_las=3)
    )
    # the filter reads the shown counts: C-print's hidden 3 is not bracketed by it
    assert set(only["candidate"]) == {"C-chron"}


def test_drill_down_is_anonymised(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    la = viewer(db, "la_user", "E09000912")  # Birchley
    frame, withheld = candidates.candidate_findings(db, la, RULES, "C-chron")
    assert withheld == 0 and len(frame) == 4
    who = dict(zip(frame["finding_id"], frame["authority"], strict=True))
    assert who[found["chron"][1]] == "Birchley"  # own LA by name
    assert who[found["chron"][0]] == "Ashbury"  # consented to be named
    assert who[found["chron"][2]] == candidates.ANOTHER_LA
    assert set(frame.loc[frame["authority"] == candidates.ANOTHER_LA, "respondents"]) == {"c"}


def test_reach_text_and_requirement_list(db):
    found = db.info["found"]
    put(db, found["chron"], "C-chron")
    put(db, found["slow"], "C-slow")
    coord = viewer(db, "coordinator")
    big = curation.accept_candidate(db, coord, "C-chron", "Filter the chronology", "must", None)
    small = curation.accept_candidate(db, coord, "C-slow", "Faster month end", "could", None)
    la = viewer(db, "la_user", "E06000912")
    endorsements.endorse(db, la, big.id)
    listed = views.requirement_list(db, la, RULES).set_index("requirement")
    assert listed.loc[f"R-{big.id}", "reach"] == (
        "raised by 4 LAs across 3 supplier groups, endorsed by 1 LA"
    )
    assert listed.loc[f"R-{big.id}", "your_la_endorsed"] == "yes"
    # own findings only: shown; others see c
    assert listed.loc[f"R-{small.id}", "reach"].startswith("raised by 1 LA across 1 supplier")
    other = views.requirement_list(db, coord, RULES).set_index("requirement")
    assert other.loc[f"R-{big.id}", "reach"].endswith("endorsed by c LAs")
    assert other.loc[f"R-{small.id}", "reach"].startswith("raised by c LAs across c")
    detail = views.requirement_detail(db, la, RULES, big.id)
    assert detail.endorsed_by_own and detail.may_endorse and not detail.may_curate
    assert endorsements.withdraw(db, la, big.id) and not endorsements.withdraw(db, la, big.id)
