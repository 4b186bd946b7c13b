"""My authority: one LA against its supplier group, its statistical neighbours and England,
what changed since its previous submission, and "who improved" in its group.

The LA's own figures are never suppressed for it. Comparators never include the LA itself
("other authorities in your group") and are suppressed like any figure shown outside an LA.
The neighbours comparator is a set no other page shows, so it is also checked against every
wider figure the other pages can show (England or a group, whole or narrowed to one region
or LA type): if it sits inside one of them, the difference must be empty or pass the
thresholds too, so subtracting the two cannot single out an authority.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import Viewer, require
from data.privacy.disclosure import DisclosureRules, mark_primary
from data.queries.filter_options import measure_rows, period_rows
from data.queries.filters import Selection
from data.queries.summaries import current_periods
from data.scores.stats import pool, welch_arrays, welch_changes
from data.store.models import CURRENT, Authority, StatisticalNeighbour, Submission

YOU, GROUP, NEIGHBOURS, ENGLAND = (
    "Your authority",
    "Other authorities in your supplier group",
    "Your statistical neighbours",
    "Other authorities in England",
)
COMPARATORS = (YOU, GROUP, NEIGHBOURS, ENGLAND)
VALUE_COLS = ("n", "n_las", "mean", "sd", "ci_low", "ci_high")


def require_authority(viewer: Viewer) -> int:
    """The viewer's own authority id; PermissionDenied for users without one."""
    require(viewer.authority_id is not None, "This page is for users of a local authority.")
    return int(viewer.authority_id)


@dataclass(frozen=True)
class Neighbours:
    ids: frozenset[int]
    source: str  # "table" (admin-loaded) or "default" (same LA type and size band)

    def describe(self) -> str:
        if self.source == "table":
            return "the statistical neighbours loaded by the administrator"
        return "authorities of the same type and size band"


def neighbours(session: Session, authority_id: int) -> Neighbours:
    """The admin-loaded statistical neighbours, else LAs of the same type and size band."""
    loaded = frozenset(
        session.scalars(
            select(StatisticalNeighbour.neighbour_id).where(
                StatisticalNeighbour.authority_id == authority_id
            )
        )
    )
    if loaded:
        return Neighbours(loaded - {authority_id}, "table")
    me = session.get(Authority, authority_id)
    same = session.scalars(
        select(Authority.id).where(
            Authority.la_type == me.la_type,
            Authority.size_band == me.size_band,
            Authority.id != authority_id,
        )
    )
    return Neighbours(frozenset(same), "default")


def own_periods(session: Session, authority_id: int) -> list[str]:
    """Periods in which the authority has a current submission, oldest first."""
    return list(current_periods(session, authority_id))


def _own_supplier(rows: pd.DataFrame, authority_id: int) -> int | None:
    mine = rows.loc[rows["authority_id"] == authority_id, "supplier_id"]
    return int(mine.iloc[0]) if len(mine) else None


WIDER_KEYS = (
    (),
    ("group",),
    ("region",),
    ("la_type",),
    ("group", "region"),
    ("group", "la_type"),
)  # fmt: skip  (the figures of _wider_sets)


def _unsafe_periods(
    rows: pd.DataFrame, neighbour_ids: frozenset, own: int, rules: DisclosureRules
) -> set:
    """Periods whose neighbours figure is not safe against subtraction: some wider figure of
    ``WIDER_KEYS`` holds all the neighbours with results, and the other authorities in
    it (besides the viewer's own) are too few to pass the thresholds.

    Worked on one entry per period and authority (a few hundred each), not on the rows."""
    live = rows.loc[rows["n"].to_numpy() > 0]
    if live.empty:
        return set()
    period = live["period"] if "period" in live else pd.Series("", index=live.index)
    per = (
        live.assign(_p=period)
        .groupby(["_p", "authority_id"], sort=False)
        .agg(
            n=("n", "sum"),
            group=("group", "first"),
            region=("region", "first"),
            la_type=("la_type", "first"),
        )  # fmt: skip
        .reset_index()
    )
    by_period: dict = {}
    for p, a, n, group, region, la_type in per.itertuples(index=False, name=None):
        by_period.setdefault(p, {})[a] = (n, {"group": group, "region": region, "la_type": la_type})
    unsafe = set()
    for p, las in by_period.items():
        mine = [a for a in las if a in neighbour_ids]
        for dims in WIDER_KEYS if mine else ():
            values = {tuple(las[a][1][c] for c in dims) for a in mine}
            if len(values) > 1:  # the neighbours straddle such figures: none holds them all
                continue
            (value,) = values
            rest = [n for a, (n, key) in las.items() if a not in neighbour_ids and a != own
                    and tuple(key[c] for c in dims) == value]  # fmt: skip
            if rest and not rules.passes(len(rest), float(sum(rest))):
                unsafe.add(p)
                break
    return unsafe


