"""Scores exactly as spec/SCORING.md defines them, and the per-submission summaries.

Respondent-level scores are computed once at ingest; pages only ever read the
(count, sum, sum of squares, histogram) summaries produced here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.codes import SUS_ITEMS, SUS_NEGATIVE, InstrumentItem


def item_scores(ratings: pd.DataFrame, items: Sequence[InstrumentItem]) -> pd.DataFrame:
    """0-100 item scores: (r-1)*25 for positive items, (5-r)*25 for negative; blank stays NaN."""
    out = {}
    for item in items:
        r = pd.to_numeric(ratings[item.code], errors="coerce").astype("float64")
        out[item.code] = (r - 1) * 25 if item.polarity == "positive" else (5 - r) * 25
    return pd.DataFrame(out, index=ratings.index)


def theme_scores(scores: pd.DataFrame, items: Sequence[InstrumentItem]) -> pd.DataFrame:
    """Per respondent, mean of their item scores on each theme (NaN if none answered)."""
    by_theme: dict[str, list[str]] = {}
    for item in items:
        by_theme.setdefault(item.theme, []).append(item.code)
    return pd.DataFrame(
        {theme: scores[codes].mean(axis=1, skipna=True) for theme, codes in by_theme.items()},
        index=scores.index,
    )


def sus_scores(ratings: pd.DataFrame) -> pd.Series:
    """Standard SUS (0-100); NaN unless all ten SUS items were answered."""
    if not set(SUS_ITEMS) <= set(ratings.columns):
        return pd.Series(np.nan, index=ratings.index, dtype="float64")
    r = ratings[list(SUS_ITEMS)].apply(pd.to_numeric, errors="coerce").astype("float64")
    contrib = pd.DataFrame(
        {c: (5 - r[c]) if c in SUS_NEGATIVE else (r[c] - 1) for c in SUS_ITEMS}, index=r.index
    )
    total = contrib.sum(axis=1, skipna=False) * 2.5
    return total.where(r.notna().all(axis=1))


def _moments(values: pd.DataFrame, roles: pd.Series, measure_type: str) -> pd.DataFrame:
    """Long rows (role, measure_type, measure_code, n, total, total_sq) from wide scores."""
    long = values.assign(role=roles.to_numpy()).melt(
        id_vars="role", var_name="measure_code", value_name="score"
    )
    long = long.dropna(subset=["score"])
    long["score_sq"] = long["score"] ** 2
    grouped = long.groupby(["role", "measure_code"], sort=True).agg(
        n=("score", "size"), total=("score", "sum"), total_sq=("score_sq", "sum")
    )
    grouped = grouped.reset_index()
    grouped.insert(1, "measure_type", measure_type)
    return grouped


def _histograms(ratings: pd.DataFrame, roles: pd.Series, codes: list[str]) -> pd.DataFrame:
    long = (
        ratings[codes]
        .apply(pd.to_numeric, errors="coerce")
        .assign(role=roles.to_numpy())
        .melt(id_vars="role", var_name="measure_code", value_name="rating")
        .dropna(subset=["rating"])
    )
    long["rating"] = long["rating"].astype(int)
    counts = pd.crosstab([long["role"], long["measure_code"]], long["rating"])
    counts = counts.reindex(columns=[1, 2, 3, 4, 5], fill_value=0)
    counts.columns = ["h1", "h2", "h3", "h4", "h5"]
    return counts.reset_index()


def summarise(
    ratings: pd.DataFrame, roles: pd.Series, items: Sequence[InstrumentItem]
) -> pd.DataFrame:
    """Summary rows for one submission at grain role x (item | theme | sus).

    `ratings` holds one column per item code (1-5 or NaN), one row per respondent.
    Columns: role, measure_type, measure_code, n, total, total_sq, h1..h5."""
    roles = roles.reset_index(drop=True)
    ratings = ratings.reset_index(drop=True)
    scores = item_scores(ratings, items)
    item_rows = _moments(scores, roles, "item")
    hist = _histograms(ratings, roles, [i.code for i in items])
    item_rows = item_rows.merge(hist, on=["role", "measure_code"], how="left")
    theme_rows = _moments(theme_scores(scores, items), roles, "theme")
    sus_rows = _moments(sus_scores(ratings).to_frame("SUS"), roles, "sus")
    out = pd.concat([item_rows, theme_rows, sus_rows], ignore_index=True)
    for col in ("h1", "h2", "h3", "h4", "h5"):
        out[col] = out[col].fillna(0).astype(int) if col in out else 0
    out["n"] = out["n"].astype(int)
    return out[
        ["role", "measure_type", "measure_code", "n", "total", "total_sq"]
        + ["h1", "h2", "h3", "h4", "h5"]
    ]
