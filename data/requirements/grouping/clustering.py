"""Group findings that describe the same problem into candidate requirements.

Findings are compared by meaning and by words: the cosine of ``[sqrt(a) * embedding |
sqrt(1 - a) * tfidf]``, where the embedding comes from a local sentence model
(``grouping.embeddings``) and TF-IDF is on canonical word uni- and bigrams
(``grouping.vocabulary``); ``a`` is ``ClusterWeights.meaning``. Without the model, TF-IDF alone
(words and character n-grams) is used with its own tuned setting (``FALLBACK_WEIGHTS``,
``FALLBACK_THRESHOLD``), and ``model_status()`` says so. The
similarity is adjusted by theme and workflow area: the same theme adds a bonus, a different
theme a penalty (not a veto: LAs mis-code themes). Groups form by average-linkage agglomeration
that stops at ``threshold``, plus a relative-closeness test (as in Chameleon): a tight group only
absorbs findings nearly as close as its own members, which keeps near-miss problems apart.

No n x n matrix: average linkage is the dot product of two groups' summed unit vectors over the
pair count, so it is exact from per-cluster sums (the merge loop is grouping.agglomerate);
candidate pairs come from a sparse nearest-neighbour search on rarer words and one on the
embeddings (grouping.neighbours); and since average linkage is reducible, pairs below the
threshold are dropped at once. ``previous``,
``must_link`` and ``cannot_link`` make earlier ids and curated decisions survive recomputation;
new ids derive from the smallest finding_id. ``assign_to_groups`` places an upload's findings
against stored group summaries without a full regroup, by meaning alone (``ASSIGN_WEIGHTS``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from data.requirements.grouping import embeddings as emb
from data.requirements.grouping import neighbours, vocabulary
from data.requirements.grouping.agglomerate import (
    Agglomerator,
    Cluster,
    link_candidates,
    one_blas_thread,
    runs,
)
from data.requirements.grouping.vectors import shared

REQUIRED_COLUMNS = ("finding_id", "theme", "workflow_area", "description", "suggested_change")
DEFAULT_THRESHOLD = 0.19  # with the sentence model (tuned on half A, bench/cluster_eval.py)
FALLBACK_THRESHOLD = 0.11  # TF-IDF only (tuned the same way)
# Upload-time assignment compares sentence vectors alone (exact from stored group summaries;
# the text part's IDF depends on the whole corpus), with its own setting tuned the same way.
# A full regroup (clusters.regroup, previous_as="names") recomputes every group by meaning and
# words, so it corrects upload-time placements while keeping group ids.
ASSIGN_THRESHOLD = 0.20
_NO_AREA = {"", "general", "nan"}
_Pairs = list[tuple[int, int]]


@dataclass(frozen=True)
class ClusterWeights:
    """Tunable weights; see bench/cluster_eval.py for how they were chosen."""

    word: float = 1.0  # share of word-level (vs character-level) TF-IDF; 1.0: words only
    suggestion: float = 0.6  # weight of suggested_change relative to description
    theme_bonus: float = 0.04
    theme_penalty: float = 0.04
    area_bonus: float = 0.03
    relative: float = 0.6  # merge only if linkage >= relative * cohesion of the two groups
    prior_pairs: float = 6.0  # small groups' cohesion is shrunk towards threshold / relative
    neighbours: int = 40  # candidate neighbours kept per finding
    block_df: float = 0.02  # words in more than this share of findings create no candidates...
    block_min: int = 400  # ... unless they are in fewer findings than this
    meaning: float = 0.5  # a: share of the sentence embedding in the cosine (0: TF-IDF only)
    meaning_neighbours: int = 12  # candidate neighbours per finding by embedding


ASSIGN_WEIGHTS = ClusterWeights(meaning=1.0, relative=0.6)  # see ASSIGN_THRESHOLD
# TF-IDF only (no model): character n-grams as well, which absorb typos (FALLBACK_THRESHOLD)
FALLBACK_WEIGHTS = ClusterWeights(word=0.7, meaning=0.0)


def model_status() -> emb.Status:
    """Whether the sentence model is in use (else TF-IDF only; the page says so)."""
    return emb.status()


def finding_embeddings(findings: pd.DataFrame, cache: dict | None = None) -> np.ndarray | None:
    """Sentence vectors of findings as grouping compares them (rows in order, see
    embeddings.centred), or None without the model. cache: text_key -> raw model vector."""
    texts = [
        emb.model_input(d, s)
        for d, s in zip(findings["description"], findings["suggested_change"], strict=True)
    ]
    return emb.centred(emb.embed(texts, cache))


def _themes(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.upper()


def _areas(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.lower()


def _one_hot(values: pd.Series, scale: float) -> sp.csr_matrix:
    codes, _ = pd.factorize(values, sort=True)  # missing -> -1
    rows = np.flatnonzero(codes >= 0)
    width = max(int(codes.max()) + 1 if len(codes) else 0, 1)
    return sp.csr_matrix((np.full(len(rows), scale), (rows, codes[rows])), (len(values), width))


def build_features(
    findings: pd.DataFrame, w: ClusterWeights, dense: np.ndarray | None = None
) -> tuple:
    """(X, D, word matrix, known-theme flags) for findings in the given row order.

    X rows hold sqrt(1 - a) times the text vector (vocabulary.text_vectors), then one-hot theme
    and area columns; D holds sqrt(a) times the unit sentence embeddings (None without them);
    X[i].X[j] + D[i].D[j] - theme_penalty * known_i * known_j is the adjusted similarity.
    """
    share = w.meaning if dense is not None else 0.0
    text, words = vocabulary.text_vectors(
        findings["description"], findings["suggested_change"], w.word, w.suggestion,
        with_chars=share < 1.0,
    )  # fmt: skip
    themes, areas = _themes(findings["theme"]), _areas(findings["workflow_area"])
    known = (themes != "").to_numpy()
    d = None
    if dense is not None:  # one float32 matrix; scaled in place when it is already a copy
        d = np.asarray(dense, dtype=np.float32)
        if share != 1.0:
            d = d * np.float32(np.sqrt(share))
    blocks = [
        np.sqrt(1.0 - share) * text,
        _one_hot(themes.where(known, None), np.sqrt(w.theme_bonus + w.theme_penalty)),
        _one_hot(areas.where(~areas.isin(_NO_AREA), None), np.sqrt(w.area_bonus)),
    ]
    x = sp.hstack(blocks, format="csr")
    x.sort_indices()  # cluster vectors are searched by column index
    return x, d, words, known.astype(np.float64)


def _groups(n: int, *pairs) -> np.ndarray:
    """Connected-component label of each of n findings when `pairs` (lists or arrays of index
    pairs) join findings."""
    a, b = np.vstack([np.array(p, dtype=np.int64).reshape(-1, 2) for p in pairs]).T
    return connected_components(sp.coo_matrix((np.ones(len(a)), (a, b)), (n, n)))[1]


def _members(labels: np.ndarray, items: np.ndarray) -> list[list[int]]:
    """items grouped by label, each group and the list ordered by smallest item."""
    order = items[np.lexsort((items, labels[items]))]
    return sorted((order[lo:hi].tolist() for lo, hi in runs(labels[order])), key=min)


def _split(agg: Agglomerator, comp: list[int], must: np.ndarray, cannot: dict[int, set[int]]):
    """Split a group that cannot_link now forbids, keeping together as much as is allowed."""
    weights = ClusterWeights(relative=0.0, theme_penalty=agg.penalty)
    sub = Agglomerator(agg.x, agg.known, weights, -np.inf, agg.d, agg.d_rows)
    parts = _members(must, np.array(comp))
    cids = [sub.add(m, None, set().union(*(cannot.get(i, set()) for i in m))) for m in parts]
    for k, a in enumerate(cids):
        sub.link(a, cids[k + 1 :], sub.numerators(a, cids[k + 1 :]))
    sub.run()
    return sorted((sorted(c.members) for c in sub.clusters.values()), key=min)


def _seed(agg: Agglomerator, ids: np.ndarray, must, cannot: _Pairs, prev: dict) -> np.ndarray:
    """Add the starting clusters to agg and return each finding's cluster.

    Start partition: must_link plus previous ids, split where cannot_link demands; a previous id
    stays with the part holding most of its findings (ties: the smallest finding_id).
    """
    n = len(ids)
    must_comp = _groups(n, must)
    cannot_map: dict[int, set[int]] = {}
    for a, b in cannot:
        if must_comp[a] == must_comp[b]:
            raise ValueError(f"cannot_link({ids[a]!r}, {ids[b]!r}) contradicts must_link pairs")
        cannot_map.setdefault(a, set()).add(b)
        cannot_map.setdefault(b, set()).add(a)
    rows = np.fromiter(prev, dtype=np.int64, count=len(prev))
    names = pd.factorize(np.array(list(prev.values()), dtype=object))[0]
    first = rows[np.unique(names, return_index=True)[1]][names]  # a row per earlier id
    comp = _groups(n, must, np.column_stack([first, rows]))
    broken = {comp[a] for a, b in cannot if comp[a] == comp[b]}
    parts: list[list[int]] = []
    for group in _members(comp, np.arange(n)):
        parts.extend(
            _split(agg, group, must_comp, cannot_map) if comp[group[0]] in broken else [group]
        )
    offers, taken = [], set()
    for k, part in enumerate(parts):
        counts = Counter(prev[i] for i in part if i in prev)
        offers += [(-c, cid, min(part), k) for cid, c in counts.items()]
    anchors: dict[int, str] = {}
    for _, cid, _, k in sorted(offers):
        if cid not in taken and k not in anchors:
            anchors[k], _ = cid, taken.add(cid)
    cluster_of = np.empty(n, dtype=np.int64)
    for k, part in enumerate(parts):
        forbidden = set().union(*(cannot_map.get(i, set()) for i in part))
        cluster_of[part] = agg.add(part, anchors.get(k), forbidden)
    return cluster_of


def _duplicates(findings: pd.DataFrame, free: np.ndarray, cannot: _Pairs) -> tuple:
    """(pairs joining identical free findings, one row per set of identical findings).

    Identical findings (same text, theme and area) are the closest possible pair, so average
    linkage joins them first anyway; joining them up front saves the work. Findings named in a
    cannot_link, and findings without text, are left alone."""
    key = (
        findings["description"].fillna("").astype(str).str.strip().str.lower()
        + "\x00" + findings["suggested_change"].fillna("").astype(str).str.strip().str.lower()
        + "\x00" + _themes(findings["theme"]) + "\x00" + _areas(findings["workflow_area"])
    ).to_numpy()  # fmt: skip
    blank = (findings["description"].fillna("").astype(str).str.strip() == "") & (
        findings["suggested_change"].fillna("").astype(str).str.strip() == ""
    )
    ok = free & ~blank.to_numpy()  # findings without text are like nothing, not like each other
    for a, b in cannot:
        ok[a] = ok[b] = False
    codes = pd.factorize(np.where(ok, key, np.arange(len(key)).astype(str)))[0]
    reps = np.unique(codes, return_index=True)[1]  # first row of each set, in row order
    first = reps[codes]
    later = np.flatnonzero(first != np.arange(len(codes)))
    return np.column_stack([first[later], later]), reps


def _resolve(pairs: Iterable[tuple[str, str]], pos: Mapping[str, int]) -> _Pairs:
    """Constraint pairs as positions; pairs naming unknown (e.g. withdrawn) findings are ignored."""
    found = [(pos.get(str(a)), pos.get(str(b))) for a, b in pairs]
    return sorted({(min(p), max(p)) for p in found if None not in p and p[0] != p[1]})


def check_findings(findings: pd.DataFrame) -> None:
    """Raise ValueError naming missing columns or duplicated / empty finding_ids."""
    missing = [c for c in REQUIRED_COLUMNS if c not in findings.columns]
    if missing:
        raise ValueError(f"findings are missing required column(s): {', '.join(missing)}")
    ids = findings["finding_id"].astype(str).str.strip()
    if findings["finding_id"].isna().any() or (ids == "").any():
        raise ValueError("every finding needs a non-empty finding_id")
    dup = sorted(ids[ids.duplicated()].unique())
    if dup:
        raise ValueError(f"duplicated finding_id value(s): {', '.join(dup[:10])}")


@one_blas_thread
def cluster_findings(
    findings: pd.DataFrame,
    *,
    previous: Mapping[str, str] | None = None,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    threshold: float | None = None,
    weights: ClusterWeights | None = None,
    embeddings: np.ndarray | None = None,
    use_model: bool = True,
    previous_as: str = "seed",
) -> pd.Series:
    """Cluster id (str) for every finding, index-aligned with ``findings``.

    previous: finding_id -> cluster_id from an earlier run, used as ``previous_as`` says.
    "seed": those findings keep their id and two earlier clusters never merge (unless must_link
    joins them); new findings join an earlier cluster when close enough (same tests as any merge)
    or form new ones. A cluster split by cannot_link keeps its id on its largest part.
    "names": groups are recomputed from all findings as if there were no earlier run, so earlier
    placements can be corrected; then each group takes the earlier id holding most of its
    findings (see _adopt), and earlier ids no group takes are never reused.
    must_link / cannot_link: curated (finding_id, finding_id) decisions that always hold.
    threshold: minimum average adjusted similarity for two groups to merge (default: the tuned
    DEFAULT_THRESHOLD with the sentence model, FALLBACK_THRESHOLD without).
    weights: default ClusterWeights() with the sentence model, FALLBACK_WEIGHTS without.
    embeddings: unit sentence vectors, one row per finding in ``findings`` order (e.g. from the
    database cache); computed with the model when None and use_model is true.
    New ids are "C-<smallest finding_id in the cluster>".
    """
    check_findings(findings)
    if previous_as not in ("seed", "names"):
        raise ValueError(f"previous_as must be 'seed' or 'names', not {previous_as!r}")
    w = weights or ClusterWeights()
    if findings.empty:
        return pd.Series([], index=findings.index, dtype=object, name="cluster_id")
    raw = findings["finding_id"].astype(str).str.strip().to_numpy()
    order = np.argsort(raw, kind="stable")
    ids = raw[order]
    pos = {fid: k for k, fid in enumerate(ids)}
    dense = None
    if use_model and w.meaning > 0:
        dense = finding_embeddings(findings) if embeddings is None else embeddings
        dense = None if dense is None else shared(dense)
    rows_of = None  # each sorted finding's row of the (distinct) vectors: never a copy of them
    if dense is not None:
        rows_of = dense.rows[order]
    if dense is None and weights is None:
        w = FALLBACK_WEIGHTS
    if threshold is None:
        threshold = DEFAULT_THRESHOLD if dense is not None else FALLBACK_THRESHOLD
    x, d, words, known = build_features(
        findings.iloc[order], w, None if dense is None else dense.vectors
    )
    agg = Agglomerator(x, known, w, threshold, d, rows_of)
    must, cannot = _resolve(must_link, pos), _resolve(cannot_link, pos)
    prev = {pos[str(f)]: str(c).strip() for f, c in (previous or {}).items()
            if str(f) in pos and not pd.isna(c) and str(c).strip()}  # fmt: skip
    seeds = prev if previous_as == "seed" else {}
    free = np.ones(len(ids), dtype=bool)
    free[list(seeds)] = False
    same, reps = _duplicates(findings.iloc[order], free, cannot)
    cluster_of = _seed(agg, ids, np.vstack([np.array(must, dtype=np.int64).reshape(-1, 2), same]),
                       cannot, seeds)  # fmt: skip
    free_rep = np.zeros(len(ids), dtype=bool)
    free_rep[reps] = True
    free_rep &= np.array([agg.clusters[c].anchor is None for c in cluster_of])
    # Candidate pairs among one finding per set of identical ones (the rest are joined already):
    # free findings' nearest neighbours, by rarer shared words and by sentence vectors.
    cols = np.flatnonzero(free_rep | ~free)
    rows = np.searchsorted(cols, np.flatnonzero(free_rep))
    df_cap = max(w.block_min, w.block_df * len(cols))
    pairs = cols[vocabulary.nearest_pairs(words[cols], rows, w.neighbours, df_cap)]
    if dense is not None and w.meaning_neighbours > 0:
        sub = d[rows_of[cols]]
        near = cols[neighbours.nearest_pairs(sub, rows, w.meaning_neighbours)]
        pairs = neighbours.unique_pairs(np.vstack([pairs, near]))
    link_candidates(agg, pairs, cluster_of)
    agg.run()
    if previous_as == "names":
        _adopt(agg, prev)
    labels = _name(agg, ids, set(prev.values()) if previous_as == "names" else set())
    out = np.empty(len(ids), dtype=object)
    out[order] = labels
    return pd.Series(out, index=findings.index, name="cluster_id", dtype=object)


def _adopt(agg: Agglomerator, prev: dict[int, str]) -> None:
    """Anchor each group to the earlier id holding most of its findings, each id used once.

    Pairs (group, earlier id) are taken greedily by most shared findings, then the group's
    smallest finding_id, then the id; groups left without one get a new id from _name."""
    offers = []
    for c in agg.clusters.values():
        counts = Counter(prev[i] for i in c.members if i in prev)
        offers += [(-n, c.key, cid) for cid, n in counts.items()]
    by_key = {c.key: c for c in agg.clusters.values()}
    taken: set[str] = set()
    for _, key, cid in sorted(offers):
        if cid not in taken and by_key[key].anchor is None:
            by_key[key].anchor = cid
            taken.add(cid)


def _name(agg: Agglomerator, ids: np.ndarray, taken: set[str]) -> np.ndarray:
    """Cluster id of every row: the anchor, else "C-<smallest finding_id>" (made unique)."""
    labels = np.empty(len(ids), dtype=object)
    used = taken | {c.anchor for c in agg.clusters.values() if c.anchor is not None}
    for c in sorted(agg.clusters.values(), key=lambda c: c.key):
        name = c.anchor
        if name is None:
            base = name = f"C-{ids[c.key]}"
            k = 2
            while name in used:
                name, k = f"{base}~{k}", k + 1
            used.add(name)
        labels[c.members] = name
    return labels


# --- upload-time assignment ----------------------------------------------------------------------


@dataclass
class GroupSummary:
    """A stored group as upload-time assignment needs it, without its findings' rows."""

    cluster_id: str
    size: int
    vector_sum: np.ndarray  # sum of the members' unit sentence vectors
    square_sum: float  # sum of their squared norms
    themes: dict[str, int]
    areas: dict[str, int]


