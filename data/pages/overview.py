"""Overview figures: headline SUS and theme scores by supplier group, and change since
the previous period, all disclosure-controlled."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy.orm import Session

from data.ingest.periods import previous_period
from data.privacy.disclosure import DisclosureRules, disclosed_changes, disclosed_table
from data.queries.summaries import coverage, load_summaries

ENGLAND = "All groups (England)"


def latest_period(session: Session) -> str | None:
    return coverage(session).latest_period


def sus_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> pd.DataFrame:
    rows = load_summaries(session, (period,), measure_types=("sus",))
    if rows.empty:
        return pd.DataFrame()
    return disclosed_table(rows, ["group"], rules, totals={"group": ENGLAND}, own_authority_ids=own)


def themes_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> pd.DataFrame:
    rows = load_summaries(session, (period,), measure_types=("theme",))
    if rows.empty:
        return pd.DataFrame()
    return disclosed_table(
        rows.rename(columns={"measure": "theme"}),
        ["group", "theme"],
        rules,
        totals={"group": ENGLAND},
        own_authority_ids=own,
    )


def sus_change_by_group(
    session: Session, period: str, rules: DisclosureRules, own: Collection[int] = frozenset()
) -> tuple[str, pd.DataFrame]:
    """Change in mean SUS from the previous period that has data, per group."""
    cov = coverage(session)
    earlier = [p for p in cov.periods if p < period]
    before = earlier[-1] if earlier else previous_period(period)
    rows = load_summaries(session, (before, period), measure_types=("sus",))
    if rows.empty or not (rows["period"] == before).any():
        return before, pd.DataFrame()
    table = disclosed_changes(
        rows, ["group"], before, period, rules, totals={"group": ENGLAND}, own_authority_ids=own
    )
    return before, table
