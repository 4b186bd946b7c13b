"""The requirements views in the auditor's enumeration: for a coordinator, an NLAR
representative, an LA user and a supplier, every count the requirements pages publish
(candidates' and requirements' LAs and respondents, a specification's evidence) taken
together with the Themes charts (their LA counts too) passes the linear auditor and the
LA-count auditor; the previous bare-threshold rule for candidate counts must fail."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from data.pages import evidence, themes  # noqa: F401 (evidence registers the partition)
from data.pages.themes import all_finding_texts, finding_cube
from data.privacy.auditor import Figure, audit, cell_keys, contributions_of
from data.privacy.cube import DIMS
from data.privacy.disclosure import SUPPRESSED, DisclosureRules
from data.privacy.la_counts import audit_la_counts
from data.privacy.views import chart_figures, evidence_figures
from data.requirements import candidates, curation, specifications, supplier_views
from data.requirements.curation import evidence_ids
from data.requirements.endorsements import reaches
from data.requirements.findings import finding_stats
from data.store.db import session_scope
from data.store.versioning import bump_data_version
from tests.unit.test_requirements_support import (
    seed_authorities,
    standard_findings,
    supplier_id,
    viewer,
)

RULES = DisclosureRules()
RESP = "respondents_raising"
CELL = ("period", *DIMS, "cluster")


@pytest.fixture
def db(sessions):
    for memo in (themes._MEMO, themes._CUBES, themes._LINKED, evidence._MEMO, evidence._SETS):
        memo._entries.clear()
    with session_scope(sessions) as s:
        seed_authorities(s)
        found = standard_findings(s)
        for name, cid in (("chron", "C-chron"), ("print", "C-print"), ("slow", "C-slow")):
            from data.requirements import clusters

            clusters.assign(s, found[name], cid)
        coord = viewer(s, "coordinator")
        chron = curation.accept_candidate(s, coord, "C-chron", "Filter chronology", "must", None)
        prints = curation.accept_candidate(
            s, coord, "C-print", "Print reports", "should", supplier_id(s, "OLM")
        )
        spec = specifications.create_specification(s, coord, "OLM spec", supplier_id(s, "OLM"))
        specifications.new_version(s, coord, spec.id, [chron.id, prints.id])
        s.info["spec"] = spec.id
        bump_data_version(s)
        yield s


def _frame(s) -> pd.DataFrame:
    texts = all_finding_texts(s, RULES)
    stats = finding_stats(s)[["finding_id", "cluster_id", RESP]]
    out = texts.merge(stats, on="finding_id").assign(findings=1)
    return out.assign(cluster=out["cluster_id"].fillna("-").astype(str),
                      group=out["group"].astype(str))  # fmt: skip


def _n(value: str) -> float | None:
    return None if value == SUPPRESSED else float(value)


def _figures(s, who, frame) -> list[Figure]:
    """Everything ``who`` can read: Themes charts (all, per period, per region) and the
    requirements pages' counts (candidates and requirements, or a supplier's specification)."""
    cube = finding_cube(s, RULES)
    figs = []
    for sel in ({}, {"period": "2010-Q1"}, {"period": "2010-Q2"}, {"region": "London"}):
        figs += chart_figures(cube, frame, sel, cell=CELL, measures=("findings", RESP, "n_las"))
    rids = sorted({int(r.removeprefix("R-")) for r in curation_refs(s)})
    if who.role == "supplier":
        doc = supplier_views.addressed_document(s, RULES, who.supplier_id, s.info["spec"]).doc
        counts = {int(i.ref.removeprefix("R-")): (i.las, i.respondents) for i in doc.items}
    else:
        table = candidates.candidate_table(s, who, RULES)
        published = {
            c: None if las == SUPPRESSED else {"n_las": float(las), RESP: float(resp)}
            for c, las, resp in zip(
                table["candidate"], table["las"], table["respondents"], strict=True
            )  # fmt: skip
        }
        figs += evidence_figures(frame, "cluster", published, CELL, "candidates")
        reach = reaches(s, rids)
        counts = {
            r: (c["las"], c["respondents"])
            for r, c in ((r, reach[r].counts(RULES, who.own_authorities)) for r in rids)
        }
    for rid, (las, resp) in counts.items():
        part = frame.loc[frame["finding_id"].isin(evidence_ids(s, rid))]
        values = None if las == SUPPRESSED else {"n_las": _n(las), RESP: _n(resp)}
        figs.append(Figure(f"requirement R-{rid}", frozenset(cell_keys(part, CELL)), values))
    return figs


def curation_refs(s) -> list[str]:
    from data.store.models import Requirement

    return [f"R-{r.id}" for r in s.query(Requirement).all()]


def _audit(s, who):
    frame = _frame(s)
    figs = _figures(s, who, frame)
    own = set(who.own_authorities)
    started = time.perf_counter()
    linear = audit(figs, contributions_of(frame, CELL, (RESP,), respondents=RESP), RULES,
                   own=own)  # fmt: skip
    # no ``possible``: the auditor only knows the data's non-empty cells, so tying LAs to
    # regions would make every cell of this six-LA fixture (two LAs per region) look
    # pinned; tests/unit/test_la_counts.py covers region knowledge on larger fixtures
    counted = audit_la_counts(figs, contributions_of(frame, CELL, ("findings", RESP)), RULES,
                              own=own)  # fmt: skip
    return linear, counted, time.perf_counter() - started


@pytest.mark.parametrize(
    "role",
    [
        ("coordinator", None, None),
        ("nlar_rep", "E06000911", "Civica"),
        ("la_user", "E09000912", None),
        ("supplier", None, "OLM"),
    ],  # fmt: skip
    ids=["coordinator", "nlar_rep", "la_user", "supplier"],
)
def test_requirements_counts_and_themes_charts_pass_both_auditors(db, role):
    linear, counted, seconds = _audit(db, viewer(db, *role))
    assert linear.ok, linear.summary()
    assert counted.ok, counted.summary()
    assert seconds < 60


def test_the_bare_threshold_rule_for_candidate_counts_fails(db, monkeypatch):
    def old_rule(stats, by, rules):  # 3 LAs and 10 respondents, no own-LA discount
        g = stats.groupby(by)
        return (g["authority_id"].nunique() >= rules.min_las) & (
            g[RESP].sum() >= rules.min_respondents
        )

    monkeypatch.setattr(candidates, "published", lambda *_: None)  # no partition either
    monkeypatch.setattr(candidates, "safe_by", old_rule)
    monkeypatch.setattr(candidates, "_SAFE", {})
    linear, _, _ = _audit(db, viewer(db, "la_user", "E09000912"))  # Birchley, in C-print
    assert "shown" in linear.kinds(), linear.summary()


def test_a_candidate_whose_remainder_in_its_atom_is_one_authority_stays_c(db):
    # 2010-Q1 is one atom: C-chron (4 LAs) and Eastholm's C-slow. Showing C-chron's counts
    # next to the period total would give Eastholm's; per set alone it looked safe
    chosen = evidence.published_sets(db, RULES)
    assert ("candidate", "C-chron") not in chosen
    table = candidates.candidate_table(db, viewer(db, "coordinator"), RULES)
    assert set(table.loc[table["candidate"] == "C-chron", "las"]) == {"c"}
