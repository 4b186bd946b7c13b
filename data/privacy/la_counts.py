"""Auditing published "number of LAs" figures ("raised by 4 LAs"), which are not additive.

data.privacy.auditor treats findings and respondents as sums over finest cells. A count of
distinct authorities is not a sum: two cells with 3 LAs each may together have 3, 4 ... 6.
Here it is modelled exactly, as an integer programme over 0/1 indicators:

``y[l, c]``
    authority ``l`` has at least one finding in finest cell ``c`` (only pairs the viewer
    cannot rule out: ``possible(l, c)``, e.g. a cell of region NE holds no authority of
    another region, since every authority's region and LA type are public);
``z[l, F]``
    authority ``l`` counts in published figure ``F``: ``z >= y[l, c]`` for each cell of
    ``F`` and ``z <= sum_c y[l, c]``, and ``sum_l z[l, F]`` equals the published count;
``u[l, scope, key]``
    (optional ``profile``) an authority has one profile per scope, e.g. one supplier group
    per period: ``sum_key u <= 1`` and ``y[l, c] <= u[l, scope(c), key(c)]``.

A published findings figure bounds the pairs too (each counted pair holds a finding:
``sum y <= findings``). For every suppressed figure (and every extra target) holding at
least one other authority, the largest LA count consistent with all of that is found
(``scipy.optimize.milp``; on a time limit its dual bound, still a valid upper bound). If it
is below ``min_las``, the published counts say the cell rests on fewer than ``min_las``
authorities: an exposure of kind ``la_count``. The viewer's own authorities are known to
them: their presence is subtracted from every published count and they are no target.

Scale (``fast=True``, the default): the answer is the same, found cheaper. The data
itself is a feasible point (``_Model.truth``). For each target, a *witness* is sought
first (data.privacy.la_witness): every variable outside a small neighbourhood of the
target is fixed at its true value and a small integer programme asks whether the free
part can hold ``min_las`` authorities in the target. Any such point, checked against
every constraint, proves the target safe, exactly as a maximum of ``min_las`` or more
would. Only targets without a witness get the maximisation above, so every exposure the
plain search reports is still reported, with the same bound.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

from data.privacy.auditor import AuditReport, Contributions, Exposure, Figure
from data.privacy.disclosure import DisclosureRules

LAS = "n_las"
Possible = Callable[[int, Hashable], bool]
Profile = Callable[[Hashable], tuple[Hashable, Hashable]]


class _Model:
    """Variables and constraints of the integer programme (see the module docstring), as
    coordinate triplets turned into one sparse matrix (:meth:`matrix`), and the true data
    as a point of it (``truth``)."""

    def __init__(
        self,
        cells: Sequence[Hashable],
        las: Sequence[int],
        possible: Possible | None,
        present: Callable[[int, Hashable], bool],
    ):
        self.pairs = [(la, c) for la in las for c in cells if possible is None or possible(la, c)]
        self.y = {p: i for i, p in enumerate(self.pairs)}
        self.n = len(self.pairs)
        self.upper = [1.0] * self.n
        self.truth = [1.0 if present(la, c) else 0.0 for la, c in self.pairs]
        self.tied: list[list[int]] = [[] for _ in self.pairs]  # per y: variables tied to it
        self._r: list[int] = []
        self._c: list[int] = []
        self._v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.f: dict[tuple[int, Hashable], int] = {}
        self.las_at: dict[Hashable, set[int]] = {}
        for la, c in self.pairs:
            self.las_at.setdefault(c, set()).add(la)

    def possible_las(self, cell_set: Iterable[Hashable]) -> int:
        """How many authorities could be in ``cell_set`` by what is known of them alone."""
        return len(set().union(*(self.las_at.get(c, set()) for c in cell_set)))

    def var(self, upper: float = 1.0, truth: float = 0.0) -> int:
        self.n += 1
        self.upper.append(upper)
        self.truth.append(truth)
        return self.n - 1

    def findings_of(self, pair: tuple[int, Hashable], most: float, truth: float) -> int:
        """An integer count of the pair's findings: at least 1 exactly when it is present."""
        if pair not in self.f:
            y = self.y[pair]
            f = self.f[pair] = self.var(most, truth)
            self.tied[y].append(f)
            self.add({f: 1.0, y: -1.0}, 0.0, np.inf)
            self.add({f: 1.0, y: -most}, -np.inf, 0.0)
        return self.f[pair]

    def add(self, coef: dict[int, float], low: float, high: float) -> None:
        row = len(self.lo)
        self._r.extend([row] * len(coef))
        self._c.extend(coef)
        self._v.extend(coef.values())
        self.lo.append(low)
        self.hi.append(high)

    def any_of(self, la: int, cells: Iterable[Hashable]) -> int | None:
        """A 0/1 variable that is 1 exactly when ``la`` is in one of ``cells``."""
        ys = [self.y[(la, c)] for c in cells if (la, c) in self.y]
        if not ys:
            return None
        z = self.var(truth=max(self.truth[y] for y in ys))
        for y in ys:
            self.tied[y].append(z)
            self.add({z: 1.0, y: -1.0}, 0.0, np.inf)
        coef = {y: -1.0 for y in ys}
        coef[z] = 1.0
        self.add(coef, -np.inf, 0.0)
        return z

    def matrix(self) -> csr_array:
        rows = max(len(self.lo), 1)
        return coo_array((self._v, (self._r, self._c)), shape=(rows, self.n)).tocsr()

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.full(max(len(self.lo), 1), -np.inf), np.full(max(len(self.lo), 1), np.inf)
        lo[: len(self.lo)], hi[: len(self.hi)] = self.lo, self.hi
        return lo, hi

    def counted(self, la: int, cell_set: Iterable[Hashable]) -> list[int]:
        """The y variables of ``la`` in ``cell_set``."""
        return [self.y[(la, c)] for c in cell_set if (la, c) in self.y]


