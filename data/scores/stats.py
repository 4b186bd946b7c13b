"""Pooled statistics from stored (n, sum, sumsq) summaries, exactly as SCORING.md defines them.

Pages never read raw responses: ingest keeps, per submission x role x measure, the respondent
count ``n``, the ``sum`` and the ``sumsq`` of 0-100 scores. Pooling respondents is then just
adding those three numbers, so every figure here is exact, not an average of averages.

Interval rules (SCORING.md): mean +/- 1.96 * s / sqrt(n), no interval below 5 respondents.
Change between periods uses Welch's interval with the t distribution and Welch-Satterthwaite
degrees of freedom when scipy is importable (it is a declared dependency), else 1.96.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

try:  # the t quantile from scipy.special: scipy.stats would add ~50 MB to every web worker
    from scipy.special import stdtrit as _t_quantile
except ImportError:  # pragma: no cover - scipy is declared in pyproject; keep a safe fallback
    _t_quantile = None

Z95 = 1.96
MIN_N_FOR_INTERVAL = 5
USES_T_DISTRIBUTION = _t_quantile is not None
Weighting = Literal["respondents", "las"]

_ALL = "__all__"  # dummy key so an empty ``by`` pools everything into one row


@dataclass(frozen=True)
class Summary:
    """One group's pooled score; ``None`` where a figure is undefined (not zero)."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def from_sums(cls, n: int, total: float, sumsq: float) -> Summary:
        """Build from a count, sum and sum of squares."""
        s = summary_arrays([n], [total], [sumsq])
        return cls(int(n), *(_opt(s[k][0]) for k in ("mean", "sd", "ci_low", "ci_high")))


