"""Store candidate requirements: run grouping.clustering over current findings and keep each
finding's candidate id in FindingCluster, so pages only read stored ids.

Clustering at national scale is a batch job (CLI, or the regroup button for curators), never
part of a page request. Curated decisions always hold on recomputation:
- must-link: every live requirement's evidence stays together (so accepted candidates and
  merges persist), plus any stored CurationLink(kind='must');
- cannot-link: stored CurationLink(kind='cannot') rows (written by splits). Where a must-link
  chain from another requirement joins two findings a split separated, the chain wins for the
  candidate grouping; requirements themselves never change on recomputation.
Earlier ids are passed as ``previous`` so candidates keep their ids as data grows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from data.privacy.access import ADMIN, COORDINATOR, NLAR_REP, Viewer, require
from data.store import audit
from data.store.models import (
    CURRENT,
    CurationLink,
    Finding,
    FindingCluster,
    Requirement,
    RequirementEvidence,
    Submission,
)


@dataclass(frozen=True)
class RegroupResult:
    findings: int
    candidates: int
    changed: int
    seconds: float

    def message(self) -> str:
        return (
            f"Grouped {self.findings:,} findings into {self.candidates:,} candidates "
            f"({self.changed:,} assignments changed) in {self.seconds:.1f} s."
        )


def may_regroup(viewer: Viewer | None) -> bool:
    """Curators and administrators may recompute candidates; None is the command line."""
    return viewer is None or viewer.role in (NLAR_REP, COORDINATOR, ADMIN)


def _clustering_input(session: Session) -> pd.DataFrame:
    stmt = (
        select(
            Finding.id,
            Finding.theme_code,
            Finding.workflow_area_code,
            Finding.description,
            Finding.suggested_change,
        )
        .join(Submission, Submission.id == Finding.submission_id)
        .where(Submission.status == CURRENT)
        .order_by(Finding.id)
    )
    cols = ["id", "theme", "workflow_area", "description", "suggested_change"]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=cols)
    return frame.assign(finding_id=frame["id"].astype(str))


def _union_find(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def curation_constraints(
    session: Session, known: set[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(must_link, cannot_link) finding-id pairs among ``known`` ids, free of conflicts."""
    must: list[tuple[str, str]] = []
    evidence = session.execute(
        select(RequirementEvidence.requirement_id, RequirementEvidence.finding_id)
        .join(Requirement, Requirement.id == RequirementEvidence.requirement_id)
        .where(Requirement.merged_into_id.is_(None))
        .order_by(RequirementEvidence.requirement_id, RequirementEvidence.finding_id)
    ).all()
    by_req: dict[int, list[str]] = {}
    for rid, fid in evidence:
        if str(fid) in known:
            by_req.setdefault(rid, []).append(str(fid))
    for fids in by_req.values():
        must += [(fids[0], f) for f in fids[1:]]
    cannot: list[tuple[str, str]] = []
    for kind, a, b in session.execute(
        select(CurationLink.kind, CurationLink.finding_a_id, CurationLink.finding_b_id)
    ).all():
        pair = (str(a), str(b))
        if pair[0] in known and pair[1] in known:
            (must if kind == "must" else cannot).append(pair)
    root = _union_find(must)
    cannot = [(a, b) for a, b in cannot if root.get(a, a) != root.get(b, b)]
    return must, cannot


def regroup(
    session: Session, viewer: Viewer | None = None, *, threshold: float | None = None
) -> RegroupResult:
    """Recluster current findings, keeping earlier ids and curated decisions; store the result.

    Raises PermissionDenied unless the viewer may regroup (see may_regroup)."""
    # Imported here: the text-similarity stack (scikit-learn, ~70 MB with scipy.stats) is
    # only needed when regrouping, not in every web worker serving pages.
    from data.requirements.grouping.clustering import DEFAULT_THRESHOLD, cluster_findings

    require(may_regroup(viewer), "Only curators and administrators can regroup findings.")
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    started = time.perf_counter()
    frame = _clustering_input(session)
    if frame.empty:
        return RegroupResult(0, 0, 0, 0.0)
    ids = frame["id"].tolist()
    stored = stored_assignments(session, ids)
    must, cannot = curation_constraints(session, set(frame["finding_id"]))
    labels = cluster_findings(
        frame,
        previous={str(k): v for k, v in stored.items()},
        must_link=must,
        cannot_link=cannot,
        threshold=threshold,
    )
    new = dict(zip(ids, labels.tolist(), strict=True))
    changed = [
        {"finding_id": f, "cluster_id": c} for f, c in new.items() if f in stored and stored[f] != c
    ]
    added = [{"finding_id": f, "cluster_id": c} for f, c in new.items() if f not in stored]
    if changed:
        session.execute(update(FindingCluster), changed)
    if added:
        session.execute(insert(FindingCluster), added)
    result = RegroupResult(
        len(ids), len(set(new.values())), len(changed) + len(added), time.perf_counter() - started
    )
    audit.record(
        session,
        viewer.user_id if viewer else None,
        "candidates_regrouped",
        "finding_cluster",
        result.message(),
    )
    return result


def stored_assignments(session: Session, finding_ids: list[int] | None = None) -> dict[int, str]:
    """finding_id -> stored candidate id (all stored rows when finding_ids is None)."""
    stmt = select(FindingCluster.finding_id, FindingCluster.cluster_id)
    if finding_ids is not None:
        out: dict[int, str] = {}
        for start in range(0, len(finding_ids), 20000):
            chunk = finding_ids[start : start + 20000]
            out.update(session.execute(stmt.where(FindingCluster.finding_id.in_(chunk))).all())
        return out
    return dict(session.execute(stmt).all())


def ungrouped_count(session: Session) -> int:
    """Current findings that have no stored candidate yet (new since the last regrouping)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Finding)
            .join(Submission, Submission.id == Finding.submission_id)
            .outerjoin(FindingCluster, FindingCluster.finding_id == Finding.id)
            .where(Submission.status == CURRENT, FindingCluster.finding_id.is_(None))
        )
        or 0
    )


def assign(session: Session, finding_ids: Iterable[int], cluster_id: str) -> None:
    """Put findings into one candidate now (curation), ahead of the next regrouping."""
    ids = sorted({int(f) for f in finding_ids})
    if not ids:
        return
    have = set(
        session.scalars(select(FindingCluster.finding_id).where(FindingCluster.finding_id.in_(ids)))
    )
    if have:
        session.execute(
            update(FindingCluster)
            .where(FindingCluster.finding_id.in_(sorted(have)))
            .values(cluster_id=cluster_id)
        )
    missing = [{"finding_id": f, "cluster_id": cluster_id} for f in ids if f not in have]
    if missing:
        session.execute(insert(FindingCluster), missing)
