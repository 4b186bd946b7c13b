"""The fast paths that make grouping keep up at national scale give the same answers as the
plain definitions: the merge loop with about one queue entry per group merges exactly the
pairs a naive average-linkage loop merges, vectors shared per distinct text group like a row
per finding, TF-IDF on distinct documents equals scikit-learn's on all, and so on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from data.requirements.grouping import vocabulary
from data.requirements.grouping.agglomerate import Agglomerator, link_candidates
from data.requirements.grouping.clustering import ClusterWeights, cluster_findings, summarise
from data.requirements.grouping.neighbours import unique_pairs
from data.requirements.grouping.vectors import SharedVectors

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "findings_devset.csv"


def naive_average_linkage(d: np.ndarray, w: ClusterWeights, threshold: float) -> list[list[int]]:
    """Average linkage by its definition: all pairs, recomputed after every merge."""
    sims = d.astype(np.float64) @ d.T.astype(np.float64)
    groups = [[i] for i in range(len(d))]
    prior = threshold / w.relative

    def coh(g):
        pairs = len(g) * (len(g) - 1) / 2
        inner = (sims[np.ix_(g, g)].sum() - np.trace(sims[np.ix_(g, g)])) / 2
        return (inner + prior * w.prior_pairs) / (pairs + w.prior_pairs)

    while True:
        best = None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                ga, gb = groups[a], groups[b]
                value = sims[np.ix_(ga, gb)].sum() / (len(ga) * len(gb))
                mix = (len(ga) * coh(ga) + len(gb) * coh(gb)) / (len(ga) + len(gb))
                if value >= threshold and value >= w.relative * mix - 1e-12:
                    rank = (-value, *sorted((min(ga), min(gb))))
                    if best is None or rank < best[0]:
                        best = (rank, a, b)
        if best is None:
            return sorted(sorted(g) for g in groups)
        _, a, b = best
        groups[a] = groups[a] + groups[b]
        del groups[b]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_merge_loop_matches_naive_average_linkage(seed: int) -> None:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(5, 6))
    d = centres[rng.integers(0, 5, 60)] + 0.6 * rng.normal(size=(60, 6))
    d = (d / np.linalg.norm(d, axis=1, keepdims=True)).astype(np.float32)
    w, threshold = ClusterWeights(theme_penalty=0.0), 0.45
    agg = Agglomerator(sp.csr_matrix((60, 1)), np.zeros(60), w, threshold, d)
    cluster_of = np.array([agg.add([i]) for i in range(60)])
    link_candidates(
        agg, np.array([(i, j) for i in range(60) for j in range(i + 1, 60)]), cluster_of
    )
    agg.run()
    got = sorted(sorted(c.members) for c in agg.clusters.values())
    assert got == naive_average_linkage(d, w, threshold)
    assert 3 <= len(got) < 60  # merges happened, and not into one blob


@pytest.fixture(scope="module")
def devset() -> pd.DataFrame:
    return pd.read_csv(DEVSET, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_shared_vectors_group_like_a_row_per_finding(devset: pd.DataFrame) -> None:
    rng = np.random.default_rng(4)
    distinct = rng.normal(size=(40, 16)).astype(np.float32)
    distinct /= np.linalg.norm(distinct, axis=1, keepdims=True)
    rows = rng.integers(0, 40, len(devset))
    shared = SharedVectors(distinct, rows)
    full = distinct[rows]
    w = ClusterWeights(meaning=0.5)  # words and vectors both count
    assert cluster_findings(devset, embeddings=shared, weights=w).equals(
        cluster_findings(devset, embeddings=full, weights=w)
    )
    labels = pd.Series(rng.integers(0, 7, len(devset))).astype(str)
    one, other = (summarise(labels, v, devset["theme"], devset["workflow_area"])
                  for v in (shared, full))  # fmt: skip
    for a, b in zip(one, other, strict=True):
        assert (a.cluster_id, a.size, a.themes, a.areas) == (
            b.cluster_id,
            b.size,
            b.themes,
            b.areas,
        )
        np.testing.assert_allclose(a.vector_sum, b.vector_sum, rtol=1e-6)
        assert a.square_sum == pytest.approx(b.square_sum)


def test_tfidf_on_distinct_documents_equals_scikit_learn_on_all(devset: pd.DataFrame) -> None:
    repeated = pd.concat([devset, devset.iloc[::3]], ignore_index=True)  # repeats, as in data
    n = len(repeated)
    docs = [vocabulary.normalise(t) for t in repeated["description"]] + [
        vocabulary.normalise(t) for t in repeated["suggested_change"]
    ]
    got = vocabulary._tfidf(docs, n, 0.6, str, analyzer="char_wb", ngram_range=(3, 5))
    mat = TfidfVectorizer(sublinear_tf=True, norm=None, analyzer="char_wb",
                          ngram_range=(3, 5)).fit_transform(docs)  # fmt: skip
    unit = lambda m: sp.csr_matrix(m / np.maximum(sp.linalg.norm(m, axis=1), 1e-300)[:, None])  # noqa: E731
    want = unit(unit(mat[:n]) + 0.6 * unit(mat[n:]))
    assert abs(got - want).max() < 1e-12


def test_unique_pairs_equals_numpy_unique_rows() -> None:
    pairs = np.random.default_rng(5).integers(0, 300, size=(5000, 2))
    assert np.array_equal(unique_pairs(pairs), np.unique(pairs, axis=0))
    assert unique_pairs(np.empty((0, 2))).shape == (0, 2)
