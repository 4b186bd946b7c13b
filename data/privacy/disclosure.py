"""Disclosure control (PRODUCT.md section 4): no figure shown outside an LA may rest on, or let
anyone work out, the results of fewer than 3 LAs or 10 respondents.

On pooled cells that carry their contributors (``las``, ``n_by_la``): fold supplier groups too
small for the filter into "Other suppliers" (raw rows, so the result is pooled honestly);
primary: hide cells under either threshold unless they are the viewer's own LA only;
secondary: in each *line* (cells differing in one dimension whose total is also shown) the
hidden cells together must pass both thresholds, so total minus visible cells is a safe
aggregate; with totals on two or more dimensions a rank check also stops lines being combined.
Generic over the respondent column and the value columns blanked: counts tables share it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype

from data.scores.stats import (
    Weighting,
    change_columns,
    count_table,
    pair_periods,
    pool_by,
    with_totals,
)

SUPPRESSED = "c"
OTHER_SUPPLIERS = "Other suppliers"
SCORE_VALUE_COLS = ("n", "n_las", "sum", "sumsq", "mean", "sd", "ci_low", "ci_high")
PRIVATE_COLS = ("las", "n_by_la")  # contributor sets: never displayed


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds for anything shown outside an LA.

    ``discount_own``: a viewer who contributes to a cell can subtract its own LA, so such a
    cell is judged on the *other* contributors (an LA must not see the pooled result of two
    others). Turn off only where the viewer is not an LA.
    """

    min_las: int = 3
    min_respondents: int = 10
    discount_own: bool = True

    def passes(self, n_las: int, respondents: float | None) -> bool:
        """Whether an aggregate of ``n_las`` LAs and ``respondents`` may be shown."""
        return n_las >= self.min_las and (
            respondents is None or respondents >= self.min_respondents
        )

    def footnote(self) -> str:
        """Footnote explaining the ``c`` marker under these thresholds."""
        return (
            f"{SUPPRESSED} = suppressed to protect confidentiality: fewer than {self.min_las} "
            f"local authorities or fewer than {self.min_respondents} respondents contribute, "
            "or the figure would let a suppressed one be worked out."
        )


FOOTNOTE = DisclosureRules().footnote()
REASON_SECONDARY = "hidden so that another hidden figure cannot be worked out"


