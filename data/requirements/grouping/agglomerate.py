"""Average-linkage agglomeration on a sparse candidate graph, exact linkage from cluster sums.

The machinery behind ``clustering.cluster_findings`` and ``clustering.assign_to_groups``. Each
group keeps the sum of its members' vectors, so the linkage of two groups (the mean adjusted
similarity of their pairs) is one dot product of sums over the pair count; nothing is n x n.

The merge order is "always the closest pair that passes the tests" (ties: smallest member keys),
but the queue holds about one entry per group, not one per pair: an entry is a lower bound on
the keys of the pairs its group had when it was pushed, so when the top entry names a pair that
still exists it is the closest pair; when its partner has merged away meanwhile, the group's
pairs are rescanned and it is pushed again. A big group absorbing findings one by one (the
common case) thus costs one push per merge instead of one per neighbour.
"""

from __future__ import annotations

import functools
import heapq

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from data.requirements.grouping.neighbours import unique_pairs


def one_blas_thread(fn):
    """fn with BLAS on one thread. Grouping makes thousands of small matrix products; on a busy
    2-core machine waking BLAS's threads for each costs far more than the product (measured: a
    neighbour search took 12 s with them, 0.4 s without)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return run


class Cluster:
    """One group: members, summed sparse vector and bookkeeping for linkage."""

    __slots__ = ("members", "size", "key", "idx", "val", "dense", "kn", "inner", "coh", "anchor",
                 "cannot", "nbrs")  # fmt: skip

    def __init__(self, members: list[int], vec: tuple, kn: float, inner: float, anchor, cannot,
                 dense: np.ndarray | None = None, size: int | None = None,
                 key: int = 0):  # fmt: skip
        """members: rows of X; a stored group summarised without its rows (upload-time
        assignment) has size findings of which only `members` are rows of X. dense: sum of the
        members' embedding rows (D), None without them; the agglomerator keeps it in its own
        table once the cluster is registered."""
        self.members, (self.idx, self.val) = members, vec
        self.size = len(members) if size is None else size
        self.key = min(members) if members else key  # tie-break
        self.dense = dense
        self.kn, self.inner, self.anchor, self.cannot = kn, inner, anchor, cannot
        self.coh = 0.0  # cohesion, set by the agglomerator
        self.nbrs: dict[int, float] = {}  # neighbour id -> sum of pair similarities


class _Table:
    """Per-cluster numbers in growable arrays, so linkage to many neighbours is one numpy step."""

    def __init__(self, dim: int):
        self.n = 0
        self.size = np.zeros(64)
        self.coh = np.zeros(64)
        self.kn = np.zeros(64)
        self.key = np.zeros(64, dtype=np.int64)
        # Dense sums: a singleton refers to its row of D (ref >= 0); others own a row of `sums`
        # (ref = -1 - slot), reused once the group has merged away.
        self.ref = np.zeros(64, dtype=np.int64)
        self.sums = np.zeros((16 if dim else 0, dim), dtype=np.float32)
        self.free: list[int] = []
        self.used = 0

    def append(self, c: Cluster, ref: int) -> int:
        cid = self.n
        if cid == len(self.size):
            for name in ("size", "coh", "kn", "key", "ref"):
                old = getattr(self, name)
                new = np.zeros(2 * len(old), dtype=old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        self.size[cid], self.coh[cid], self.kn[cid] = c.size, c.coh, c.kn
        self.key[cid], self.ref[cid] = c.key, ref
        self.n += 1
        return cid

    def slot(self) -> int:
        if self.free:
            return self.free.pop()
        if self.used == len(self.sums):
            grown = np.zeros((2 * len(self.sums), self.sums.shape[1]), dtype=np.float32)
            grown[: self.used] = self.sums
            self.sums = grown
        self.used += 1
        return self.used - 1


class Agglomerator:
    """Average-linkage merging on a sparse candidate graph.

    Relative closeness (as in Chameleon): a pair is queued only if its linkage also reaches
    `relative` times the size-weighted cohesion of the two groups; a pair failing only that test
    stays a neighbour, so it is tested again when either side changes.
    """

    def __init__(self, x: sp.csr_matrix, known: np.ndarray, w, threshold: float,
                 d: np.ndarray | None = None, d_rows: np.ndarray | None = None):  # fmt: skip
        """w: ClusterWeights (theme_penalty, relative, prior_pairs are used). d: embedding
        vectors; row i of X has vector d[d_rows[i]] (d[i] without d_rows)."""
        self.x, self.known, self.penalty, self.threshold = x, known, w.theme_penalty, threshold
        self.d = d
        self.d_rows = np.arange(x.shape[0]) if d_rows is None else np.asarray(d_rows)
        self.relative, self.prior_pairs = w.relative, w.prior_pairs
        self.prior = threshold / w.relative if w.relative > 0 else 0.0
        self.scratch = np.zeros(x.shape[1])
        self.clusters: dict[int, Cluster] = {}
        self.table = _Table(0 if d is None else d.shape[1])
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.constrained = False

    @property
    def next_id(self) -> int:
        return self.table.n

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.x.indptr[i], self.x.indptr[i + 1]
        return self.x.indices[lo:hi], self.x.data[lo:hi]

    def dense(self, cid: int) -> np.ndarray:
        """Sum of cluster cid's embedding rows (a view: read it before the next merge)."""
        ref = int(self.table.ref[cid])
        return self.d[ref] if ref >= 0 else self.table.sums[-1 - ref]

    def _new(self, c: Cluster, row: int = -1) -> int:
        """Register c; its cohesion (mean inner similarity) is shrunk towards the prior so that
        small groups are not choosy. row: c is the singleton of this row of D."""
        pairs = c.size * (c.size - 1) / 2
        c.coh = (c.inner + self.prior * self.prior_pairs) / (pairs + self.prior_pairs)
        ref = row
        if self.d is not None and row < 0:
            slot = self.table.slot()
            self.table.sums[slot] = c.dense
            ref = -1 - slot
        c.dense = None  # kept in the table
        cid = self.table.append(c, ref)
        self.clusters[cid] = c
        self.constrained |= c.anchor is not None or bool(c.cannot)
        return cid

    def add(self, members: list[int], anchor: str | None = None, cannot: set[int] | None = None):
        if len(members) == 1:
            idx, val = self.row(members[0])
            vec, diag = (idx, val.astype(np.float64)), float(val @ val)
        else:
            rows = [self.row(i) for i in members]
            idx, inv = np.unique(np.concatenate([r[0] for r in rows]), return_inverse=True)
            vec = (idx, np.bincount(inv, weights=np.concatenate([r[1] for r in rows])))
            diag = sum(float(v @ v) for _, v in rows)
        kn = float(self.known[members].sum())
        every = float(vec[1] @ vec[1]) - self.penalty * kn * kn
        diag -= self.penalty * kn
        dense, row = None, -1
        if self.d is not None:
            if len(members) == 1:  # D's row itself: no copy per singleton
                row = int(self.d_rows[members[0]])
                dense = self.d[row]
                diag += float(dense @ dense)
            else:
                block = self.d[self.d_rows[members]]
                dense = block.sum(0)
                diag += float(np.einsum("ij,ij->", block, block))
            every += float(dense @ dense)
        cluster = Cluster(list(members), vec, kn, (every - diag) / 2, anchor, cannot or set(),
                           dense)  # fmt: skip
        return self._new(cluster, row)

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
        ids = np.fromiter(others, dtype=np.int64, count=len(others))
        if self.d is not None and cs:
            ref, mine = self.table.ref[ids], self.dense(a)
            single = ref >= 0
            if single.all():
                dots += self.d[ref] @ mine
            else:
                dots[single] += self.d[ref[single]] @ mine
                dots[~single] += self.table.sums[-1 - ref[~single]] @ mine
        return dots - self.penalty * ca.kn * self.table.kn[ids]

    def allowed(self, a: int, b: int) -> bool:
        if not self.constrained:
            return True
        ca, cb = self.clusters[a], self.clusters[b]
        if ca.anchor is not None and cb.anchor is not None:
            return False
        small, big = (ca, cb) if ca.size <= cb.size else (cb, ca)
        return not (big.cannot and any(m in big.cannot for m in small.members))

    def _best(self, a: int, ids: np.ndarray, nums: np.ndarray) -> None:
        """Queue a's closest pair among neighbours ids (numerators nums) that passes the tests."""
        t = self.table
        na, sizes = t.size[a], t.size[ids]
        values = nums / (na * sizes)
        if self.relative > 0:
            coh = (na * t.coh[a] + sizes * t.coh[ids]) / (na + sizes)
            ok = values >= self.relative * coh
            if not ok.all():
                ids, values = ids[ok], values[ok]
        if not len(ids):
            return
        k = int(np.argmax(values))
        top, ka = values[k], int(t.key[a])
        tied = np.flatnonzero(values == top)
        if len(tied) > 1:  # smallest (lo, hi) keys first, as if each pair had its own entry
            k = min(tied, key=lambda j: (min(ka, int(t.key[ids[j]])), max(ka, int(t.key[ids[j]]))))
        b, kb = int(ids[k]), int(t.key[ids[k]])
        lo, hi = (ka, kb) if ka < kb else (kb, ka)
        heapq.heappush(self.heap, (-float(top), lo, hi, a, b))

    def link(self, a: int, others: list[int], nums: np.ndarray) -> None:
        """Keep pairs (a, c) reaching the threshold as neighbours; queue the closest."""
        sizes = self.table.size[a] * self.table.size[others]
        near = np.flatnonzero(nums / sizes >= self.threshold)
        if not len(near):
            return
        ca = self.clusters[a]
        ids = np.asarray(others, dtype=np.int64)[near]
        kept = nums[near]
        if self.constrained:
            ok = np.array([self.allowed(a, int(b)) for b in ids], dtype=bool)
            ids, kept = ids[ok], kept[ok]
        for b, v in zip(ids.tolist(), kept.tolist(), strict=True):
            self.clusters[b].nbrs[a] = v
        ca.nbrs.update(zip(ids.tolist(), kept.tolist(), strict=True))
        if len(ids):
            self._best(a, ids, kept)

    def _rescan(self, a: int) -> None:
        nbrs = self.clusters[a].nbrs
        if nbrs:
            ids = np.fromiter(nbrs.keys(), dtype=np.int64, count=len(nbrs))
            nums = np.fromiter(nbrs.values(), dtype=np.float64, count=len(nbrs))
            self._best(a, ids, nums)

    def run(self) -> None:
        clusters = self.clusters
        while self.heap:
            _, _, _, a, b = heapq.heappop(self.heap)
            if a not in clusters:
                continue
            if b in clusters and b in clusters[a].nbrs:
                self._merge(a, b)
            else:  # the pair is gone: queue a's closest pair now
                self._rescan(a)

    def _merge(self, a: int, b: int) -> None:
        ca, cb = self.clusters[a], self.clusters[b]
        na, nb = ca.nbrs, cb.nbrs
        ids_a, num_a = _arrays(na, b)
        ids_b, num_b = _arrays(nb, a)
        ids, inv = np.unique(np.concatenate([ids_a, ids_b]), return_inverse=True)
        num = np.bincount(inv, np.concatenate([num_a, num_b]), len(ids))  # sum of known sides
        for cid, known in ((a, inv[: len(ids_a)]), (b, inv[len(ids_a) :])):
            miss = np.ones(len(ids), dtype=bool)
            miss[known] = False
            if miss.any():
                num[miss] += self.numerators(cid, ids[miss].tolist())
        clusters = self.clusters
        del clusters[a], clusters[b]
        for gone, near in ((a, ids_a), (b, ids_b)):  # neighbour lists are symmetric
            for c in near.tolist():
                del clusters[c].nbrs[gone]
        big, small = (ca, cb) if len(ca.members) >= len(cb.members) else (cb, ca)
        big.members.extend(small.members)
        key = min(ca.key, cb.key)
        vec, inner = _add((ca.idx, ca.val), (cb.idx, cb.val)), ca.inner + cb.inner
        anchor = ca.anchor if ca.anchor is not None else cb.anchor
        dense = None
        if self.d is not None:
            dense = self.dense(a) + self.dense(b)
            for cid in (a, b):
                if self.table.ref[cid] < 0:
                    self.table.free.append(int(-1 - self.table.ref[cid]))
        merged = Cluster(big.members, vec, ca.kn + cb.kn, inner + na[b], anchor,
                          ca.cannot | cb.cannot, dense, ca.size + cb.size, key)  # fmt: skip
        self.link(self._new(merged), ids, num)