def _neighbour_guard(
    rows: pd.DataFrame, neighbour_ids: frozenset, own: int, rules: DisclosureRules
) -> bool:
    """Whether showing the neighbours' pooled figure of ``rows`` (one period) is safe."""
    return not _unsafe_periods(rows.drop(columns="period", errors="ignore"), neighbour_ids, own,
                               rules)  # fmt: skip


def _comparator_rows(
    rows: pd.DataFrame, authority_id: int, neighbour_ids: frozenset
) -> pd.DataFrame:
    """Rows stacked once per comparator they belong to (a row can be in several). With a
    period column, "your group" is the group the LA was in that period."""
    is_own = (rows["authority_id"] == authority_id).to_numpy()
    if "period" in rows:
        own_rows = rows.loc[is_own]
        supplier_of = dict(zip(own_rows["period"], own_rows["supplier_id"], strict=True))
        in_group = rows["supplier_id"].to_numpy() == rows["period"].map(supplier_of).to_numpy()
    else:
        in_group = (rows["supplier_id"] == _own_supplier(rows, authority_id)).to_numpy()
    is_neighbour = rows["authority_id"].isin(list(neighbour_ids)).to_numpy()
    parts = [
        rows.loc[is_own].assign(comparator=YOU),
        rows.loc[~is_own & in_group].assign(comparator=GROUP),
        rows.loc[is_neighbour & ~is_own].assign(comparator=NEIGHBOURS),
        rows.loc[~is_own].assign(comparator=ENGLAND),
    ]
    return pd.concat(parts, ignore_index=True)


def _comparator_table(
    rows: pd.DataFrame, me: int, hood: Neighbours, rules: DisclosureRules
) -> pd.DataFrame:
    """Per period, measure and comparator: n, n_las, mean, 95% CI, suppressed (each period
    judged on its own rows, as if shown alone). Empty if the LA has no results in any."""
    mine = set(rows.loc[rows["authority_id"] == me, "period"])
    rows = rows.loc[rows["period"].isin(mine)]
    if rows.empty:
        return pd.DataFrame()
    stacked = _comparator_rows(rows, me, hood.ids)
    unsafe = _unsafe_periods(rows, hood.ids, me, rules)
    table = pool(stacked, ["period", "comparator", "measure"], keep_las=True)
    table = mark_primary(table, rules, {me}).reset_index(drop=True)
    hide = (
        (table["comparator"] == NEIGHBOURS).to_numpy()
        & table["period"].isin(unsafe).to_numpy()
        & ~table["suppressed"].to_numpy()
    )
    table = table.assign(
        suppressed=table["suppressed"].to_numpy() | hide,
        reason=np.where(
            hide, "hidden so that it cannot be subtracted from a wider figure", table["reason"]
        ),
    )
    table = table.drop(columns=["las", "n_by_la", "sum", "sumsq"])
    mask = table["suppressed"].to_numpy(dtype=bool)
    for col in VALUE_COLS:
        kind = "Int64" if col in ("n", "n_las") else "float"
        table[col] = table[col].astype(kind).mask(mask)
    order = {c: i for i, c in enumerate(COMPARATORS)}
    table = table.assign(_o=table["comparator"].map(order))
    return table.sort_values(["period", "measure", "_o"]).drop(columns="_o").reset_index(drop=True)


