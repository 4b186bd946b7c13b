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


def protect_breakdown(
    per_la: pd.DataFrame,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    protection: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """``per_la``: one row per authority (authority_id, n, sum, band). Returns (hidden,
    reason) per row: primary suppression below ``min_respondents``, then, inside each band,
    the shown authorities with the fewest respondents are hidden too until the band's
    hidden ones are safe together (or every other authority of the band is hidden)."""
    ids = per_la["authority_id"].to_numpy()
    n = per_la["n"].to_numpy(dtype=float)
    total = per_la["sum"].to_numpy(dtype=float)
    mine = np.isin(ids, list(own))
    small = (n < rules.min_respondents) & ~mine
    hidden = small.copy()
    reason = np.where(hidden, PRIMARY.format(resp=rules.min_respondents), "").astype(object)
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
    hidden, reason = protect_breakdown(per_la, rules, own)
    if not whole:  # every row but the viewer's own
        others = ~per_la["authority_id"].isin(list(own)).to_numpy()
        hidden, reason = hidden | others, np.where(others, POOLED, reason)
    table = per_la.assign(suppressed=hidden, reason=reason)
    for col in ("mean", "sd", "ci_low", "ci_high", "n", "sum", "sumsq"):
        table[col] = table[col].astype("Int64" if col == "n" else "float").mask(hidden)
    return table