def _arrays(nbrs: dict[int, float], leave: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, numerators) of a neighbour dict, without `leave`."""
    ids = np.fromiter(nbrs.keys(), dtype=np.int64, count=len(nbrs))
    num = np.fromiter(nbrs.values(), dtype=np.float64, count=len(nbrs))
    keep = ids != leave
    return ids[keep], num[keep]


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


def pair_sims(agg: Agglomerator, pairs: np.ndarray) -> np.ndarray:
    """Exact adjusted similarity of each (i, j) pair of rows (pairs sorted by i)."""
    x, out = agg.x, np.empty(len(pairs))
    for s, e in runs(pairs[:, 0]):
        idx, val = agg.row(int(pairs[s, 0]))
        agg.scratch[idx] = val
        js = pairs[s:e, 1]
        lo, lens = x.indptr[js], x.indptr[js + 1] - x.indptr[js]
        pos = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
        prod = agg.scratch[x.indices[pos]] * x.data[pos]
        out[s:e] = np.bincount(np.repeat(np.arange(e - s), lens), prod, minlength=e - s)
        agg.scratch[idx] = 0.0
    if agg.d is not None:
        rows = agg.d_rows
        for s in range(0, len(pairs), 8192):  # bounded temporaries (2 x 8192 x dim floats)
            a, b = agg.d[rows[pairs[s : s + 8192, 0]]], agg.d[rows[pairs[s : s + 8192, 1]]]
            out[s : s + 8192] += np.einsum("ij,ij->i", a, b)
    return out - agg.penalty * agg.known[pairs[:, 0]] * agg.known[pairs[:, 1]]


def link_candidates(agg: Agglomerator, pairs: np.ndarray, cluster_of: np.ndarray) -> None:
    """Queue every candidate cluster pair whose exact linkage reaches the threshold."""
    ca, cb = cluster_of[pairs[:, 0]], cluster_of[pairs[:, 1]]
    keep = ca != cb
    if agg.constrained:
        anchored = np.array([agg.clusters[c].anchor is not None for c in range(agg.next_id)])
        keep &= ~(anchored[ca] & anchored[cb])
    pairs, ca, cb = pairs[keep], ca[keep], cb[keep]
    sizes = agg.table.size[: agg.next_id]
    single = (sizes[ca] == 1) & (sizes[cb] == 1)
    sims = pair_sims(agg, pairs[single]) if single.any() else np.empty(0)
    ok = sims >= agg.threshold
    sa, sb, sims = ca[single][ok], cb[single][ok], sims[ok]  # grouped by sa, as pairs are sorted
    for lo, hi in runs(sa):
        agg.link(int(sa[lo]), sb[lo:hi].tolist(), sims[lo:hi])
    multi = unique_pairs(np.sort(np.column_stack([ca, cb])[~single], axis=1))
    for lo, hi in runs(multi[:, 0]):
        others = multi[lo:hi, 1].tolist()
        agg.link(int(multi[lo, 0]), others, agg.numerators(int(multi[lo, 0]), others))


def runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal consecutive keys."""
    cuts = np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)]
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)) if len(keys) else []
