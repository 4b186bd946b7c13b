"""What the analysis pages' filters may hold, and the stored rows they read.

Filter values arrive from URLs and browsers, so every value is checked against these lists
(:func:`choice`) before it reaches a query: an unknown value means "all", never an error page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.analysis import fold_period
from data.codes import SEVERITIES, code_names, la_type_names, region_names, respondent_roles
from data.disclosure import DisclosureRules
from data.memo import VersionMemo
from data.models import CURRENT, Submission, Supplier
from data.summaries import Filters, load_summaries


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
    """Filter choices: periods and supplier groups with current results, code lists."""
    periods = tuple(
        session.scalars(
            select(Submission.period)
            .where(Submission.status == CURRENT)
            .distinct()
            .order_by(Submission.period)
        )
    )
    groups = tuple(
        session.scalars(
            select(Supplier.name)
            .join(Submission, Submission.supplier_id == Supplier.id)
            .where(Submission.status == CURRENT)
            .distinct()
            .order_by(Supplier.name)
        )
    )
    return FilterOptions(
        periods=periods,
        groups={g: g for g in groups},
        roles=respondent_roles(),
        regions={r: r for r in region_names()},
        la_types=la_type_names(),
        themes={c: n for c, n in code_names("themes").items() if c != "GEN"},
        categories=code_names("categories"),
        workflow_areas=code_names("workflow_areas"),
        severities={s: s.capitalize() for s in SEVERITIES},
    )


def choice(value: object, allowed: Iterable[str] | Mapping[str, str]) -> str | None:
    """``value`` if it is one of ``allowed``, else None ("all")."""
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value)
    return text if text in allowed else None


_MEMO = VersionMemo(size=24)


def period_rows(
    session: Session,
    periods: tuple[str, ...],
    rules: DisclosureRules,
    measure_types: tuple[str, ...] = ("theme", "sus"),
) -> pd.DataFrame:
    """Summary rows (never raw ratings) of ``periods``, small groups folded per period.

    Kept in a small per-process cache keyed by database, data version, periods and rules:
    one page view asks for the same period from several callbacks, and a new data version
    (any upload) makes every older entry unreachable.
    """

    def build() -> pd.DataFrame:
        rows = load_summaries(session, Filters(periods=tuple(periods)), measure_types)
        return fold_period(rows, rules)

    return _MEMO.get(session, (tuple(periods), rules, tuple(measure_types)), build)
