"""Disclosure control that holds across filter combinations, shared by the analysis pages
(Compare supplier groups, Themes, My authority).

``data.privacy.disclosure`` protects one table: primary suppression (fewer than 3 LAs or 10
respondents, the viewer's own LA discounted) and secondary suppression within the table's
lines. A page with filters publishes many tables, one per filter combination, so on top of it:

1. **Stable groups.** Supplier groups too small for a period are folded into "Other
   suppliers" once, on all of that period's rows (:func:`fold_period`), so a group has the
   same members whatever the region, LA type or role filters say.
2. **Single-value filters.** Every narrowing filter is one value or "all" (no multi-select),
   so two views narrowed on the same filter are either nested or disjoint. The filters come
   in as ``narrowing``, row column -> value, from data.queries.filters.Selection.narrowing()
   (this room does not know the pages' filter tables).
3. **Narrowing guard** (:func:`guarded_cells`). A cell of a narrowed view is shown only if

   a. *remainders are safe*: against each wider view (one narrowing filter reset to "all",
      and every one reset) the difference wider minus narrowed is empty or itself rests on at
      least 3 LAs and 10 respondents other than the viewer's own, so subtracting one view
      from another never singles out an authority; and
   b. *lines are protected*: the cell survives secondary suppression among the same cell for
      every value of that filter, with the wider cell as their total, so adding up the
      other values' views and subtracting them from the wider view cannot recover it.

   Both depend only on the data (and the viewer's own LA), never on which value the user
   picked, so every view of the same cell agrees. The viewer's own-only cells are never hidden.

What this does not claim: a complete audit of every linear combination of every view (cube
secondary suppression over group x region x LA type x role). Measured on the 150-LA demo, that
hides England's own total in the default view, so it is not used; combining views narrowed on
*different* LA attributes (a region in one view, an LA type in another) with outside knowledge
of which LAs use which supplier remains a residual risk, reduced by rules 1-3 and by never
listing region or LA type next to a pseudonym (see data/pages/themes.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd
from pandas.api.types import is_integer_dtype

from data.privacy.disclosure import (
    SCORE_VALUE_COLS,
    DisclosureRules,
    blank,
    fold_small_groups,
    mark_primary,
    mark_secondary,
)
from data.scores.stats import (
    Weighting,
    count_table,
    plain_dtype,
    pool_by,
    summary_arrays,
    with_totals,
)

ENGLAND = "All groups (England)"
WIDER = "__wider__"  # total label inside line checks; never shown
REASON_NARROWING = "hidden so that narrowing the filters cannot single out an authority"
RAW_GROUP = "supplier"  # the unfolded supplier name, kept for filtering by group
Build = Callable[[pd.DataFrame, list[str]], pd.DataFrame]


def narrow(rows: pd.DataFrame, narrowing: Mapping[str, object]) -> pd.DataFrame:
    """Rows matching every (column, value) pair."""
    if not narrowing:
        return rows
    mask = np.ones(len(rows), dtype=bool)
    for col, value in narrowing.items():
        mask &= (rows[col] == value).to_numpy(dtype=bool)
    return rows.loc[mask]


def fold_period(
    rows: pd.DataFrame, rules: DisclosureRules, respondents_col: str | None = "n"
) -> pd.DataFrame:
    """Keep the raw supplier name in ``supplier`` and fold small groups per period, on all of
    that period's rows, so narrowing filters never change a group's membership."""
    if rows.empty:
        return rows.assign(**{RAW_GROUP: rows.get("group", pd.Series(dtype="str"))})
    rows = rows.assign(**{RAW_GROUP: rows["group"].astype("str")})
    if "period" not in rows:
        return fold_small_groups(rows, rules, respondents_col=respondents_col)
    parts = [
        fold_small_groups(part, rules, respondents_col=respondents_col)
        for _, part in rows.groupby("period", sort=True)
    ]
    return pd.concat(parts) if parts else rows


def group_codes(rows: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Cell number per row and the first row of each cell, the cells numbered in the order
    ``rows.groupby(by, sort=True, dropna=False)`` gives (keys sorted, missing keys last).

    Plain numpy on one integer-coded column at a time: the guard groups the same rows a
    dozen times per view, where a pandas groupby's fixed cost, and hashing text columns
    (the memoised rows keep theirs as categoricals: data.store.memo.categorical_text), was most
    of the time."""
    if not by or not len(rows):
        return np.zeros(len(rows), dtype=np.int64), np.zeros(min(len(rows), 1), dtype=np.int64)
    key, span = np.zeros(len(rows), dtype=np.int64), 1
    for col in by:
        codes, width = _sorted_codes(rows[col])
        if span * width >= 2**62:  # renumber the combinations so far before they overflow
            key = pd.factorize(key)[0].astype(np.int64)
            span = int(key.max()) + 1
        key = key * width + codes
        span *= width
    seen, keys = pd.factorize(key)  # hashing, not sorting, the rows; keys in order seen
    sorter = np.argsort(keys)  # the few distinct keys in order
    rank = np.empty(len(keys), dtype=np.int64)
    rank[sorter] = np.arange(len(keys))
    latest = np.maximum.accumulate(seen)  # a key's first row is where ``seen`` first grows
    first_seen = np.flatnonzero(np.r_[True, latest[1:] > latest[:-1]])
    return rank[seen], first_seen[sorter]


