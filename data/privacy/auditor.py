"""Disclosure auditor: what can one viewer work out from everything they can request?

Every figure a viewer can see (a chart cell, a table total, a summary sentence's number, a
CSV row, the count of rows in a findings list) is a sum over *finest cells* (e.g. supplier
group x theme x category x workflow area x severity x region x LA type in one period). The
auditor takes all of them at once, as linear equations over the finest cells, and checks:

``inconsistent``
    the same set of finest cells is published with two different values, or shown in one
    view and suppressed (``c``) in another;
``interval``
    a *sensitive* figure (fewer than ``min_las`` authorities or ``min_respondents``
    respondents behind it, the viewer's own authority discounted) that is suppressed, or not
    published at all, has a feasible interval narrower than ``value * (1 +- protection)``:
    ``scipy.optimize.linprog`` (HiGHS) minimises and maximises it subject to every published
    figure and every cell being non-negative (the LP relaxation: the bounds a spreadsheet
    user could reach);
``shown``
    a sensitive figure is published outright;
``difference``
    two published figures, one inside the other, whose difference is sensitive (the
    "all LA types minus unitary" attack);
``derivable``
    (exhaustive mode, small problems) some 0/1 combination of finest cells whose total
    follows exactly from the published figures is sensitive; found with
    ``scipy.optimize.milp``, so unions of hidden cells that add up to a published
    remainder are caught even when no view names them.

The viewer's own contributions are known to them, so they are subtracted from every figure
first (their own authority's cells are never a target).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

from data.privacy.disclosure import DisclosureRules

Cell = Hashable
TOL = 1e-6


@dataclass(frozen=True)
class Figure:
    """One published figure: the finest cells it sums and its values per measure, or
    ``None`` when it is shown as ``c``. ``view`` names where it is shown (for reports)."""

    view: str
    cells: frozenset
    values: Mapping[str, float] | None = None

    @property
    def shown(self) -> bool:
        return self.values is not None


@dataclass(frozen=True)
class Exposure:
    """One way the viewer can narrow or learn a protected figure."""

    kind: str  # inconsistent | interval | shown | difference | derivable
    view: str
    cells: frozenset
    measure: str = ""
    value: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    detail: str = ""

    def describe(self) -> str:
        rng = "" if np.isnan(self.low) else f" in [{self.low:g}, {self.high:g}]"
        val = "" if np.isnan(self.value) else f" {self.measure}={self.value:g}"
        return f"{self.kind}: {self.view}{val}{rng} {self.detail}".strip()


@dataclass
class AuditReport:
    exposures: list[Exposure] = field(default_factory=list)
    checked: int = 0  # sensitive figures whose interval was computed

    @property
    def ok(self) -> bool:
        return not self.exposures

    def kinds(self) -> set[str]:
        return {e.kind for e in self.exposures}

    def summary(self, limit: int = 10) -> str:
        lines = [e.describe() for e in self.exposures[:limit]]
        more = len(self.exposures) - limit
        return "\n".join([*lines, *([f"... and {more} more"] if more > 0 else [])]) or "clean"


class Contributions:
    """Per finest cell and authority, the measures (e.g. findings, respondents raising)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        measures: Sequence[str],
        *,
        respondents: str | None = None,
        cell_col: str = "cell",
        authority_col: str = "authority_id",
    ) -> None:
        missing = {cell_col, authority_col, *measures} - set(frame.columns)
        if missing:
            raise ValueError(f"contributions lack columns {sorted(missing)}")
        if respondents is not None and respondents not in measures:
            raise ValueError("the respondents measure must be one of the measures")
        self.measures = list(measures)
        self.respondents = respondents
        grouped = frame.groupby([cell_col, authority_col], sort=False)[self.measures].sum()
        self.by_cell: dict[Cell, dict[int, np.ndarray]] = {}
        for (cell, la), vals in zip(grouped.index, grouped.to_numpy(dtype=float), strict=True):
            self.by_cell.setdefault(cell, {})[la] = vals

    def total(self, cells: Iterable[Cell], skip: Collection[int] = ()) -> np.ndarray:
        out = np.zeros(len(self.measures))
        for c in cells:
            for la, vals in self.by_cell.get(c, {}).items():
                if la not in skip:
                    out += vals
        return out

    def contributors(self, cells: Iterable[Cell], skip: Collection[int] = ()) -> set[int]:
        return {
            la
            for c in cells
            for la, vals in self.by_cell.get(c, {}).items()
            if la not in skip and vals.any()
        }

    def sensitive(
        self,
        cells: Iterable[Cell],
        rules: DisclosureRules,
        own: Collection[int],
        granted: Collection[int] = frozenset(),
    ) -> bool:
        """Fewer than the thresholds of authorities (or respondents) other than ``own``,
        but not none. Figures of ``granted`` authorities alone (an NLAR representative's
        group, seen authority by authority) are held to the respondents threshold only."""
        cells = list(cells)
        las = self.contributors(cells, own)
        if not las:
            return False
        resp = None
        if self.respondents is not None:
            resp = float(self.total(cells, own)[self.measures.index(self.respondents)])
        if granted and las <= set(granted):
            return resp is not None and resp < rules.min_respondents
        return not rules.passes(len(las), resp)


