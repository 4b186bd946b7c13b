"""Read stored summaries (never raw ratings) for current submissions, with the context
columns every analysis needs: authority, supplier group, period, region, LA type, role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.memo import CHUNK_ROWS, read_compact
from data.store.models import CURRENT, Authority, ScoreSummary, Submission, Supplier

SUMMARY_COLUMNS = [
    "submission_id",
    "authority_id",
    "supplier_id",
    "group",
    "period",
    "region",
    "la_type",
    "size_band",
    "role",
    "measure_type",
    "measure",
    "n",
    "sum",
    "sumsq",
]


@dataclass(frozen=True)
class Filters:
    """A filter combination; empty tuple = no restriction on that dimension."""

    periods: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    la_types: tuple[str, ...] = ()
    supplier_ids: tuple[int, ...] = ()
    authority_ids: tuple[int, ...] = ()
    themes: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        parts = []
        for label, values in (
            ("periods", self.periods),
            ("roles", self.roles),
            ("regions", self.regions),
            ("LA types", self.la_types),
            ("themes", self.themes),
        ):
            if values:
                parts.append(f"{label}: {', '.join(map(str, values))}")
        return "; ".join(parts) or "no filters (all data)"


def _restrict(stmt, filters: Filters):
    if filters.periods:
        stmt = stmt.where(Submission.period.in_(filters.periods))
    if filters.regions:
        stmt = stmt.where(Authority.region.in_(filters.regions))
    if filters.la_types:
        stmt = stmt.where(Authority.la_type.in_(filters.la_types))
    if filters.supplier_ids:
        stmt = stmt.where(Submission.supplier_id.in_(filters.supplier_ids))
    if filters.authority_ids:
        stmt = stmt.where(Submission.authority_id.in_(filters.authority_ids))
    return stmt


def load_summaries(
    session: Session, filters: Filters, measure_types: Iterable[str] = ("theme", "sus")
) -> pd.DataFrame:
    """Summary rows of current submissions matching `filters`, one row per
    submission x role x measure (columns SUMMARY_COLUMNS)."""
    stmt = (
        select(
            Submission.id,
            Submission.authority_id,
            Submission.supplier_id,
            Supplier.name,
            Submission.period,
            Authority.region,
            Authority.la_type,
            Authority.size_band,
            ScoreSummary.role,
            ScoreSummary.measure_type,
            ScoreSummary.measure_code,
            ScoreSummary.n,
            ScoreSummary.total,
            ScoreSummary.total_sq,
        )
        .join(Submission, Submission.id == ScoreSummary.submission_id)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Supplier, Supplier.id == Submission.supplier_id)
        .where(Submission.status == CURRENT, ScoreSummary.measure_type.in_(tuple(measure_types)))
    )
    stmt = _restrict(stmt, filters)
    if filters.roles:
        stmt = stmt.where(ScoreSummary.role.in_(filters.roles))
    if filters.themes:
        stmt = stmt.where(
            (ScoreSummary.measure_type != "theme") | ScoreSummary.measure_code.in_(filters.themes)
        )
    frame = read_compact(session.execute(stmt.execution_options(yield_per=CHUNK_ROWS)),
                         SUMMARY_COLUMNS)  # fmt: skip
    return frame.astype({"n": "int64", "sum": "float64", "sumsq": "float64"})


@dataclass(frozen=True)
class Coverage:
    authorities: int
    supplier_groups: int
    respondents: int
    submissions: int
    latest_period: str | None
    periods: tuple[str, ...]


def coverage(session: Session) -> Coverage:
    """Headline counts over current submissions (counts of LAs, not identifying any)."""
    base = select(Submission).where(Submission.status == CURRENT).subquery()
    row = session.execute(
        select(
            func.count(func.distinct(base.c.authority_id)),
            func.count(func.distinct(base.c.supplier_id)),
            func.coalesce(func.sum(base.c.n_respondents), 0),
            func.count(),
            func.max(base.c.period),
        )
    ).one()
    return Coverage(row[0], row[1], int(row[2]), row[3], row[4], current_periods(session))


def current_periods(session: Session, authority_id: int | None = None) -> tuple[str, ...]:
    """Periods with a current submission (of one authority, when given), oldest first."""
    stmt = select(Submission.period).where(Submission.status == CURRENT)
    if authority_id is not None:
        stmt = stmt.where(Submission.authority_id == authority_id)
    return tuple(session.scalars(stmt.distinct().order_by(Submission.period)))


def supplier_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Supplier.id, Supplier.name)).all())
