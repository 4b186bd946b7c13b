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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from data.privacy.auditor import AuditReport, Contributions, Exposure, Figure
from data.privacy.disclosure import DisclosureRules

LAS = "n_las"
Possible = Callable[[int, Hashable], bool]
Profile = Callable[[Hashable], tuple[Hashable, Hashable]]


class _Model:
    """Variables and constraints of the integer programme (see the module docstring)."""

    def __init__(self, cells: Sequence[Hashable], las: Sequence[int], possible: Possible | None):
        self.pairs = [(la, c) for la in las for c in cells if possible is None or possible(la, c)]
        self.y = {p: i for i, p in enumerate(self.pairs)}
        self.n = len(self.pairs)
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.upper = [1.0] * self.n
        self.f: dict[tuple[int, Hashable], int] = {}

    def var(self, upper: float = 1.0) -> int:
        self.n += 1
        self.upper.append(upper)
        return self.n - 1

    def findings_of(self, pair: tuple[int, Hashable], most: float) -> int:
        """An integer count of the pair's findings: at least 1 exactly when it is present."""
        if pair not in self.f:
            f = self.f[pair] = self.var(most)
            self.add({f: 1.0, self.y[pair]: -1.0}, 0.0, np.inf)
            self.add({f: 1.0, self.y[pair]: -most}, -np.inf, 0.0)
        return self.f[pair]

    def add(self, coef: dict[int, float], low: float, high: float) -> None:
        self.rows.append((coef, low, high))

    def any_of(self, la: int, cells: Iterable[Hashable]) -> int | None:
        """A 0/1 variable that is 1 exactly when ``la`` is in one of ``cells``."""
        ys = [self.y[(la, c)] for c in cells if (la, c) in self.y]
        if not ys:
            return None
        z = self.var()
        for y in ys:
            self.add({z: 1.0, y: -1.0}, 0.0, np.inf)
        coef = {y: -1.0 for y in ys}
        coef[z] = 1.0
        self.add(coef, -np.inf, 0.0)
        return z

    def constraints(self, extra: list[tuple[dict[int, float], float, float]]) -> LinearConstraint:
        rows = [*self.rows, *extra]
        a = lil_matrix((max(len(rows), 1), self.n))
        lo, hi = np.full(max(len(rows), 1), -np.inf), np.full(max(len(rows), 1), np.inf)
        for i, (coef, low, high) in enumerate(rows):
            for j, v in coef.items():
                a[i, j] = v
            lo[i], hi[i] = low, high
        return LinearConstraint(a.tocsr(), lo, hi)


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
) -> AuditReport:
    """Suppressed figures whose LA count the published LA counts pin below ``min_las``.

    ``figures``: every figure the viewer can request; a shown one carries its LA count in
    ``values["n_las"]`` (figures without it publish no count). ``findings``: the measure
    whose published value bounds the number of (authority, cell) pairs (None: unused)."""
    figures, rules = list(figures), rules or DisclosureRules()
    own = frozenset(own if rules.discount_own else ())
    contrib = contributions
    report = AuditReport()
    cells = sorted({c for f in [*figures, *targets] for c in f.cells}, key=repr)
    las = sorted({la for c in cells for la in contrib.contributors([c])} - own)
    if not las:
        return report
    model = _Model(cells, las, possible)
    if profile is not None:
        _add_profiles(model, las, cells, profile)
    m_find = contrib.measures.index(findings) if findings in contrib.measures else None
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
            fs = [model.findings_of(p, most) for p in pairs]
            model.add({v: 1.0 for v in fs}, target, target)
    candidates: dict[frozenset, str] = {}
    for f in [*(f for f in figures if not f.shown), *targets]:
        candidates.setdefault(f.cells, f.view)
    for cell_set, view in candidates.items():
        true = len(contrib.contributors(cell_set, own))
        if not 1 <= true < rules.min_las:
            continue  # a cell of min_las or more can never be pinned below it
        report.checked += 1
        high = _max_count(model, las, cell_set, time_limit)
        if np.isnan(high):
            report.exposures.append(
                Exposure("inconsistent", view, cell_set, LAS,
                         detail="the published LA counts contradict the data")
            )  # fmt: skip
        elif high < rules.min_las:
            report.exposures.append(
                Exposure("la_count", view, cell_set, LAS, float(true), 1.0, high,
                         detail="published LA counts pin this cell below the threshold")
            )  # fmt: skip
    return report


def _add_profiles(model: _Model, las, cells, profile: Profile) -> None:
    keys: dict[tuple[int, Hashable], dict[Hashable, int]] = {}
    for la, c in model.pairs:
        scope, key = profile(c)
        per = keys.setdefault((la, scope), {})
        if key not in per:
            per[key] = model.var()
        model.add({model.y[(la, c)]: 1.0, per[key]: -1.0}, -np.inf, 0.0)
    for per in keys.values():
        model.add({u: 1.0 for u in per.values()}, -np.inf, 1.0)


def _max_count(model: _Model, las, cell_set, time_limit: float) -> float:
    """The largest number of authorities other than the viewer's that ``cell_set`` can hold
    consistently with every published figure."""
    extra: list[tuple[dict[int, float], float, float]] = []
    ws = []
    n0 = model.n
    upper = list(model.upper)
    for la in las:
        ys = [model.y[(la, c)] for c in cell_set if (la, c) in model.y]
        if not ys:
            continue
        w = model.var()
        ws.append(w)
        coef = {y: -1.0 for y in ys}
        coef[w] = 1.0
        extra.append((coef, -np.inf, 0.0))
    cons = model.constraints(extra)
    obj = np.zeros(model.n)
    obj[ws] = -1.0
    res = milp(
        c=obj,
        constraints=[cons],
        integrality=np.ones(model.n),
        bounds=Bounds(np.zeros(model.n), np.array(model.upper)),
        options={"time_limit": time_limit},
    )
    # the temporary w variables are the target's; drop them for the next target
    model.upper, model.n = upper[:n0], n0
    if res.status == 0 and res.x is not None:
        return float(-res.fun)
    bound = getattr(res, "mip_dual_bound", None)
    if res.status == 2:  # infeasible: the published figures contradict the data
        return float("nan")
    return float(-bound) if bound is not None and np.isfinite(bound) else float(len(ws))
