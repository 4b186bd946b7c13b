"""Themes: where findings concentrate, and the (redacted) findings behind the charts.

Counts come from one grouped query per request (per authority and code combination), never
from the findings' text; the list reads text only for a selection that may be listed.

Listing rule. A list shows who raised what, so it would reveal the count of a suppressed
cell. Findings are listed only when the *whole current selection* is a cell that may be
shown: at least 3 authorities and 10 respondents raising them besides the viewer's own, and
passing the same narrowing guard as the charts (data.privacy.narrowing). Otherwise only the viewer's
own authority's findings are listed. Rows carry the authority's pseudonym (its name for the
viewer's own LA or an LA that consented to be named) and never respondent refs; while a region
or LA type filter is on the authority column is left out, so repeated filtering cannot tie a
pseudonym to a place.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import RAW_GROUP, fold_period, guarded_cells, summed_cells
from data.queries.filters import Selection
from data.reference.codes import SEVERITIES
from data.store.memo import CHUNK_ROWS, VersionMemo, categorical_text, read_compact
from data.store.models import CURRENT, Authority, Finding, Submission, Supplier

RESPONDENTS = "respondents_raising"
COUNT_VALUES = ("findings", RESPONDENTS, "n_las")
MAX_LISTED = 2000
PLACE_FILTERS = ("region", "type")  # filters that narrow to a place (see the docstring)


def places_narrowed(filters: Selection) -> bool:
    return any(filters.get(key) is not None for key in PLACE_FILTERS)


_MEMO = VersionMemo(size=2)


def finding_rows(session: Session, period: str | None, rules: DisclosureRules) -> pd.DataFrame:
    """Findings of current submissions counted per authority and code combination (one
    grouped query, no text), small supplier groups folded into "Other suppliers" per period.

    All periods are read once per data version and process (a second or so at national
    scale) and one period is a slice of them: folding is per period either way, so the
    slice equals reading that period alone. Callers must not modify the returned frame."""
    rows = _MEMO.get(session, ("all-periods", rules), lambda: _finding_rows(session, None, rules))
    if period is None:
        return rows
    return rows.loc[(rows["period"] == period).to_numpy(dtype=bool)]


def _finding_rows(session: Session, period: str | None, rules: DisclosureRules) -> pd.DataFrame:
    keys = (
        Submission.authority_id,
        Supplier.name,
        Submission.period,
        Authority.region,
        Authority.la_type,
        Finding.theme_code,
        Finding.category_code,
        Finding.workflow_area_code,
        Finding.severity,
    )
    stmt = (
        select(
            *keys, func.count(Finding.id), func.coalesce(func.sum(Finding.respondents_raising), 0)
        )
        .join(Submission, Submission.id == Finding.submission_id)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Supplier, Supplier.id == Submission.supplier_id)
        .where(Submission.status == CURRENT)
        .group_by(*keys)
    )
    if period is not None:
        stmt = stmt.where(Submission.period == period)
    columns = ["authority_id", "group", "period", "region", "la_type", "theme", "category",
               "workflow_area", "severity", "findings", RESPONDENTS]  # fmt: skip
    rows = read_compact(session.execute(stmt.execution_options(yield_per=CHUNK_ROWS)), columns)
    rows[RESPONDENTS] = rows[RESPONDENTS].fillna(0)
    rows = rows.astype({"findings": "int64", RESPONDENTS: "int64"})
    return categorical_text(fold_period(rows, rules, respondents_col=RESPONDENTS))


def _count_cells(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Findings and respondents raising per cell, with contributor sets (rows are already
    counts per authority, so they are summed, not counted)."""
    return summed_cells(
        rows, by, {"findings": "findings", RESPONDENTS: RESPONDENTS}, RESPONDENTS,
        skip_empty=False, columns=[*by, "findings", "n_las", RESPONDENTS, "las", "n_by_la"],
    )  # fmt: skip


_count_cells.additive = ("findings", RESPONDENTS)  # type: ignore[attr-defined]


