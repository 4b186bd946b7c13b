"""Grouping in the database (data.requirements.clusters): findings are grouped when their
submission is stored, embeddings are cached per text, a regroup corrects placements, keeps ids
and reports moves, and "related, not the same" groups stay apart. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from data.errors import PermissionDenied
from data.ingest import import_files
from data.requirements import clusters
from data.requirements.grouping import embeddings as emb
from data.requirements.grouping.clustering import cluster_findings
from data.store.db import session_scope
from data.store.models import ClusterSummary, Finding, FindingCluster, FindingEmbedding
from tests.factories import load_reference, submission_files
from tests.unit.test_requirements_support import viewer

PARAPHRASES = Path(__file__).resolve().parents[1] / "fixtures" / "findings_paraphrases.csv"
GROUPS = ("timeout_loss", "chron_filter", "chron_edit", "icpc_invites")


def paraphrase_rows() -> pd.DataFrame:
    df = pd.read_csv(PARAPHRASES, dtype=str, keep_default_na=False)
    return df[df["true_group"].isin(GROUPS)].reset_index(drop=True)


def upload(session, code: str, product: str, rows: pd.DataFrame, seed: int):
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["finding_ref", "theme", "category", "workflow_area", "severity",
                  "respondents_raising", "description", "suggested_change"])  # fmt: skip
    for k, r in enumerate(rows.itertuples()):
        out.writerow([f"F{k + 1}", r.theme, "supplier", r.workflow_area, "high", 3,
                      r.description, r.suggested_change])  # fmt: skip
    files = [f for f in submission_files(code, product, seed=seed) if f[0] != "findings.csv"]
    files.append(("findings.csv", buf.getvalue().encode()))
    return import_files(session, files, allowed_authorities=None, uploaded_by_id=None)


def grouping(session) -> dict[str, str]:
    """description -> stored cluster id."""
    rows = session.execute(
        select(Finding.description, FindingCluster.cluster_id).join(
            FindingCluster, FindingCluster.finding_id == Finding.id
        )
    ).all()
    return dict(rows)


@pytest.fixture
def loaded(sessions):
    with session_scope(sessions) as s:
        load_reference(s)
    return sessions


def test_upload_groups_findings_at_once_and_caches_vectors(loaded) -> None:
    rows = paraphrase_rows()
    first, second = rows.iloc[::2], rows.iloc[1::2]
    with session_scope(loaded) as s:
        upload(s, "E09000901", "CareFirst", first, seed=1)
    with session_scope(loaded) as s:
        if not emb.status().available:
            assert clusters.ungrouped_count(s) == len(first)  # wait for a regroup
            assert clusters.regroup(s).findings == len(first)
            return
        assert clusters.ungrouped_count(s) == 0, "grouped when stored"
        assert s.scalar(select(func.count()).select_from(FindingEmbedding)) == len(first)
        before = grouping(s)
    with session_scope(loaded) as s:
        upload(s, "E10000901", "PROTOCOL ICS", second, seed=2)
    with session_scope(loaded) as s:
        assert clusters.ungrouped_count(s) == 0
        after = grouping(s)
        assert all(after[d] == c for d, c in before.items()), "stored groups untouched"
        truth = dict(zip(rows["description"], rows["true_group"], strict=True))
        stored = {truth[d]: c for d, c in before.items()}
        joined = [after[d] == stored.get(truth[d]) for d in second["description"]]
        assert sum(joined) >= len(second) // 2, "new findings join their problem's group"
        sizes = dict(s.execute(select(ClusterSummary.cluster_id, ClusterSummary.size)).all())
        assert sizes == pd.Series(after).value_counts().to_dict(), "summaries kept current"
        result = clusters.regroup(s)  # by meaning and words: may correct upload placements
        regrouped = grouping(s)
        assert result.moved == sum(regrouped[d] != c for d, c in after.items())
        assert f"{result.moved} findings moved" in result.message()
        assert clusters.regroup(s).moved == 0 and grouping(s) == regrouped, "ids stay stable"
        assert s.scalar(select(func.count()).select_from(FindingEmbedding)) == len(rows)
    with session_scope(loaded) as s:  # a corrected file for the same LA and period
        upload(s, "E09000901", "CareFirst", first.iloc[:3], seed=9)
    with session_scope(loaded) as s:
        current = clusters._current_sizes(s)
        sizes = dict(s.execute(select(ClusterSummary.cluster_id, ClusterSummary.size)).all())
        assert {c: n for c, n in sizes.items() if n} == current, "superseded findings left"
        assert clusters.ungrouped_count(s) == 0


def test_regroup_moves_a_misplaced_finding_back_and_keeps_group_ids(loaded) -> None:
    with session_scope(loaded) as s:
        upload(s, "E09000901", "CareFirst", paraphrase_rows(), seed=6)
        clusters.regroup(s)
        right = grouping(s)
        sizes = pd.Series(right).value_counts()
        home, away = sorted(sizes[sizes >= 3].index)[:2]
        wrong = max(d for d, c in right.items() if c == home)
        row = s.scalar(select(Finding.id).where(Finding.description == wrong))
        clusters.assign(s, [row], away)  # as an upload by meaning alone might place it
        result = clusters.regroup(s)
        assert result.moved == 1 and "1 findings moved" in result.message()
        assert grouping(s) == right, "back in its group; every group keeps its id"
        assert clusters.regroup(s).moved == 0


def test_related_groups_are_linked_and_stay_apart(loaded) -> None:
    rows = paraphrase_rows()
    with session_scope(loaded) as s:
        upload(s, "E09000901", "CareFirst", rows, seed=3)
        clusters.regroup(s)
        got = grouping(s)
        truth = dict(zip(rows["description"], rows["true_group"], strict=True))
        by_group = {truth[d]: c for d, c in got.items()}
        a, b = by_group["timeout_loss"], by_group["icpc_invites"]
        assert a != b
        la = viewer(s, "la_user", "E09000901")
        with pytest.raises(PermissionDenied):
            clusters.mark_related(s, la, a, b)
        with pytest.raises(ValueError, match="two different"):
            clusters.mark_related(s, None, a, a)
        with pytest.raises(ValueError, match="no candidate group"):
            clusters.mark_related(s, None, a, "C-nothing")
        assert clusters.mark_related(s, None, b, a) is True
        assert clusters.mark_related(s, None, a, b) is False
        assert clusters.related_groups(s, a) == [b] and clusters.related_groups(s, b) == [a]
        ids = [str(f) for f in s.scalars(select(FindingCluster.finding_id)).all()]
        must, cannot = clusters.curation_constraints(s, set(ids))
        assert cannot, "the mark becomes a cannot-link between the two groups"
        rows = s.execute(select(FindingCluster.cluster_id, FindingCluster.finding_id)).all()
        held = {c: [str(f) for f in sorted(f for g, f in rows if g == c)] for c in (a, b)}
        pairs = {frozenset(p) for p in cannot}
        for one, other in ((a, b), (b, a)):  # each first finding apart from all the other's
            assert all(frozenset((held[one][0], f)) in pairs for f in held[other])
        # Even a grouping from scratch that would merge everything keeps the two apart.
        frame = clusters._clustering_input(s)
        dense = clusters.cached_embeddings(s, frame)
        kwargs = {"threshold": -1.0, "embeddings": dense, "use_model": dense is not None}
        merged = cluster_findings(frame, cannot_link=cannot, **kwargs)
        label = dict(zip(frame["id"], merged, strict=True))
        members = s.execute(select(FindingCluster.cluster_id, FindingCluster.finding_id)).all()
        fa = min(f for c, f in members if c == a)
        fb = min(f for c, f in members if c == b)
        assert label[fa] != label[fb]
        if dense is not None:  # every pair is a candidate: without the mark all would merge
            assert cluster_findings(frame, **kwargs).nunique() == 1
        result = clusters.regroup(s)
        assert grouping(s) == got and result.moved == 0
        if dense is not None:  # a regroup that merges all it may: no group holds both
            clusters.regroup(s, threshold=-1.0)
            now = grouping(s)
            assert len(set(now.values())) == 2, "all but the related pair merge"
            assert {now[d] for d, c in got.items() if c == a}.isdisjoint(
                {now[d] for d, c in got.items() if c == b}
            )
            # the mark follows the two groups their first findings are in now
            a, b = sorted(set(now.values()))
            assert clusters.related_groups(s, a) == [b]
        assert clusters.unmark_related(s, None, a, b) is True
        assert clusters.related_groups(s, a) == []


def test_why_grouped_explains_the_shown_findings_and_names_related_groups(loaded) -> None:
    rows = paraphrase_rows()
    with session_scope(loaded) as s:
        upload(s, "E09000901", "CareFirst", rows, seed=4)
        clusters.regroup(s)
        members = pd.DataFrame(
            s.execute(select(FindingCluster.finding_id, FindingCluster.cluster_id)).all(),
            columns=["finding_id", "cluster_id"],
        )
        sizes = members["cluster_id"].value_counts()
        big, other = sizes.index[0], sizes.index[1]
        shown = members[members["cluster_id"] == big][["finding_id"]]
        why = clusters.explain_candidate(s, shown)
        assert why.size == len(shown) and int(why.typical_finding) in set(shown["finding_id"])
        assert why.shared_phrases and why.by_meaning == emb.probe().available
        first = int(shown["finding_id"].iloc[0])
        near = clusters.finding_neighbours(s, shown, first, k=3)
        assert 0 < len(near) <= 3 and all(int(n.finding_id) != first for n in near)
        clusters.mark_related(s, None, big, other)
        text = clusters.why_grouped(s, shown, big)
        assert "Most typical finding" in text and f"Related, not the same: {other}" in text
        assert clusters.explain_candidate(s, shown.iloc[:0]) is None


def test_bulk_loads_can_pause_upload_time_grouping(loaded) -> None:
    from data.store import events

    with session_scope(loaded) as s, events.paused():
        upload(s, "E09000901", "CareFirst", paraphrase_rows().iloc[:4], seed=5)
    with session_scope(loaded) as s:
        assert clusters.ungrouped_count(s) == 4, "left for the regroup that follows"