@dataclass
class LaCountAudit:
    """The report, and how its targets were settled (for the benchmark)."""

    report: AuditReport
    moved: int = 0  # safe by a move of the true data, no solver
    reused: int = 0  # safe by a feasible point found for an earlier target
    searched: int = 0  # safe by a neighbourhood search
    maximised: int = 0  # the whole model maximised
    # targets fewer authorities could be in than ``min_las`` by who takes part and where
    # alone (reported only if the published figures pin them lower still)
    small_by_reference: int = 0


def audit_la_counts(
    figures: Iterable[Figure],
    contributions: Contributions,
    rules: DisclosureRules | None = None,
    *,
    own: Collection[int] = frozenset(),
    targets: Iterable[Figure] = (),
    possible: Possible | None = None,
    profile: Profile | None = None,
    findings: str | None = "findings",
    time_limit: float = 10.0,
    fast: bool = True,
) -> AuditReport:
    """Suppressed figures whose LA count the published LA counts pin below ``min_las``.

    ``figures``: every figure the viewer can request; a shown one carries its LA count in
    ``values["n_las"]`` (figures without it publish no count). ``findings``: the measure
    whose published value bounds the number of (authority, cell) pairs (None: unused).
    ``fast``: look for a witness of safety before maximising (same answers; False runs the
    maximisation on every target, the reference the fast path is tested against)."""
    return la_count_audit(
        figures, contributions, rules, own=own, targets=targets, possible=possible,
        profile=profile, findings=findings, time_limit=time_limit, fast=fast,
    ).report  # fmt: skip


def la_count_audit(
    figures: Iterable[Figure],
    contributions: Contributions,
    rules: DisclosureRules | None = None,
    *,
    own: Collection[int] = frozenset(),
    targets: Iterable[Figure] = (),
    possible: Possible | None = None,
    profile: Profile | None = None,
    findings: str | None = "findings",
    time_limit: float = 10.0,
    fast: bool = True,
) -> LaCountAudit:
    """:func:`audit_la_counts`, with how each target was settled."""
    figures, targets, rules = list(figures), list(targets), rules or DisclosureRules()
    own = frozenset(own if rules.discount_own else ())
    contrib = contributions
    report = AuditReport()
    out = LaCountAudit(report)
    cells = sorted({c for f in [*figures, *targets] for c in f.cells}, key=repr)
    las = sorted({la for c in cells for la in contrib.contributors([c])} - own)
    if not las:
        return out
    m_find = contrib.measures.index(findings) if findings in contrib.measures else None

    def present(la: int, c: Hashable) -> bool:
        vals = contrib.by_cell.get(c, {}).get(la)
        return vals is not None and bool(vals.any())

    def true_findings(pair: tuple[int, Hashable]) -> float:
        vals = contrib.by_cell.get(pair[1], {}).get(pair[0])
        return 0.0 if vals is None or m_find is None else float(vals[m_find])

    model = _Model(cells, las, possible, present)
    if profile is not None:
        _add_profiles(model, profile)
    most = max([float(f.values[findings]) for f in figures
                if f.shown and findings in f.values] or [1.0])  # fmt: skip
    for f in figures:
        if not f.shown:
            continue
        if LAS in f.values:
            known = len(contrib.contributors(f.cells) & own)
            zs = [z for la in las if (z := model.any_of(la, f.cells)) is not None]
            target = float(f.values[LAS]) - known
            model.add({z: 1.0 for z in zs}, target, target)
        if m_find is not None and findings in f.values:
            mine = float(contrib.total(f.cells)[m_find] - contrib.total(f.cells, own)[m_find])
            target = float(f.values[findings]) - mine
            pairs = [(la, c) for la in las for c in f.cells if (la, c) in model.y]
            fs = [model.findings_of(p, most, true_findings(p)) for p in pairs]
            model.add({v: 1.0 for v in fs}, target, target)
    solver = _Solver(model, las, time_limit)
    witness = None
    if fast:
        from data.privacy.la_witness import Witness

        shown = [f for f in figures if f.shown]
        counts = [f for f in shown if LAS in f.values]
        totals = [f for f in shown if m_find is not None and findings in f.values]
        witness = Witness.of(model, solver.a, shown, time_limit, profile, counts, totals)
    candidates: dict[frozenset, str] = {}
    for f in [*(f for f in figures if not f.shown), *targets]:
        candidates.setdefault(f.cells, f.view)
    for cell_set, view in candidates.items():
        true = len(contrib.contributors(cell_set, own))
        if not 1 <= true < rules.min_las:
            continue  # a cell of min_las or more can never be pinned below it
        report.checked += 1
        # who takes part and where (region, LA type) may be known: a cell no more of them
        # could be in than ``prior`` is that small whatever is published; the published
        # figures expose it only if they pin it below both the threshold and that
        prior = model.possible_las(cell_set)
        need = min(rules.min_las, prior)
        if need < rules.min_las:
            out.small_by_reference += 1
        if witness is not None and witness.safe(las, cell_set, need):
            continue  # a feasible point with ``need`` or more: the maximum is too
        out.maximised += 1
        high = solver.max_count(cell_set)
        if witness is not None and solver.last is not None and witness.feasible(solver.last):
            witness.keep(solver.last)  # the search's best point may hold later targets
        if np.isnan(high):
            report.exposures.append(
                Exposure("inconsistent", view, cell_set, LAS,
                         detail="the published LA counts contradict the data")
            )  # fmt: skip
        elif high < need:
            report.exposures.append(
                Exposure("la_count", view, cell_set, LAS, float(true), 1.0, high,
                         detail="published LA counts pin this cell below the threshold")
            )  # fmt: skip
    if witness is not None:
        out.moved, out.reused, out.searched = witness.moved, witness.reused, witness.solved
    return out


