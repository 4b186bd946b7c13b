"""Current findings with the context every requirements view needs (LA, supplier group,
period, stored candidate id), as DataFrames. Only current submissions count."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.store.models import CURRENT, Authority, Finding, FindingCluster, Submission, Supplier

# Without free text: enough for counts and ranking at national scale.
STAT_COLUMNS = [
    "finding_id",
    "cluster_id",
    "authority_id",
    "supplier_id",
    "period",
    "theme",
    "workflow_area",
    "severity",
    "respondents_raising",
]
TEXT_COLUMNS = [
    "finding_id",
    "cluster_id",
    "authority_id",
    "supplier_id",
    "group",
    "period",
    "pseudonym",
    "authority_name",
    "consent_named",
    "theme",
    "workflow_area",
    "category",
    "severity",
    "respondents_raising",
    "description",
    "suggested_change",
]


def _current(stmt):
    return (
        stmt.select_from(Finding)
        .join(Submission, Submission.id == Finding.submission_id)
        .outerjoin(FindingCluster, FindingCluster.finding_id == Finding.id)
        .where(Submission.status == CURRENT)
    )


def _restrict(stmt, finding_ids, cluster_ids):
    if finding_ids is not None:
        stmt = stmt.where(Finding.id.in_(sorted({int(i) for i in finding_ids})))
    if cluster_ids is not None:
        stmt = stmt.where(FindingCluster.cluster_id.in_(sorted(set(cluster_ids))))
    return stmt


def finding_stats(
    session: Session,
    *,
    finding_ids: Collection[int] | None = None,
    cluster_ids: Collection[str] | None = None,
) -> pd.DataFrame:
    """Numeric and code columns (STAT_COLUMNS) of current findings, no free text."""
    stmt = _current(
        select(
            Finding.id,
            FindingCluster.cluster_id,
            Submission.authority_id,
            Submission.supplier_id,
            Submission.period,
            Finding.theme_code,
            Finding.workflow_area_code,
            Finding.severity,
            Finding.respondents_raising,
        )
    )
    rows = session.execute(_restrict(stmt, finding_ids, cluster_ids)).all()
    return _typed(pd.DataFrame(rows, columns=STAT_COLUMNS))


def finding_texts(
    session: Session,
    *,
    finding_ids: Collection[int] | None = None,
    cluster_ids: Collection[str] | None = None,
) -> pd.DataFrame:
    """Every column (TEXT_COLUMNS) of current findings, including their redacted text."""
    stmt = _current(
        select(
            Finding.id,
            FindingCluster.cluster_id,
            Submission.authority_id,
            Submission.supplier_id,
            Supplier.name,
            Submission.period,
            Authority.pseudonym,
            Authority.name,
            Authority.consent_named,
            Finding.theme_code,
            Finding.workflow_area_code,
            Finding.category_code,
            Finding.severity,
            Finding.respondents_raising,
            Finding.description,
            Finding.suggested_change,
        )
    )
    stmt = stmt.join(Authority, Authority.id == Submission.authority_id).join(
        Supplier, Supplier.id == Submission.supplier_id
    )
    rows = session.execute(_restrict(stmt, finding_ids, cluster_ids).order_by(Finding.id)).all()
    return _typed(pd.DataFrame(rows, columns=TEXT_COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {
            "finding_id": "int64",
            "authority_id": "int64",
            "supplier_id": "int64",
            "respondents_raising": "int64",
        }
    )