def summarise(labels: pd.Series, dense, themes: pd.Series, areas: pd.Series) -> list[GroupSummary]:
    """One GroupSummary per label (rows aligned: labels, dense, themes, areas); dense is an
    array or SharedVectors."""
    dense = shared(dense)
    codes, names = pd.factorize(pd.Series(labels).astype(str).to_numpy(), sort=True)
    sums = np.zeros((len(names), dense.vectors.shape[1]), dtype=np.float64)
    for s in range(0, len(codes), 16384):  # a sparse sum per chunk: np.add.at is 30x slower
        groups, part = np.unique(codes[s : s + 16384], return_inverse=True)
        ones = sp.csr_matrix((np.ones(len(part)), (part, np.arange(len(part)))),
                             shape=(len(groups), len(part)))  # fmt: skip
        sums[groups] += ones @ np.asarray(dense.take(slice(s, s + 16384)), dtype=np.float64)
    square = np.einsum("ij,ij->i", dense.vectors, dense.vectors)[dense.rows]
    squares = np.bincount(codes, square, len(names))
    sizes = np.bincount(codes, minlength=len(names))
    t, a = _themes(pd.Series(list(themes))), _areas(pd.Series(list(areas)))
    theme_counts = pd.crosstab(codes, t.to_numpy()).to_dict("index")
    area_counts = pd.crosstab(codes, a.to_numpy()).to_dict("index")
    return [
        GroupSummary(str(name), int(sizes[k]), sums[k].astype(np.float32), float(squares[k]),
                     {c: int(v) for c, v in theme_counts[k].items() if v and c},
                     {c: int(v) for c, v in area_counts[k].items() if v and c not in _NO_AREA})
        for k, name in enumerate(names)
    ]  # fmt: skip


