"""Read stored summaries (never raw ratings) for current submissions, with the context
columns every analysis needs: authority, supplier group, period, region, LA type, role."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, func, select
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


def load_summaries(
    session: Session,
    periods: Sequence[str] = (),
    measure_types: Iterable[str] = ("theme", "sus"),
    *,
    where: Iterable[ColumnElement[bool]] = (),
) -> pd.DataFrame:
    """Summary rows of current submissions of ``periods`` (all when empty) matching the
    ``where`` clauses (e.g. data.queries.filters.Selection.where), one row per
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
    if periods:
        stmt = stmt.where(Submission.period.in_(tuple(periods)))
    stmt = stmt.where(*where)
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
