"""Curating candidates into requirements: accept, reword, merge, unmerge, split.

Who: a group's nlar_rep for requirements of that group, a coordinator for any (including
all-group requirements, supplier_id None); checked here with data.privacy.access.may_curate.
Every decision is audited, and none depends on the stored candidates: requirement evidence is
its own record, so recomputing candidates never loses a decision (see data.requirements.clusters).

Invariant: within one scope (supplier group, or all groups) a finding backs at most one live
requirement, so moving evidence never collides and an LA is never counted twice.
Merging moves the source's evidence and endorsements to the target and remembers their origin
(``origin_requirement_id``); an LA that endorsed both keeps its endorsement on the source, where
it is not counted while merged. Unmerging moves back exactly what came from the source (and from
requirements merged into it earlier).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound, plain_text_problem
from data.privacy.access import Viewer, may_curate, require
from data.requirements import clusters
from data.store import audit
from data.store.models import (
    PRIORITIES,
    CurationLink,
    Endorsement,
    Finding,
    FindingCluster,
    Requirement,
    RequirementEvidence,
    Submission,
    Supplier,
)

MAX_STATEMENT = 600
PRIORITY_LABELS = {
    "must": "Must have",
    "should": "Should have",
    "could": "Could have",
    "wont": "Won't have (this time)",
}


class CurationError(DomainError):
    """A curation request that cannot be carried out as asked (message fit to show)."""


def ref(requirement_id: int) -> str:
    return f"R-{requirement_id}"


def get_requirement(session: Session, requirement_id: int) -> Requirement:
    req = session.get(Requirement, int(requirement_id))
    if req is None:
        raise NotFound(f"There is no requirement {ref(int(requirement_id))}.")
    return req


def live(session: Session, requirement_id: int) -> Requirement:
    """The requirement, or the one it is (transitively) merged into."""
    req = get_requirement(session, requirement_id)
    seen = {req.id}
    while req.merged_into_id is not None:
        req = get_requirement(session, req.merged_into_id)
        if req.id in seen:  # pragma: no cover - merges never form cycles
            raise CurationError("merge chain is circular")
        seen.add(req.id)
    return req


def _require_curator(viewer: Viewer, supplier_id: int | None) -> None:
    require(
        may_curate(viewer, supplier_id),
        "only the supplier group's NLAR representative or a coordinator can change its "
        "requirements",
    )


def _require_live(req: Requirement) -> None:
    if req.merged_into_id is not None:
        raise CurationError(
            f"{ref(req.id)} is merged into {ref(req.merged_into_id)}; unmerge it first."
        )


def clean_statement(statement: str | None) -> str:
    text = " ".join(statement.split()) if isinstance(statement, str) else ""
    if len(text) < 10:
        raise CurationError("Write the requirement as one clear statement (10 characters or more).")
    if len(text) > MAX_STATEMENT:
        raise CurationError(f"Keep the statement under {MAX_STATEMENT} characters.")
    problem = plain_text_problem(text, "statement")
    if problem:
        raise CurationError(problem)
    return text


def clean_priority(priority: str | None) -> str:
    if priority not in PRIORITIES:
        raise CurationError("Choose a MoSCoW priority: must, should, could or won't.")
    return priority


def _scope_filter(supplier_id: int | None):
    if supplier_id is None:
        return Requirement.supplier_id.is_(None)
    return Requirement.supplier_id == supplier_id


def claimed_findings(session: Session, supplier_id: int | None, finding_ids) -> dict[int, int]:
    """finding_id -> live requirement in this scope already backed by it."""
    ids = sorted({int(f) for f in finding_ids})
    if not ids:
        return {}
    rows = session.execute(
        select(RequirementEvidence.finding_id, RequirementEvidence.requirement_id)
        .join(Requirement, Requirement.id == RequirementEvidence.requirement_id)
        .where(
            Requirement.merged_into_id.is_(None),
            _scope_filter(supplier_id),
            RequirementEvidence.finding_id.in_(ids),
        )
    ).all()
    return dict(rows)


def evidence_ids(session: Session, requirement_id: int) -> list[int]:
    return list(
        session.scalars(
            select(RequirementEvidence.finding_id)
            .where(RequirementEvidence.requirement_id == requirement_id)
            .order_by(RequirementEvidence.finding_id)
        )
    )


def _main_theme(session: Session, finding_ids: Collection[int]) -> str | None:
    themes = session.scalars(select(Finding.theme_code).where(Finding.id.in_(sorted(finding_ids))))
    counts = Counter(themes)
    return min(counts, key=lambda t: (-counts[t], t)) if counts else None


def _audit(session: Session, viewer: Viewer, action: str, req_id: int, **detail) -> None:
    audit.record(session, viewer.user_id, action, ref(req_id), json.dumps(detail, sort_keys=True))


def accept_candidate(
    session: Session,
    viewer: Viewer,
    cluster_id: str,
    statement: str,
    priority: str,
    supplier_id: int | None,
    *,
    into_requirement_id: int | None = None,
) -> Requirement:
    """Accept a candidate as a new requirement of ``supplier_id``'s group (None: all groups),
    or add its unclaimed findings to ``into_requirement_id``. Raises PermissionDenied,
    NotFound or CurationError."""
    if into_requirement_id is not None:
        req = get_requirement(session, into_requirement_id)
        supplier_id = req.supplier_id
    _require_curator(viewer, supplier_id)
    if supplier_id is not None and session.get(Supplier, supplier_id) is None:
        raise NotFound("There is no such supplier group.")
    members = session.execute(
        select(Finding.id, Submission.supplier_id)
        .join(FindingCluster, FindingCluster.finding_id == Finding.id)
        .join(Submission, Submission.id == Finding.submission_id)
        .where(FindingCluster.cluster_id == cluster_id, Submission.status == "current")
    ).all()
    if not members:
        raise NotFound(f"There is no candidate {cluster_id}.")
    if supplier_id is not None and all(s != supplier_id for _, s in members):
        raise CurationError("This candidate has no findings from that supplier group.")
    taken = claimed_findings(session, supplier_id, [f for f, _ in members])
    free = sorted(f for f, _ in members if f not in taken)
    if not free:
        owners = ", ".join(ref(r) for r in sorted(set(taken.values())))
        raise CurationError(f"Every finding of this candidate already backs {owners}.")
    if into_requirement_id is not None:
        _require_live(req)
        action = "requirement_evidence_added"
    else:
        req = Requirement(
            supplier_id=supplier_id,
            statement=clean_statement(statement),
            priority=clean_priority(priority),
            status="proposed",
            theme_code=_main_theme(session, free),
            source_cluster_id=cluster_id,
            created_by_id=viewer.user_id,
        )
        session.add(req)
        session.flush()
        action = "requirement_accepted"
    session.add_all(RequirementEvidence(requirement_id=req.id, finding_id=f) for f in free)
    session.flush()
    _audit(
        session,
        viewer,
        action,
        req.id,
        candidate=cluster_id,
        findings=free,
        priority=req.priority,
        supplier_id=supplier_id,
    )
    return req


def reword(
    session: Session, viewer: Viewer, requirement_id: int, statement: str, priority: str
) -> Requirement:
    """Change a live requirement's statement and priority."""
    req = get_requirement(session, requirement_id)
    _require_curator(viewer, req.supplier_id)
    _require_live(req)
    before = {"statement": req.statement, "priority": req.priority}
    req.statement, req.priority = clean_statement(statement), clean_priority(priority)
    session.flush()
    _audit(
        session,
        viewer,
        "requirement_reworded",
        req.id,
        before=before,
        after={"statement": req.statement, "priority": req.priority},
    )
    return req


