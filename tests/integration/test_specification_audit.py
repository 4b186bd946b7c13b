"""Disclosure audits of what joint specifications show, on one demo database.

Quotations: every quotation of a joint specification that every role can see (the CSV and
Word exports for coordinators, NLAR representatives and LA users; the supplier page and the
REST API for suppliers), on a demo database, is a row the requirement's drill-down
(data.pages.evidence) shows that viewer, with at least the attributes the quotation carries:
the requirement's supplier group (the group's authorities sharing the row's attributes and
text, as the drill-down's group rule counts them, number at least MIN_LAS) and a consenting
LA's name (only where the drill-down shows that name; never to a supplier). The previous
choice (any finding of a requirement whose counts are shown) fails the same check.

"Did it work?": every estimate a viewer can request (each delivered requirement, so each
release, group, theme and measure) as shown, put through data.privacy.estimates.audit; and a
second release of the demo's product a day after the first, taken by all the first one's
authorities but one, which the auditor catches on the estimates alone and the product
withholds."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import docx
import pytest
from sqlalchemy import select

from dashboard.demo import load_demo
from data.pages import evidence as drill
from data.pages import supplier as supplier_page
from data.privacy import estimates
from data.privacy.access import COORDINATOR, LA_USER, SUPPLIER, Viewer
from data.privacy.disclosure import DisclosureRules
from data.privacy.redaction import redact
from data.requirements import answers, effect, export, supplier_views
from data.requirements import evidence as spec_evidence
from data.requirements.curation import evidence_ids
from data.requirements.findings import finding_texts
from data.requirements.specifications import list_specifications
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import (
    Authority,
    Release,
    ReleaseUse,
    Requirement,
    Submission,
    Supplier,
    SupplierAnswer,
    User,
)
from tests.conftest import fresh_database

RULES = DisclosureRules()
# large enough that the supplier loop's group shows a "Did it work?" estimate (19 LAs)
DEMO = {"n_authorities": 80, "periods": ("2009-Q4", "2010-Q1", "2010-Q2")}
NAMED = "” — "

# loading the demo takes minutes (its grouping most): once, on one xdist worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("specification_audit")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("quotes"), "quotes")
    sessions = make_sessionmaker(make_engine(url))
    load_demo(sessions, **DEMO, log=lambda *_: None)
    return sessions


def _user(s, username: str) -> Viewer:
    u = s.scalar(select(User).where(User.username == username))
    return Viewer(u.id, u.role, u.authority_id, u.supplier_id)


def readers(s) -> list[Viewer]:
    """A coordinator, the demo NLAR representative and LA user (the largest group), an LA
    user of another group, and both demo supplier accounts."""
    coord = s.scalar(select(User).where(User.role == COORDINATOR).order_by(User.id))
    la = _user(s, "demo-la")
    group = s.scalar(
        select(Submission.supplier_id).where(Submission.authority_id == la.authority_id)
    )
    other = s.scalar(
        select(Submission.authority_id)
        .where(Submission.supplier_id != group)
        .order_by(Submission.authority_id)
        .limit(1)
    )
    return [
        Viewer(coord.id, COORDINATOR),
        _user(s, "demo-nlar"),
        la,
        Viewer(0, LA_USER, authority_id=other),
        _user(s, "demo-supplier"),
        _user(s, "demo-supplier-other"),
    ]


@dataclass(frozen=True)
class Seen:
    surface: str
    requirement_id: int
    quote: str


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def seen_quotations(s, v: Viewer) -> tuple[list[Seen], list[tuple[int, str, int]]]:
    """Every quotation ``v`` can see, where, and per item (requirement, note, quotations)."""
    seen: list[Seen] = []
    items: list[tuple[int, str, int]] = []
    if v.role == SUPPLIER:
        for spec in answers.supplier_specifications(s, v.supplier_id):
            page = supplier_page.supplier_spec(s, v, RULES, spec.id)
            api = supplier_views.specification_detail(s, RULES, v.supplier_id, spec.id)
            for item, req in zip(page.items, api["requirements"], strict=True):
                quotes = item.evidence.quotations
                assert list(quotes) == req["evidence"]["example_findings"]  # page = API
                assert item.evidence.quotation_note == req["evidence"]["example_findings_note"]
                seen += [Seen("supplier page", item.requirement_id, q) for q in quotes]
                seen += [Seen("API", req["id"], q) for q in req["evidence"]["example_findings"]]
                items.append((item.requirement_id, item.evidence.quotation_note, len(quotes)))
        listed = supplier_views.list_requirements(s, RULES, v.supplier_id, None)
        for req in listed["requirements"]:
            seen += [Seen("API list", req["id"], q) for q in req["evidence"]["example_findings"]]
        return seen, items
    done: set[int] = set()  # a requirement's quotations depend on it and the viewer only
    for spec in list_specifications(s):
        for version in sorted(spec.versions, key=lambda x: -x.number):
            if {i.requirement_id for i in version.items} <= done:
                continue
            doc = spec_evidence.build_document(s, RULES, spec.id, version.number, viewer=v)
            table = list(csv.reader(line for line in io.StringIO(export.to_csv(doc))
                                    if not line.startswith("# ")))  # fmt: skip
            cells = {row[1]: row[table[0].index("quotations")] for row in table[1:]}
            word = _docx_text(export.to_docx(doc))
            for item in doc.items:
                rid = int(item.ref.removeprefix("R-"))
                for q in item.quotations:
                    assert q in cells[item.ref] and q in word  # the exports carry the same
                    seen += [Seen("CSV", rid, q), Seen("Word", rid, q)]
                if item.quotation_note:
                    assert item.quotation_note in cells[item.ref]
                items.append((rid, item.quotation_note, len(item.quotations)))
                done.add(rid)
    return seen, items


def _split(quote: str) -> tuple[str, str | None]:
    """(quoted text, the name after it or None)."""
    body, sep, name = quote.rpartition(NAMED)
    if sep:
        return body.removeprefix("“"), name
    return quote.removeprefix("“").removesuffix("”"), None


class DrillDowns:
    """Each viewer's guarded drill-down of each requirement, computed once."""

    def __init__(self, s) -> None:
        self.s, self.done = s, {}

    def __call__(self, v: Viewer, rid: int) -> drill.Guarded:
        if (v, rid) not in self.done:
            self.done[v, rid] = drill.requirement_detail(self.s, v, RULES, rid)[1]
        return self.done[v, rid]


