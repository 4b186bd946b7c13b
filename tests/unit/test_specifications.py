"""Joint specifications: rights, versions, status, and exports (Word and CSV) that carry the
evidence with the same suppression as the screen."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from data.errors import PermissionDenied
from data.pages import evidence as drill_down  # noqa: F401 (registers the quotation rule)
from data.privacy.disclosure import DisclosureRules
from data.requirements import (
    curation,
    endorsements,
    evidence,
    export,
    specifications,
)
from data.requirements.curation import CurationError
from data.store.db import session_scope
from data.store.models import AuditEvent, Finding, Requirement
from data.store.versioning import bump_data_version
from tests.unit.test_requirements_support import (  # noqa: F401 (fixture)
    add_theme_scores,
    clustered_findings,
    requirements_rule_alone,
    supplier_id,
    viewer,
)

RULES = DisclosureRules()


# the requirements layer's own rule (see requirements_rule_alone)
pytestmark = pytest.mark.usefixtures("requirements_rule_alone")


@pytest.fixture
def db(sessions):
    with session_scope(sessions) as s:
        s.info["found"] = clustered_findings(s)
        yield s


def requirements(s):
    """R(chron) for all groups, R(print) for OLM, R(slow) for Civica."""
    coord = viewer(s, "coordinator")
    olm, civ = supplier_id(s, "OLM"), supplier_id(s, "Civica")
    chron = curation.accept_candidate(
        s, coord, "C-chron", "Filter the chronology by event type", "must", None
    )
    prints = curation.accept_candidate(
        s, coord, "C-print", "Print ICPC reports without retyping", "should", olm
    )
    slow = curation.accept_candidate(
        s, coord, "C-slow", "Keep screens fast at month end", "could", civ
    )
    return chron, prints, slow


def text_of(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_rights_and_scope(db):
    chron, prints, slow = requirements(db)
    olm = supplier_id(db, "OLM")
    la = viewer(db, "la_user", "E09000911")
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    other = viewer(db, "nlar_rep", "E06000911", "Civica")
    for who, group in ((la, olm), (rep, None), (other, olm)):
        with pytest.raises(PermissionDenied):
            specifications.create_specification(db, who, "Joint specification", group)
    spec = specifications.create_specification(db, rep, "OLM joint specification 2010", olm)
    with pytest.raises(PermissionDenied):
        specifications.new_version(db, other, spec.id, [prints.id])
    with pytest.raises(CurationError, match="cannot go in this specification"):
        specifications.new_version(db, rep, spec.id, [prints.id, slow.id])
    eligible = {r.id for r in specifications.eligible_requirements(db, olm)}
    assert eligible == {chron.id, prints.id}
    with pytest.raises(PermissionDenied):
        specifications.set_status(db, rep, chron.id, "with_supplier")  # all-group requirement
    with pytest.raises(PermissionDenied):
        specifications.set_status(db, la, prints.id, "with_supplier")


def test_versions_keep_order_and_move_status(db):
    chron, prints, _ = requirements(db)
    rep = viewer(db, "nlar_rep", "E09000911", "OLM")
    spec = specifications.create_specification(db, rep, "OLM joint specification", rep.supplier_id)
    v1 = specifications.new_version(db, rep, spec.id, [prints.id, chron.id, prints.id], note="n")
    assert v1.number == 1 and v1.data_version >= 1
    assert specifications.version_requirement_ids(db, v1.id) == [prints.id, chron.id]
    assert db.get(Requirement, prints.id).status == "in_specification"
    v2 = specifications.new_version(db, rep, spec.id, [chron.id])
    assert v2.number == 2
    assert specifications.get_version(db, spec.id).number == 2
    assert specifications.version_requirement_ids(db, v1.id) == [prints.id, chron.id]
    with pytest.raises(CurationError, match="release"):
        specifications.set_status(db, rep, prints.id, "delivered")
    specifications.set_status(db, rep, prints.id, "delivered", "Release 5.2")
    assert evidence.status_text(db.get(Requirement, prints.id)) == "Delivered in Release 5.2"
    with pytest.raises(CurationError):
        specifications.set_status(db, rep, prints.id, "finished")
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {
        "specification_created",
        "specification_version_saved",
        "requirement_status_changed",
    } <= actions


def test_word_and_csv_export_carry_evidence_and_suppression(db):
    chron, prints, slow = requirements(db)
    found = db.info["found"]
    subs = db.scalars(
        select(Finding.submission_id).where(Finding.id.in_(found["chron"] + found["print"]))
    ).all()
    add_theme_scores(db, sorted(set(subs)), "NAR")
    # a personal detail that slipped through must not reach the export
    db.get(Finding, found["chron"][1]).description += " Call Mrs Smith on 01632 960123."
    coord = viewer(db, "coordinator")
    for code in ("E09000911", "E09000912"):
        endorsements.endorse(db, viewer(db, "la_user", code), chron.id)
    spec = specifications.create_specification(db, coord, "National specification", None)
    specifications.new_version(db, coord, spec.id, [chron.id], note="For the March forum")
    civ = specifications.create_specification(db, coord, "Civica specification", slow.supplier_id)
    specifications.new_version(db, coord, civ.id, [slow.id])

    doc = evidence.build_document(db, RULES, spec.id, viewer=coord)
    item = doc.items[0]
    assert (item.las, item.groups, item.respondents) == ("4", "3", "24")
    assert item.endorsements == "c"  # two LAs endorsed: fewer than three
    # latest period: 3 LAs have NAR scores, too few for a safe score atom, so c, the
    # same as Compare's England x NAR cell
    assert item.theme_score == "c"
    # quotations follow the drill-down rule (data.pages.evidence): four authorities share
    # the rows' attributes and no group is named (an all-group requirement), so all are shown
    assert 2 <= len(item.quotations) <= 3 and item.quotation_note == ""
    assert any(q.endswith("— Ashbury") for q in item.quotations)  # consented to be named
    for name in ("Birchley", "Dunmere", "Fallowfield", "Smith", "01632"):
        assert all(name not in q for q in item.quotations)

    text = text_of(export.to_docx(doc))
    assert "Filter the chronology by event type" in text
    assert "Authorities raising it\n4" in text and "Supplier groups\n3" in text
    assert "Built with: Supplier group: All supplier groups" in text
    assert f"data version {doc.data_version}" in text and "For the March forum" in text
    assert "c = suppressed" in text

    small = evidence.build_document(db, RULES, civ.id, viewer=coord)
    s_item = small.items[0]
    assert (s_item.las, s_item.groups, s_item.respondents) == ("c", "c", "c")
    assert s_item.quotations == () and "withheld" in s_item.quotation_note
    assert s_item.theme_score == "x"  # no scores stored for this group and theme
    csv = export.to_csv(small)
    head = [line for line in csv.splitlines() if line.startswith("# ")]
    assert any("Built with: Supplier group: Civica" in h for h in head)
    assert any("Data version:" in h for h in head) and any("c = suppressed" in h for h in head)
    assert "Keep screens fast at month end" in csv and "Slow" not in csv.split("\n", 4)[-1]
    table = evidence.items_table(small)
    assert table.loc[0, "las"] == "c" and table.loc[0, "requirement"] == f"R-{slow.id}"


def test_theme_score_is_the_compare_cell_for_the_same_group_and_period(db):
    from data.pages.compare import themes_by_group
    from data.queries.filters import COMPARE, EVIDENCE
    from data.store.models import Submission

    period = "2010-Q1"  # five LAs: England is a safe score atom, OLM (two) is not
    subs = db.scalars(select(Submission.id).where(Submission.period == period)).all()
    add_theme_scores(db, sorted(subs), "NAR", n=8, mean=60.0)
    bump_data_version(db)
    compare = themes_by_group(db, COMPARE.select(period=period), RULES)
    england = compare.loc[(compare["group"] == "All groups (England)")
                          & (compare["theme"] == "NAR")].iloc[0]  # fmt: skip
    scores = evidence.theme_scores(db, EVIDENCE.select(period=period), RULES)
    assert scores["NAR"] == (
        "c"
        if england["suppressed"]
        else f"{england['mean']:.1f} out of 100 ({period}; 95% CI "
        f"{england['ci_low']:.1f} to {england['ci_high']:.1f}; "
        f"{int(england['n'])} respondents, {int(england['n_las'])} LAs)"
    )
    assert not england["suppressed"]
    # OLM (two LAs this period) is folded into "Other suppliers" on Compare: c here
    assert "OLM" not in set(compare["group"])
    group = EVIDENCE.select(period=period, group="OLM", supplier_id=supplier_id(db, "OLM"))
    assert evidence.theme_scores(db, group, RULES)["NAR"] == "c"
