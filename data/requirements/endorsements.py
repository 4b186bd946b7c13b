"""Endorsements (one per LA per requirement, however many of its users click) and reach:
"raised by N LAs across K supplier groups, endorsed by M LAs", disclosure-controlled."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data.privacy.access import Viewer, may_endorse, require
from data.privacy.cube import AtomRule
from data.privacy.disclosure import SUPPRESSED, DisclosureRules
from data.requirements.curation import live, ref
from data.requirements.findings import finding_stats
from data.requirements.ranking import respondents_affected
from data.requirements.safe_counts import per_la, published
from data.store import audit
from data.store.models import Endorsement, RequirementEvidence


def endorse(session: Session, viewer: Viewer, requirement_id: int) -> bool:
    """Endorse on behalf of the viewer's LA; returns False if the LA had already endorsed.
    A merged requirement is endorsed through the one it is merged into."""
    require(may_endorse(viewer), "only users of a local authority can endorse requirements")
    req = live(session, requirement_id)
    key = (req.id, viewer.authority_id)
    if session.get(Endorsement, key) is not None:
        return False
    session.add(
        Endorsement(requirement_id=req.id, authority_id=viewer.authority_id, user_id=viewer.user_id)
    )
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "requirement_endorsed",
        ref(req.id),
        json.dumps({"authority_id": viewer.authority_id}),
    )
    return True


def withdraw(session: Session, viewer: Viewer, requirement_id: int) -> bool:
    """Withdraw the viewer's LA's endorsement; returns False if there was none."""
    require(may_endorse(viewer), "only users of a local authority can endorse requirements")
    req = live(session, requirement_id)
    done = session.execute(
        delete(Endorsement).where(
            Endorsement.requirement_id == req.id, Endorsement.authority_id == viewer.authority_id
        )
    ).rowcount
    if done:
        audit.record(
            session,
            viewer.user_id,
            "endorsement_withdrawn",
            ref(req.id),
            json.dumps({"authority_id": viewer.authority_id}),
        )
    return bool(done)


@dataclass(frozen=True)
class Reach:
    """Who stands behind one requirement (raw: never display without ``text``/``shown``)."""

    requirement_id: int
    las: frozenset[int]
    groups: frozenset[int]
    respondents: int
    endorsers: frozenset[int]
    per_la: tuple[tuple[float, float], ...] = ()  # findings, respondents of each LA
    session: object = field(default=None, compare=False, repr=False)  # for the partition

    def raised_shown(self, rules: DisclosureRules, own: Collection[int] = ()) -> bool:
        """LA, group and respondent counts may be shown to this viewer: its own LA's alone,
        or the evidence would make a safe atom (data.requirements.safe_counts)."""
        own_only = bool(self.las) and self.las <= frozenset(own)
        if own_only or not self.las:
            return own_only
        chosen = published(self.session, rules) if self.session is not None else None
        if chosen is not None:
            return ("requirement", self.requirement_id) in chosen
        return AtomRule(rules).safe(np.array(self.per_la, dtype=float).reshape(-1, 2))

    def endorsed_shown(self, rules: DisclosureRules, own: Collection[int] = ()) -> bool:
        own_only = self.endorsers <= frozenset(own)  # includes nobody yet
        return own_only or len(self.endorsers) >= rules.min_las

    def counts(self, rules: DisclosureRules, own: Collection[int] = ()) -> dict[str, str]:
        """Display values: 'c' where suppressed for this viewer."""
        shown = self.raised_shown(rules, own)
        ends = self.endorsed_shown(rules, own)
        return {
            "las": str(len(self.las)) if shown else SUPPRESSED,
            "groups": str(len(self.groups)) if shown else SUPPRESSED,
            "respondents": str(self.respondents) if shown else SUPPRESSED,
            "endorsements": str(len(self.endorsers)) if ends else SUPPRESSED,
        }

    def text(self, rules: DisclosureRules, own: Collection[int] = ()) -> str:
        """'raised by N LAs across K supplier groups, endorsed by M LAs' ('c' if suppressed)."""
        c = self.counts(rules, own)
        return (
            f"raised by {_n(c['las'], 'LA')} across {_n(c['groups'], 'supplier group')}, "
            f"endorsed by {_n(c['endorsements'], 'LA')}"
        )


def _n(value: str, noun: str) -> str:
    return f"{value} {noun}" if value == "1" else f"{value} {noun}s"


def reaches(session: Session, requirement_ids: Collection[int]) -> dict[int, Reach]:
    """Reach of each requirement from its current evidence and its own endorsements."""
    ids = sorted({int(r) for r in requirement_ids})
    if not ids:
        return {}
    ev = pd.DataFrame(
        session.execute(
            select(RequirementEvidence.requirement_id, RequirementEvidence.finding_id).where(
                RequirementEvidence.requirement_id.in_(ids)
            )
        ).all(),
        columns=["requirement_id", "finding_id"],
    )
    stats = finding_stats(session, finding_ids=ev["finding_id"].tolist()) if len(ev) else None
    endorsers: dict[int, set[int]] = {}
    for rid, aid in session.execute(
        select(Endorsement.requirement_id, Endorsement.authority_id).where(
            Endorsement.requirement_id.in_(ids)
        )
    ).all():
        endorsers.setdefault(rid, set()).add(aid)
    out = {}
    merged = (
        ev.merge(stats.drop(columns=["cluster_id"]), on="finding_id")
        if stats is not None
        else pd.DataFrame()
    )
    groups = dict(tuple(merged.groupby("requirement_id"))) if len(merged) else {}
    for rid in ids:
        f = groups.get(rid)
        if f is None or f.empty:
            las, grp, resp, mix = frozenset(), frozenset(), 0, ()
        else:
            mix = tuple(tuple(map(float, r)) for r in per_la(f))
            las = frozenset(int(a) for a in f["authority_id"])
            grp = frozenset(int(s) for s in f["supplier_id"])
            resp = respondents_affected(f)
        out[rid] = Reach(rid, las, grp, resp, frozenset(endorsers.get(rid, ())), mix, session)
    return out
