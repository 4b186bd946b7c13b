"""Overview figures: headline SUS and theme scores by supplier group, and change since
the previous period, all read from the protected score source (data.privacy.scores_cube),
so a group's figure here is the same figure, or the same ``c``, as on Compare."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from data.ingest.periods import previous_period
from data.privacy.disclosure import DisclosureRules, blank
from data.privacy.scores_cube import protected_scores
from data.queries.filter_options import measure_rows, period_rows
from data.queries.summaries import coverage
from data.scores.stats import change_columns, pair_periods

ENGLAND = "All groups (England)"


def latest_period(session: Session) -> str | None:
    return coverage(session).latest_period


def sus_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> pd.DataFrame:
    rows = measure_rows(session, (period,), "SUS", rules)
    if rows.empty:
        return pd.DataFrame()
    return protected_scores(rows, ["group"], {}, rules, own, totals={"group": ENGLAND})


def themes_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> pd.DataFrame:
    rows = period_rows(session, (period,), rules)
    rows = rows.loc[(rows["measure_type"] == "theme").to_numpy(dtype=bool)]
    if rows.empty:
        return pd.DataFrame()
    return protected_scores(
        rows.rename(columns={"measure": "theme"}), ["group", "theme"], {}, rules, own,
        totals={"group": ENGLAND},
    )  # fmt: skip


def sus_change_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> tuple[str, pd.DataFrame]:
    """Change in mean SUS from the previous period that has data, per group."""
    cov = coverage(session)
    earlier = [p for p in cov.periods if p < period]
    before = earlier[-1] if earlier else previous_period(period)
    rows = measure_rows(session, (before, period), "SUS", rules)
    if rows.empty or not (rows["period"] == before).any():
        return before, pd.DataFrame()
    marked = protected_scores(
        rows, ["period", "group"], {}, rules, own, totals={"group": ENGLAND}, keep_sums=True
    )
    a, b = pair_periods(marked, ["group"], before, period)
    out = change_columns(a, b, "n")
    supp = a["suppressed"].to_numpy(dtype=bool) | b["suppressed"].to_numpy(dtype=bool)
    reason = np.where(a["suppressed"].to_numpy(dtype=bool), a["reason"], b["reason"])
    values = list(out.columns)
    out = out.assign(suppressed=supp, reason=reason).reset_index()
    return before, blank(out, values)
