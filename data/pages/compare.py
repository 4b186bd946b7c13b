"""Compare supplier groups: groups side by side by SUS and theme, the spread of authority
scores inside each group, trends across periods, and (for a group's NLAR representative
only) the group authority by authority under pseudonyms.

The filters arrive parsed (data.queries.filters.COMPARE, a Selection): the period and the
measure pick the memoised rows, the role, region and LA type go to
data.privacy.narrowing.guarded_scores as the narrowing, so the thresholds, the narrowing guard
and secondary suppression hold for any filter combination.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import NLAR_REP, Viewer, require
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND, narrow
from data.privacy.scores_cube import protected_scores
from data.queries.filter_options import measure_rows, period_rows
from data.queries.filters import Selection
from data.reference.codes import SUS_BENCHMARK, sus_grade
from data.scores.stats import add_summary, pool
from data.store.models import Authority, Submission, Supplier

SPREAD_MAX_BANDS = 5
BAND_NAMES = {
    2: ("lower half", "upper half"),
    3: ("lowest third", "middle third", "highest third"),
    4: ("lowest quarter", "second quarter", "third quarter", "highest quarter"),
    5: ("lowest fifth", "second fifth", "middle fifth", "fourth fifth", "highest fifth"),
}


def _measure_rows(rows: pd.DataFrame, measure: str) -> pd.DataFrame:
    return rows.loc[rows["measure"] == measure]


def _order_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Groups by name, England last."""
    key = table["group"].eq(ENGLAND).astype(int)
    return table.assign(_k=key).sort_values(["_k", "group"]).drop(columns="_k")


def measure_by_group(
    session: Session,
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
) -> pd.DataFrame:
    """The selected measure (SUS or a theme code) per supplier group plus England, for the
    selected period."""
    measure = filters.get("measure")
    if filters.period is None or measure is None:
        return pd.DataFrame()
    rows = measure_rows(session, (filters.period,), measure, rules)
    if rows.empty:
        return pd.DataFrame()
    table = protected_scores(
        rows, ["group"], filters.narrowing(), rules, own, totals={"group": ENGLAND}
    )
    if measure == "SUS":
        table = table.assign(grade=[sus_grade(m) for m in table["mean"]])
    return _order_groups(table).reset_index(drop=True)


def themes_by_group(
    session: Session, filters: Selection, rules: DisclosureRules, own: Collection[int] = ()
) -> pd.DataFrame:
    """Theme scores per supplier group and theme, plus England, for one period."""
    if filters.period is None:
        return pd.DataFrame()
    rows = period_rows(session, (filters.period,), rules)
    rows = rows.loc[(rows["measure_type"] == "theme") & (rows["measure"] != "GEN")]
    if rows.empty:
        return pd.DataFrame()
    table = protected_scores(
        rows.rename(columns={"measure": "theme"}),
        ["group", "theme"],
        filters.narrowing(),
        rules,
        own,
        totals={"group": ENGLAND},
    )
    return _order_groups(table).reset_index(drop=True)


def trend_by_group(
    session: Session,
    periods: tuple[str, ...],
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
) -> pd.DataFrame:
    """The selected measure per group in each of ``periods`` (each period protected as its
    own view; the selected period does not apply).

    One guarded table with the period as a cell dimension: folding, lines and the narrowing
    guard never cross periods, so this equals a table per period, in one pass."""
    measure = filters.get("measure")
    rows = measure_rows(session, tuple(periods), measure, rules) if measure else pd.DataFrame()
    if rows.empty:
        return pd.DataFrame()
    table = protected_scores(
        rows, ["period", "group"], filters.narrowing(), rules, own, totals={"group": ENGLAND}
    )
    order = table["group"].eq(ENGLAND).astype(int)
    table = table.assign(_k=order).sort_values(["period", "_k", "group"], kind="stable")
    return table.drop(columns="_k").reset_index(drop=True)


@dataclass(frozen=True)
class Band:
    """The mean of the LA means of one contiguous band of a group's authorities."""

    group: str
    band: str
    position: int
    n_las: int
    respondents: int
    mean: float


