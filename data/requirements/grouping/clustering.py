"""Group findings that describe the same problem into candidate requirements.

Findings are compared by text (TF-IDF on canonical word and character n-grams, see
``grouping.vocabulary``) adjusted by theme and workflow area: the same theme adds a
bonus, a different
theme a penalty (not a veto: LAs mis-code themes). Groups form by average-linkage agglomeration
that stops at ``threshold``, plus a relative-closeness test (as in Chameleon): a tight group only
absorbs findings nearly as close as its own members, which keeps near-miss problems apart.

No n x n matrix: average linkage is the dot product of two groups' summed unit vectors over the
pair count, so it is exact from per-cluster sums; candidate pairs come from a sparse
nearest-neighbour search on rarer words; and since average linkage is reducible, pairs below the
threshold are dropped at once. ``previous``, ``must_link`` and ``cannot_link`` make earlier ids
and curated decisions survive recomputation; new ids derive from the smallest finding_id.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from data.requirements.grouping import vocabulary

REQUIRED_COLUMNS = ("finding_id", "theme", "workflow_area", "description", "suggested_change")
DEFAULT_THRESHOLD = 0.10
_NO_AREA = {"", "general", "nan"}
_Pairs = list[tuple[int, int]]


@dataclass(frozen=True)
class ClusterWeights:
    """Tunable weights; see bench/cluster_eval.py for how they were chosen."""

    word: float = 0.7  # share of word-level (vs character-level) similarity
    suggestion: float = 0.6  # weight of suggested_change relative to description
    theme_bonus: float = 0.04
    theme_penalty: float = 0.04
    area_bonus: float = 0.03
    relative: float = 0.8  # merge only if linkage >= relative * cohesion of the two groups
    prior_pairs: float = 6.0  # small groups' cohesion is shrunk towards threshold / relative
    neighbours: int = 40  # candidate neighbours kept per finding
    block_df: float = 0.02  # words in more than this share of findings create no candidates...
    block_min: int = 400  # ... unless they are in fewer findings than this


def _one_hot(values: pd.Series, scale: float) -> sp.csr_matrix:
    codes, _ = pd.factorize(values, sort=True)  # missing -> -1
    rows = np.flatnonzero(codes >= 0)
    width = max(int(codes.max()) + 1 if len(codes) else 0, 1)
    return sp.csr_matrix((np.full(len(rows), scale), (rows, codes[rows])), (len(values), width))


def build_features(findings: pd.DataFrame, w: ClusterWeights) -> tuple:
    """(X, word matrix, known-theme flags) for findings in the given row order.

    X rows hold the text vector (vocabulary.text_vectors), then one-hot theme and area columns
    scaled so that X[i].X[j] - theme_penalty * known_i * known_j is the adjusted similarity.
    """
    text, words = vocabulary.text_vectors(
        findings["description"], findings["suggested_change"], w.word, w.suggestion
    )
    themes = findings["theme"].fillna("").astype(str).str.strip().str.upper()
    areas = findings["workflow_area"].fillna("").astype(str).str.strip().str.lower()
    known = (themes != "").to_numpy()
    blocks = [
        text,
        _one_hot(themes.where(known, None), np.sqrt(w.theme_bonus + w.theme_penalty)),
        _one_hot(areas.where(~areas.isin(_NO_AREA), None), np.sqrt(w.area_bonus)),
    ]
    x = sp.hstack(blocks, format="csr")
    x.sort_indices()  # cluster vectors are searched by column index
    return x, words, known.astype(np.float64)


class _Cluster:
    """One group during agglomeration: members, summed vector and bookkeeping for linkage."""

    __slots__ = ("members", "key", "idx", "val", "kn", "inner", "coh", "anchor", "cannot", "nbrs")

    def __init__(self, members: list[int], vec: tuple, kn: float, inner: float, anchor, cannot):
        self.members, self.key, (self.idx, self.val) = members, min(members), vec  # key: tie-break
        self.kn, self.inner, self.anchor, self.cannot = kn, inner, anchor, cannot
        self.coh = 0.0  # cohesion, set by the agglomerator
        self.nbrs: dict[int, float] = {}  # neighbour id -> sum of pair similarities


class _Agglomerator:
    """Average-linkage merging on a sparse candidate graph, exact linkage from cluster sums.

    Relative closeness (as in Chameleon): a pair is queued only if its linkage also reaches
    `relative` times the size-weighted cohesion of the two groups; a pair failing only that test
    stays a neighbour, so it is tested again when either side changes.
    """

    def __init__(self, x: sp.csr_matrix, known: np.ndarray, w: ClusterWeights, threshold: float):
        self.x, self.known, self.penalty, self.threshold = x, known, w.theme_penalty, threshold
        self.relative, self.prior_pairs = w.relative, w.prior_pairs
        self.prior = threshold / w.relative if w.relative > 0 else 0.0
        self.scratch = np.zeros(x.shape[1])
        self.clusters: dict[int, _Cluster] = {}
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.constrained = False
        self.next_id = 0

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.x.indptr[i], self.x.indptr[i + 1]
        return self.x.indices[lo:hi], self.x.data[lo:hi]

    def _new(self, c: _Cluster) -> int:
        """Register c; its cohesion (mean inner similarity) is shrunk towards the prior so that
        small groups are not choosy."""
        pairs = len(c.members) * (len(c.members) - 1) / 2
        c.coh = (c.inner + self.prior * self.prior_pairs) / (pairs + self.prior_pairs)
        cid, self.next_id = self.next_id, self.next_id + 1
        self.clusters[cid] = c
        self.constrained |= c.anchor is not None or bool(c.cannot)
        return cid

    def add(self, members: list[int], anchor: str | None = None, cannot: set[int] | None = None):
        rows = [self.row(i) for i in members]
        idx, inv = np.unique(np.concatenate([r[0] for r in rows]), return_inverse=True)
        vec = (idx, np.bincount(inv, weights=np.concatenate([r[1] for r in rows])))
        kn = float(self.known[members].sum())
        every = float(vec[1] @ vec[1]) - self.penalty * kn * kn
        diag = sum(float(v @ v) for _, v in rows) - self.penalty * kn
        cluster = _Cluster(list(members), vec, kn, (every - diag) / 2, anchor, cannot or set())
        return self._new(cluster)

    def numerators(self, a: int, others: list[int]) -> np.ndarray:
        """Sum of adjusted pair similarities between cluster a and each of `others`."""
        ca, cs = self.clusters[a], [self.clusters[c] for c in others]
        self.scratch[ca.idx] = ca.val
        dots, lens = np.empty(len(cs)), np.array([len(cc.idx) for cc in cs], dtype=np.int64)
        short = np.flatnonzero(lens <= 8 * len(ca.idx))  # gather these from the scattered a
        if len(short):
            idx = np.concatenate([cs[k].idx for k in short])
            val = np.concatenate([cs[k].val for k in short]) * self.scratch[idx]
            dots[short] = np.bincount(np.repeat(np.arange(len(short)), lens[short]), val,
                                      minlength=len(short))  # fmt: skip
        for k in np.flatnonzero(lens > 8 * len(ca.idx)):  # long c: look a's columns up in c
            cc = cs[k]
            at = np.minimum(np.searchsorted(cc.idx, ca.idx), len(cc.idx) - 1)
            hit = cc.idx[at] == ca.idx
            dots[k] = ca.val[hit] @ cc.val[at[hit]]
        self.scratch[ca.idx] = 0.0
        return dots - self.penalty * ca.kn * np.array([cc.kn for cc in cs])

    def allowed(self, a: int, b: int) -> bool:
        if not self.constrained:
            return True
        ca, cb = self.clusters[a], self.clusters[b]
        if ca.anchor is not None and cb.anchor is not None:
            return False
        small, big = (ca, cb) if len(ca.members) <= len(cb.members) else (cb, ca)
        return not (big.cannot and any(m in big.cannot for m in small.members))

    def link(self, a: int, others: list[int], nums: np.ndarray) -> None:
        """Keep pairs (a, c) reaching the threshold as neighbours; queue the close enough."""
        ca, cs = self.clusters[a], [self.clusters[c] for c in others]
        na, sizes = len(ca.members), np.array([len(c.members) for c in cs], dtype=float)
        values = nums / (na * sizes)
        coh = (na * ca.coh + sizes * np.array([c.coh for c in cs])) / (na + sizes)
        queue = values >= self.relative * coh if self.relative > 0 else values > -np.inf
        for k in np.flatnonzero(values >= self.threshold):
            b, cb = others[k], cs[k]
            if self.allowed(a, b):
                ca.nbrs[b] = cb.nbrs[a] = float(nums[k])
                if queue[k]:
                    lo, hi = (ca.key, cb.key) if ca.key < cb.key else (cb.key, ca.key)
                    heapq.heappush(self.heap, (-float(values[k]), lo, hi, a, b))

    def run(self) -> None:
        while self.heap:
            _, _, _, a, b = heapq.heappop(self.heap)
            if a in self.clusters and b in self.clusters and self.allowed(a, b):
                self._merge(a, b)

    def _merge(self, a: int, b: int) -> None:
        ca, cb = self.clusters[a], self.clusters[b]
        others = [c for c in ca.nbrs.keys() | cb.nbrs.keys() if c != a and c != b]
        num = np.array([ca.nbrs.get(c, 0.0) + cb.nbrs.get(c, 0.0) for c in others])
        for cid, part in ((a, ca), (b, cb)):
            miss = [k for k, c in enumerate(others) if c not in part.nbrs]
            if miss:
                num[miss] += self.numerators(cid, [others[k] for k in miss])
        del self.clusters[a], self.clusters[b]
        for c in others:
            self.clusters[c].nbrs.pop(a, None)
            self.clusters[c].nbrs.pop(b, None)
        big, small = (ca, cb) if len(ca.members) >= len(cb.members) else (cb, ca)
        big.members.extend(small.members)
        vec, inner = _add((ca.idx, ca.val), (cb.idx, cb.val)), ca.inner + cb.inner
        anchor = ca.anchor if ca.anchor is not None else cb.anchor
        merged = _Cluster(big.members, vec, ca.kn + cb.kn, inner + ca.nbrs[b], anchor,
                          ca.cannot | cb.cannot)  # fmt: skip
        self.link(self._new(merged), others, num)


def _add(big: tuple, small: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Sum of two sparse vectors (sorted column indices, values) without re-sorting."""
    if len(big[0]) < len(small[0]):
        big, small = small, big
    if not len(small[0]):
        return big
    pos = np.searchsorted(big[0], small[0])
    hit = big[0][np.minimum(pos, len(big[0]) - 1)] == small[0]
    val = big[1].copy()
    val[pos[hit]] += small[1][hit]
    return np.insert(big[0], pos[~hit], small[0][~hit]), np.insert(val, pos[~hit], small[1][~hit])