def _consistency(
    figures: Sequence[Figure], measures: Sequence[str], granted_only=lambda cells: False
) -> list[Exposure]:
    """Same cells, different answers; a figure ``c`` in one view and shown in another is
    no exposure where only granted authorities contribute (the viewer sees them anyway)."""
    seen: dict[frozenset, Figure] = {}
    out = []
    for f in figures:
        first = seen.setdefault(f.cells, f)
        if first is f:
            continue
        both = first.shown and f.shown
        if (first.shown != f.shown and not granted_only(f.cells)) or (
            both and any(abs(first.values[m] - f.values[m]) > TOL for m in measures)
        ):
            out.append(
                Exposure("inconsistent", f"{first.view} / {f.view}", f.cells,
                         detail="same cells, different published answer")
            )  # fmt: skip
    return out


class _System:
    """The published figures as equations over the cells where others contribute."""

    def __init__(
        self,
        figures: Sequence[Figure],
        contrib: Contributions,
        own: frozenset,
        granted: frozenset = frozenset(),
    ):
        self.contrib = contrib
        self.own = own
        self.granted = granted
        shown = [f for f in figures if f.shown]
        cells = sorted({c for f in figures for c in f.cells}, key=repr)
        live = [c for c in cells if contrib.contributors([c], own)]
        self.col = {c: i for i, c in enumerate(live)}
        self.live = live
        rows, cols = [], []
        unique: dict[frozenset, int] = {}
        for f in shown:
            idx = frozenset(self.col[c] for c in f.cells if c in self.col)
            if idx and idx not in unique:
                unique[idx] = len(unique)
                rows.extend([unique[idx]] * len(idx))
                cols.extend(sorted(idx))
        self.eq_sets = list(unique)
        self.a = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(unique), max(len(live), 1))
        )
        k = len(contrib.measures)
        self.x = np.array([contrib.total([c], own) for c in live]).reshape(len(live), k)
        self.b = np.array([self.x[sorted(s)].sum(axis=0) for s in unique]).reshape(len(unique), k)

    def interval(self, cells: Iterable[Cell], m: int) -> tuple[float, float]:
        idx = [self.col[c] for c in cells if c in self.col]
        if not idx:
            return 0.0, 0.0
        obj = np.zeros(len(self.live))
        obj[idx] = 1.0
        eq = {"A_eq": self.a, "b_eq": self.b[:, m]} if self.a.shape[0] else {}
        lo = linprog(obj, bounds=(0, None), method="highs", **eq)
        hi = linprog(-obj, bounds=(0, None), method="highs", **eq)
        low = lo.fun if lo.status == 0 else 0.0
        high = -hi.fun if hi.status == 0 else np.inf  # unbounded above: nothing pins it
        return float(low), float(high)

    def _granted_only(self, cell: Cell) -> bool:
        return bool(self.granted) and self.contrib.contributors([cell], self.own) <= self.granted

    def derivable(self, rules: DisclosureRules, time_limit: float) -> list[frozenset]:
        """Sensitive 0/1 combinations of live cells whose total the equations give, one
        per search (LAs, then respondents)."""
        n, k = len(self.live), self.a.shape[0]
        if not n or not k:
            return []
        las = sorted({la for c in self.live for la in self.contrib.contributors([c], self.own)})
        la_ix = {la: i for i, la in enumerate(las)}
        nv = n + k + len(las)  # x (cells, 0/1), y (figure weights, free), z (LAs, 0/1)
        cons = []
        # x - A^T y = 0: the combination of figures equals the 0/1 cell indicator
        at = self.a.T.toarray()
        cons.append(LinearConstraint(np.hstack([np.eye(n), -at, np.zeros((n, len(las)))]), 0, 0))
        link = []
        for i, c in enumerate(self.live):
            for la in self.contrib.contributors([c], self.own):
                row = np.zeros(nv)
                row[n + k + la_ix[la]], row[i] = 1.0, -1.0
                link.append(row)
        cons.append(LinearConstraint(np.array(link), 0, np.inf))
        found = []
        resp_m = (
            None
            if self.contrib.respondents is None
            else self.contrib.measures.index(self.contrib.respondents)
        )
        searches = [("las", rules.min_las - 1)]
        if resp_m is not None:
            searches.append(("respondents", rules.min_respondents - 1))
        ones_x = np.r_[np.ones(n), np.zeros(k + len(las))]
        for what, cap in searches:
            if what == "las":
                lim = np.r_[np.zeros(n + k), np.ones(len(las))]
            else:
                lim = np.r_[self.x[:, resp_m], np.zeros(k + len(las))]
            extra = [LinearConstraint(ones_x, 1, np.inf), LinearConstraint(lim, 0, cap)]
            if what == "respondents":  # a respondents figure of 0 is no disclosure
                extra.append(LinearConstraint(lim, 1, np.inf))
            integrality = np.r_[np.ones(n), np.zeros(k), np.ones(len(las))]
            lb = np.r_[np.zeros(n), np.full(k, -np.inf), np.zeros(len(las))]
            # granted authorities' own cells are no target of the authority-count search
            cell_ub = [0.0 if what == "las" and self._granted_only(c) else 1.0
                       for c in self.live]  # fmt: skip
            ub = np.r_[cell_ub, np.full(k, np.inf), np.ones(len(las))]
            res = milp(
                c=ones_x,
                constraints=[*cons, *extra],
                integrality=integrality,
                bounds=Bounds(lb, ub),
                # HiGHS's presolve (scipy 1.17) can loop for good on these systems, ignoring
                # the time limit (a Compare fixture of 26 cells hung for 20 minutes); without
                # it the same search ends in milliseconds
                options={"time_limit": time_limit, "presolve": False},
            )
            if res.status == 0 and res.x is not None:
                picked = frozenset(self.live[i] for i in np.flatnonzero(res.x[:n] > 0.5))
                found.append(picked)
        return found