@dataclass(frozen=True)
class _Cells:
    """Contributor facts per table row, and the threshold test for any union of rows."""

    las: list[frozenset]
    n: np.ndarray | None  # respondents; None when only LAs are counted
    n_own: np.ndarray
    own: frozenset
    rules: DisclosureRules

    @classmethod
    def of(
        cls, table: pd.DataFrame, rules: DisclosureRules, own: frozenset, resp: str | None
    ) -> _Cells:
        if "las" not in table:
            raise ValueError("disclosure needs the las column: pool with keep_las=True")
        n = None if resp is None else table[resp].to_numpy(dtype=float)
        n_own = np.zeros(len(table))
        if own and rules.discount_own and resp is not None:
            if "n_by_la" not in table:
                raise ValueError("discounting the viewer's own LA needs the n_by_la column")
            n_own = np.array([sum(d.get(a, 0) for a in own) for d in table["n_by_la"]], float)
        return cls(list(table["las"]), n, n_own, own, rules)

    def single_cell_tests(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row, vectorised: passes as is, passes with the viewer's own LA discounted
        (what :meth:`safe` says for one row), and holds only the viewer's own LA."""
        count = len(self.las)
        k = np.fromiter((len(s) for s in self.las), dtype=np.int64, count=count)
        n = np.full(count, np.inf) if self.n is None else self.n
        raw_ok = (k >= self.rules.min_las) & (n >= self.rules.min_respondents)
        if not self.own:
            return raw_ok, raw_ok, np.zeros(count, dtype=bool)
        mine = np.fromiter((len(s & self.own) for s in self.las), dtype=np.int64, count=count)
        own_only = (k > 0) & (mine == k)
        if not self.rules.discount_own:
            return raw_ok, raw_ok, own_only
        ok = (k - mine >= self.rules.min_las) & (n - self.n_own >= self.rules.min_respondents)
        return raw_ok, ok, own_only

    def own_only(self, i: int) -> bool:
        return bool(self.las[i]) and self.las[i] <= self.own

    def safe(self, idx: Iterable[int], discount: bool = True) -> bool:
        idx = list(idx)
        las = frozenset().union(*(self.las[i] for i in idx))
        n = None if self.n is None else float(self.n[idx].sum())
        if discount and self.own and self.rules.discount_own:
            las = las - self.own
            n = None if n is None else n - float(self.n_own[idx].sum())
        return self.rules.passes(len(las), n)

    def smallest_first(self, idx: Iterable[int]) -> list[int]:
        size = self.n if self.n is not None else np.zeros(len(self.las))
        return sorted(idx, key=lambda i: (size[i], len(self.las[i]), i))


def _reason(rules: DisclosureRules, other: str) -> str:
    return f"fewer than {rules.min_las} {other}LAs or {rules.min_respondents} {other}respondents"


def mark_primary(
    table: pd.DataFrame,
    rules: DisclosureRules = DisclosureRules(),
    own_authority_ids: Collection[int] = frozenset(),
    *,
    respondents_col: str | None = "n",
) -> pd.DataFrame:
    """Add ``suppressed`` and ``reason`` for primary suppression, leaving values in place."""
    own = frozenset(own_authority_ids)
    if "las" not in table and not own:  # plain pooled table: the counts are enough
        ok = table["n_las"].to_numpy() >= rules.min_las
        if respondents_col is not None:
            ok &= table[respondents_col].to_numpy(dtype=float) >= rules.min_respondents
        return table.assign(suppressed=~ok, reason=np.where(ok, "", _reason(rules, "")))
    cells = _Cells.of(table, rules, own, respondents_col)
    raw_ok, ok, own_only = cells.single_cell_tests()
    supp = ~ok & ~own_only
    reason = np.where(~raw_ok, _reason(rules, ""), _reason(rules, "other "))
    return table.assign(suppressed=supp, reason=np.where(supp, reason, ""))


def _lines(
    table: pd.DataFrame, dims: Sequence[str], totals: Mapping[str, object]
) -> list[tuple[int, list[int]]]:
    """(total row, member rows) for each line: rows equal on all ``dims`` but one."""
    lines = []
    for dim, label in totals.items():
        is_total = np.asarray(table[dim].eq(label).fillna(False), dtype=bool)
        rest = [d for d in dims if d != dim]
        whole = {(): np.arange(len(table))}
        groups = table.groupby(rest, sort=False, dropna=False).indices if rest else whole
        for pos in groups.values():
            tot = pos[is_total[pos]]
            if len(tot) > 1:
                raise ValueError(f"several {label!r} rows in one line of {dim}")
            if len(tot):
                lines.append((int(tot[0]), [int(i) for i in pos if not is_total[i]]))
    return lines


def _protect_line(total: int, members: list[int], supp: np.ndarray, cells: _Cells) -> bool:
    """Hide the smallest visible cells (then the total) until the hidden union is safe."""
    if supp[total]:
        return False
    hidden = [i for i in members if supp[i]]
    if not hidden or cells.safe(hidden):
        return False
    visible = [i for i in members if not supp[i] and not cells.own_only(i)]
    for i in cells.smallest_first(visible):
        supp[i] = True
        hidden.append(i)
        if cells.safe(hidden):
            return True
    supp[total] = True
    return True


def _pinned(lines: list[tuple[int, list[int]]], supp: np.ndarray) -> list[int]:
    """Hidden rows whose value follows exactly from the visible ones through the line sums."""
    unknown = np.flatnonzero(supp)
    col = {int(p): j for j, p in enumerate(unknown)}
    eqs = []
    for total, members in lines:
        row = np.zeros(len(unknown))
        for p, c in ((total, 1.0), *((m, -1.0) for m in members)):
            if supp[p]:
                row[col[p]] = c
        if row.any():
            eqs.append(row)
    if not eqs:
        return []
    _, s, vt = np.linalg.svd(np.array(eqs))
    null = vt[int((s > 1e-9 * s[0]).sum()) :]  # a hidden value is pinned iff the null space
    return [int(unknown[j]) for j in np.flatnonzero(np.abs(null).sum(axis=0) < 1e-9)]  # misses it


def _unpin(lines: list[tuple[int, list[int]]], supp: np.ndarray, cells: _Cells) -> bool:
    """Hide one more cell next to the first pinned hidden value; False if none can be."""
    for p in _pinned(lines, supp):
        near = {i for t, m in lines if p == t or p in m for i in (t, *m)}
        visible = [i for i in near if not supp[i] and not cells.own_only(i)]
        if visible:
            supp[cells.smallest_first(visible)[0]] = True
            return True
    return False


def mark_secondary(
    table: pd.DataFrame,
    rules: DisclosureRules = DisclosureRules(),
    own_authority_ids: Collection[int] = frozenset(),
    *,
    dims: Sequence[str],
    totals: Mapping[str, object],
    respondents_col: str | None = "n",
) -> pd.DataFrame:
    """Extend ``suppressed`` (values still present) so no hidden cell can be worked out by
    subtraction; ``totals`` maps each dimension with a total row to its label."""
    if "suppressed" not in table:
        table = mark_primary(table, rules, own_authority_ids, respondents_col=respondents_col)
    cells = _Cells.of(table, rules, frozenset(own_authority_ids), respondents_col)
    lines = _lines(table, dims, totals)
    supp = table["suppressed"].to_numpy(dtype=bool).copy()
    changed = True
    while changed:
        changed = any([_protect_line(t, m, supp, cells) for t, m in lines])
        if not changed and len(totals) > 1:  # lines cross: check combinations too
            changed = _unpin(lines, supp, cells)
    newly = supp & ~table["suppressed"].to_numpy(dtype=bool)
    reason = np.where(newly, REASON_SECONDARY, table.get("reason", ""))
    return table.assign(suppressed=supp, reason=reason)


def blank(table: pd.DataFrame, value_cols: Iterable[str] = SCORE_VALUE_COLS) -> pd.DataFrame:
    """Set ``value_cols`` of suppressed rows to NA (never zero) and drop contributor sets."""
    out = table.drop(columns=[c for c in PRIVATE_COLS if c in table])
    mask = out["suppressed"].to_numpy(dtype=bool)
    for col in value_cols:
        if col in out:  # nullable dtypes, so a hidden count is NA rather than a float NaN
            s = out[col]
            kind = "boolean" if is_bool_dtype(s) else "Int64" if is_integer_dtype(s) else s.dtype
            out[col] = s.astype(kind).mask(mask)
    return out


def primary(
    table: pd.DataFrame,
    rules: DisclosureRules = DisclosureRules(),
    own_authority_ids: Collection[int] = frozenset(),
    *,
    respondents_col: str | None = "n",
    value_cols: Iterable[str] = SCORE_VALUE_COLS,
) -> pd.DataFrame:
    """Primary suppression, blanked and ready to show (use ``mark_primary`` to chain)."""
    marked = mark_primary(table, rules, own_authority_ids, respondents_col=respondents_col)
    return blank(marked, value_cols)


def fold_small_groups(
    rows: pd.DataFrame,
    rules: DisclosureRules = DisclosureRules(),
    group_col: str = "group",
    other_label: str = OTHER_SUPPLIERS,
    *,
    respondents_col: str | None = "n",
) -> pd.DataFrame:
    """Relabel supplier groups too small for these rows as ``other_label``, adding the next
    smallest groups until that pooled group passes too (or everything is folded)."""
    resp, keys = respondents_col, [c for c in ("authority_id", "period", "role") if c in rows]
    counted = rows if resp is None else rows.loc[rows[resp] > 0]
    size = counted.groupby(group_col, dropna=False)["authority_id"].agg(frozenset).to_frame("las")
    size = size.assign(k=size["las"].map(len), n=0.0)
    if resp:  # per submission x role, the most any one measure has: a lower bound, so it
        per = counted.groupby([group_col, *keys], dropna=False)[resp].max()  # errs to folding
        size["n"] = per.groupby(level=0, dropna=False).sum()

    def ok(groups: list) -> bool:
        las = frozenset().union(*size.loc[groups, "las"])
        return rules.passes(len(las), float(size.loc[groups, "n"].sum()) if resp else None)

    folded = [g for g in size.index if not ok([g])]
    if not folded:
        return rows
    for g in size.drop(index=folded).sort_values(["n", "k"], kind="stable").index:
        if ok(folded):
            break
        folded.append(g)
    labels = rows[group_col].astype("str")
    return rows.assign(**{group_col: labels.mask(rows[group_col].isin(folded), other_label)})


def _marked(
    rows: pd.DataFrame,
    by: Sequence[str],
    rules: DisclosureRules,
    build: Callable[[pd.DataFrame, list[str]], pd.DataFrame],
    totals: Mapping[str, object] | None,
    own: Collection[int],
    fold_groups: bool,
    group_col: str,
    respondents_col: str | None = "n",
) -> pd.DataFrame:
    """Fold, build cells with totals, then mark primary and secondary suppression."""
    if fold_groups and group_col in by:
        rows = fold_small_groups(rows, rules, group_col, respondents_col=respondents_col)
    table = with_totals(rows, by, totals or {}, build)
    table = mark_primary(table, rules, own, respondents_col=respondents_col)
    if totals:
        table = mark_secondary(
            table, rules, own, dims=by, totals=totals, respondents_col=respondents_col
        )
    return table


def disclosed_table(
    rows: pd.DataFrame,
    by: Sequence[str],
    rules: DisclosureRules = DisclosureRules(),
    *,
    totals: Mapping[str, object] | None = None,
    own_authority_ids: Collection[int] = frozenset(),
    fold_groups: bool = True,
    group_col: str = "group",
    weighting: Weighting = "respondents",
) -> pd.DataFrame:
    """Pooled scores per ``by`` cell, folded, suppressed and ready to show or export.

    ``totals`` adds total rows, e.g. ``{"group": "England"}``, and protects them by secondary
    suppression; pass every total the page shows. ``own_authority_ids``: the viewer's LA, whose
    own-only cells are never suppressed. Returns ``by`` + n, n_las, mean, sd, ci_low, ci_high,
    suppressed, reason (values NA where suppressed). Each cell must hold one measure (put it in
    ``by`` or filter), else respondents would count once per measure.
    """
    build = partial(pool_by, weighting=weighting, keep_las=True)
    marked = _marked(rows, by, rules, build, totals, own_authority_ids, fold_groups, group_col)
    return blank(marked.drop(columns=["sum", "sumsq"], errors="ignore"))


def disclosed_counts(
    rows: pd.DataFrame,
    by: Sequence[str],
    rules: DisclosureRules = DisclosureRules(),
    *,
    totals: Mapping[str, object] | None = None,
    own_authority_ids: Collection[int] = frozenset(),
    fold_groups: bool = True,
    group_col: str = "group",
    count_name: str = "findings",
    respondents_col: str | None = "respondents_raising",
) -> pd.DataFrame:
    """Like :func:`disclosed_table` for counts of rows (e.g. one per finding); with
    ``respondents_col=None`` only the LA threshold applies."""
    build = partial(count_table, count_name=count_name, respondents_col=respondents_col)
    marked = _marked(
        rows, by, rules, build, totals, own_authority_ids, fold_groups, group_col, respondents_col
    )
    return blank(marked, [c for c in (count_name, respondents_col, "n_las") if c])


def disclosed_changes(
    rows: pd.DataFrame,
    by: Sequence[str],
    before: str,
    after: str,
    rules: DisclosureRules = DisclosureRules(),
    *,
    period_col: str = "period",
    totals: Mapping[str, object] | None = None,
    own_authority_ids: Collection[int] = frozenset(),
    fold_groups: bool = True,
    group_col: str = "group",
    weighting: Weighting = "respondents",
) -> pd.DataFrame:
    """Welch change per ``by`` cell between two periods, hidden when either period's cell is
    (each period is protected as a :func:`disclosed_table` with the same ``totals``)."""
    rows = rows.loc[rows[period_col].isin([before, after])]
    build = partial(pool_by, weighting=weighting, keep_las=True)
    marked = _marked(
        rows, [*by, period_col], rules, build, totals, own_authority_ids, fold_groups, group_col
    )
    a, b = pair_periods(marked, by, before, after, period_col)
    out = change_columns(a, b, "n" if weighting == "respondents" else "n_las")
    supp = a["suppressed"].to_numpy(dtype=bool) | b["suppressed"].to_numpy(dtype=bool)
    reason = np.where(a["suppressed"].to_numpy(dtype=bool), a["reason"], b["reason"])
    values = list(out.columns)
    out = out.assign(suppressed=supp, reason=reason).reset_index()
    return blank(out if by else out.drop(columns=out.columns[0]), values)


def format_value(x: object, suppressed: bool, *, decimals: int = 1, missing: str = "x") -> str:
    """Text for a table or CSV cell: ``c`` if suppressed, ``missing`` (GSS ``x``, not
    available, e.g. no interval under 5 respondents) if absent, else the number."""
    if suppressed:
        return SUPPRESSED
    if x is None or x is pd.NA or (isinstance(x, float | np.floating) and math.isnan(x)):
        return missing
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return str(int(x))
    return f"{float(x):.{decimals}f}"