def _add_profiles(model: _Model, profile: Profile) -> None:
    keys: dict[tuple[int, Hashable], dict[Hashable, int]] = {}
    for la, c in model.pairs:
        scope, key = profile(c)
        per = keys.setdefault((la, scope), {})
        y = model.y[(la, c)]
        if key not in per:
            per[key] = model.var()
        u = per[key]
        model.truth[u] = max(model.truth[u], model.truth[y])
        model.tied[y].append(u)
        model.add({y: 1.0, u: -1.0}, -np.inf, 0.0)
    for per in keys.values():
        model.add({u: 1.0 for u in per.values()}, -np.inf, 1.0)


class _Solver:
    """The maximisation of one target's LA count, on the model's matrix built once."""

    def __init__(self, model: _Model, las: Sequence[int], time_limit: float):
        self.model, self.las, self.time_limit = model, las, time_limit
        self.a = model.matrix()
        self.lo, self.hi = model.bounds()
        self.upper = np.array(model.upper)
        self.last: np.ndarray | None = None  # the last search's best point, if any

    def max_count(self, cell_set: frozenset) -> float:
        """The largest number of authorities other than the viewer's that ``cell_set`` can
        hold consistently with every published figure."""
        model, n = self.model, self.model.n
        rows, cols, vals = [], [], []
        for la in self.las:
            ys = model.counted(la, cell_set)
            if not ys:
                continue
            w = n + len(rows)  # w <= sum of the authority's y in the target
            rows.append(len(rows))
            cols.append([w, *ys])
            vals.append([1.0, *[-1.0] * len(ys)])
        k = len(rows)
        extra = _rows(cols, vals, n + k)
        a = vstack([_widen(self.a, n + k), extra], format="csr")
        lo = np.concatenate([self.lo, np.full(k, -np.inf)])
        hi = np.concatenate([self.hi, np.zeros(k)])
        obj = np.zeros(n + k)
        obj[n:] = -1.0
        res = milp(
            c=obj,
            constraints=[LinearConstraint(a, lo, hi)],
            integrality=np.ones(n + k),
            bounds=Bounds(np.zeros(n + k), np.concatenate([self.upper, np.ones(k)])),
            options={"time_limit": self.time_limit},
        )
        self.last = None if res.x is None else np.round(res.x[:n])
        if res.status == 0 and res.x is not None:
            return float(-res.fun)
        bound = getattr(res, "mip_dual_bound", None)
        if res.status == 2:  # infeasible: the published figures contradict the data
            return float("nan")
        return float(-bound) if bound is not None and np.isfinite(bound) else float(k)


def _rows(cols: list[list[int]], vals: list[list[float]], width: int) -> csr_array:
    """Sparse rows from per-row column and value lists."""
    sizes = [len(c) for c in cols]
    r = np.repeat(np.arange(len(cols)), sizes)
    c = np.concatenate(cols).astype(np.int64) if cols else np.zeros(0, np.int64)
    v = np.concatenate(vals) if vals else np.zeros(0)
    return coo_array((v, (r, c)), shape=(len(cols), width)).tocsr()


def _widen(a: csr_array, width: int) -> csr_array:
    """``a`` with empty columns appended up to ``width``."""
    return csr_array((a.data, a.indices, a.indptr), shape=(a.shape[0], width))