def audit(
    figures: Iterable[Figure],
    contributions: Contributions,
    rules: DisclosureRules | None = None,
    *,
    own: Collection[int] = frozenset(),
    targets: Iterable[Figure] = (),
    protection: float = 0.5,
    exhaustive: bool | None = None,
    time_limit: float = 20.0,
    granted: Collection[int] = frozenset(),
) -> AuditReport:
    """Audit everything one viewer can see (see the module docstring).

    ``figures``: every published figure (shown or ``c``) of every view the viewer can
    request. ``targets``: further cell sets to protect that no view shows (e.g. every
    finest cell); each sensitive one must not be pinned either. ``exhaustive``: also search
    for sensitive derivable combinations with a MILP (default: when at most 300 cells are
    live). ``granted``: authorities whose own figures the viewer may see one by one (an
    NLAR representative's group): their figures are held to the respondents threshold
    only."""
    figures = list(figures)
    granted = frozenset(granted)
    rules = rules or DisclosureRules()
    own = frozenset(own if rules.discount_own else ())
    contrib = contributions
    report = AuditReport(
        _consistency(
            figures,
            contrib.measures,
            lambda cells: bool(granted) and contrib.contributors(cells, own) <= granted,
        )
    )
    for f in figures:
        if not f.shown:
            continue
        true = contrib.total(f.cells)
        for m, name in enumerate(contrib.measures):
            if abs(true[m] - f.values[name]) > TOL:
                report.exposures.append(
                    Exposure("inconsistent", f.view, f.cells, name, f.values[name],
                             detail=f"published {f.values[name]:g}, data say {true[m]:g}")
                )  # fmt: skip
        if contrib.sensitive(f.cells, rules, own, granted):
            report.exposures.append(
                Exposure("shown", f.view, f.cells, detail="a sensitive figure is shown")
            )
    system = _System(figures, contrib, own, granted)
    # differencing: a published figure inside another leaves a sensitive remainder
    eq_sets = sorted(system.eq_sets, key=len)
    for i, small in enumerate(eq_sets):
        for big in eq_sets[i + 1 :]:
            if small < big:
                rest = [system.live[j] for j in big - small]
                if contrib.sensitive(rest, rules, own, granted):
                    report.exposures.append(
                        Exposure("difference", "published figures", frozenset(rest),
                                 detail="one published figure minus another is sensitive")
                    )  # fmt: skip
    candidates: dict[frozenset, str] = {}
    for f in [*(f for f in figures if not f.shown), *targets]:
        candidates.setdefault(f.cells, f.view)
    for cells, view in candidates.items():
        if not contrib.sensitive(cells, rules, own, granted):
            continue
        report.checked += 1
        true = contrib.total(cells, own)
        for m, name in enumerate(contrib.measures):
            v = float(true[m])
            if v <= 0:
                continue
            low, high = system.interval(cells, m)
            if low > v * (1 - protection) + TOL or high < v * (1 + protection) - TOL:
                report.exposures.append(Exposure("interval", view, cells, name, v, low, high))
    if exhaustive is None:
        exhaustive = len(system.live) <= 300
    if exhaustive:
        for cells in system.derivable(rules, time_limit):
            report.exposures.append(
                Exposure("derivable", "combination of published figures", cells,
                         detail="a sensitive total follows exactly from published figures")
            )  # fmt: skip
    return report