def _bands(
    means: pd.DataFrame, known: Collection[int], rules: DisclosureRules
) -> list[pd.DataFrame]:
    """Split LAs (sorted by mean) into as many contiguous bands as possible, up to five, with
    every band holding at least min_las LAs and min_respondents respondents not ``known``."""
    unknown = ~means["authority_id"].isin(list(known))
    k = min(SPREAD_MAX_BANDS, int(unknown.sum()) // rules.min_las)
    ordered = means.sort_values(["mean", "authority_id"]).reset_index(drop=True)
    while k >= 2:
        bounds = np.linspace(0, len(ordered), k + 1).round().astype(int)
        bands = [ordered.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

        def safe(band: pd.DataFrame) -> bool:
            other = band.loc[~band["authority_id"].isin(list(known))]
            return rules.passes(len(other), float(other["n"].sum()))

        if all(safe(b) for b in bands):
            return bands
        k -= 1
    return []


def spread_by_group(
    session: Session, filters: Selection, rules: DisclosureRules, own: Collection[int] = ()
) -> pd.DataFrame:
    """The spread of authority means inside each group, as band means (never single LAs).

    Each group's authorities are sorted by their own mean and cut into up to five contiguous
    bands (halves, thirds, quarters or fifths), each of at least 3 authorities and 10
    respondents besides the viewer's own; a band is shown as the plain mean of its LAs'
    means. Quantiles or whiskers would show single authorities' values (the median of an odd
    number of LAs *is* one LA's mean), so they are not used. Groups too small for two bands
    are listed with no bands. Only the selected period and measure apply here (not the
    region, LA type and role filters).
    """
    period, measure = filters.period, filters.get("measure")
    if period is None or measure is None:
        return pd.DataFrame()
    rows = measure_rows(session, (period,), measure, rules)
    if rows.empty:
        return pd.DataFrame()
    per_la = pool(rows, ["group", "authority_id"])
    out = []
    for group, part in per_la.groupby("group", sort=True):
        bands = _bands(part, own, rules)
        names = BAND_NAMES.get(len(bands), ())
        for position, band in enumerate(bands):
            out.append(
                Band(
                    group,
                    names[position],
                    position,
                    len(band),
                    int(band["n"].sum()),
                    float(band["mean"].mean()),
                ).__dict__
            )
        if not bands:
            out.append(
                {"group": group, "band": "", "position": -1, "n_las": np.nan,
                 "respondents": np.nan, "mean": np.nan}
            )  # fmt: skip
    return pd.DataFrame(out)


def may_see_la_breakdown(viewer: Viewer, supplier_id: int | None) -> bool:
    """Per-LA (pseudonymous) scores of a group: only that group's NLAR representative.

    PRODUCT.md section 2 grants this to ``nlar_rep`` for their own group; section 4's
    thresholds bind everyone else outside an LA, coordinators included, so
    data.privacy.access.may_break_down_group's wider grant (used for curating requirements) is not
    used for scores.
    """
    return viewer.role == NLAR_REP and supplier_id is not None and supplier_id == viewer.supplier_id


def group_breakdown(
    session: Session, viewer: Viewer, filters: Selection, rules: DisclosureRules
) -> tuple[str, pd.DataFrame]:
    """The viewer's own supplier group authority by authority (pseudonyms, or names for the
    viewer's own LA and LAs that consented), for the selected period and measure only;
    authorities with fewer respondents than the threshold are shown suppressed. Raises
    PermissionDenied for anyone else."""
    require(
        may_see_la_breakdown(viewer, viewer.supplier_id),
        "Only the NLAR representative of a supplier group sees it authority by authority.",
    )
    group = session.scalar(select(Supplier.name).where(Supplier.id == viewer.supplier_id)) or ""
    period, measure = filters.period, filters.get("measure")
    if period is None or measure is None:
        return group, pd.DataFrame()
    rows = period_rows(session, (period,), rules)
    rows = narrow(_measure_rows(rows, measure), {"supplier_id": viewer.supplier_id})
    if rows.empty:
        return group, pd.DataFrame()
    per_la = add_summary(pool(rows, ["authority_id"]))
    names = {
        a.id: a.shown_as(reveal=a.id == viewer.authority_id)
        for a in session.scalars(select(Authority).where(Authority.id.in_(per_la["authority_id"])))
    }
    low = per_la["n"] < rules.min_respondents
    own = per_la["authority_id"] == viewer.authority_id
    supp = (low & ~own).to_numpy(dtype=bool)
    table = per_la.assign(
        authority=per_la["authority_id"].map(names),
        suppressed=supp,
        reason=np.where(supp, f"fewer than {rules.min_respondents} respondents", ""),
    )
    for col in ("mean", "sd", "ci_low", "ci_high", "n"):
        table[col] = table[col].astype("Int64" if col == "n" else "float").mask(supp)
    table = table.sort_values(["mean", "authority"], na_position="last")
    cols = ["authority", "n", "mean", "ci_low", "ci_high", "suppressed", "reason"]
    return group, table[cols].reset_index(drop=True)


def benchmark_note() -> str:
    """The SUS context sentence shown with SUS charts."""
    return (
        f"A SUS mean of about {SUS_BENCHMARK:.0f} is average across many published systems; "
        "grades follow the Sauro–Lewis curved scale (A+ from 84.1 down to F below 51.7)."
    )


def own_group(session: Session, viewer: Viewer, period: str | None) -> str | None:
    """The supplier group the viewer belongs to, by name (highlighted in charts): an NLAR
    representative's group, or the group of an LA user's authority in ``period`` (its latest
    current submission up to then). None for coordinators and administrators."""
    supplier_id = viewer.supplier_id
    if supplier_id is None and viewer.authority_id is not None:
        stmt = select(Submission.supplier_id).where(
            Submission.authority_id == viewer.authority_id, Submission.status == "current"
        )
        if period is not None:
            stmt = stmt.where(Submission.period <= period)
        supplier_id = session.scalar(stmt.order_by(Submission.period.desc()).limit(1))
    if supplier_id is None:
        return None
    return session.scalar(select(Supplier.name).where(Supplier.id == supplier_id))