def _pair_sims(agg: _Agglomerator, pairs: np.ndarray) -> np.ndarray:
    """Exact adjusted similarity of each (i, j) pair (pairs sorted by i), without n x n work."""
    x, out = agg.x, np.empty(len(pairs))
    for s, e in _runs(pairs[:, 0]):
        idx, val = agg.row(int(pairs[s, 0]))
        agg.scratch[idx] = val
        js = pairs[s:e, 1]
        lo, lens = x.indptr[js], x.indptr[js + 1] - x.indptr[js]
        pos = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
        prod = agg.scratch[x.indices[pos]] * x.data[pos]
        out[s:e] = np.bincount(np.repeat(np.arange(e - s), lens), prod, minlength=e - s)
        agg.scratch[idx] = 0.0
    return out - agg.penalty * agg.known[pairs[:, 0]] * agg.known[pairs[:, 1]]


def _link_candidates(agg: _Agglomerator, pairs: np.ndarray, cluster_of: np.ndarray) -> None:
    """Queue every candidate cluster pair whose exact linkage reaches the threshold."""
    ca, cb = cluster_of[pairs[:, 0]], cluster_of[pairs[:, 1]]
    keep = ca != cb
    if agg.constrained:
        anchored = np.array([agg.clusters[c].anchor is not None for c in range(agg.next_id)])
        keep &= ~(anchored[ca] & anchored[cb])
    pairs, ca, cb = pairs[keep], ca[keep], cb[keep]
    sizes = np.array([len(agg.clusters[c].members) for c in range(agg.next_id)])
    single = (sizes[ca] == 1) & (sizes[cb] == 1)
    sims = _pair_sims(agg, pairs[single]) if single.any() else np.empty(0)
    ok = sims >= agg.threshold
    sa, sb, sims = ca[single][ok], cb[single][ok], sims[ok]  # grouped by sa, as pairs are sorted
    for lo, hi in _runs(sa):
        agg.link(int(sa[lo]), sb[lo:hi].tolist(), sims[lo:hi])
    multi = np.unique(np.sort(np.column_stack([ca, cb])[~single], axis=1), axis=0)
    for lo, hi in _runs(multi[:, 0]):
        others = multi[lo:hi, 1].tolist()
        agg.link(int(multi[lo, 0]), others, agg.numerators(int(multi[lo, 0]), others))


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal consecutive keys."""
    cuts = np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)]
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)) if len(keys) else []


def _groups(n: int, pairs: _Pairs) -> np.ndarray:
    """Connected-component label of each of n findings when `pairs` join findings."""
    a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    return connected_components(sp.coo_matrix((np.ones(len(a)), (a, b)), (n, n)))[1]


def _members(labels: np.ndarray, items: np.ndarray) -> list[list[int]]:
    """items grouped by label, each group and the list ordered by smallest item."""
    order = items[np.lexsort((items, labels[items]))]
    return sorted((order[lo:hi].tolist() for lo, hi in _runs(labels[order])), key=min)


def _split(agg: _Agglomerator, comp: list[int], must: np.ndarray, cannot: dict[int, set[int]]):
    """Split a group that cannot_link now forbids, keeping together as much as is allowed."""
    weights = ClusterWeights(relative=0.0, theme_penalty=agg.penalty)
    sub = _Agglomerator(agg.x, agg.known, weights, -np.inf)
    parts = _members(must, np.array(comp))
    cids = [sub.add(m, None, set().union(*(cannot.get(i, set()) for i in m))) for m in parts]
    for k, a in enumerate(cids):
        sub.link(a, cids[k + 1 :], sub.numerators(a, cids[k + 1 :]))
    sub.run()
    return sorted((sorted(c.members) for c in sub.clusters.values()), key=min)


def _seed(
    agg: _Agglomerator, ids: np.ndarray, must: _Pairs, cannot: _Pairs, prev: dict
) -> np.ndarray:
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
    by_prev: dict[str, list[int]] = {}
    for i, cid in prev.items():
        by_prev.setdefault(cid, []).append(i)
    comp = _groups(n, must + [(g[0], i) for g in by_prev.values() for i in g[1:]])
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


def cluster_findings(
    findings: pd.DataFrame,
    *,
    previous: Mapping[str, str] | None = None,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    threshold: float = DEFAULT_THRESHOLD,
    weights: ClusterWeights | None = None,
) -> pd.Series:
    """Cluster id (str) for every finding, index-aligned with ``findings``.

    previous: finding_id -> cluster_id from an earlier run. Those findings keep their id and two
    earlier clusters never merge (unless must_link joins them); new findings join an earlier
    cluster when close enough (same tests as any merge) or form new ones. A cluster split by
    cannot_link keeps its id on its largest part.
    must_link / cannot_link: curated (finding_id, finding_id) decisions that always hold.
    threshold: minimum average adjusted similarity for two groups to merge.
    New ids are "C-<smallest finding_id in the cluster>".
    """
    check_findings(findings)
    w = weights or ClusterWeights()
    if findings.empty:
        return pd.Series([], index=findings.index, dtype=object, name="cluster_id")
    raw = findings["finding_id"].astype(str).str.strip().to_numpy()
    order = np.argsort(raw, kind="stable")
    ids = raw[order]
    pos = {fid: k for k, fid in enumerate(ids)}
    x, words, known = build_features(findings.iloc[order], w)
    agg = _Agglomerator(x, known, w, threshold)
    must, cannot = _resolve(must_link, pos), _resolve(cannot_link, pos)
    prev = {pos[str(f)]: str(c).strip() for f, c in (previous or {}).items()
            if str(f) in pos and not pd.isna(c) and str(c).strip()}  # fmt: skip
    cluster_of = _seed(agg, ids, must, cannot, prev)
    rows = np.flatnonzero([agg.clusters[c].anchor is None for c in cluster_of])  # free findings
    df_cap = max(w.block_min, w.block_df * len(ids))
    _link_candidates(agg, vocabulary.nearest_pairs(words, rows, w.neighbours, df_cap), cluster_of)
    agg.run()
    labels = np.empty(len(ids), dtype=object)
    used = {c.anchor for c in agg.clusters.values() if c.anchor is not None}
    for c in sorted(agg.clusters.values(), key=lambda c: c.key):
        name = c.anchor
        if name is None:
            base = name = f"C-{ids[c.key]}"
            k = 2
            while name in used:
                name, k = f"{base}~{k}", k + 1
            used.add(name)
        labels[c.members] = name
    out = np.empty(len(ids), dtype=object)
    out[order] = labels
    return pd.Series(out, index=findings.index, name="cluster_id", dtype=object)
