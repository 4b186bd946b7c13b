"""Candidate groups marked "related, not the same": who may mark them, which groups a curator
may pick, and the linked groups as the viewer may see them.

A mark is curation of a supplier group's candidates, so only a curator of a supplier group
both candidates hold findings from may set or remove it (that group's NLAR rep, or a
coordinator: access.may_curate). The page and the command line (`icsdash requirements relate
--as USERNAME`) both go through relate/unrelate, so there is one rule; there is no trusted
caller without a viewer. The mark itself, its audit entry and its effect on regrouping are in
data.requirements.clusters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound
from data.privacy.access import Viewer, may_curate, require
from data.privacy.disclosure import DisclosureRules
from data.requirements import candidates, clusters
from data.requirements.closest import similarity_percent
from data.store.models import CURRENT, ClusterSummary, Finding, FindingCluster, Submission

MAX_ID = 40  # ClusterRelation ids are String(40)
CHOICES = 200  # candidate groups offered per supplier group, best ranked first
REFUSED = (
    "only the NLAR representative of a supplier group both candidates hold findings from, "
    "or a coordinator, can mark candidate groups related, not the same."
)


@dataclass(frozen=True)
class LinkedGroup:
    """A candidate group to show or offer: its id and its representative finding (as the
    viewer may read it)."""

    cluster_id: str
    title: str
    alike: float | None = None  # cosine of the two groups' mean vectors, where stored

    @property
    def label(self) -> str:
        title = self.title if len(self.title) <= 90 else self.title[:87] + "..."
        name = self.cluster_id
        if self.alike is not None:
            name += f" ({similarity_percent(self.alike)} alike)"
        return f"{name}: {title}" if title else name


def candidate_id(value: object) -> str:
    """A candidate id from a request (untrusted): plain text of at most MAX_ID characters."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise NotFound("Unknown candidate group.")
    text = str(value).strip()
    if not text or len(text) > MAX_ID or not text.isprintable():
        raise NotFound("Unknown candidate group.")
    return text


def supplier_groups(session: Session, cluster_ids: Iterable[str]) -> dict[str, set[int]]:
    """Candidate id -> supplier groups with current findings in it (absent: no such group)."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(FindingCluster.cluster_id, Submission.supplier_id)
        .join(Finding, Finding.id == FindingCluster.finding_id)
        .join(Submission, Submission.id == Finding.submission_id)
        .where(FindingCluster.cluster_id.in_(ids), Submission.status == CURRENT)
        .distinct()
    ).all()
    out: dict[str, set[int]] = {}
    for cid, sid in rows:
        out.setdefault(cid, set()).add(int(sid))
    return out


def curatable_groups(viewer: Viewer, groups: Iterable[int]) -> set[int]:
    """The supplier groups among `groups` the viewer may curate."""
    return {g for g in groups if may_curate(viewer, g)}


def may_relate(session: Session, viewer: Viewer, cluster_id: str) -> bool:
    """Whether the viewer may mark this candidate group related to another one at all."""
    held = supplier_groups(session, [cluster_id]).get(cluster_id, set())
    return bool(curatable_groups(viewer, held))


def _checked_pair(session: Session, viewer: Viewer, a: object, b: object):
    """The two ids, once they name two different groups the viewer curates a shared
    supplier group of (the rule of this module; ids checked before rights, as on the page)."""
    if not isinstance(viewer, Viewer):  # no trusted path: a caller must say who acts
        raise TypeError("relate/unrelate need the acting Viewer")
    first, second = candidate_id(a), candidate_id(b)
    if first == second:
        raise DomainError("Choose another candidate group: a group cannot be related to itself.")
    held = supplier_groups(session, [first, second])
    for cid in (first, second):
        if cid not in held:
            raise NotFound(f"No candidate group {cid}.")
    require(bool(curatable_groups(viewer, held[first] & held[second])), REFUSED)
    return first, second


def relate(session: Session, viewer: Viewer, a: object, b: object) -> bool:
    """Mark groups a and b related, not the same (audited); False if they already were."""
    first, second = _checked_pair(session, viewer, a, b)
    return clusters.mark_related(session, viewer, first, second)


def unrelate(session: Session, viewer: Viewer, a: object, b: object) -> bool:
    """Remove the mark between a and b (audited); False if there was none."""
    first, second = _checked_pair(session, viewer, a, b)
    return clusters.unmark_related(session, viewer, first, second)


def linked_groups(
    session: Session, viewer: Viewer, rules: DisclosureRules, cluster_id: str
) -> list[LinkedGroup]:
    """The groups marked related to cluster_id, each with its title as the viewer may read it
    (withheld wording stays withheld)."""
    ids = clusters.related_groups(session, cluster_id)
    titles = candidates.candidate_titles(session, viewer, rules, ids)
    return [LinkedGroup(c, titles.get(c, "")) for c in ids]


def group_likeness(session: Session, cluster_id: str, others: list[str]) -> dict[str, float]:
    """Cosine between the mean sentence vectors of cluster_id and each of `others`, from the
    stored group summaries (none without the sentence model: then nothing is returned)."""
    stmt = select(ClusterSummary.cluster_id, ClusterSummary.vector_sum)
    vectors = dict(
        session.execute(stmt.where(ClusterSummary.cluster_id.in_([cluster_id, *others]))).all()
    )  # at most CHOICES per supplier group
    if cluster_id not in vectors:
        return {}
    base = np.frombuffer(vectors[cluster_id], dtype=np.float32).astype(np.float64)
    out = {}
    for cid in others:
        if cid in vectors:
            v = np.frombuffer(vectors[cid], dtype=np.float32).astype(np.float64)
            norms = float(np.linalg.norm(base) * np.linalg.norm(v))
            if len(v) == len(base) and norms > 0:
                out[cid] = float(base @ v) / norms
    return out


def relation_choices(
    session: Session,
    viewer: Viewer,
    rules: DisclosureRules,
    cluster_id: str,
    supplier_id: int | None = None,
) -> list[LinkedGroup]:
    """Other candidate groups the viewer may mark related to cluster_id: those holding findings
    from a supplier group both share and the viewer curates (only `supplier_id`'s, if that is
    one of them), without the ones already marked; the most alike first (the groups a curator
    is likeliest to want kept apart), then by rank."""
    held = supplier_groups(session, [cluster_id]).get(cluster_id, set())
    scope = curatable_groups(viewer, held)
    if supplier_id in scope:  # the page's supplier group, when the viewer curates it here
        scope = {supplier_id}
    taken = {cluster_id, *clusters.related_groups(session, cluster_id)}
    rank: dict[str, int] = {}
    title: dict[str, str] = {}
    for group in sorted(scope):
        filt = candidates.CandidateFilter(supplier_id=group, limit=CHOICES)
        table = candidates.candidate_table(session, viewer, rules, filt)
        for r, cid, text in zip(table["rank"], table["candidate"], table["title"], strict=True):
            if cid not in taken and r < rank.get(cid, r + 1):
                rank[cid], title[cid] = int(r), text
    alike = group_likeness(session, cluster_id, sorted(rank))
    order = sorted(rank, key=lambda c: (-alike.get(c, -2.0), rank[c], c))
    return [LinkedGroup(c, title[c], alike.get(c)) for c in order]
