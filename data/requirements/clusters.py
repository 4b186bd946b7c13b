"""Store candidate requirements: run grouping.clustering over current findings and keep each
finding's candidate id in FindingCluster, so pages only read stored ids.

Clustering at national scale is a batch job (CLI, or the regroup button for curators), never
part of a page request. Curated decisions always hold on recomputation:
- must-link: every live requirement's evidence stays together (so accepted candidates and
  merges persist), plus any stored CurationLink(kind='must');
- cannot-link: stored CurationLink(kind='cannot') rows (written by splits). Where a must-link
  chain from another requirement joins two findings a split separated, the chain wins for the
  candidate grouping; requirements themselves never change on recomputation.
A regroup recomputes every group and then gives each the earlier id holding most of its
findings (``previous_as="names"``), so candidates keep their ids as data grows.

Sentence vectors are cached in FindingEmbedding per text hash, so a regroup embeds only new text.
When a submission is stored, ``assign_new_findings`` (registered as an after-store hook in
data.store.events) places its findings at once against ClusterSummary rows: each joins the
closest stored group when the merge tests pass, or forms a new one; curated decisions are
untouched. "Related, not the same" marks (ClusterRelation) keep two groups apart in every regroup.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from data.privacy.access import ADMIN, COORDINATOR, NLAR_REP, Viewer, require
from data.store import audit, events
from data.store.models import (
    CURRENT,
    ClusterRelation,
    ClusterSummary,
    CurationLink,
    Finding,
    FindingCluster,
    FindingEmbedding,
    Requirement,
    RequirementEvidence,
    Submission,
)

log = logging.getLogger(__name__)
_CHUNK = 5000  # ids per IN (...) query


@dataclass(frozen=True)
class RegroupResult:
    findings: int
    candidates: int
    changed: int  # stored assignments written: moved + newly grouped
    seconds: float
    moved: int = 0  # findings that were in another candidate before
    model: bool = True  # the sentence model was used (else TF-IDF only)

    def message(self) -> str:
        note = "" if self.model else " Sentence model unavailable: grouped by shared words only."
        return (
            f"Grouped {self.findings:,} findings into {self.candidates:,} candidates "
            f"({self.changed:,} assignments changed, {self.moved:,} findings moved) "
            f"in {self.seconds:.1f} s.{note}"
        )


@dataclass(frozen=True)
class AssignResult:
    findings: int  # findings placed
    joined: int  # of which joined an existing candidate
    new_groups: int
    seconds: float


def grouping_notice() -> str | None:
    """A sentence for the requirements page when grouping runs without the sentence model
    (TF-IDF only), else None. Does not load the model."""
    from data.requirements.grouping.embeddings import probe

    status = probe()
    return None if status.available else status.notice()


def may_regroup(viewer: Viewer | None) -> bool:
    """Curators and administrators may recompute candidates; None is the command line."""
    return viewer is None or viewer.role in (NLAR_REP, COORDINATOR, ADMIN)


def _clustering_input(
    session: Session, finding_ids: list[int] | None = None, *, current: bool = True
) -> pd.DataFrame:
    """Current findings (all, or those of finding_ids; any status with current=False) as
    clustering input, ordered by id."""
    stmt = (
        select(
            Finding.id,
            Finding.theme_code,
            Finding.workflow_area_code,
            Finding.description,
            Finding.suggested_change,
        )
        .join(Submission, Submission.id == Finding.submission_id)
        .where((Submission.status == CURRENT) if current else True)
        .order_by(Finding.id)
    )
    cols = ["id", "theme", "workflow_area", "description", "suggested_change"]
    if finding_ids is None:
        found = session.execute(stmt).all()
    else:
        found = []
        for start in range(0, len(finding_ids), _CHUNK):
            chunk = finding_ids[start : start + _CHUNK]
            found += session.execute(stmt.where(Finding.id.in_(chunk))).all()
    frame = pd.DataFrame(found, columns=cols).sort_values("id", kind="stable")
    return frame.reset_index(drop=True).assign(finding_id=frame["id"].astype(str).to_numpy())


def cached_embeddings(
    session: Session, frame: pd.DataFrame, *, cached_only: bool = False, shared: bool = False
):
    """Sentence vectors for frame's rows as grouping uses them (embeddings.centred), from the
    raw model vectors cached in FindingEmbedding, embedding (and storing) only texts not cached
    yet; None without the model (or, with cached_only, when any text is not cached: pages
    never load the model). An array with a row per finding, or with shared=True a
    clustering.SharedVectors holding each distinct text's vector once (a full regroup)."""
    from data.requirements.grouping import embeddings as emb
    from data.requirements.grouping.vectors import SharedVectors

    if not emb.probe().available:  # loads no model: only new texts need it
        return None
    # Findings repeat (same wording in many submissions): each distinct text is keyed once.
    first: dict[tuple, int] = {}
    pair_of = np.fromiter(
        (first.setdefault(p, len(first)) for p in zip(frame["description"],
                                                      frame["suggested_change"], strict=True)),
        dtype=np.int64, count=len(frame),
    )  # fmt: skip
    texts = [emb.model_input(d, s) for d, s in first]
    keys = [emb.text_key(t) for t in texts]
    where = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    unique = np.zeros((len(where), emb.DIM), dtype=np.float32)
    found = np.zeros(len(where), dtype=bool)
    stmt = select(FindingEmbedding.text_hash, FindingEmbedding.vector)
    total = session.scalar(select(func.count()).select_from(FindingEmbedding)) or 0
    if len(where) > total / 4:  # most of the table: one streamed scan beats many IN queries
        chunks = [session.execute(stmt.execution_options(yield_per=20000))]
    else:
        names = list(where)
        chunks = [
            session.execute(stmt.where(FindingEmbedding.text_hash.in_(names[s : s + _CHUNK])))
            for s in range(0, len(names), _CHUNK)
        ]
    for result in chunks:
        for key, blob in result:
            k = where.get(key)
            if k is not None and len(blob) == 4 * emb.DIM:
                unique[k] = np.frombuffer(blob, dtype=np.float32)
                found[k] = True
    missing = np.flatnonzero(~found)
    if len(missing) and cached_only:
        return None
    if len(missing):
        text_of = dict(zip(keys, texts, strict=True))
        names = list(where)
        todo = [names[k] for k in missing]
        vecs = emb.embed([text_of[k] for k in todo])
        if vecs is None:  # the model failed to load after all (logged once)
            return None
        unique[missing] = vecs
        session.execute(
            insert(FindingEmbedding),
            [{"text_hash": k, "vector": v.astype(np.float32).tobytes()}
             for k, v in zip(todo, vecs, strict=True)],
        )  # fmt: skip
    unique = emb.centred(unique)  # per distinct text, then one row per finding
    row = np.fromiter((where[k] for k in keys), dtype=np.int64, count=len(keys))
    return SharedVectors(unique, row[pair_of]) if shared else unique[row[pair_of]]


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
    cannot += _related_constraints(session, known)
    cannot = [(a, b) for a, b in cannot if root.get(a, a) != root.get(b, b)]
    return must, cannot


