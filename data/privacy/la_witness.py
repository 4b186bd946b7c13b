"""Witnesses of safety for the LA-count auditor (data.privacy.la_counts).

A suppressed target is safe when *some* assignment consistent with every published figure
puts ``min_las`` or more authorities in it; maximising its count over the whole model
finds that out at great cost (about 14 s per target on the demo, thousands of targets).
The true data is a consistent assignment, only with too few authorities in the target.
So the search starts from it: every variable is fixed at its true value except those of a
small *neighbourhood* of the target, and a small integer programme (zero objective, the
target's count at least ``min_las``) asks whether the free part can be rearranged. A
solution, put back into the true data and checked against every constraint of the whole
model, is a feasible point: a proof of safety that needs no trust in the sub-problem.
No solution proves nothing (the neighbourhood may be too small); the caller then
maximises over the whole model as before. So the fast path can only skip targets that are
safe, never hide an exposure.

First, without any solver, *moves*: an authority present (truly) in a cell outside the
target that lies in exactly the same published figures as a target cell (and, with
``profile``, has the same profile) is moved there, findings and all. Every published count
and total it was in, it is still in, so the point stays feasible; ``min_las`` minus the
target's true count such moves, of distinct authorities, make a witness; so does adding
an authority to a target cell where every published count over the cell already counts
it and a pair in the same published totals can spare a finding. Then the feasible points
found so far (for earlier targets, and the maximisation's best points), kept as their y
part: one may already hold the target. Then the neighbourhood:
the cells that lie in exactly the same published figures as one of the target's cells (on
the cube, whose published figures are unions of atoms, the target's atoms), every
authority free to rearrange its presence among them. (Wider neighbourhoods, the target's
regions and LA types or the atoms of every authority that may be in it, found no more
witnesses on the demo within seconds and cost as much as the maximisation.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

from data.privacy.auditor import Figure

TOL = 1e-6
SUB_TIME = 2.0  # seconds per sub-problem: a timed-out one just proves nothing
POOL = 200  # feasible points remembered (a bool per y each: about 1.5 MB on the demo)
MAX_FREE = 20_000  # y variables a neighbourhood may free before it is not worth trying


class Witness:
    """Neighbourhood searches on one model (see the module docstring)."""

    def __init__(
        self,
        model,
        a: csr_array,
        shown: Sequence[Figure],
        time_limit: float,
        profile: Callable[[Hashable], object] | None = None,
        counts: Sequence[Figure] = (),
        totals: Sequence[Figure] = (),
    ):
        self.model, self.profile = model, profile
        self.a, self.ac = a, a.tocsc()
        self.lo, self.hi = model.bounds()
        self.x0 = np.asarray(model.truth, dtype=float)
        self.upper = np.asarray(model.upper, dtype=float)
        self.time_limit = min(time_limit, SUB_TIME)
        self.las_at: dict[Hashable, list[int]] = {}
        self.cells_of_la: dict[int, list[Hashable]] = {}
        for la, c in model.pairs:
            self.las_at.setdefault(c, []).append(la)
            self.cells_of_la.setdefault(la, []).append(c)
        signature: dict[Hashable, list[int]] = {c: [] for c in self.las_at}
        for i, f in enumerate(shown):
            for c in f.cells:
                if c in signature:
                    signature[c].append(i)
        classes: dict[tuple[int, ...], list[Hashable]] = {}
        for c, sig in signature.items():
            classes.setdefault(tuple(sig), []).append(c)
        self.same: dict[Hashable, list[Hashable]] = {
            c: members for members in classes.values() for c in members
        }
        self.counted_in = _membership(counts, self.las_at)
        self.totalled_in = _membership(totals, self.las_at)
        self.same_totals: dict[frozenset, list[Hashable]] = {}
        for c, sig in self.totalled_in.items():
            self.same_totals.setdefault(sig, []).append(c)
        self.moved = self.reused = self.tried = self.solved = 0  # how targets were settled
        self.ny = len(model.pairs)
        self.pool: list[np.ndarray] = []  # y parts of checked feasible points, newest last

    @classmethod
    def of(cls, model, a: csr_array, shown: Sequence[Figure], time_limit: float, profile=None,
           counts: Sequence[Figure] = (), totals: Sequence[Figure] = ()):  # fmt: skip
        """A searcher, or None when the true data is not a point of the model (the
        published figures contradict the data: only the full search can say so).
        ``counts``, ``totals``: the shown figures with an LA count, with a findings total."""
        out = cls(model, a, shown, time_limit, profile, counts, totals)
        return out if out.feasible(out.x0) else None

    def feasible(self, x: np.ndarray) -> bool:
        """``x`` is an integer point within every bound and constraint of the model."""
        if np.any(x < -TOL) or np.any(x > self.upper + TOL):
            return False
        if np.any(np.abs(x - np.round(x)) > TOL):
            return False
        ax = self.a @ x
        return bool(np.all(ax >= self.lo - TOL) and np.all(ax <= self.hi + TOL))

    def safe(self, las: Sequence[int], cell_set: frozenset, need: int) -> bool:
        """A checked feasible point puts ``need`` or more of ``las`` in ``cell_set``."""
        inside = [c for c in cell_set if c in self.las_at]
        if self._moves(las, inside, need):
            self.moved += 1
            return True
        if self._pooled(las, inside, need):
            self.reused += 1
            return True
        near = {s for c in inside for s in self.same[c]}
        return self._try(near, las, inside, need)

    def keep(self, x: np.ndarray) -> None:
        """Remember a checked feasible point (its y part) for later targets."""
        self.pool.append(x[: self.ny] > 0.5)
        del self.pool[:-POOL]

    def _pooled(self, las: Sequence[int], inside: list, need: int) -> bool:
        """Some remembered feasible point already holds ``need`` authorities in the target."""
        if not self.pool:
            return False
        groups = [ys for la in las if (ys := self.model.counted(la, inside))]
        if len(groups) < need:
            return False
        cols = np.concatenate(groups)
        starts = np.cumsum([0, *map(len, groups[:-1])])
        held = np.logical_or.reduceat(np.asarray(self.pool)[:, cols], starts, axis=1)
        return bool((held.sum(axis=1) >= need).any())

    def _moves(self, las: Sequence[int], inside: list, need: int) -> bool:
        model, x0 = self.model, self.x0
        held = {la for la in las if any(x0[y] > 0.5 for y in model.counted(la, inside))}
        x = x0.copy()
        moved: set[int] = set()
        target = set(inside)
        for c in inside:
            key = None if self.profile is None else self.profile(c)
            for la in self.las_at[c]:
                if len(held) + len(moved) >= need:
                    break
                if la in held or la in moved:
                    continue
                source = next((s for s in self.same[c] if s not in target
                               and (la, s) in model.y and x[model.y[(la, s)]] > 0.5
                               and (key is None or self.profile(s) == key)), None)  # fmt: skip
                if source is None:
                    if self._add(x, la, c, key):
                        moved.add(la)
                    continue
                old, new = model.y[(la, source)], model.y[(la, c)]
                x[old], x[new] = 0.0, 1.0
                f_old, f_new = model.f.get((la, source)), model.f.get((la, c))
                if f_old is not None and f_new is not None:
                    x[f_new], x[f_old] = x[f_old], 0.0
                moved.add(la)
        ok = len(held) + len(moved) >= need and self.feasible(x)
        if ok:
            self.keep(x)
        return ok

    def _add(self, x: np.ndarray, la: int, c: Hashable, key) -> bool:
        """Put ``la`` in ``c`` as well, if every published count over ``c`` already counts
        it, it has ``c``'s profile, and a pair in exactly the same published totals gives
        up one of two or more findings (the pair's one finding). Edits ``x``."""
        model = self.model
        mine = [s for s in self.cells_of_la[la] if x[model.y[(la, s)]] > 0.5]
        covered = set().union(*(self.counted_in[s] for s in mine))
        if not self.counted_in[c] <= covered:
            return False
        if key is not None and all(self.profile(s) != key for s in mine):
            return False
        f_new = model.f.get((la, c))
        if f_new is not None:
            spare = (model.f.get((other, s)) for s in self.same_totals[self.totalled_in[c]]
                     for other in self.las_at[s])  # fmt: skip
            donor = next((f for f in spare if f is not None and x[f] >= 2), None)
            if donor is None:
                return False
            x[donor] -= 1
            x[f_new] = 1
        elif self.totalled_in[c]:
            return False
        x[model.y[(la, c)]] = 1.0
        return True

    def _try(self, near: set, las: Sequence[int], inside: list, need: int) -> bool:
        model = self.model
        free_y = [model.y[(la, c)] for c in near for la in self.las_at.get(c, ())]
        if not free_y or len(free_y) > MAX_FREE:
            return False
        self.tried += 1
        tied = [v for y in free_y for v in model.tied[y]]
        free = np.unique(np.asarray([*free_y, *tied], dtype=np.int64))
        rows = np.unique(self.ac[:, free].indices)
        sub = self.a[rows]
        fixed = self.x0.copy()
        fixed[free] = 0.0
        shift = sub @ fixed
        lo, hi = self.lo[rows] - shift, self.hi[rows] - shift
        sub = sub[:, free]
        nf = len(free)
        cols, vals = [], []  # per authority: w - sum of its y in the target <= 0
        for la in las:
            ys = model.counted(la, inside)
            if ys:
                w = nf + len(cols)
                cols.append([w, *np.searchsorted(free, ys)])
                vals.append([1.0, *[-1.0] * len(ys)])
        k = len(cols)
        if k < need:
            return False
        width = nf + k
        sizes = [len(c) for c in cols]
        extra = coo_array(
            (np.concatenate(vals), (np.repeat(np.arange(k), sizes), np.concatenate(cols))),
            shape=(k, width),
        )
        count = coo_array((np.ones(k), (np.zeros(k, np.int64), np.arange(nf, width))),
                          shape=(1, width))  # fmt: skip
        wide = csr_array((sub.data, sub.indices, sub.indptr), shape=(sub.shape[0], width))
        res = milp(
            c=np.zeros(width),
            constraints=[
                LinearConstraint(
                    vstack([wide, extra, count], format="csr"),
                    np.concatenate([lo, np.full(k, -np.inf), [need]]),
                    np.concatenate([hi, np.zeros(k), [np.inf]]),
                )
            ],
            integrality=np.ones(width),
            bounds=Bounds(np.zeros(width), np.concatenate([self.upper[free], np.ones(k)])),
            options={"time_limit": self.time_limit},
        )
        if res.status != 0 or res.x is None:
            return False
        x = self.x0.copy()
        x[free] = np.round(res.x[:nf])
        held = sum(1 for la in las if any(x[y] > 0.5 for y in model.counted(la, inside)))
        ok = held >= need and self.feasible(x)
        self.solved += ok
        if ok:
            self.keep(x)
        return ok


def _membership(figures: Sequence[Figure], cells) -> dict[Hashable, frozenset]:
    """Per cell, the indices of ``figures`` that contain it."""
    out: dict[Hashable, list[int]] = {c: [] for c in cells}
    for i, f in enumerate(figures):
        for c in f.cells:
            if c in out:
                out[c].append(i)
    return {c: frozenset(v) for c, v in out.items()}
