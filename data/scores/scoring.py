"""Scores exactly as spec/SCORING.md defines them, and the per-submission summaries.

Respondent-level scores are computed once at ingest; pages only ever read the
(count, sum, sum of squares, histogram) summaries produced here."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.reference.codes import SUS_ITEMS, SUS_NEGATIVE, InstrumentItem


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


def _sus_matrix(raw: np.ndarray, codes: list[str]) -> np.ndarray:
    """SUS per respondent as an (n, 1) array, NaN unless all ten items were answered."""
    if not set(SUS_ITEMS) <= set(codes):
        return np.full((raw.shape[0], 1), np.nan)
    cols = [codes.index(c) for c in SUS_ITEMS]
    negative = np.array([c in SUS_NEGATIVE for c in SUS_ITEMS])
    r = raw[:, cols]
    contrib = np.where(negative, 5 - r, r - 1)
    return (contrib.sum(axis=1) * 2.5).reshape(-1, 1)  # NaN propagates: incomplete -> NaN


SUMMARY_COLUMNS = (
    "role",
    "measure_type",
    "measure_code",
    "n",
    "total",
    "total_sq",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
)
_NO_HISTOGRAM = (0, 0, 0, 0, 0)


def _moment_rows(
    out: list[tuple],
    matrix: np.ndarray,
    codes: list[str],
    role: str,
    measure_type: str,
    histograms: list[list[int]] | None = None,
) -> None:
    """Append (role, type, code, n, total, total_sq, h1..h5) for the columns of one role's
    score matrix; columns nobody answered get no row."""
    present = ~np.isnan(matrix)
    n = present.sum(axis=0).tolist()
    filled = np.where(present, matrix, 0.0)
    total = filled.sum(axis=0).tolist()
    total_sq = (filled**2).sum(axis=0).tolist()
    for j, code in enumerate(codes):
        if n[j]:
            hist = histograms[j] if histograms is not None else _NO_HISTOGRAM
            out.append((role, measure_type, code, n[j], total[j], total_sq[j], *hist))


def summary_rows(
    ratings: pd.DataFrame, roles: pd.Series, items: Sequence[InstrumentItem]
) -> list[tuple]:
    """The rows of `summarise` as plain tuples in SUMMARY_COLUMNS order (what ingest stores).

    Vectorised with numpy because it runs for every submission at ingest."""
    codes = [i.code for i in items]
    raw = ratings[codes].to_numpy(dtype="float64")  # validated: floats 1-5 or NaN
    positive = np.array([i.polarity == "positive" for i in items])
    scores = np.where(positive, (raw - 1) * 25, (5 - raw) * 25)
    themes: dict[str, list[int]] = {}
    for j, item in enumerate(items):
        themes.setdefault(item.theme, []).append(j)
    theme_codes = list(themes)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-blank theme -> NaN, as intended
        theme_matrix = np.column_stack(
            [np.nanmean(scores[:, cols], axis=1) for cols in themes.values()]
        )
    sus = _sus_matrix(raw, codes)
    role_values = roles.astype(str).to_numpy()
    out: list[tuple] = []
    for role in sorted({str(r) for r in role_values}):
        mask = role_values == role
        answered = raw[mask]
        # 1-5 histogram per item: one row per item, one column per rating value
        hist = np.stack([(answered == v).sum(axis=0) for v in range(1, 6)], axis=1).tolist()
        _moment_rows(out, scores[mask], codes, role, "item", hist)
        _moment_rows(out, theme_matrix[mask], theme_codes, role, "theme")
        _moment_rows(out, sus[mask], ["SUS"], role, "sus")
    return out


def summarise(
    ratings: pd.DataFrame, roles: pd.Series, items: Sequence[InstrumentItem]
) -> pd.DataFrame:
    """Summary rows for one submission at grain role x (item | theme | sus).

    `ratings` holds one column per item code (1-5 or NaN), one row per respondent.
    Columns: role, measure_type, measure_code, n, total, total_sq, h1..h5 (the histogram
    is 0 for theme and SUS rows)."""
    frame = pd.DataFrame(summary_rows(ratings, roles, items), columns=list(SUMMARY_COLUMNS))
    for col in ("h1", "h2", "h3", "h4", "h5"):
        frame[col] = frame[col].fillna(0).astype(int)
    return frame