def problems(s, v: Viewer, seen: Seen, coordinator: Viewer, drills: DrillDowns) -> list[str]:
    """Why ``seen`` breaks the drill-down rule for ``v`` (empty: it does not)."""
    text, name = _split(seen.quote)
    req = s.get(Requirement, seen.requirement_id)
    texts = finding_texts(s, finding_ids=evidence_ids(s, req.id))
    found = texts.loc[[redact(str(d)).text.strip() == text for d in texts["description"]]]
    if found.empty:
        return [f"{seen}: not the text of a finding behind the requirement"]
    if name is not None and v.role == SUPPLIER:
        return [f"{seen}: names an authority to a supplier"]
    mine, coord = drills(v, req.id), drills(coordinator, req.id)
    pop = drill.population(s, RULES)
    group = s.get(Supplier, req.supplier_id).name if req.supplier_id is not None else None
    why = []
    for f in found.itertuples():
        rows = mine.rows.loc[mine.rows["finding_id"] == f.finding_id]
        if rows.empty:
            why.append(f"finding {f.finding_id}: the drill-down withholds it from this viewer")
            continue
        if name is not None and not (bool(f.consent_named) and name == f.authority_name
                                     and rows.iloc[0]["authority"] == name):  # fmt: skip
            why.append(f"finding {f.finding_id}: named {name!r} without consent or not shown so")
            continue
        own = f.authority_id in v.own_authorities or bool(f.consent_named)
        if group is not None and not own:
            attrs = (str(f.theme), str(f.workflow_area), str(f.category), str(f.severity))
            if len(pop.base(attrs, str(f.description)) & pop.groups[group]) < RULES.min_las:
                why.append(f"finding {f.finding_id}: the group {group} narrows it too far")
                continue
            kept = coord.rows.loc[coord.rows["finding_id"] == f.finding_id, "supplier_group"]
            if f.group == group and kept.tolist() != [group]:
                why.append(f"finding {f.finding_id}: a coordinator's drill-down drops its group")
                continue
        return []  # one finding with this text passes: the quotation shows nothing more
    return [f"{seen}: " + "; ".join(why)]