def _related_constraints(session: Session, known: set[str]) -> list[tuple[str, str]]:
    """Cannot-link pairs that keep groups marked "related, not the same" apart: the smallest
    finding of each group against every finding of the other. A regroup recomputes groups, so
    this keeps each group's first finding in a group holding none of the other's findings
    (|A| + |B| pairs rather than |A| x |B|)."""
    pairs = session.execute(select(ClusterRelation.cluster_a, ClusterRelation.cluster_b)).all()
    if not pairs:
        return []
    names = sorted({c for pair in pairs for c in pair})
    members: dict[str, list[str]] = {}
    for cid, fid in session.execute(
        select(FindingCluster.cluster_id, FindingCluster.finding_id)
        .where(FindingCluster.cluster_id.in_(names))
        .order_by(FindingCluster.finding_id)
    ).all():
        if str(fid) in known:
            members.setdefault(cid, []).append(str(fid))
    out = []
    for a, b in pairs:
        if a in members and b in members:
            out += [(members[a][0], f) for f in members[b]]
            out += [(members[b][0], f) for f in members[a][1:]]
    return out


def regroup(
    session: Session, viewer: Viewer | None = None, *, threshold: float | None = None
) -> RegroupResult:
    """Recompute groups from all current findings (curated decisions always hold), so findings
    placed at upload by meaning alone can move; each group keeps the earlier id holding most of
    its findings (cluster_findings previous_as="names"). Stores the result; ``moved`` counts
    findings whose id changed.

    Raises PermissionDenied unless the viewer may regroup (see may_regroup)."""
    # Imported here: the text-similarity stack (scikit-learn, ~70 MB with scipy.stats) is
    # only needed when regrouping, not in every web worker serving pages.
    from data.requirements.grouping.clustering import cluster_findings

    require(may_regroup(viewer), "Only curators and administrators can regroup findings.")
    started = time.perf_counter()
    frame = _clustering_input(session)
    if frame.empty:
        return RegroupResult(0, 0, 0, 0.0)
    # In the order clustering works in (finding_id as text), so the vectors are not copied.
    frame = frame.sort_values("finding_id", kind="stable").reset_index(drop=True)
    ids = frame["id"].tolist()
    stored = stored_assignments(session, ids)
    must, cannot = curation_constraints(session, set(frame["finding_id"]))
    dense = cached_embeddings(session, frame, shared=True)
    labels = cluster_findings(
        frame,
        previous={str(k): v for k, v in stored.items()},
        must_link=must,
        cannot_link=cannot,
        threshold=threshold,
        embeddings=dense,
        use_model=dense is not None,
        previous_as="names",
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
    _store_summaries(session, frame, labels, dense, replace_all=True)
    _follow_relations(session, stored, new)
    result = RegroupResult(
        len(ids),
        len(set(new.values())),
        len(changed) + len(added),
        time.perf_counter() - started,
        moved=len(changed),
        model=dense is not None,
    )
    audit.record(
        session,
        viewer.user_id if viewer else None,
        "candidates_regrouped",
        "finding_cluster",
        result.message(),
    )
    return result


def _follow_relations(session: Session, before: dict[int, str], after: dict[int, str]) -> None:
    """Keep each "related, not the same" mark on the groups its two first findings are in now
    (the findings the regroup kept apart), so a group renamed or absorbed by a regroup does not
    leave its mark on a retired id."""
    first: dict[str, int] = {}
    for fid, cid in before.items():
        if fid in after and (cid not in first or fid < first[cid]):
            first[cid] = fid
    for rel in session.scalars(select(ClusterRelation)).all():
        if rel.cluster_a not in first or rel.cluster_b not in first:
            continue
        a, b = sorted((after[first[rel.cluster_a]], after[first[rel.cluster_b]]))
        if a == b or (a, b) == (rel.cluster_a, rel.cluster_b):
            continue
        session.delete(rel)
        session.flush()
        if session.get(ClusterRelation, (a, b)) is None:
            session.add(ClusterRelation(cluster_a=a, cluster_b=b, created_by_id=rel.created_by_id,
                                        created_at=rel.created_at))  # fmt: skip
            session.flush()


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
    before = dict(
        session.execute(
            select(FindingCluster.finding_id, FindingCluster.cluster_id).where(
                FindingCluster.finding_id.in_(ids)
            )
        ).all()
    )
    have = set(before)
    stale = sorted({cluster_id, *before.values()})  # their summaries are rebuilt when needed
    session.execute(delete(ClusterSummary).where(ClusterSummary.cluster_id.in_(stale)))
    if have:
        session.execute(
            update(FindingCluster)
            .where(FindingCluster.finding_id.in_(sorted(have)))
            .values(cluster_id=cluster_id)
        )
    missing = [{"finding_id": f, "cluster_id": cluster_id} for f in ids if f not in have]
    if missing:
        session.execute(insert(FindingCluster), missing)


# --- group summaries and upload-time assignment --------------------------------------------------


def _store_summaries(
    session: Session,
    frame: pd.DataFrame,
    labels: pd.Series,
    dense: np.ndarray | None,
    *,
    replace_all: bool = False,
) -> None:
    """Write ClusterSummary rows for the groups in labels (rows aligned with frame)."""
    from data.requirements.grouping.clustering import summarise

    if replace_all:
        session.execute(delete(ClusterSummary))
    if dense is None or frame.empty:
        return
    groups = summarise(labels, dense, frame["theme"], frame["workflow_area"])
    if not replace_all:
        names = [g.cluster_id for g in groups]
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            session.execute(delete(ClusterSummary).where(ClusterSummary.cluster_id.in_(chunk)))
    rows = [_summary_row(g) for g in groups]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(ClusterSummary), rows[start : start + _CHUNK])


