"""Which rows of an NLAR representative's per-authority breakdown are shown.

The breakdown (PRODUCT.md section 2: a group's NLAR representative sees it authority by
authority, by pseudonym) shows each authority's respondents and mean. An authority with
fewer than ``min_respondents`` respondents is hidden (``c``); but the group's own figures
and its spread bands are published (data.privacy.scores_cube), so "group minus the shown
rows" would give the hidden row back. Secondary suppression here makes every remainder
a viewer can form that way rest on at least two hidden authorities, ``min_respondents``
respondents, and no authority hidden for having too few respondents holding more than
``1 / (1 + protection)`` of its respondents or score sum (so none is bounded to within
+-``protection``; an authority hidden only to protect it is one the viewer may see anyway).

An authority answering as several roles is also hidden when one role's part of it is below
the threshold yet holds more than ``1 / (1 + protection)`` of its respondents or score sum:
Compare's role filter (with a region or LA type where the authority is the group's only one
there) isolates that part as a ``c`` cell, and the authority's shown total would bound it
from above to within +-``protection``. It is protected like one hidden for too few
respondents (found by the auditor's random Compare property test, 2026-12-07), and its reason
reads as a secondary suppression: a reason of its own would say that its total is at least
``min_respondents`` and under ``(1 + protection)`` times that, pinning it.

Remainders are taken per spread band (the cube publishes a band as a union of whole
atoms), and therefore for the whole group too; the viewer's own authority is always shown
and counts as known.

Knowing a group authority by authority is like knowing one's own authority, for the whole
group: it is safe for other groups only where no atom mixes the group with another (the
atoms split on the group first; a group too small to stand alone is pooled with others, or
folded into "Other suppliers"). Where it does, every row but the viewer's own is hidden."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from data.privacy.disclosure import DisclosureRules

PRIMARY = "fewer than {resp} respondents"
SECONDARY = "hidden so that a hidden authority cannot be worked out from the group's figures"
POOLED = (
    "hidden: this group's figures are published only together with another group's, so "
    "its authorities shown one by one would let that group's be worked out"
)


def _whole_group(rows: pd.DataFrame, mine: np.ndarray, rules: DisclosureRules) -> bool:
    """Whether the supplier's rows are exactly one supplier group whose cell the protected
    scores cube publishes, i.e. a union of whole atoms: then no atom mixes its authorities
    with another group's, and knowing them one by one narrows no other group's figure."""
    from data.privacy.scores_cube import protected_scores

    groups = set(rows.loc[mine, "group"].astype(str))
    if len(groups) != 1:
        return False
    group = groups.pop()
    if (rows["group"].astype(str).to_numpy() == group).sum() != mine.sum():
        return False  # folded with other suppliers
    table = protected_scores(rows, ["group"], {}, rules)
    cell = table.loc[table["group"].astype(str) == group, "suppressed"]
    return len(cell) == 1 and not bool(cell.iloc[0])


def _safe(
    n: np.ndarray, total: np.ndarray, small: np.ndarray, rules: DisclosureRules, protection: float
) -> bool:
    """Whether hidden rows (``small``: those below the threshold) are safe together."""
    if len(n) == 0:
        return True
    if len(n) < 2 or n.sum() < rules.min_respondents:
        return False
    share = 1 / (1 + protection)
    return all(col[small].max() <= share * col.sum() + 1e-9 for col in (n, total) if small.any())


def dominant_parts(
    parts: pd.DataFrame, rules: DisclosureRules, *, protection: float = 0.5
) -> set[int]:
    """Authorities one of whose parts (``parts``: one row per authority and role, with
    authority_id, n, sum) is below ``min_respondents`` but holds more than ``1 / (1 +
    protection)`` of the authority's respondents or score sum, so that the authority's
    total pins the part from above. An authority of one part is never one (the part is the
    whole, held to the threshold itself)."""
    if parts.empty:
        return set()
    ids = parts["authority_id"].to_numpy()
    totals = parts.groupby("authority_id", sort=False)[["n", "sum"]].transform("sum")
    share = 1 / (1 + protection)
    n, s = parts["n"].to_numpy(dtype=float), parts["sum"].to_numpy(dtype=float)
    n_all, s_all = totals["n"].to_numpy(dtype=float), totals["sum"].to_numpy(dtype=float)
    partial = n < n_all
    small = n < rules.min_respondents
    pinned = (n > share * n_all + 1e-9) | (s > share * s_all + 1e-9)
    return {int(a) for a in ids[partial & small & pinned]}


def protect_breakdown(
    per_la: pd.DataFrame,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    protection: float = 0.5,
    dominated: Collection[int] = frozenset(),
) -> tuple[np.ndarray, np.ndarray]:
    """``per_la``: one row per authority (authority_id, n, sum, band). Returns (hidden,
    reason) per row: primary suppression below ``min_respondents`` and of the ``dominated``
    authorities (see :func:`dominant_parts`), then, inside each band, the shown authorities
    with the fewest respondents are hidden too until the band's hidden ones are safe together
    (or every other authority of the band is hidden)."""
    ids = per_la["authority_id"].to_numpy()
    n = per_la["n"].to_numpy(dtype=float)
    total = per_la["sum"].to_numpy(dtype=float)
    mine = np.isin(ids, list(own))
    few = (n < rules.min_respondents) & ~mine
    pinned = np.isin(ids, list(dominated)) & ~mine & ~few
    small = few | pinned
    hidden = small.copy()
    reason = np.where(few, PRIMARY.format(resp=rules.min_respondents), "").astype(object)
    reason[pinned] = SECONDARY  # not a reason of its own: see the module docstring
    bands = per_la["band"].astype(str).to_numpy()
    for band in np.unique(bands):
        inside = np.flatnonzero(bands == band)
        while hidden[inside].any():
            h = inside[hidden[inside]]
            if _safe(n[h], total[h], small[h], rules, protection):
                break
            shown = [i for i in inside[np.argsort(n[inside], kind="stable")]
                     if not hidden[i] and not mine[i]]  # fmt: skip
            if not shown:
                break
            hidden[shown[0]], reason[shown[0]] = True, SECONDARY
    return hidden, reason


def breakdown_table(
    rows: pd.DataFrame,
    column: str,
    value: object,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
) -> pd.DataFrame:
    """Per authority of the rows where ``column == value`` (one supplier's), from summary
    rows of one period and measure (every group's: the bands are the whole folded group's):
    authority_id, band, n, sum, sumsq, mean, sd, ci_low, ci_high, suppressed, reason, with
    the figures of hidden rows NA."""
    from data.privacy.scores_cube import score_bands
    from data.scores.stats import add_summary, pool

    rows = rows.loc[rows["n"].to_numpy() > 0]
    rows = rows.assign(band=score_bands(rows, rules))
    mine = (rows[column].astype(str) == str(value)).to_numpy(dtype=bool)
    if not mine.any():
        return pd.DataFrame()
    whole = _whole_group(rows, mine, rules)
    rows = rows.loc[mine]
    per_la = add_summary(pool(rows, ["authority_id", "band"]))
    dominated: set[int] = set()
    if "role" in rows.columns:  # Compare's role filter splits an authority into its roles
        parts = rows.groupby(["authority_id", "role"], sort=False, observed=True)[["n", "sum"]]
        dominated = dominant_parts(parts.sum().reset_index(), rules)
    hidden, reason = protect_breakdown(per_la, rules, own, dominated=dominated)
    if not whole:  # every row but the viewer's own
        others = ~per_la["authority_id"].isin(list(own)).to_numpy()
        hidden, reason = hidden | others, np.where(others, POOLED, reason)
    table = per_la.assign(suppressed=hidden, reason=reason)
    for col in ("mean", "sd", "ci_low", "ci_high", "n", "sum", "sumsq"):
        table[col] = table[col].astype("Int64" if col == "n" else "float").mask(hidden)
    return table