def cell_keys(rows: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    """The finest-cell key of each row: the tuple of its ``dims`` values."""
    return pd.Series(list(rows[list(dims)].astype(str).itertuples(index=False, name=None)),
                     index=rows.index)  # fmt: skip


def contributions_of(
    rows: pd.DataFrame,
    dims: Sequence[str],
    measures: Sequence[str],
    *,
    respondents: str | None = None,
) -> Contributions:
    """:class:`Contributions` of finding (or score) rows keyed by their ``dims``."""
    missing = {"authority_id", *dims, *measures} - set(rows.columns)
    if missing:
        raise ValueError(f"contributions lack columns {sorted(missing)}")
    frame = rows[["authority_id", *measures]].assign(cell=cell_keys(rows, dims))
    return Contributions(frame, measures, respondents=respondents)


def table_figures(
    table: pd.DataFrame,
    rows: pd.DataFrame,
    dims: Sequence[str],
    by: Sequence[str],
    filters: Mapping[str, object],
    measures: Sequence[str],
    view: str,
    *,
    totals: Mapping[str, object] | None = None,
    suppressed_col: str = "suppressed",
    aliases: Mapping[str, str] | None = None,
) -> list[Figure]:
    """The figures a published table shows: each of its rows is the sum over the finest
    cells of ``rows`` matching ``filters`` and the row's ``by`` values (a ``totals`` label
    means every value of that dimension). ``aliases`` maps a ``by`` column of the table to
    the column of ``rows`` that holds the same labels (e.g. folded supplier groups)."""
    totals, aliases = dict(totals or {}), dict(aliases or {})
    keys = cell_keys(rows, dims).to_numpy()
    text = {c: rows[c].astype(str).to_numpy() for c in {*filters, *by, *aliases.values()}
            if c in rows}  # fmt: skip
    base = np.ones(len(rows), dtype=bool)
    for dim, value in filters.items():
        if value is not None and dim not in by:
            base &= text[dim] == str(value)
    out = []
    flags = table[suppressed_col].to_numpy(dtype=bool)
    for i, row in enumerate(table[list(by)].itertuples(index=False, name=None)):
        mask = base.copy()
        for dim, value in zip(by, row, strict=True):
            if dim in totals and value == totals[dim]:
                continue
            mask &= text[aliases.get(dim, dim)] == str(value)
        cells = frozenset(keys[mask])
        if not cells:
            continue
        # a measure withheld on its own (an authority count: NA) is not published
        values = None if flags[i] else {m: float(table[m].iloc[i]) for m in measures
                                        if pd.notna(table[m].iloc[i])}  # fmt: skip
        label = ", ".join(f"{d}={v}" for d, v in zip(by, row, strict=True))
        out.append(Figure(f"{view} [{label}]", cells, values))
    return out


def list_figures(
    listed: pd.DataFrame,
    rows: pd.DataFrame,
    dims: Sequence[str],
    revealed: Sequence[str],
    measures: Sequence[str],
    view: str,
    *,
    known: Collection[int] = frozenset(),
) -> list[Figure]:
    """What a complete findings list publishes: grouping other authorities' rows by the
    attributes they reveal (``revealed``: columns of ``listed``) gives, per group, the count
    and respondents of the findings behind it, plus whatever the viewer knows of the same
    cells (their own authorities ``known``, taken from ``rows``). ``listed`` must carry the
    finest-cell dims of each row (``dims``) so the cells can be named."""
    others = listed.loc[~listed["authority_id"].isin(list(known))]
    if others.empty:
        return []
    keys = cell_keys(others, dims)
    all_keys = cell_keys(rows, dims)
    mine = rows["authority_id"].isin(list(known)).to_numpy(dtype=bool)
    out = []
    for shown, part in others.assign(_key=keys).groupby(list(revealed), dropna=False):
        cells = frozenset(part["_key"])
        own_part = rows.loc[mine & all_keys.isin(cells).to_numpy(dtype=bool)]
        values = {m: float(part[m].sum() + own_part[m].sum()) for m in measures}
        out.append(Figure(f"{view} list {shown}", cells, values))
    return out