def counts(
    rows: pd.DataFrame,
    by: list[str],
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    totals: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Disclosure-controlled finding counts per ``by`` cell. Filters on a ``by`` column are
    not applied (a chart broken down by theme shows every theme; by group, every group)."""
    if rows.empty:
        return pd.DataFrame()
    narrowing = filters.narrowing(without=[*by, *([RAW_GROUP] if "group" in by else [])])
    return guarded_cells(
        rows,
        by,
        narrowing,
        rules,
        own,
        build=_count_cells,
        totals=totals,
        respondents_col=RESPONDENTS,
        value_cols=COUNT_VALUES,
    )


def selection_listable(
    rows: pd.DataFrame, filters: Selection, rules: DisclosureRules, own: Collection[int] = ()
) -> bool:
    """Whether the whole selection may be listed (see the module docstring)."""
    if rows.empty:
        return False
    cell = guarded_cells(
        rows,
        [],
        filters.narrowing(),
        rules,
        own,
        build=_count_cells,
        respondents_col=RESPONDENTS,
        value_cols=COUNT_VALUES,
    )
    if cell.empty:
        return False
    row = cell.iloc[0]
    return not bool(row["suppressed"])


LIST_COLUMNS = [
    "period",
    "supplier_group",
    "authority",
    "theme",
    "category",
    "workflow_area",
    "severity",
    RESPONDENTS,
    "description",
    "suggested_change",
]


def findings_list(
    session: Session,
    filters: Selection,
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    rows: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, str]:
    """The findings behind the selection and a sentence saying what is listed and why."""
    own = frozenset(own)
    rows = finding_rows(session, filters.period, rules) if rows is None else rows
    listable = selection_listable(rows, filters, rules, own)
    if not listable and not own:
        return pd.DataFrame(columns=LIST_COLUMNS), (
            "No findings are listed: fewer than "
            f"{rules.min_las} authorities or {rules.min_respondents} respondents raised "
            "findings in this selection, or listing them would let a hidden count be worked "
            "out. Widen the filters to see findings."
        )
    stmt = (
        select(
            Submission.period,
            Supplier.name,
            Authority.id,
            Authority.name,
            Authority.pseudonym,
            Authority.consent_named,
            Finding.theme_code,
            Finding.category_code,
            Finding.workflow_area_code,
            Finding.severity,
            Finding.respondents_raising,
            Finding.description,
            Finding.suggested_change,
        )
        .join(Submission, Submission.id == Finding.submission_id)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Supplier, Supplier.id == Submission.supplier_id)
        .where(Submission.status == CURRENT)
    )
    stmt = stmt.where(*filters.where(guarded=True))  # the guard has allowed the selection
    if not listable:
        stmt = stmt.where(Authority.id.in_(sorted(own)))
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    found = session.execute(stmt.limit(MAX_LISTED + 1)).all()
    records = []
    for r in found[:MAX_LISTED]:
        shown = r[3] if (r[2] in own or r[5]) else r[4]
        records.append(
            {
                "period": r[0],
                "supplier_group": r[1],
                "authority": shown,
                "theme": r[6],
                "category": r[7],
                "workflow_area": r[8],
                "severity": r[9],
                RESPONDENTS: r[10],
                "description": r[11],
                "suggested_change": r[12],
                "_rank": rank.get(r[9], 9),
            }
        )
    table = pd.DataFrame(records, columns=[*LIST_COLUMNS, "_rank"])
    table = table.sort_values(["_rank", "theme", "period"]).drop(columns="_rank")
    if places_narrowed(filters):
        table = table.drop(columns="authority")
    if listable:
        matched = f"More than {MAX_LISTED}" if len(found) > MAX_LISTED else str(len(table))
        note = f"{matched} findings match the filters."
    else:
        note = (
            "Only your own authority's findings are listed: too few other authorities raised "
            "findings in this selection to list theirs."
        )
    if len(found) > MAX_LISTED:
        note += (
            f" Only {MAX_LISTED} of them are shown, sorted most severe first (not necessarily "
            "the most severe of all); narrow the filters to see the others."
        )
    if places_narrowed(filters) and "authority" not in table:
        note += " Authorities are not named while a region or LA type filter is on."
    return table.reset_index(drop=True), note


def concentration(table: pd.DataFrame) -> pd.DataFrame:
    """Visible cells sorted by findings, most first (for summaries)."""
    if table.empty:
        return table
    shown = table.loc[~table["suppressed"].to_numpy(dtype=bool)]
    return shown.sort_values("findings", ascending=False, kind="stable")
