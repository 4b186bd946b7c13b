"""The demo's requirements loop, done through the real curation functions so that a new user
sees every step populated: candidates left open, accepted as a requirement, added to an
existing requirement, or accepted for one group only; requirements endorsed by several LAs;
and one joint specification per large supplier group, in two versions, whose requirements
are at several statuses with the supplier (planned, delivered in a named release, declined…).

Deterministic for a given database (the candidates are taken best first)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import Viewer
from data.reference.codes import theme_names
from data.requirements.candidates import ranked_candidates
from data.requirements.curation import CurationError, accept_candidate
from data.requirements.endorsements import endorse
from data.requirements.findings import finding_texts
from data.requirements.specifications import create_specification, new_version, set_status
from data.store.models import Requirement, Specification, Submission, Supplier, User

PRIORITIES = ("must", "should", "should", "could", "must", "wont")
# Statuses a specification's requirements are given with the supplier, in order.
SPEC_STATUSES = (
    ("delivered", "Release 24.3"),
    ("planned", ""),
    ("with_supplier", ""),
    ("declined", ""),
)
SPEC_TITLE = "joint specification 2010"  # "<group> joint specification 2010"
LARGE_GROUP_LAS = 4  # a group with at least this many LAs gets a specification
PER_GROUP = 6  # requirements accepted per large group


@dataclass(frozen=True)
class DemoCuration:
    requirements: int
    endorsements: int
    specifications: int

    def message(self) -> str:
        return (
            f"{self.requirements} requirements ({self.endorsements} endorsements), "
            f"{self.specifications} joint specifications"
        )


def _statement(text: str, theme: str) -> str:
    text = " ".join(str(text or "").split()).rstrip(".")
    if len(text) < 10:
        text = f"Make {theme.lower()} quicker and simpler for social workers"
    return f"{text[0].upper()}{text[1:]}."[:600]


def _group_las(session: Session) -> dict[int, list[int]]:
    rows = session.execute(
        select(Submission.supplier_id, Submission.authority_id)
        .where(Submission.status == "current")
        .distinct()
        .order_by(Submission.supplier_id, Submission.authority_id)
    ).all()
    out: dict[int, list[int]] = {}
    for supplier_id, authority_id in rows:
        out.setdefault(supplier_id, []).append(authority_id)
    return out


def _endorse(session: Session, req: Requirement, las: list[int], n: int, rng) -> int:
    """Endorse on behalf of ``n`` of these LAs (recorded with no user: the demo loader)."""
    done = 0
    for authority_id in rng.sample(las, min(n, len(las))):
        la = Viewer(None, "la_user", authority_id=authority_id)  # type: ignore[arg-type]
        done += endorse(session, la, req.id)
    return done


def curate_demo(session: Session, *, seed: int = 2010) -> DemoCuration:
    """Accept, endorse and specify as the demo coordinator; nothing happens twice (a
    database holding this curation's specifications is left as it is)."""
    done = select(Specification.id).where(Specification.title.like(f"%{SPEC_TITLE}"))
    if session.scalar(done.limit(1)) is not None:
        return DemoCuration(0, 0, 0)
    coordinator = session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    if coordinator is None:
        raise ValueError("The demo needs a coordinator user before its requirements loop.")
    me = Viewer(coordinator.id, "coordinator")
    rng = random.Random(seed)
    stats, ranked = ranked_candidates(session)
    if ranked.empty:
        return DemoCuration(0, 0, 0)
    texts = finding_texts(session, cluster_ids=ranked["cluster_id"].tolist())
    texts = texts.sort_values(["respondents_raising", "finding_id"], ascending=[False, True])
    order = ranked["cluster_id"].tolist()
    group_las = _group_las(session)
    specified = set(session.scalars(select(Specification.supplier_id)))  # the supplier loop's
    large = sorted(
        (s for s, las in group_las.items() if len(las) >= LARGE_GROUP_LAS and s not in specified),
        key=lambda s: (-len(group_las[s]), s),
    )
    used: set[str] = set()
    made: list[Requirement] = []
    endorsements = 0

    themes = theme_names()

    def statement(cluster_id: str, supplier_id: int | None) -> str:
        """The most-raised finding's suggested change (the group's own, where it has one)."""
        t = texts[texts["cluster_id"] == cluster_id]
        if supplier_id is not None and (t["supplier_id"] == supplier_id).any():
            t = t[t["supplier_id"] == supplier_id]
        said = t[t["suggested_change"].fillna("").str.strip().str.len() >= 10]
        row = (said if len(said) else t).iloc[0] if len(t) else pd.Series(dtype=object)
        theme = themes.get(str(row.get("theme", "")), "this area")
        return _statement(row.get("suggested_change", ""), theme)

    def accept(cluster_id: str, supplier_id: int | None, priority: str, **into):
        """The candidate accepted, or None when its findings already back a requirement
        (the supplier loop's demo data, data/demo/supplier_loop.py, accepts some too)."""
        used.add(cluster_id)
        text = statement(cluster_id, supplier_id)
        try:
            return accept_candidate(session, me, cluster_id, text, priority, supplier_id, **into)
        except CurationError:
            return None

    # A cross-group requirement (all groups), endorsed across groups.
    for cluster_id in order[:3]:
        req = accept(cluster_id, None, "must")
        if req is not None:
            made.append(req)
            everyone = [a for las in group_las.values() for a in las]
            endorsements += _endorse(session, req, everyone, 8, rng)
            break
    specs = 0
    for supplier_id in large:
        in_group = set(stats.loc[stats["supplier_id"] == supplier_id, "cluster_id"])
        group_reqs: list[Requirement] = []
        for cluster_id in [c for c in order if c in in_group and c not in used]:
            if len(group_reqs) == PER_GROUP:
                # a further candidate's findings become more evidence for the first requirement
                accept(cluster_id, supplier_id, "", into_requirement_id=group_reqs[0].id)
                break
            i = len(group_reqs)
            req = accept(cluster_id, supplier_id, PRIORITIES[i % len(PRIORITIES)])
            if req is not None:
                group_reqs.append(req)
                endorsements += _endorse(session, req, group_las[supplier_id], 2 + i * 3 % 5, rng)
        made += group_reqs
        if len(group_reqs) < 3:
            continue
        name = session.get(Supplier, supplier_id).name
        spec = create_specification(session, me, f"{name} {SPEC_TITLE}", supplier_id)
        ids = [r.id for r in group_reqs]
        new_version(session, me, spec.id, ids[:-2], note="First draft agreed at the user group.")
        new_version(session, me, spec.id, ids[:-1], note="Added after the spring meeting.")
        for req_id, (status, release) in zip(ids, SPEC_STATUSES, strict=False):
            set_status(session, me, req_id, status, release)
        specs += 1
        # left out of the specification: one endorsed, one still proposed (the default)
        set_status(session, me, ids[-1], "endorsed")
    session.flush()
    return DemoCuration(len(made), endorsements, specs)