@one_blas_thread
def assign_to_groups(
    findings: pd.DataFrame,
    dense: np.ndarray | None,
    groups: list[GroupSummary],
    *,
    threshold: float | None = None,
    weights: ClusterWeights | None = None,
    taken: Iterable[str] = (),
) -> pd.Series | None:
    """Group ids for new findings: each joins the stored group it is closest to when that merge
    passes the same tests as any merge in cluster_findings (threshold and relative closeness),
    or forms a new group with other new findings, or stays alone. Stored groups never merge.

    Works from group summaries, so its cost does not grow with the number of stored findings.
    Exact only when the similarity is the sentence vector alone (weights.meaning == 1): the text
    part's IDF depends on the whole corpus. So uploads are placed by meaning alone with their
    own tuned setting (ASSIGN_WEIGHTS, ASSIGN_THRESHOLD; the defaults here), while a regroup
    groups the findings not yet grouped by meaning and words. Returns None without vectors or
    for weights with a text share: those findings wait for a regroup.
    taken: every cluster id in use, so new ids never collide.
    """
    check_findings(findings)
    w = weights or ASSIGN_WEIGHTS
    if dense is None or w.meaning < 1.0:
        return None
    threshold = ASSIGN_THRESHOLD if threshold is None else threshold
    if findings.empty:
        return pd.Series([], index=findings.index, dtype=object, name="cluster_id")
    raw = findings["finding_id"].astype(str).str.strip().to_numpy()
    order = np.argsort(raw, kind="stable")
    ids, m = raw[order], len(raw)
    themes = _themes(findings["theme"]).to_numpy()[order]
    areas = _areas(findings["workflow_area"]).to_numpy()[order]
    theme_cols = {
        t: k for k, t in enumerate(sorted({*themes, *(t for g in groups for t in g.themes)} - {""}))
    }
    area_cols = {a: len(theme_cols) + k for k, a in enumerate(sorted(
        {*areas, *(a for g in groups for a in g.areas)} - _NO_AREA))}  # fmt: skip
    width = max(len(theme_cols) + len(area_cols), 1)
    st, sa = np.sqrt(w.theme_bonus + w.theme_penalty), np.sqrt(w.area_bonus)
    rows, cols, vals = [], [], []
    for i in range(m):
        if themes[i] in theme_cols:
            rows.append(i), cols.append(theme_cols[themes[i]]), vals.append(st)
        if areas[i] in area_cols:
            rows.append(i), cols.append(area_cols[areas[i]]), vals.append(sa)
    x = sp.csr_matrix((vals, (rows, cols)), (m, width))
    x.sort_indices()
    known = (themes != "").astype(np.float64)
    scale = np.sqrt(w.meaning)
    d = (scale * np.asarray(dense, dtype=np.float32)[order]).astype(np.float32)
    agg = Agglomerator(x, known, w, threshold, d)
    singles = [agg.add([i]) for i in range(m)]
    # Stored groups close enough to some new finding join as summarised clusters.
    cands: list[int] = []
    if groups:
        sums = np.stack([g.vector_sum for g in groups]).astype(np.float32) * scale
        sizes = np.array([g.size for g in groups], dtype=float)
        kn = np.array([sum(g.themes.values()) for g in groups], dtype=float)
        near = d @ sums.T  # m x groups
        for k, g in enumerate(groups):
            for t, c in g.themes.items():
                near[themes == t, k] += (w.theme_bonus + w.theme_penalty) * c
            for a, c in g.areas.items():
                near[areas == a, k] += w.area_bonus * c
        near -= w.theme_penalty * np.outer(known, kn)
        linkage = near / sizes
        hit = np.flatnonzero((linkage >= threshold).any(axis=0))
        for k in hit:
            g = groups[k]
            idx = np.array(sorted([theme_cols[t] for t in g.themes]
                                  + [area_cols[a] for a in g.areas]), dtype=np.int64)  # fmt: skip
            counts = {**{theme_cols[t]: c * st for t, c in g.themes.items()},
                      **{area_cols[a]: c * sa for a, c in g.areas.items()}}  # fmt: skip
            val = np.array([counts[j] for j in idx], dtype=np.float64)
            dense_sum = sums[k]
            same_theme = sum(c * (c - 1) / 2 for c in g.themes.values())
            same_area = sum(c * (c - 1) / 2 for c in g.areas.values())
            pairs_same = (w.theme_bonus + w.theme_penalty) * same_theme + w.area_bonus * same_area
            inner = (w.meaning * (float(g.vector_sum @ g.vector_sum) - g.square_sum) / 2
                     + pairs_same - w.theme_penalty * (kn[k] * kn[k] - kn[k]) / 2)  # fmt: skip
            cluster = Cluster([], (idx, val), float(kn[k]), inner, g.cluster_id, set(),
                               dense_sum, g.size, key=-1 - int(k))  # fmt: skip
            cands.append(agg._new(cluster))
    for i, cid in enumerate(singles):
        others = cands + singles[i + 1 :]
        if others:
            agg.link(cid, others, agg.numerators(cid, others))
    agg.run()
    labels = _name(agg, ids, {str(t) for t in taken} | {g.cluster_id for g in groups})
    out = np.empty(m, dtype=object)
    out[order] = labels
    return pd.Series(out, index=findings.index, name="cluster_id", dtype=object)