def _dominant_cluster(session: Session, finding_ids: list[int]) -> str | None:
    if not finding_ids:
        return None
    ids = session.scalars(
        select(FindingCluster.cluster_id).where(FindingCluster.finding_id.in_(finding_ids))
    )
    counts = Counter(ids)
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def merge(session: Session, viewer: Viewer, source_id: int, target_id: int) -> Requirement:
    """Merge requirement ``source_id`` into ``target_id`` (same scope, both live)."""
    source, target = get_requirement(session, source_id), get_requirement(session, target_id)
    if source.id == target.id:
        raise CurationError("Choose two different requirements to merge.")
    _require_curator(viewer, source.supplier_id)
    _require_curator(viewer, target.supplier_id)
    _require_live(source)
    _require_live(target)
    if source.supplier_id != target.supplier_id:
        raise CurationError("Only requirements for the same supplier group can be merged.")
    moved = evidence_ids(session, source.id)
    on_target = set(evidence_ids(session, target.id))
    # Under the invariant the two are disjoint; a shared finding would stay on the source.
    moved = [f for f in moved if f not in on_target]
    session.execute(
        update(RequirementEvidence)
        .where(
            RequirementEvidence.requirement_id == source.id,
            RequirementEvidence.finding_id.in_(moved),
        )
        .values(
            requirement_id=target.id, origin_requirement_id=_origin(RequirementEvidence, source.id)
        )
    )
    endorsed = set(
        session.scalars(
            select(Endorsement.authority_id).where(Endorsement.requirement_id == target.id)
        )
    )
    session.execute(
        update(Endorsement)
        .where(
            Endorsement.requirement_id == source.id,
            Endorsement.authority_id.not_in(sorted(endorsed) or [-1]),
        )
        .values(requirement_id=target.id, origin_requirement_id=_origin(Endorsement, source.id))
    )
    cluster = _dominant_cluster(session, sorted(on_target))
    if cluster:
        clusters.assign(session, moved, cluster)
    source.merged_into_id = target.id
    session.flush()
    _audit(session, viewer, "requirement_merged", source.id, into=ref(target.id), findings=moved)
    return target


