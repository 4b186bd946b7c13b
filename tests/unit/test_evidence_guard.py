"""The requirements drill-downs under the Themes anonymity-set rule (data.pages.evidence):
a pseudonym or group that, with the finding attributes a row shows, narrows it to fewer than
MIN_LAS authorities is dropped; a row that still rests on too few is left out, with a note."""

from __future__ import annotations

import pytest

from data.pages import evidence, themes
from data.privacy.disclosure import DisclosureRules
from data.requirements import candidates, clusters
from data.store.db import session_scope
from data.store.versioning import bump_data_version
from tests.unit.test_requirements_support import (
    add_findings,
    seed_authorities,
    standard_findings,
    viewer,
)

RULES = DisclosureRules()
ANOTHER = candidates.ANOTHER_LA


@pytest.fixture
def db(sessions):
    # memos are per database URL and data version: PostgreSQL tests reuse one URL
    for memo in (evidence._MEMO, themes._MEMO, themes._CUBES, themes._LINKED):
        memo._entries.clear()
    with session_scope(sessions) as s:
        seed_authorities(s)
        found = standard_findings(s)
        clusters.assign(s, found["chron"], "C-chron")  # NAR x core_assessment x high, 4 LAs
        s.info["found"] = found
        yield s


def _drill(db, who, cid="C-chron"):
    bump_data_version(db)  # a new population for what the test stored
    return evidence.candidate_findings(db, who, RULES, cid)


def _by_authority(guarded):
    return dict(zip(guarded.rows["authority"], guarded.rows["supplier_group"], strict=True))


def test_pseudonyms_that_single_out_are_dropped_for_a_coordinator(db):
    # only two OLM authorities (and one Civica, one Corelogic) have a NAR/core/high finding:
    # "OLM + pseudonym" would narrow each row to fewer than three
    raw, _ = candidates.candidate_findings(db, viewer(db, "coordinator"), RULES, "C-chron")
    assert (raw["authority"] != ANOTHER).all()  # the requirements layer alone names them all
    guarded = _drill(db, viewer(db, "coordinator"))
    assert len(guarded.rows) == 4 and guarded.withheld == 0 and guarded.unnamed == 3
    named = guarded.rows.loc[guarded.rows["authority"] != ANOTHER, "authority"].tolist()
    assert named == ["Ashbury"]  # consented to be named
    others = guarded.rows.loc[guarded.rows["authority"] == ANOTHER]
    assert set(others["supplier_group"]) == {evidence.NO_GROUP}
    assert set(others["respondents"]) == {"c"}
    assert "without their pseudonym" in guarded.note(RULES)


def test_a_pseudonym_among_enough_of_its_group_is_kept(db):
    # a third OLM authority with a finding of the same attributes (not in the candidate)
    add_findings(db, "E09000913", "2010-Q1", [("NAR", "core_assessment", "high", 2, "Other")])
    guarded = _drill(db, viewer(db, "coordinator"))
    groups = _by_authority(guarded)
    olm = [a for a, g in groups.items() if g == "OLM" and a != "Ashbury"]
    assert len(olm) == 1 and olm[0] != ANOTHER and guarded.unnamed == 2


def test_a_row_whose_attributes_few_authorities_share_is_left_out(db):
    found = db.info["found"]
    odd_finding = ("NAR", "core_assessment", "low", 1, "Chronology filter missing")
    odd = add_findings(db, "E06000912", "2010-Q2", [odd_finding])
    clusters.assign(db, found["chron"] + odd, "C-chron")
    la = viewer(db, "la_user", "E09000912")  # Birchley
    guarded = _drill(db, la)
    assert guarded.withheld == 1 and len(guarded.rows) == 4
    assert "Chronology filter missing" not in set(guarded.rows["description"])
    assert "withheld" in guarded.note(RULES)
    # the authority itself still sees its own row
    own = _drill(db, viewer(db, "la_user", "E06000912"))
    assert "Chronology filter missing" in set(own.rows["description"])
