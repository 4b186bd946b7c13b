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
types' (:func:`data.privacy.scores_cube.whole_part`), or, where no part of the type can be
(counties on the demo), all of the type with the authorities the site can only show
together with them (:func:`data.privacy.scores_cube.whole_cover`).
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
from data.privacy.scores_cube import NO_OTHERS, protected_sets, whole_part_and_cover
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


def _plural(la_type: str) -> str:
    """ "unitary authorities", "counties", "London boroughs" for an LA type code."""
    name = la_type_names().get(la_type, str(la_type).replace("_", " "))
    plural = name[:-1] + "ies" if name.endswith("y") else name + "s"
    return plural if plural.startswith("London") else plural[0].lower() + plural[1:]


def stand_in(la_type: str) -> str:
    """The name of the comparator shown instead of the neighbours, for an LA of
    ``la_type``, e.g. "Other unitary authorities (in place of neighbours)": short enough for
    a chart legend; its note says it holds them only as far as they can be shown."""
    return f"Other {_plural(la_type)} (in place of neighbours)"


COVER = " and authorities combined with them"


def stand_in_cover(la_type: str) -> str:
    """The name of the fallback stand-in, e.g. "Other counties and authorities combined
    with them (in place of neighbours)": all of the type, with whatever the site can only
    show together with it (its note says which)."""
    return f"Other {_plural(la_type)}{COVER} (in place of neighbours)"


def _kind(name: str) -> str:
    """ "Other unitary authorities" from :func:`stand_in`'s name."""
    return name.split(" (in place of", 1)[0]


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


def stand_in_sets(
    rows: pd.DataFrame, authority_id: int, rules: DisclosureRules
) -> dict[str, np.ndarray]:
    """The candidates for the comparator shown where the neighbours cannot be, best first
    (the page shows, per period and measure, the first that it can show and that does not
    repeat "your group" or England, :func:`repeats`, :func:`_instead_of_hidden_neighbours`).
    Both start from the LA's own LA type, the default neighbours' first criterion, and both
    are unions of whole atoms (one pass: :func:`whole_part_and_cover`):

    1. the authorities of that type, as far as their rows make up whole atoms
       (:func:`whole_part`): all of them exactly where Compare shows England for that LA
       type, otherwise its largest publishable part; empty where every atom mixes the type
       with another (counties on the demo: too few in any group, role and band to split);
    2. the smallest union of whole atoms holding all of that type (:func:`whole_cover`):
       every authority of the type, with the rows of other types that share an atom with
       one of them.

    The rule is the same for every LA (no type is special-cased): which one is shown
    depends on the data only, so it is the same for every viewer of that type."""
    own_type = rows.loc[rows["authority_id"] == authority_id, "la_type"]
    if own_type.empty:
        return {}
    la_type = own_type.iloc[0]
    same = (rows["la_type"].astype(str) == str(la_type)).to_numpy()
    part, cover = whole_part_and_cover(rows, same, rules)
    return {stand_in(la_type): part, stand_in_cover(la_type): cover}


