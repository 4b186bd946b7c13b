"""My authority: one LA against its supplier group, its statistical neighbours and England,
what changed since its previous submission, and "who improved" in its group.

The LA's own figures are never suppressed for it. Comparators never include the LA itself
("other authorities in your group") and are read from the protected score source
(data.privacy.scores_cube.protected_sets): a comparator is shown only where its authorities'
rows (with or without the LA's own) are whole atoms, the cells Compare and Overview publish,
so a group's comparator is shown exactly when Compare shows that group, and subtracting the
LA's own figures, or any other page's figure, gives nothing finer than atom totals. The
neighbours, a set no other page shows, are shown only where they too are whole atoms;
elsewhere the page shows, under its own name, the nearest set it can publish instead: the
other authorities of the LA's type, as far as their figures can be told apart from other
types' (:func:`data.privacy.scores_cube.whole_part`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import Viewer, require
from data.privacy.disclosure import DisclosureRules
from data.privacy.scores_cube import NO_OTHERS, protected_sets, whole_part
from data.queries.filter_options import measure_rows, period_rows
from data.queries.filters import Selection
from data.queries.summaries import current_periods
from data.reference.codes import la_type_names
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


def comparator_sets(
    rows: pd.DataFrame, authority_id: int, neighbour_ids: frozenset
) -> dict[str, np.ndarray]:
    """Per comparator, which of ``rows`` belong to it (a row can be in several); the own
    authority's rows are in "your group" and England too, and are left out of their
    figures by :func:`data.privacy.scores_cube.protected_sets`. "Your group" is the group
    the LA was in that period."""
    is_own = (rows["authority_id"] == authority_id).to_numpy()
    own_rows = rows.loc[is_own]
    supplier_of = dict(zip(own_rows["period"], own_rows["supplier_id"], strict=True))
    in_group = rows["supplier_id"].to_numpy() == rows["period"].map(supplier_of).to_numpy()
    is_neighbour = rows["authority_id"].isin(list(neighbour_ids)).to_numpy()
    return {
        GROUP: in_group,
        NEIGHBOURS: is_neighbour & ~is_own,
        ENGLAND: np.ones(len(rows), dtype=bool),
    }


def stand_in(la_type: str) -> str:
    """The name of the comparator shown instead of the neighbours, for an LA of
    ``la_type``, e.g. "Other unitary authorities (in place of neighbours)": short enough for
    a chart legend; its note says it holds them only as far as they can be shown."""
    name = la_type_names().get(la_type, str(la_type).replace("_", " "))
    plural = name[:-1] + "ies" if name.endswith("y") else name + "s"
    if not plural.startswith("London"):
        plural = plural[0].lower() + plural[1:]
    return f"Other {plural} (in place of neighbours)"


def _kind(name: str) -> str:
    """ "Other unitary authorities" from :func:`stand_in`'s name."""
    return name.split(" (in place of", 1)[0]


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


def stand_in_sets(
    rows: pd.DataFrame, authority_id: int, rules: DisclosureRules
) -> dict[str, np.ndarray]:
    """The comparator shown where the neighbours cannot be: the authorities of the LA's own
    LA type (the default neighbours' first criterion), as far as their rows make up whole
    atoms per period and measure (:func:`whole_part`). It is all of them exactly where
    Compare shows England for that LA type, and otherwise its largest publishable part."""
    own_type = rows.loc[rows["authority_id"] == authority_id, "la_type"]
    if own_type.empty:
        return {}
    la_type = own_type.iloc[0]
    same = (rows["la_type"].astype(str) == str(la_type)).to_numpy()
    return {stand_in(la_type): whole_part(rows, same, rules)}


NEIGHBOURS_NOTE = (
    "Their own figure is shown only where it cannot be combined with other published "
    "figures to work out one authority's scores; elsewhere the charts show, and name, the "
    "other authorities of your type instead, as far as the site can show them."
)
NEIGHBOURS_REASON = (
    "not shown: your statistical neighbours are not a set of authorities that the site "
    "publishes together, so their figure, with the figures on Compare, could let one "
    "authority's scores be worked out"
)
_TOO_FEW = (
    "{name} {verb} shown as c where too few authorities, or authorities too unequal in "
    "size, stand behind the figure to show it without letting one of them be worked out "
    "(Compare shows c for the same authorities)."
)
_HIDDEN = {
    GROUP: _TOO_FEW.format(name="Other authorities in your supplier group", verb="are"),
    NEIGHBOURS: "Your statistical neighbours are shown as c where they are not a set of "
    "authorities that the site publishes together: their figure, with the figures on "
    "Compare, could let one authority's scores be worked out.",
    ENGLAND: _TOO_FEW.format(name="Other authorities in England", verb="are"),
}
INSTEAD_REASON = (
    "shown instead of your statistical neighbours: the {kind} whose figures the site can "
    "show apart from other types of authority (all of them where Compare shows this type "
    "of authority, otherwise only the respondents it can show)"
)
INSTEAD_NONE = (
    "not shown: no part of the {kind} can be shown apart from other types of authority "
    "without letting one authority's scores be worked out"
)
_INSTEAD_NOTE = (
    "Your statistical neighbours can't be shown on their own (too few, or they could be "
    "worked out from other figures); shown instead: {kind}, as far as the site can show "
    "them apart from other types of authority."
)
_NONE = {
    GROUP: "No other authority in your supplier group has results.",
    NEIGHBOURS: "None of your statistical neighbours has results.",
    ENGLAND: "No other authority in England has results.",
}