def _current_sizes(session: Session) -> dict[str, int]:
    """cluster_id -> number of its current findings."""
    stmt = (
        select(FindingCluster.cluster_id, func.count())
        .join(Finding, Finding.id == FindingCluster.finding_id)
        .join(Submission, Submission.id == Finding.submission_id)
        .where(Submission.status == CURRENT)
        .group_by(FindingCluster.cluster_id)
    )
    return dict(session.execute(stmt).all())


def _summary_row(g) -> dict:
    return {
        "cluster_id": g.cluster_id,
        "size": g.size,
        "vector_sum": np.asarray(g.vector_sum, dtype=np.float32).tobytes(),
        "square_sum": g.square_sum,
        "theme_counts": json.dumps(g.themes, sort_keys=True),
        "area_counts": json.dumps(g.areas, sort_keys=True),
    }


def _load_summaries(session: Session, sizes: dict[str, int]) -> list:
    """Stored summaries whose size matches the group's current size."""
    from data.requirements.grouping.clustering import GroupSummary

    return [
        GroupSummary(row.cluster_id, row.size, np.frombuffer(row.vector_sum, dtype=np.float32),
                     row.square_sum, json.loads(row.theme_counts), json.loads(row.area_counts))
        for row in session.execute(select(ClusterSummary)).scalars()
        if sizes.get(row.cluster_id) == row.size
    ]  # fmt: skip


