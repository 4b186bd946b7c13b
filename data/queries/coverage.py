"""Counts of what has been shared, by period: numbers of LAs, respondents and findings.

Counts of contributing authorities are published as-is (they identify no one)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.models import CURRENT, Finding, Submission


def coverage_by_period(session: Session) -> pd.DataFrame:
    subs = session.execute(
        select(
            Submission.period,
            func.count(func.distinct(Submission.authority_id)),
            func.count(func.distinct(Submission.supplier_id)),
            func.sum(Submission.n_respondents),
            func.sum(Submission.n_findings),
        )
        .where(Submission.status == CURRENT)
        .group_by(Submission.period)
        .order_by(Submission.period)
    ).all()
    return pd.DataFrame(
        subs, columns=["Period", "Authorities", "Supplier groups", "Respondents", "Findings"]
    )


def findings_total(session: Session) -> int:
    return (
        session.scalar(
            select(func.count(Finding.id))
            .join(Submission, Submission.id == Finding.submission_id)
            .where(Submission.status == CURRENT)
        )
        or 0
    )