def _origin(model, source_id: int):
    """Keep an existing origin (from an earlier merge), else record the source."""
    return func.coalesce(model.origin_requirement_id, source_id)


def _merged_subtree(session: Session, root_id: int) -> set[int]:
    """root and every requirement merged (transitively) into it."""
    found, frontier = {root_id}, [root_id]
    while frontier:
        children = set(
            session.scalars(select(Requirement.id).where(Requirement.merged_into_id.in_(frontier)))
        )
        frontier = sorted(children - found)
        found |= children
    return found


def unmerge(session: Session, viewer: Viewer, source_id: int) -> Requirement:
    """Undo the merge of ``source_id``: its evidence and endorsements return exactly."""
    source = get_requirement(session, source_id)
    _require_curator(viewer, source.supplier_id)
    if source.merged_into_id is None:
        raise CurationError(f"{ref(source.id)} is not merged into another requirement.")
    target = get_requirement(session, source.merged_into_id)
    _require_live(target)
    origins = sorted(_merged_subtree(session, source.id))
    returned = list(
        session.scalars(
            select(RequirementEvidence.finding_id).where(
                RequirementEvidence.requirement_id == target.id,
                RequirementEvidence.origin_requirement_id.in_(origins),
            )
        )
    )
    for model in (RequirementEvidence, Endorsement):
        session.execute(
            update(model)
            .where(model.requirement_id == target.id, model.origin_requirement_id.in_(origins))
            .values(requirement_id=source.id)
        )
        session.execute(
            update(model)
            .where(model.requirement_id == source.id, model.origin_requirement_id == source.id)
            .values(origin_requirement_id=None)
        )
    source.merged_into_id = None
    if returned:
        remaining = sorted(set(evidence_ids(session, target.id)))
        home = source.source_cluster_id
        if not home or home == _dominant_cluster(session, remaining):
            home = f"C-{min(returned)}~u{source.id}"
        clusters.assign(session, returned, home)
    session.flush()
    _audit(
        session,
        viewer,
        "requirement_unmerged",
        source.id,
        from_=ref(target.id),
        findings=sorted(returned),
    )
    return source


def split(
    session: Session,
    viewer: Viewer,
    requirement_id: int,
    finding_ids: Collection[int],
    statement: str,
    priority: str,
) -> Requirement:
    """Move ``finding_ids`` of a live requirement's evidence into a new requirement; the
    two are kept apart when candidates are recomputed (cannot-links)."""
    req = get_requirement(session, requirement_id)
    _require_curator(viewer, req.supplier_id)
    _require_live(req)
    have = set(evidence_ids(session, req.id))
    chosen = sorted({int(f) for f in finding_ids})
    if not chosen or not set(chosen) <= have:
        raise CurationError("Choose some of this requirement's findings to split off.")
    if set(chosen) == have:
        raise CurationError("Leave at least one finding with the original requirement.")
    new = Requirement(
        supplier_id=req.supplier_id,
        statement=clean_statement(statement),
        priority=clean_priority(priority),
        status="proposed",
        theme_code=_main_theme(session, chosen),
        source_cluster_id=req.source_cluster_id,
        created_by_id=viewer.user_id,
    )
    session.add(new)
    session.flush()
    session.execute(
        update(RequirementEvidence)
        .where(
            RequirementEvidence.requirement_id == req.id,
            RequirementEvidence.finding_id.in_(chosen),
        )
        .values(requirement_id=new.id, origin_requirement_id=None)
    )
    rest = sorted(have - set(chosen))
    session.execute(
        delete(CurationLink).where(
            CurationLink.kind == "must",
            (CurationLink.finding_a_id.in_(chosen) & CurationLink.finding_b_id.in_(rest))
            | (CurationLink.finding_a_id.in_(rest) & CurationLink.finding_b_id.in_(chosen)),
        )
    )
    session.add_all(
        CurationLink(kind="cannot", finding_a_id=a, finding_b_id=b, created_by_id=viewer.user_id)
        for a in chosen
        for b in rest
    )
    clusters.assign(session, chosen, f"C-{chosen[0]}~s{new.id}")
    session.flush()
    _audit(session, viewer, "requirement_split", req.id, into=ref(new.id), findings=chosen)
    return new