def _sorted_codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes that sort like the values, missing values last, and their range."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        categories = column.cat.categories
        if not categories.is_monotonic_increasing:
            rank = np.empty(len(categories), dtype=np.int64)
            rank[categories.argsort()] = np.arange(len(categories))
            codes = np.where(codes < 0, codes, rank[np.maximum(codes, 0)])
        width = len(categories) + 1
    else:
        codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=True)
        width = len(uniques) + 1
    return np.where(codes < 0, width - 1, codes), width


def _take(column: pd.Series, positions: np.ndarray, *, keep_categories: bool = False):
    """``column``'s values at ``positions`` in its own dtype; a categorical column's as
    plain values (its categories' dtype, e.g. str) unless ``keep_categories``."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()[positions]
        if keep_categories:
            return pd.Categorical.from_codes(codes, dtype=dtype)
        labels = np.append(np.asarray(dtype.categories, dtype=object), None)  # -1: missing
        return pd.array(labels[codes], dtype=plain_dtype(dtype))
    values = column.to_numpy()[positions]
    return values if isinstance(dtype, np.dtype) else pd.array(values, dtype=dtype)


def _bincount_sum(cell: np.ndarray, column: pd.Series, k: int) -> np.ndarray:
    """Per cell, the sum of ``column`` (integers stay integers)."""
    total = np.bincount(cell, weights=column.to_numpy(dtype=float), minlength=k)
    return total.round().astype(np.int64) if is_integer_dtype(column) else total


def summed_cells(
    rows: pd.DataFrame,
    by: Sequence[str],
    sums: Mapping[str, str],
    contributor_col: str,
    *,
    skip_empty: bool,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One grouping pass: ``by`` keys (sorted), the column sums ``sums`` (output -> input;
    integer columns stay integers), ``n_las``, and the contributor sets ``las`` /
    ``n_by_la`` (authority -> total of ``contributor_col``). The guard builds many small
    tables per view; this does in one pass what data.scores.stats.pool / count_table do in several
    pandas aggregations. ``columns``: the output's columns, in order (default: all)."""
    data = _summed_arrays(rows, by, sums, contributor_col, skip_empty=skip_empty)
    return pd.DataFrame(data, columns=columns)


def _summed_arrays(
    rows: pd.DataFrame,
    by: Sequence[str],
    sums: Mapping[str, str],
    contributor_col: str,
    *,
    skip_empty: bool,
) -> dict[str, object]:
    """:func:`summed_cells` as column name -> values, before it becomes a frame."""
    by = list(by)
    if skip_empty:
        rows = rows.loc[rows[contributor_col].to_numpy() > 0]
    if rows.empty:
        kind = {c: "int64" if is_integer_dtype(rows[s]) else "float64" for c, s in sums.items()}
        data: dict[str, object] = {c: pd.Series(dtype=plain_dtype(rows[c].dtype)) for c in by}
        data.update({c: pd.Series(dtype=kind[c]) for c in sums})
        data.update(n_las=pd.Series(dtype="int64"), las=pd.Series(dtype=object),
                    n_by_la=pd.Series(dtype=object))  # fmt: skip
        return data
    cell, first = group_codes(rows, by)
    k = len(first)
    data = {c: _take(rows[c], first) for c in by}
    for col, source in sums.items():
        data[col] = _bincount_sum(cell, rows[source], k)
    owners, values = rows["authority_id"].to_numpy(), rows[contributor_col].to_numpy()
    per = _contributions(cell, owners, values, k)
    data["n_las"] = np.array([len(d) for d in per], dtype=np.int64)
    data["las"] = [frozenset(d) for d in per]
    data["n_by_la"] = per
    return data