NEIGHBOURS_NOTE = (
    "Their own figure is shown only where it cannot be combined with other published "
    "figures to work out one authority's scores; elsewhere the charts show, and name, the "
    "other authorities of your type instead, as far as the site can show them apart from "
    "other types, or, where it can show none of them apart, all of them together with the "
    "authorities of other types that the site can only show with them."
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
COVER_REASON = (
    "shown instead of your statistical neighbours, as none of the {kind} can be shown apart "
    "from other types of authority: all of them, together with the authorities of other "
    "types (for some, only some respondent roles) whose figures the site can only show "
    "with theirs"
)
INSTEAD_NONE = (
    "not shown: no part of the {kind} can be shown apart from other types of authority "
    "without letting one authority's scores be worked out"
)
INSTEAD_SAME = (
    "not shown: no part of the {kind} can be shown apart from other types of authority, "
    "and the smallest set of authorities the site can show them in is {same}, shown already"
)
_SAME = {GROUP: "your supplier group", ENGLAND: "all of England"}
_INSTEAD_NOTE = (
    "Your statistical neighbours can't be shown on their own (too few, or they could be "
    "worked out from other figures); shown instead: {what}."
)
_AS_FAR = "{kind}, as far as the site can show them apart from other types of authority"
_WITH = (
    "{kind} ({plural} can be shown only together with some authorities of other types, "
    "so those are in the figure too)"
)
_NONE = {
    GROUP: "No other authority in your supplier group has results.",
    NEIGHBOURS: "None of your statistical neighbours has results.",
    ENGLAND: "No other authority in England has results.",
}


def _instead_what(shown: pd.Series) -> str:
    """What the stand-ins shown are, in words: the LA type's part first, then (where that
    could not be shown) the type with what the site shows together with it."""
    names = sorted(dict.fromkeys(shown), key=lambda n: COVER in n)
    said = []
    for name in names:
        kind = _lower(_kind(name))
        if COVER in name:
            plural = kind.removeprefix("other ").removesuffix(COVER)
            said.append(_WITH.format(kind=kind, plural=plural))
        else:
            said.append(_AS_FAR.format(kind=kind))
    return "; where that can't be shown, ".join(said)


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
            out.append(_INSTEAD_NOTE.format(what=_instead_what(instead)))
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
    repeated = repeats(rows, me, sets, instead)
    table = _instead_of_hidden_neighbours(table, hood_hidden, list(instead), repeated)
    table = table[["period", "comparator", "measure", *VALUE_COLS, "suppressed", "reason",
                   "n_las_suppressed"]]  # fmt: skip
    for col in VALUE_COLS:
        kind = "Int64" if col in ("n", "n_las") else "float"
        table[col] = table[col].astype(kind)
    rows_order = [YOU, GROUP, NEIGHBOURS, *list(instead), ENGLAND]  # stand-in by neighbours
    order = {c: i for i, c in enumerate(rows_order)}
    table = table.assign(_o=table["comparator"].map(order))
    return table.sort_values(["period", "measure", "_o"]).drop(columns="_o").reset_index(drop=True)


def repeats(
    rows: pd.DataFrame, me: int, sets: dict[str, np.ndarray], candidates: dict[str, np.ndarray]
) -> dict[tuple, str]:
    """(period, measure, candidate) -> the comparator among "your group" and England whose
    authorities' rows it holds exactly (less the LA's own, rows with respondents): showing
    it would repeat that comparator's figure under another name (e.g. counties with what the
    site can only show with them being the LA's supplier group, or all of England)."""
    live = rows["n"].to_numpy() > 0
    others = live & (rows["authority_id"].to_numpy() != me)
    out: dict[tuple, str] = {}
    for key, pos in rows.groupby(["period", "measure"], sort=False, observed=True).indices.items():
        mine = others[pos]
        for name, mask in candidates.items():
            held = mask[pos] & mine
            same = [c for c in (GROUP, ENGLAND) if np.array_equal(held, sets[c][pos] & mine)]
            if same:
                out[(*key, name)] = same[0]
    return out


def _instead_of_hidden_neighbours(
    table: pd.DataFrame, hood_hidden: pd.Series, names: list[str], repeated: dict[tuple, str]
) -> pd.DataFrame:
    """Per period and measure whose neighbours are hidden, keep one stand-in row: the first
    candidate of ``names`` (:func:`stand_in_sets`, best first) that is shown and does not
    repeat a comparator already on the page (``repeated``, from :func:`repeats`), else the
    first candidate's row as it is; with a note saying what it is, or why nothing could be
    shown. No published figure is turned into ``c`` (the same authorities show the same
    figure everywhere)."""
    keys = list(zip(table["period"], table["measure"], strict=True))
    hidden_at = {k for k, h in zip(keys, hood_hidden.to_numpy(dtype=bool), strict=True) if h}
    off = table["suppressed"].astype(bool).to_numpy()
    names_at = table["comparator"].to_numpy(dtype=object)
    keep = ~np.isin(names_at, names)
    reason = table["reason"].to_numpy(dtype=object).copy()
    rank = {name: i for i, name in enumerate(names)}
    by_key: dict[tuple, list[int]] = {}
    for i in np.flatnonzero(~keep):
        if keys[i] in hidden_at:
            by_key.setdefault(keys[i], []).append(int(i))
    for key, at_rows in by_key.items():
        at_rows.sort(key=lambda i: rank[names_at[i]])
        again = [repeated.get((*key, names_at[i])) for i in at_rows]
        fresh = [i for i, a in zip(at_rows, again, strict=True) if not off[i] and a is None]
        at = fresh[0] if fresh else at_rows[0]
        keep[at] = True
        name = names_at[at]
        # the reasons speak of the LA type itself ("none of the other counties can be shown
        # apart ..."), not of the cover's name, which read "none of the other counties and
        # authorities combined with them can be shown apart ..."
        kind = _lower(_kind(name)).removesuffix(COVER)
        same = next((a for a in again if a is not None), None)
        if not off[at]:
            reason[at] = (COVER_REASON if COVER in name else INSTEAD_REASON).format(kind=kind)
        elif same is not None:
            reason[at] = INSTEAD_SAME.format(kind=kind, same=_SAME[same])
        else:
            reason[at] = INSTEAD_NONE.format(kind=kind)
    return table.assign(reason=reason).loc[keep].copy()


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