def hidden_note(table: pd.DataFrame) -> str:
    """Plain sentences naming the comparators shown as ``c`` and why ("" if none)."""
    if table.empty:
        return ""
    hidden = table.loc[table["suppressed"].astype(bool) & (table["comparator"] != YOU)]
    instead = table.loc[~table["comparator"].isin(COMPARATORS)
                        & ~table["suppressed"].astype(bool), "comparator"]  # fmt: skip
    out = []
    for name in COMPARATORS[1:]:
        reasons = set(hidden.loc[hidden["comparator"] == name, "reason"])
        if name == NEIGHBOURS and reasons and len(instead):
            out.append(_INSTEAD_NOTE.format(kind=_lower(_kind(instead.iloc[0]))))
        elif reasons - {NO_OTHERS}:
            out.append(_HIDDEN[name])
        elif reasons:
            out.append(_NONE[name])
    return " ".join(out)


def _comparator_table(
    rows: pd.DataFrame, me: int, hood: Neighbours, rules: DisclosureRules
) -> pd.DataFrame:
    """Per period, measure and comparator: n, n_las, mean, 95% CI, suppressed, reason.
    The LA's own figures in full; every other comparator from the protected score source
    (:func:`data.privacy.scores_cube.protected_sets`), so it is shown exactly when Compare
    and Overview may show the same authorities' figure. Empty if the LA has no results."""
    mine = set(rows.loc[rows["authority_id"] == me, "period"])
    rows = rows.loc[rows["period"].isin(mine)]
    if rows.empty:
        return pd.DataFrame()
    sets = comparator_sets(rows, me, hood.ids)
    instead = stand_in_sets(rows, me, rules)
    table = protected_sets(rows, {**sets, **instead}, rules, {me}, own_label=YOU)
    table = table.rename(columns={"set": "comparator"})
    hood_hidden = (table["comparator"] == NEIGHBOURS) & table["suppressed"].astype(bool)
    table.loc[hood_hidden & (table["reason"] != NO_OTHERS), "reason"] = NEIGHBOURS_REASON
    table = _instead_of_hidden_neighbours(table, hood_hidden, list(instead))
    table = table[["period", "comparator", "measure", *VALUE_COLS, "suppressed", "reason",
                   "n_las_suppressed"]]  # fmt: skip
    for col in VALUE_COLS:
        kind = "Int64" if col in ("n", "n_las") else "float"
        table[col] = table[col].astype(kind)
    rows_order = [YOU, GROUP, NEIGHBOURS, *list(instead), ENGLAND]  # stand-in by neighbours
    order = {c: i for i, c in enumerate(rows_order)}
    table = table.assign(_o=table["comparator"].map(order))
    return table.sort_values(["period", "measure", "_o"]).drop(columns="_o").reset_index(drop=True)


def _instead_of_hidden_neighbours(
    table: pd.DataFrame, hood_hidden: pd.Series, names: list[str]
) -> pd.DataFrame:
    """Keep the stand-in's rows only in the periods and measures whose neighbours are
    hidden, with a note saying what they are (or why they are hidden too)."""
    hidden_at = set(zip(table.loc[hood_hidden, "period"], table.loc[hood_hidden, "measure"],
                        strict=True))  # fmt: skip
    is_instead = table["comparator"].isin(names).to_numpy()
    at = zip(table["period"], table["measure"], strict=True)
    wanted = np.fromiter((key in hidden_at for key in at), dtype=bool, count=len(table))
    table = table.loc[~is_instead | wanted].copy()
    for name in names:
        mine = table["comparator"] == name
        off = mine & table["suppressed"].astype(bool)
        table.loc[mine & ~off, "reason"] = INSTEAD_REASON.format(kind=_lower(_kind(name)))
        table.loc[off, "reason"] = INSTEAD_NONE.format(kind=_lower(_kind(name)))
    return table


def series(table: pd.DataFrame) -> list[str]:
    """The comparators of ``table`` in the order the charts draw them: yours, your group,
    your neighbours, England, then what is shown instead of the neighbours (last, so the
    others keep their colour and marker whether or not it is there)."""
    instead = [n for n in dict.fromkeys(table["comparator"]) if n not in COMPARATORS]
    return [*COMPARATORS, *instead]


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