@dataclass(frozen=True)
class Change:
    """Difference of means (after minus before) with its Welch 95% interval."""

    change: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None
    significant: bool


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def summary_arrays(n: ArrayLike, total: ArrayLike, sumsq: ArrayLike) -> dict[str, np.ndarray]:
    """Return mean, sample sd and 95% CI arrays (NaN where undefined) from n, sum, sumsq."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    sumsq = np.asarray(sumsq, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        # sumsq - sum^2/n can dip just below zero through rounding when all scores are equal.
        ss = np.maximum(sumsq - total * mean, 0.0)
        sd = np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)
        half = np.where(n >= MIN_N_FOR_INTERVAL, Z95 * sd / np.sqrt(n), np.nan)
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def add_summary(table: pd.DataFrame, n_col: str = "n") -> pd.DataFrame:
    """Add mean, sd, ci_low, ci_high columns computed from ``n_col``, ``sum`` and ``sumsq``."""
    return table.assign(**summary_arrays(table[n_col], table["sum"], table["sumsq"]))


def aggregate(rows: pd.DataFrame, by: Sequence[str], **aggs: tuple[str, str]) -> pd.DataFrame:
    """Run ``groupby(by).agg(**aggs)`` with sorted keys, NA keys kept and ``by=[]`` as one row."""
    if by:
        grouped = rows.groupby(list(by), sort=True, dropna=False, observed=True)
        return plain_columns(grouped.agg(**aggs).reset_index())
    return rows.assign(**{_ALL: 0}).groupby(_ALL).agg(**aggs).reset_index(drop=True)


def plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain values (their categories' dtype, e.g. str): rows kept in
    memory hold their text as categoricals (data.store.memo.categorical_text), and a table built
    from them must look the same as one built from any other rows."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return frame
    return frame.assign(**{c: frame[c].astype(plain_dtype(frame[c].dtype)) for c in cats})


def plain_dtype(dtype):
    """A categorical's values' dtype (e.g. str); any other dtype as it is."""
    return dtype.categories.dtype if isinstance(dtype, pd.CategoricalDtype) else dtype


def contributors(rows: pd.DataFrame, by: Sequence[str], value_col: str | None) -> pd.DataFrame:
    """Per group, in :func:`aggregate` order: ``las`` (frozenset of authority ids) and
    ``n_by_la`` (authority id -> total of ``value_col``, or row count when it is None).
    """
    keys = list(by) or [_ALL]
    rows = rows if by else rows.assign(**{_ALL: 0})
    cell = rows.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    vals = rows[value_col].to_numpy() if value_col else np.ones(len(rows), dtype=np.int64)
    per = (
        pd.DataFrame({"cell": cell, "la": rows["authority_id"].to_numpy(), "v": vals})
        .groupby(["cell", "la"], sort=True)["v"]
        .sum()
    )
    cells = per.index.get_level_values("cell").to_numpy()
    bounds = np.flatnonzero(np.diff(cells)) + 1
    if not len(cells):
        return pd.DataFrame({"las": [], "n_by_la": []}, dtype=object)
    las = np.split(per.index.get_level_values("la").to_numpy(), bounds)
    totals = np.split(per.to_numpy(), bounds)
    n_by_la = [
        dict(zip(a.tolist(), v.tolist(), strict=True)) for a, v in zip(las, totals, strict=True)
    ]
    return pd.DataFrame({"las": [frozenset(d) for d in n_by_la], "n_by_la": n_by_la})


def pool(rows: pd.DataFrame, by: Sequence[str], *, keep_las: bool = False) -> pd.DataFrame:
    """Pool respondents per ``by`` group: n, n_las, sum, sumsq, mean, sd, ci_low, ci_high.

    With ``keep_las`` also ``las`` (frozenset of authority ids) and ``n_by_la`` (id -> n),
    which disclosure control needs; drop both before anything is displayed.
    """
    rows = rows.loc[rows["n"] > 0]  # an LA without respondents is not a contributor
    out = aggregate(
        rows,
        by,
        n=("n", "sum"),
        n_las=("authority_id", "nunique"),
        sum=("sum", "sum"),
        sumsq=("sumsq", "sum"),
    )
    out = add_summary(out)
    if keep_las:
        out = pd.concat([out, contributors(rows, by, "n")], axis=1)
    return out


def pool_mean_of_las(
    rows: pd.DataFrame, by: Sequence[str], *, keep_las: bool = False
) -> pd.DataFrame:
    """Pool per ``by`` group weighting each LA equally ("mean of LAs" in SCORING.md).

    Each LA's respondents are pooled first; ``mean`` is then the plain mean of the LA means,
    ``sd`` the spread between LAs, and the interval uses ``n_las`` as its n (none below 5
    LAs). ``n`` still counts respondents, for disclosure control and display.
    """
    per_la = pool(rows, [*by, "authority_id"])
    per_la = per_la.assign(m2=per_la["mean"] ** 2)
    out = aggregate(
        per_la,
        by,
        n=("n", "sum"),
        n_las=("authority_id", "nunique"),
        sum=("mean", "sum"),
        sumsq=("m2", "sum"),
    )
    out = out.assign(**summary_arrays(out["n_las"], out["sum"], out["sumsq"]))
    out = out.drop(columns=["sum", "sumsq"])  # these are sums of LA means, not of scores
    if keep_las:
        out = pd.concat([out, contributors(rows.loc[rows["n"] > 0], by, "n")], axis=1)
    return out


def count_table(
    rows: pd.DataFrame,
    by: Sequence[str],
    *,
    count_name: str = "findings",
    respondents_col: str | None = "respondents_raising",
) -> pd.DataFrame:
    """Count rows (e.g. findings) per ``by`` cell with respondents, n_las and contributors."""
    aggs = {count_name: ("authority_id", "size"), "n_las": ("authority_id", "nunique")}
    if respondents_col is not None:
        aggs[respondents_col] = (respondents_col, "sum")
    out = aggregate(rows, by, **aggs)
    return pd.concat([out, contributors(rows, by, respondents_col)], axis=1)


def with_totals(
    rows: pd.DataFrame,
    by: Sequence[str],
    totals: Mapping[str, object],
    build: Callable[[pd.DataFrame, list[str]], pd.DataFrame],
) -> pd.DataFrame:
    """Cells for ``by`` plus a total row per combination of the ``totals`` dimensions."""
    for dim, label in totals.items():
        if dim not in by:
            raise ValueError(f"total dimension {dim!r} is not in by={list(by)}")
        if rows[dim].eq(label).any():
            raise ValueError(f"total label {label!r} is also a real {dim} value")
    parts = [build(rows, list(by))]
    for k in range(1, len(totals) + 1):
        for dims in itertools.combinations(totals, k):
            part = build(rows, [d for d in by if d not in dims])
            parts.append(part.assign(**{d: totals[d] for d in dims})[parts[0].columns])
    return pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)


def pool_by(
    rows: pd.DataFrame, by: Sequence[str], weighting: Weighting, **kw: bool
) -> pd.DataFrame:
    """Dispatch to :func:`pool` or :func:`pool_mean_of_las`."""
    if weighting == "respondents":
        return pool(rows, by, **kw)
    if weighting == "las":
        return pool_mean_of_las(rows, by, **kw)
    raise ValueError(f"unknown weighting {weighting!r}")


def welch_arrays(
    n_a: ArrayLike,
    mean_a: ArrayLike,
    sd_a: ArrayLike,
    n_b: ArrayLike,
    mean_b: ArrayLike,
    sd_b: ArrayLike,
) -> dict[str, np.ndarray]:
    """Vectorised Welch change b - a: change, ci_low, ci_high, df, significant.

    No interval (and never significant) when either side has fewer than 5 observations,
    the same floor SCORING.md sets for a group's own interval.
    """
    n_a, mean_a, sd_a, n_b, mean_b, sd_b = (
        np.asarray(x, dtype=float) for x in (n_a, mean_a, sd_a, n_b, mean_b, sd_b)
    )
    change = mean_b - mean_a
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = sd_a**2 / n_a, sd_b**2 / n_b
        se = np.sqrt(va + vb)
        den = va**2 / (n_a - 1) + vb**2 / (n_b - 1)
        # Both variances zero: the interval collapses to a point; infinite df means z.
        df = np.where(den > 0, (va + vb) ** 2 / den, np.inf)
        crit = _t_quantile(df, 0.975) if USES_T_DISTRIBUTION else np.full_like(df, Z95)
        ok = (n_a >= MIN_N_FOR_INTERVAL) & (n_b >= MIN_N_FOR_INTERVAL) & ~np.isnan(se)
        half = np.where(ok, crit * se, np.nan)
    low, high = change - half, change + half
    significant = ok & ((low > 0) | (high < 0))
    return {
        "change": change,
        "ci_low": low,
        "ci_high": high,
        "df": np.where(ok, df, np.nan),
        "significant": significant,
    }


def welch_change(before: Summary, after: Summary) -> Change:
    """Change in mean from ``before`` to ``after`` with its Welch 95% interval."""
    vals = [np.nan if v is None else v for v in (before.mean, before.sd, after.mean, after.sd)]
    r = welch_arrays([before.n], [vals[0]], [vals[1]], [after.n], [vals[2]], [vals[3]])
    return Change(
        _opt(r["change"][0]),
        _opt(r["ci_low"][0]),
        _opt(r["ci_high"][0]),
        _opt(r["df"][0]),
        bool(r["significant"][0]),
    )


def welch_frame(before: pd.DataFrame, after: pd.DataFrame, n_col: str = "n") -> pd.DataFrame:
    """Welch change columns for two pooled tables aligned row by row (same index)."""
    r = welch_arrays(
        before[n_col], before["mean"], before["sd"], after[n_col], after["mean"], after["sd"]
    )
    return pd.DataFrame(r, index=before.index)


def pair_periods(
    pooled: pd.DataFrame, by: Sequence[str], before: str, after: str, period_col: str = "period"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a pooled table into its two periods, aligned on ``by`` (groups in both only)."""
    keys = list(by) or [_ALL]
    sides = []
    for period in (before, after):
        side = pooled.loc[pooled[period_col] == period].drop(columns=period_col)
        sides.append(side.assign(**{_ALL: 0}).set_index(keys) if not by else side.set_index(keys))
    return sides[0].align(sides[1], join="inner", axis=0)