def _group_summaries(session: Session) -> list:
    """Summaries of every stored group with current findings; stale or missing ones (their size
    no longer matches, e.g. after curation or a superseded upload) are rebuilt from members."""
    sizes = _current_sizes(session)
    out = _load_summaries(session, sizes)
    have = {g.cluster_id for g in out}
    stale = sorted(c for c in sizes if c not in have)
    if not stale:
        return out
    member_ids: list[int] = []
    for start in range(0, len(stale), _CHUNK):
        member_ids += session.scalars(
            select(FindingCluster.finding_id).where(
                FindingCluster.cluster_id.in_(stale[start : start + _CHUNK])
            )
        ).all()
    frame = _clustering_input(session, sorted(member_ids))
    dense = cached_embeddings(session, frame)
    if dense is None or frame.empty:
        return out
    labels = pd.Series(stored_assignments(session, frame["id"].tolist())).reindex(frame["id"])
    _store_summaries(session, frame, labels.reset_index(drop=True), dense)
    return _load_summaries(session, sizes)


def assign_new_findings(session: Session, finding_ids: Iterable[int]) -> AssignResult | None:
    """Group findings just stored (not yet grouped) against the stored groups, in the caller's
    transaction. Returns None when they must wait for a full regroup: no sentence model (one log
    line says so), or no stored groups yet while other findings are still ungrouped."""
    from data.requirements.grouping.clustering import assign_to_groups

    started = time.perf_counter()
    ids = sorted({int(f) for f in finding_ids})
    if ids:
        done = set(stored_assignments(session, ids))
        ids = [f for f in ids if f not in done]
    if not ids:
        return AssignResult(0, 0, 0, 0.0)
    frame = _clustering_input(session, ids)
    if frame.empty:
        return AssignResult(0, 0, 0, 0.0)
    dense = cached_embeddings(session, frame)
    if dense is None:
        log.info("%d new findings wait for the next regroup (no sentence model)", len(frame))
        return None
    groups = _group_summaries(session)
    taken = set(session.scalars(select(FindingCluster.cluster_id).distinct()))
    labels = assign_to_groups(frame, dense, groups, taken=taken)
    if labels is None:
        return None
    rows = [
        {"finding_id": int(f), "cluster_id": c} for f, c in zip(frame["id"], labels, strict=True)
    ]
    session.execute(insert(FindingCluster), rows)
    existing = {g.cluster_id: g for g in groups}
    touched = sorted(set(labels))
    joined = sum(1 for c in labels if c in existing)
    # Update the touched groups' summaries by adding the new members.
    from data.requirements.grouping.clustering import summarise

    added = {g.cluster_id: g for g in summarise(labels, dense, frame["theme"],
                                                frame["workflow_area"])}  # fmt: skip
    session.execute(delete(ClusterSummary).where(ClusterSummary.cluster_id.in_(touched)))
    out = []
    for cid in touched:
        g, old = added[cid], existing.get(cid)
        if old is not None:
            themes = {
                k: old.themes.get(k, 0) + g.themes.get(k, 0) for k in {*old.themes, *g.themes}
            }
            areas = {k: old.areas.get(k, 0) + g.areas.get(k, 0) for k in {*old.areas, *g.areas}}
            g = type(g)(cid, old.size + g.size, (old.vector_sum + g.vector_sum).astype(np.float32),
                        old.square_sum + g.square_sum, themes, areas)  # fmt: skip
        out.append(_summary_row(g))
    session.execute(insert(ClusterSummary), out)
    return AssignResult(
        len(frame), joined, len([c for c in touched if c not in existing]),
        time.perf_counter() - started,
    )  # fmt: skip