def _contributions(
    codes: np.ndarray, authority: np.ndarray, values: np.ndarray, k: int
) -> list[dict]:
    """Per cell code (0..k-1): authority -> total of ``values`` over that cell's rows.

    Summed with numpy over (cell, authority) pairs, so Python only touches one entry per
    pair, not one per row (rows are per submission x role x measure, or per code combination
    of findings: many more than pairs)."""
    if not len(codes):
        return [{} for _ in range(k)]
    authority = authority.astype(np.int64)
    width = int(authority.max()) + 1
    if authority.min() < 0 or k * width > 50_000_000:  # ids too sparse for a dense key
        owners_of, authority = np.unique(authority, return_inverse=True)
        width = len(owners_of)
    else:
        owners_of = np.arange(width)
    key = codes.astype(np.int64) * width + authority
    pairs = np.flatnonzero(np.bincount(key, minlength=k * width))  # rows present, even if 0
    totals = np.bincount(key, weights=values.astype(float), minlength=k * width)[pairs]
    if np.issubdtype(values.dtype, np.integer) or values.dtype == bool:
        totals = totals.round().astype(np.int64)
    bounds = np.searchsorted(pairs // width, np.arange(k + 1)).tolist()  # pairs sorted by cell
    owners, totals = owners_of[pairs % width].tolist(), totals.tolist()
    return [dict(zip(owners[a:b], totals[a:b], strict=True)) for a, b in itertools.pairwise(bounds)]


def collapse(rows: pd.DataFrame, keys: Sequence[str], build: Build) -> pd.DataFrame:
    """Rows summed over every column but ``keys``, when ``build`` only adds columns up.

    A guarded table groups the same rows a dozen times (the view, each wider view, each line
    with its totals); doing it on one row per authority and key combination instead of one
    per submission x role (scores) or per code combination (findings) is several times
    faster and gives the same cells, contributor sets and per-authority totals."""
    additive = getattr(build, "additive", None)
    keys = list(dict.fromkeys(keys))
    if not additive or len(rows) < 2 or not set(keys) <= set(rows.columns):
        return rows
    cell, first = group_codes(rows, keys)
    data = {c: _take(rows[c], first, keep_categories=True) for c in keys}
    data.update({c: _bincount_sum(cell, rows[c], len(first)) for c in additive})
    return pd.DataFrame(data)


def _pooled_scores(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Same columns and figures as data.scores.stats.pool(rows, by, keep_las=True)."""
    sums = {"n": "n", "sum": "sum", "sumsq": "sumsq"}
    data = _summed_arrays(rows, by, sums, "n", skip_empty=True)
    n = np.asarray(data["n"], dtype=float)
    stats = summary_arrays(n, np.asarray(data["sum"]), np.asarray(data["sumsq"]))
    data["n"] = n.round().astype("int64")
    columns = [*by, "n", "n_las", "sum", "sumsq", *stats, "las", "n_by_la"]
    return pd.DataFrame({**data, **stats}, columns=columns)


_pooled_scores.additive = ("n", "sum", "sumsq")  # type: ignore[attr-defined]


def score_builder(weighting: Weighting = "respondents") -> Build:
    """Cell builder for pooled scores that keeps contributor sets for disclosure control."""
    if weighting == "respondents":
        return _pooled_scores
    return partial(pool_by, weighting=weighting, keep_las=True)


def count_builder(count_name: str = "findings", respondents_col: str | None = None) -> Build:
    """Cell builder for counts of rows (e.g. findings) with contributor sets."""
    return partial(count_table, count_name=count_name, respondents_col=respondents_col)


def _cells(rows: pd.DataFrame, by: list[str], totals: Mapping[str, object], build: Build):
    return with_totals(rows, by, totals, build)


def _own_only(table: pd.DataFrame, own: frozenset) -> np.ndarray:
    if not own:
        return np.zeros(len(table), dtype=bool)
    return np.array([bool(s) and s <= own for s in table["las"]], dtype=bool)


def _remainder_ok(
    narrow_t: pd.DataFrame,
    wide_t: pd.DataFrame,
    keys: list[str],
    rules: DisclosureRules,
    own: frozenset,
    counts_respondents: bool,
) -> np.ndarray:
    """Per row of ``narrow_t``: is (wider cell minus this cell) empty or safe?"""
    ok = np.ones(len(narrow_t), dtype=bool)
    if not len(wide_t):
        return ok
    if keys:
        wide = dict(
            zip(wide_t[keys].itertuples(index=False, name=None), wide_t["n_by_la"], strict=True)
        )
        mine_keys = list(narrow_t[keys].itertuples(index=False, name=None))
    else:  # one cell each
        wide, mine_keys = {(): wide_t["n_by_la"].iloc[0]}, [()] * len(narrow_t)
    for i, (key, mine) in enumerate(zip(mine_keys, narrow_t["n_by_la"], strict=True)):
        theirs = wide.get(key)
        if theirs is None:
            continue
        rest = {a: v - mine.get(a, 0) for a, v in theirs.items() if a not in own}
        rest = {a: v for a, v in rest.items() if v > 0}
        if not rest:
            continue
        respondents = float(sum(rest.values())) if counts_respondents else None
        ok[i] = rules.passes(len(rest), respondents)
    return ok


def _line_ok(
    line: pd.DataFrame,
    by: list[str],
    dim: str,
    value: object,
    narrow_t: pd.DataFrame,
    rules: DisclosureRules,
    own: frozenset,
    respondents_col: str | None,
) -> np.ndarray:
    """Per row of ``narrow_t``: does it survive secondary suppression along ``dim``?

    ``line`` holds the cells for every value of ``dim`` plus their totals (``WIDER``)."""
    line = mark_primary(line, rules, own, respondents_col=respondents_col)
    line = mark_secondary(
        line, rules, own, dims=[*by, dim], totals={dim: WIDER}, respondents_col=respondents_col
    )
    picked = line.loc[line[dim] == value, [*by, "suppressed"]]
    if not by:
        hidden = bool(picked["suppressed"].iloc[0]) if len(picked) else True
        return np.full(len(narrow_t), not hidden)
    merged = narrow_t[by].merge(picked, on=by, how="left")
    return ~merged["suppressed"].fillna(True).to_numpy(dtype=bool)


def guarded_cells(
    rows: pd.DataFrame,
    by: Sequence[str],
    narrowing: Mapping[str, object],
    rules: DisclosureRules,
    own_authority_ids: Collection[int] = frozenset(),
    *,
    build: Build,
    totals: Mapping[str, object] | None = None,
    respondents_col: str | None = "n",
    value_cols: Iterable[str] = SCORE_VALUE_COLS,
) -> pd.DataFrame:
    """Cells of ``by`` for the rows matching ``narrowing``, with primary, narrowing-guard and
    secondary suppression, values blanked where suppressed (see the module docstring).

    ``rows`` must be the *unnarrowed* rows (already folded), so the guard can look at the
    wider views; ``totals`` as in :func:`data.privacy.disclosure.disclosed_table`.
    """
    by, totals, own = list(by), dict(totals or {}), frozenset(own_authority_ids)
    rows = collapse(rows, ["authority_id", *by, *narrowing], build)
    table = _cells(narrow(rows, narrowing), by, totals, build)
    if table.empty:
        return blank(table.assign(suppressed=pd.Series(dtype=bool), reason=""), value_cols)
    table = mark_primary(table, rules, own, respondents_col=respondents_col).reset_index(drop=True)
    if narrowing:
        hide = np.zeros(len(table), dtype=bool)
        counted = respondents_col is not None
        for dim, value in narrowing.items():
            # one table serves both checks: every value of ``dim`` plus the wider cells
            others = {k: v for k, v in narrowing.items() if k != dim}
            line = _cells(narrow(rows, others), [*by, dim], {**totals, dim: WIDER}, build)
            if line.empty:
                continue
            is_wide = line[dim].eq(WIDER).to_numpy(dtype=bool)
            wide = line.loc[is_wide].drop(columns=dim)
            hide |= ~_remainder_ok(table, wide, by, rules, own, counted)
            hide |= ~_line_ok(line, by, dim, value, table, rules, own, respondents_col)
        if len(narrowing) > 1:  # and against the view with every filter reset
            wide = _cells(rows, by, totals, build)
            hide |= ~_remainder_ok(table, wide, by, rules, own, counted)
        hide &= ~table["suppressed"].to_numpy(dtype=bool) & ~_own_only(table, own)
        table = table.assign(
            suppressed=table["suppressed"].to_numpy(dtype=bool) | hide,
            reason=np.where(hide, REASON_NARROWING, table["reason"]),
        )
    if totals:
        table = mark_secondary(
            table, rules, own, dims=by, totals=totals, respondents_col=respondents_col
        )
    return blank(table, value_cols)


def guarded_scores(
    rows: pd.DataFrame,
    by: Sequence[str],
    narrowing: Mapping[str, object],
    rules: DisclosureRules,
    own_authority_ids: Collection[int] = frozenset(),
    *,
    totals: Mapping[str, object] | None = None,
    weighting: Weighting = "respondents",
) -> pd.DataFrame:
    """Pooled scores per ``by`` cell narrowed on ``narrowing`` (column -> value, e.g.
    data.queries.filters.Selection.narrowing(); rows: one or more periods, folded)."""
    value_cols = SCORE_VALUE_COLS
    out = guarded_cells(
        rows,
        by,
        narrowing,
        rules,
        own_authority_ids,
        build=score_builder(weighting),
        totals=totals,
        value_cols=value_cols,
    )
    return out.drop(columns=["sum", "sumsq"], errors="ignore")