def audit_quotations(s, only=None) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """(problems, quotations seen per role, items with a withheld-quotations note per role);
    ``only``: the readers to audit (by position in :func:`readers`; the coordinator, the
    first, is also the reference drill-down)."""
    viewers = readers(s)
    viewers = [v for i, v in enumerate(viewers) if only is None or i in only or i == 0]
    drills = DrillDowns(s)
    out, counts, notes = [], {}, {}
    for v in viewers:
        seen, items = seen_quotations(s, v)
        label = f"{v.role}:{v.authority_id or v.supplier_id or ''}"
        counts[label] = len({(x.requirement_id, x.quote) for x in seen})
        notes[label] = sum(1 for _, note, _ in items if note)
        for x in dict.fromkeys(seen):
            out += problems(s, v, x, viewers[0], drills)
            if NAMED in x.quote:
                name = _split(x.quote)[1]
                consented = s.scalar(select(Authority.consent_named).where(Authority.name == name))
                assert consented and v.role != SUPPLIER, x
        for rid, note, n in items:  # a note says so when the drill-down withholds some rows
            if n and drills(v, rid).withheld and not note.startswith("Some findings"):
                out.append(f"{label}, R-{rid}: rows withheld from its drill-down, no note")
    return out, counts, notes


def test_every_quotation_every_role_sees_passes_the_drill_down_rule(demo):
    with session_scope(demo) as s:
        found, counts, notes = audit_quotations(s)
    assert found == []
    assert sum(counts.values()) > 0, counts  # the demo quotes something
    assert any(k.startswith(SUPPLIER) and n for k, n in counts.items()), counts
    assert sum(notes.values()) > 0, notes  # and withholds something, with a note


def test_the_previous_choice_fails_the_same_check(demo, monkeypatch):
    """Any finding of a requirement whose counts are shown (the choice before)."""
    monkeypatch.setattr(spec_evidence, "_QUOTE_RULE", [lambda s, v, r, texts, g: texts])
    with session_scope(demo) as s:
        found, _, _ = audit_quotations(s, only={0, 4})  # a coordinator and a supplier
    assert found, "the previous choice should quote rows the drill-down withholds"


def test_every_did_it_work_estimate_passes_the_estimate_auditor(demo):
    with session_scope(demo) as s:
        published = effect.shown_estimate_inputs(s, RULES)
        assert published  # the demo's delivered requirement shows its estimates
        assert estimates.audit(published, RULES) == []


def _second_release(s) -> int:
    """Release "2009.3" of the demo's released product a day after "2009.2", run in the
    later periods by every authority that ran 2009.2 but one, and a requirement of the same
    theme delivered in it; returns the requirement's id. (The cells then differ by one or
    two authorities: which periods count as "after" for an authority depends on when it
    says it ran the release.)"""
    first = s.scalar(select(Release).where(Release.name == "2009.2"))
    next_day = first.released_on + timedelta(days=1)
    later = Release(product_id=first.product_id, name="2009.3", released_on=next_day)
    s.add(later)
    s.flush()
    uses = s.scalars(
        select(ReleaseUse).where(ReleaseUse.release_id == first.id).order_by(ReleaseUse.id)
    ).all()
    stay = min(u.authority_id for u in uses)
    for use in uses:
        if use.authority_id != stay:
            use.release_id = later.id
    shown = s.scalar(select(SupplierAnswer).where(SupplierAnswer.release_id == first.id).limit(1))
    base = s.get(Requirement, shown.requirement_id)
    req = Requirement(supplier_id=base.supplier_id, statement="Delivered a day later",
                      theme_code=base.theme_code, status="delivered")  # fmt: skip
    s.add(req)
    s.flush()
    s.add(
        SupplierAnswer(
            requirement_id=req.id,
            supplier_id=base.supplier_id,
            status="delivered",
            release_name=later.name,
            release_id=later.id,
        )  # fmt: skip
    )
    s.flush()
    return req.id


def test_a_release_a_day_later_would_single_out_one_authority_and_is_withheld(demo):
    s = demo()
    try:
        rid = _second_release(s)
        alone = effect.candidate_estimates(s, RULES)
        found = [x for x in estimates.audit(alone, RULES) if x.kind == "difference"]
        assert found and all(1 <= len(x.authorities) < RULES.min_las for x in found)
        assert estimates.audit(effect.shown_estimate_inputs(s, RULES), RULES) == []
        later = effect.did_it_work(s, RULES, rid)
        assert later.estimates and all(e.withheld for e in later.estimates if not e.shown)
        assert any(e.withheld for e in later.estimates)
    finally:
        s.rollback()
        s.close()