def profile(
    session: Session,
    viewer: Viewer,
    filters: Selection,
    rules: DisclosureRules,
    measures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per measure (SUS and themes) and comparator, in the selection's period (filters
    parsed by data.queries.filters.MY_AUTHORITY): n, n_las, mean, 95% CI, suppressed."""
    me = require_authority(viewer)
    rows = period_rows(session, (filters.period,), rules)
    if measures is not None:
        rows = rows.loc[rows["measure"].isin(list(measures))]
    rows = rows.loc[rows["measure"] != "GEN"]
    if rows.empty or not (rows["authority_id"] == me).any():
        return pd.DataFrame()
    table = _comparator_table(rows, me, neighbours(session, me), rules)
    return table.drop(columns="period")


def trend(
    session: Session, viewer: Viewer, filters: Selection, rules: DisclosureRules
) -> pd.DataFrame:
    """The selection's measure for the LA and each comparator in every period the LA has
    results (one pass over all those periods, whatever the selection's period; each period
    is protected exactly as :func:`profile` does)."""
    me = require_authority(viewer)
    measure = filters.get("measure")
    periods = tuple(own_periods(session, me))
    if measure == "GEN":  # the general theme is never compared
        return pd.DataFrame()
    rows = measure_rows(session, periods, measure, rules)
    if rows.empty:
        return pd.DataFrame()
    table = _comparator_table(rows, me, neighbours(session, me), rules)
    if table.empty:
        return table
    cols = [c for c in table.columns if c != "period"]
    return table[[*cols, "period"]]


def previous_period(session: Session, authority_id: int, period: str) -> str | None:
    """The authority's latest period with results before ``period``."""
    earlier = [p for p in own_periods(session, authority_id) if p < period]
    return earlier[-1] if earlier else None


def own_changes(
    session: Session, viewer: Viewer, period: str, rules: DisclosureRules
) -> tuple[str | None, pd.DataFrame]:
    """Change per measure since the LA's previous submission, with Welch 95% intervals."""
    me = require_authority(viewer)
    before = previous_period(session, me, period)
    if before is None:
        return None, pd.DataFrame()
    rows = pd.concat(
        [period_rows(session, (p,), rules) for p in (before, period)], ignore_index=True
    )
    rows = rows.loc[(rows["authority_id"] == me) & (rows["measure"] != "GEN")]
    table = welch_changes(rows, ["measure"], before, period)
    return before, table.assign(suppressed=False, reason="")


@dataclass(frozen=True)
class Improver:
    authority_id: int
    shown_as: str
    theme: str
    before: str
    after: str


def who_improved(
    session: Session, viewer: Viewer, period: str, rules: DisclosureRules
) -> list[Improver]:
    """Other LAs in the viewer's supplier group (in ``period``) whose score on a theme rose
    significantly since their own previous submission (Welch 95% interval above zero, at
    least min_respondents respondents on each side). Shown by pseudonym, or by name if the LA
    consented to be named; no scores are shown, only that the rise was significant."""
    me = require_authority(viewer)
    now = period_rows(session, (period,), rules)
    supplier = _own_supplier(now, me)
    if supplier is None:
        return []
    now = now.loc[
        (now["supplier_id"] == supplier)
        & (now["authority_id"] != me)
        & (now["measure_type"] == "theme")
        & (now["measure"] != "GEN")
    ]
    others = sorted(set(now["authority_id"]))
    if not others:
        return []
    history = session.execute(
        select(Submission.authority_id, Submission.period).where(
            Submission.authority_id.in_(others),
            Submission.status == CURRENT,
            Submission.period < period,
        )
    ).all()
    before_of: dict[int, str] = {}
    for authority_id, p in history:
        before_of[authority_id] = max(p, before_of.get(authority_id, p))
    found: list[tuple[int, str, str]] = []
    for before in sorted(set(before_of.values())):
        las = [a for a, p in before_of.items() if p == before]
        then = period_rows(session, (before,), rules)
        then = then.loc[then["authority_id"].isin(las) & (then["measure_type"] == "theme")]
        a = pool(then, ["authority_id", "measure"]).set_index(["authority_id", "measure"])
        b = pool(now.loc[now["authority_id"].isin(las)], ["authority_id", "measure"])
        b = b.set_index(["authority_id", "measure"])
        a, b = a.align(b, join="inner", axis=0)
        if a.empty:
            continue
        w = welch_arrays(a["n"], a["mean"], a["sd"], b["n"], b["mean"], b["sd"])
        enough = (a["n"] >= rules.min_respondents) & (b["n"] >= rules.min_respondents)
        rose = w["significant"] & (w["change"] > 0) & enough.to_numpy()
        for (authority_id, theme), hit in zip(a.index, rose, strict=True):
            if hit:
                found.append((int(authority_id), theme, before))
    if not found:
        return []
    authorities = {
        a.id: a
        for a in session.scalars(select(Authority).where(Authority.id.in_({f[0] for f in found})))
    }
    out = [
        Improver(a, authorities[a].shown_as(reveal=False), theme, before, period)
        for a, theme, before in found
    ]
    return sorted(out, key=lambda i: (i.theme, i.shown_as))