def _forget_superseded(session: Session, submission_id: int) -> None:
    """Take the findings of the submission this one superseded out of their groups' summaries
    (they are no longer current), so those summaries need no rebuild from all their members."""
    from data.requirements.grouping.clustering import summarise

    new = session.get(Submission, submission_id)
    old = session.scalar(
        select(Submission.id)
        .where(
            Submission.authority_id == new.authority_id,
            Submission.period == new.period,
            Submission.id != submission_id,
            Submission.status != CURRENT,
        )
        .order_by(Submission.id.desc())
        .limit(1)
    )
    if old is None:
        return
    ids = list(session.scalars(select(Finding.id).where(Finding.submission_id == old)))
    labels = stored_assignments(session, ids)
    frame = _clustering_input(session, sorted(labels), current=False)
    dense = cached_embeddings(session, frame, cached_only=True)
    if frame.empty or dense is None:
        return  # the summaries are rebuilt from members when next needed
    gone = summarise(frame["id"].map(labels), dense, frame["theme"], frame["workflow_area"])
    rows = {
        r.cluster_id: r
        for r in session.scalars(
            select(ClusterSummary).where(
                ClusterSummary.cluster_id.in_([g.cluster_id for g in gone])
            )
        )
    }
    for g in gone:
        row = rows.get(g.cluster_id)
        if row is None:
            continue
        vec = np.frombuffer(row.vector_sum, dtype=np.float32) - g.vector_sum
        themes, areas = json.loads(row.theme_counts), json.loads(row.area_counts)
        for counts, minus in ((themes, g.themes), (areas, g.areas)):
            for k, v in minus.items():
                counts[k] = counts.get(k, 0) - v
                if counts[k] <= 0:
                    counts.pop(k)
        row.size -= g.size
        row.vector_sum = vec.astype(np.float32).tobytes()
        row.square_sum -= g.square_sum
        row.theme_counts = json.dumps(themes, sort_keys=True)
        row.area_counts = json.dumps(areas, sort_keys=True)
    session.flush()


@events.on_submission_stored
def on_submission_stored(session: Session, submission_id: int) -> None:
    """After-store hook: group the new submission's findings now (see assign_new_findings).
    Never fails the upload: a grouping error is logged and the findings wait for a regroup."""
    ids = session.scalars(select(Finding.id).where(Finding.submission_id == submission_id)).all()
    if not ids:
        return
    try:
        with session.begin_nested():
            _forget_superseded(session, submission_id)
            result = assign_new_findings(session, ids)
    except Exception:  # the upload is stored whatever happens to its grouping
        log.exception("grouping the findings of submission %s failed; they wait for a regroup",
                      submission_id)  # fmt: skip
        return
    if result is not None:
        log.info("submission %s: %d findings grouped (%d joined existing candidates, %d new) "
                 "in %.2f s", submission_id, result.findings, result.joined, result.new_groups,
                 result.seconds)  # fmt: skip


# --- "related, not the same" ------------------------------------------------------------------


def _pair(a: str, b: str) -> tuple[str, str]:
    a, b = str(a).strip(), str(b).strip()
    if not a or not b or a == b:
        raise ValueError("choose two different candidate groups")
    return (a, b) if a < b else (b, a)


