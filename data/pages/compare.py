"""Compare supplier groups: groups side by side by SUS and theme, the spread of authority
scores inside each group, trends across periods, and (for a group's NLAR representative
only) the group authority by authority under pseudonyms.

The filters arrive parsed (data.queries.filters.COMPARE, a Selection): the period and the
measure pick the memoised rows, the role, region and LA type narrow the cells. Every score
figure, the spread bands included, is read from the protected scores cube
(data.privacy.scores_cube); the NLAR breakdown's hidden rows are protected against it
(data.privacy.breakdown)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import NLAR_REP, Viewer, require
from data.privacy.breakdown import breakdown_table
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND
from data.privacy.scores_cube import protected_scores, spread_bands
from data.queries.filter_options import measure_rows, period_rows
from data.queries.filters import Selection
from data.reference.codes import SUS_BENCHMARK, sus_grade
from data.store.models import Authority, Submission, Supplier

BAND_NAMES = {
    2: ("lower half", "upper half"),
    3: ("lowest third", "middle third", "highest third"),
    4: ("lowest quarter", "second quarter", "third quarter", "highest quarter"),
    5: ("lowest fifth", "second fifth", "middle fifth", "fourth fifth", "highest fifth"),
}


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


def spread_by_group(
    session: Session, filters: Selection, rules: DisclosureRules, own: Collection[int] = ()
) -> pd.DataFrame:
    """The spread of authority scores inside each group, as the pooled scores of the lower
    and upper half of its authorities (sorted by their own mean), read from the protected
    scores cube (data.privacy.scores_cube.spread_bands): a band is shown only where it is
    a union of whole atoms (at least ``min_las + 1`` authorities, safe after removing any
    one, no dominance), else ``c``, so no band edge, band total or band minus another view's
    cell is one authority's figure. Quantiles, minima and maxima are never shown (each is
    one authority's own score). Groups too small for two bands are listed with no bands.
    Only the selected period and measure apply (not the region, LA type and role filters);
    every viewer gets the same bands (``own`` is accepted for the callers' symmetry)."""
    period, measure = filters.period, filters.get("measure")
    if period is None or measure is None:
        return pd.DataFrame()
    rows = measure_rows(session, (period,), measure, rules)
    if rows.empty:
        return pd.DataFrame()
    table = spread_bands(rows, rules)
    names = [
        BAND_NAMES.get(k, ())[p] if 0 <= p < len(BAND_NAMES.get(k, ())) else ""
        for k, p in zip(table["bands"], table["position"], strict=True)
    ]
    table = table.assign(band=names, respondents=table["n"])
    cols = ["group", "band", "position", "n_las", "respondents", "mean", "ci_low", "ci_high",
            "suppressed", "reason", "n_las_suppressed"]  # fmt: skip
    return table[cols].reset_index(drop=True)


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
    viewer's own LA and LAs that consented), for the selected period and measure only.
    Authorities with fewer respondents than the threshold are shown suppressed, and so are
    as many more as data.privacy.breakdown needs so that the group's and its spread bands'
    published figures minus the shown rows never give one hidden authority. Raises
    PermissionDenied for anyone else."""
    require(
        may_see_la_breakdown(viewer, viewer.supplier_id),
        "Only the NLAR representative of a supplier group sees it authority by authority.",
    )
    group = session.scalar(select(Supplier.name).where(Supplier.id == viewer.supplier_id)) or ""
    period, measure = filters.period, filters.get("measure")
    if period is None or measure is None:
        return group, pd.DataFrame()
    rows = measure_rows(session, (period,), measure, rules)
    own = {viewer.authority_id} if viewer.authority_id is not None else set()
    table = breakdown_table(rows, "supplier_id", viewer.supplier_id, rules, own)
    if table.empty:
        return group, pd.DataFrame()
    names = {
        a.id: a.shown_as(reveal=a.id == viewer.authority_id)
        for a in session.scalars(select(Authority).where(Authority.id.in_(table["authority_id"])))
    }
    table = table.assign(authority=table["authority_id"].map(names))
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