def change_columns(a: pd.DataFrame, b: pd.DataFrame, n_col: str = "n") -> pd.DataFrame:
    """Side-by-side before/after counts and means plus the Welch change, for aligned tables."""
    out = pd.DataFrame(
        {
            f"{col}_{side}": frame[col]
            for side, frame in (("before", a), ("after", b))
            for col in ("n", "n_las", "mean")
        }
    )
    return pd.concat([out, welch_frame(a, b, n_col)], axis=1)


def welch_changes(
    rows: pd.DataFrame,
    by: Sequence[str],
    before: str,
    after: str,
    *,
    period_col: str = "period",
    weighting: Weighting = "respondents",
) -> pd.DataFrame:
    """Change per ``by`` group between two periods (groups present in both only).

    Columns: ``by``; n, n_las and mean suffixed _before/_after; change, ci_low, ci_high, df,
    significant. With ``weighting="las"`` each LA mean is one observation of the interval.
    """
    pooled = pool_by(rows, [period_col, *by], weighting)
    a, b = pair_periods(pooled, by, before, after, period_col)
    out = change_columns(a, b, "n" if weighting == "respondents" else "n_las").reset_index()
    return out if by else out.drop(columns=_ALL)


def difference_in_differences(cells: Sequence[Summary]) -> Change:
    """(c1 - c0) - (c3 - c2) for four independent group means [treated before, treated after,
    control before, control after], with the Welch-Satterthwaite 95% interval that the
    two-group Welch change generalises to (t quantile when scipy is there, else 1.96); no
    interval when a group has fewer than 5 observations or no sd."""
    t0, t1, c0, c1 = cells
    means = [c.mean for c in cells]
    if any(m is None for m in means):
        return Change(None, None, None, None, False)
    estimate = (t1.mean - t0.mean) - (c1.mean - c0.mean)
    if any(c.n < MIN_N_FOR_INTERVAL or c.sd is None for c in cells):
        return Change(estimate, None, None, None, False)
    v = [c.sd**2 / c.n for c in cells]
    den = sum(vi**2 / (c.n - 1) for vi, c in zip(v, cells, strict=True))
    df = sum(v) ** 2 / den if den > 0 else float("inf")
    crit = float(_t_quantile(df, 0.975)) if USES_T_DISTRIBUTION else Z95
    half = crit * float(np.sqrt(sum(v)))
    low, high = estimate - half, estimate + half
    return Change(estimate, low, high, df, bool(low > 0 or high < 0))