def mark_related(session: Session, viewer: Viewer | None, a: str, b: str) -> bool:
    """Mark two groups "related, not the same": they stay apart in every regroup and are shown
    as linked. Returns False if they were already marked. Callers go through
    data.requirements.related.relate, which holds the rule (a curator of a supplier group both
    groups hold findings from); the check here only stops a caller that skips it."""
    require(may_regroup(viewer), "Only curators and administrators can link candidate groups.")
    first, second = _pair(a, b)
    for cid in (first, second):
        if session.scalar(select(FindingCluster.finding_id).where(
                FindingCluster.cluster_id == cid).limit(1)) is None:  # fmt: skip
            raise ValueError(f"no candidate group {cid!r}")
    if session.get(ClusterRelation, (first, second)) is not None:
        return False
    session.add(ClusterRelation(cluster_a=first, cluster_b=second,
                                created_by_id=viewer.user_id if viewer else None))  # fmt: skip
    audit.record(session, viewer.user_id if viewer else None, "candidates_related",
                 "cluster_relation", f"{first} and {second}: related, not the same")  # fmt: skip
    return True


def unmark_related(session: Session, viewer: Viewer | None, a: str, b: str) -> bool:
    """Remove a "related, not the same" mark; False if there was none."""
    require(may_regroup(viewer), "Only curators and administrators can link candidate groups.")
    row = session.get(ClusterRelation, _pair(a, b))
    if row is None:
        return False
    session.delete(row)
    audit.record(session, viewer.user_id if viewer else None, "candidates_unrelated",
                 "cluster_relation", f"{row.cluster_a} and {row.cluster_b}")  # fmt: skip
    return True


def related_groups(session: Session, cluster_id: str) -> list[str]:
    """Groups marked "related, not the same" as cluster_id, sorted."""
    rows = session.execute(
        select(ClusterRelation.cluster_a, ClusterRelation.cluster_b).where(
            (ClusterRelation.cluster_a == cluster_id) | (ClusterRelation.cluster_b == cluster_id)
        )
    ).all()
    return sorted(b if a == cluster_id else a for a, b in rows)


# --- why grouped ----------------------------------------------------------------------------------


def _shown_vectors(session: Session, shown: pd.DataFrame):
    """(frame with text, vectors or None) for shown findings (finding_id = Finding.id)."""
    ids = sorted({int(f) for f in shown["finding_id"]})
    frame = _clustering_input(session, ids)
    return frame, cached_embeddings(session, frame, cached_only=True) if not frame.empty else None


def explain_candidate(session: Session, shown: pd.DataFrame):
    """GroupExplanation of a candidate from the findings the viewer may see (so nothing withheld
    by disclosure control leaks), or None when none are shown."""
    from data.requirements.grouping.explain import explain_group

    if shown.empty:
        return None
    frame, dense = _shown_vectors(session, shown)
    return explain_group(frame, dense) if not frame.empty else None


def finding_neighbours(session: Session, shown: pd.DataFrame, finding_id: int, k: int = 5):
    """The k shown findings of the candidate most similar to finding_id, with similarity."""
    from data.requirements.grouping.explain import nearest_in_group

    frame, dense = _shown_vectors(session, shown)
    return nearest_in_group(frame, str(finding_id), dense, k)


def why_grouped(
    session: Session, shown: pd.DataFrame, cluster_id: str, *, related: bool = True
) -> str:
    """Sentences for the candidate page: typical finding, shared phrases, and (unless the page
    lists them itself) related groups."""
    parts = []
    why = explain_candidate(session, shown)
    if why is not None and why.size > 1:
        text = why.typical_text if len(why.typical_text) <= 120 else why.typical_text[:117] + "..."
        parts.append(f"Most typical finding: {why.typical_finding} (“{text}”).")
        if why.shared_phrases:
            phrases = ", ".join(f"{p} ({n})" for p, n in why.shared_phrases)
            parts.append(f"Shared phrases: {phrases}.")
    linked = related_groups(session, cluster_id) if related else []
    if linked:
        parts.append(f"Related, not the same: {', '.join(linked)}.")
    return " ".join(parts)
