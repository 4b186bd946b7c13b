"""What the analysis pages' filters may hold, and the stored rows they read.

Filter values arrive from URLs and browsers, so every value is checked against these lists
(data.queries.filters.FilterSpec.parse) before it reaches a query: an unknown value means
"all", never an error page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import fold_period
from data.queries.summaries import current_periods, load_summaries
from data.reference.codes import (
    SEVERITIES,
    code_names,
    la_type_names,
    region_names,
    respondent_roles,
)
from data.store.memo import VersionMemo, categorical_text
from data.store.models import CURRENT, Submission, Supplier


@dataclass(frozen=True)
class FilterOptions:
    """Choices for each filter: value -> label, in display order."""

    periods: tuple[str, ...]
    groups: dict[str, str]
    roles: dict[str, str]
    regions: dict[str, str]
    la_types: dict[str, str]
    themes: dict[str, str]
    categories: dict[str, str]
    workflow_areas: dict[str, str]
    severities: dict[str, str]

    @property
    def measures(self) -> dict[str, str]:
        """SUS first, then every theme: the scores a chart can show."""
        return {"SUS": "System Usability Scale (SUS)", **self.themes}


def analysis_options(session: Session) -> FilterOptions:
    """Filter choices: periods and supplier groups with current results, code lists
    (memoised per data version: every analysis callback checks its inputs against them)."""
    return _OPTIONS.get(session, ("options",), lambda: _analysis_options(session))


def reference_options(
    periods: Sequence[str] = (), groups: Mapping[str, str] | None = None
) -> FilterOptions:
    """Filter choices from the reference lists alone (no database): ``periods`` and
    ``groups``, which come from the data, as given (none by default)."""
    return FilterOptions(
        periods=tuple(periods),
        groups=dict(groups or {}),
        roles=respondent_roles(),
        regions={r: r for r in region_names()},
        la_types=la_type_names(),
        themes={c: n for c, n in code_names("themes").items() if c != "GEN"},
        categories=code_names("categories"),
        workflow_areas=code_names("workflow_areas"),
        severities={s: s.capitalize() for s in SEVERITIES},
    )


def _analysis_options(session: Session) -> FilterOptions:
    periods = current_periods(session)
    groups = tuple(
        session.scalars(
            select(Supplier.name)
            .join(Submission, Submission.supplier_id == Supplier.id)
            .where(Submission.status == CURRENT)
            .distinct()
            .order_by(Supplier.name)
        )
    )
    return reference_options(periods, {g: g for g in groups})


_MEMO = VersionMemo(size=2)
_OPTIONS = VersionMemo(size=4)
DEFAULT_MEASURES = ("theme", "sus")


@dataclass(frozen=True)
class _AllPeriods:
    """Every current summary row, folded per period and sorted by period and measure, with
    where each period's rows, and each (period, measure)'s rows, start and stop (so one
    period, or one measure over many periods, is a cheap slice)."""

    rows: pd.DataFrame
    spans: dict[str, tuple[int, int]]
    measure_spans: dict[tuple[str, str], tuple[int, int]]

    def positions(self, periods: Iterable[str], measure: str | None = None) -> np.ndarray:
        """Row positions of ``periods`` (in order), only ``measure``'s if given."""
        found = (
            [self.spans[p] for p in periods if p in self.spans]
            if measure is None
            else [self.measure_spans[(p, measure)] for p in periods
                  if (p, measure) in self.measure_spans]
        )  # fmt: skip
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(a, b) for a, b in found])


def _runs(keys: list) -> dict:
    """key -> (start, stop) of each run of equal consecutive keys."""
    out, start = {}, 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[keys[start]] = (start, i)
            start = i
    return out


def _all_periods(session: Session, rules: DisclosureRules) -> _AllPeriods:
    rows = load_summaries(session, measure_types=DEFAULT_MEASURES)
    rows = fold_period(rows, rules)
    rows = rows.sort_values(["period", "measure"], kind="stable").reset_index(drop=True)
    rows = categorical_text(rows)
    periods, measures = rows["period"].tolist(), rows["measure"].tolist()
    return _AllPeriods(rows, _runs(periods), _runs(list(zip(periods, measures, strict=True))))


def summary_rows(session: Session, rules: DisclosureRules) -> _AllPeriods:
    """All current summary rows (theme and SUS measures), memoised per data version.

    One query per data version and process instead of one per period and page: the rows
    are a few hundred thousand at national scale (summaries, never raw ratings), so every
    analysis callback then only slices and aggregates in memory."""
    return _MEMO.get(session, ("all-periods", rules), lambda: _all_periods(session, rules))


def period_rows(session: Session, periods: tuple[str, ...], rules: DisclosureRules) -> pd.DataFrame:
    """Summary rows (never raw ratings, theme and SUS measures) of ``periods``, small groups
    folded per period; sliced from :func:`summary_rows`, so callers must not modify them."""
    store = summary_rows(session, rules)
    return store.rows.iloc[store.positions(periods)]


def measure_rows(
    session: Session, periods: tuple[str, ...], measure: str, rules: DisclosureRules
) -> pd.DataFrame:
    """:func:`period_rows` of one measure (SUS or a theme code), sliced, not filtered."""
    store = summary_rows(session, rules)
    return store.rows.iloc[store.positions(periods, measure)]
