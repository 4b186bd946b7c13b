"""Store a valid submission, its summaries and its redacted text in one transaction.

The caller's session is committed by the caller; everything here happens inside it,
so a failure anywhere leaves the database as it was."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data.codes import instrument
from data.ingest.validate import ValidSubmission
from data.models import (
    CURRENT,
    SUPERSEDED,
    Finding,
    Respondent,
    ScoreSummary,
    Submission,
)
from data.scoring import summarise
from data.versioning import bump_data_version

BATCH = 5000


@dataclass(frozen=True)
class StoreResult:
    submission_id: int
    duplicate: bool  # the same file was already stored for this LA: nothing new stored
    superseded_id: int | None


def find_duplicate(session: Session, valid: ValidSubmission) -> Submission | None:
    return session.scalar(
        select(Submission).where(
            Submission.authority_id == valid.authority_id,
            Submission.file_hash == valid.file_hash,
        )
    )


def current_submission(session: Session, authority_id: int, period: str) -> Submission | None:
    return session.scalar(
        select(Submission).where(
            Submission.authority_id == authority_id,
            Submission.period == period,
            Submission.status == CURRENT,
        )
    )


def _insert_respondents(session: Session, submission_id: int, valid: ValidSubmission) -> list[int]:
    rows = valid.respondents.assign(submission_id=submission_id).to_dict("records")
    for row in rows:
        if pd.isna(row.get("comment")):
            row["comment"] = None
    ids = session.scalars(
        insert(Respondent).returning(Respondent.id, sort_by_parameter_order=True), rows
    ).all()
    return list(ids)


def _insert_ratings(session: Session, respondent_ids: list[int], valid: ValidSubmission) -> int:
    """Bulk-load ratings: COPY on PostgreSQL, executemany of tuples elsewhere.

    Ratings are the biggest table (millions of rows), so this skips the ORM entirely."""
    matrix = valid.ratings.to_numpy()
    item_ids = [valid.item_ids[c] for c in valid.ratings.columns]
    present = ~np.isnan(matrix)
    rows_idx, cols_idx = np.nonzero(present)
    rid = np.asarray(respondent_ids, dtype=np.int64)[rows_idx].tolist()
    iid = np.asarray(item_ids, dtype=np.int64)[cols_idx].tolist()
    val = matrix[rows_idx, cols_idx].astype(np.int64).tolist()
    rows = list(zip(rid, iid, val, strict=True))
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with (
            dbapi.cursor() as cur,
            cur.copy("COPY rating (respondent_id, item_id, value) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        cur = dbapi.cursor()
        cur.executemany("INSERT INTO rating (respondent_id, item_id, value) VALUES (?, ?, ?)", rows)
        cur.close()
    return len(rows)


def _insert_summaries(session: Session, submission_id: int, valid: ValidSubmission) -> None:
    items = instrument(valid.instrument_version)
    summary = summarise(valid.ratings, valid.respondents["role"], items)
    rows = summary.rename(columns={"measure_code": "measure_code"}).assign(
        submission_id=submission_id
    )
    session.connection().execute(ScoreSummary.__table__.insert(), rows.to_dict("records"))


def _insert_findings(session: Session, submission_id: int, valid: ValidSubmission) -> None:
    f = valid.findings
    if f.empty:
        return
    rows = [
        {
            "submission_id": submission_id,
            "finding_ref": r["finding_ref"],
            "theme_code": r["theme"],
            "category_code": r["category"],
            "workflow_area_code": r["workflow_area"],
            "severity": r["severity"],
            "respondents_raising": int(r["respondents_raising"]),
            "description": r["description"],
            "suggested_change": r["suggested_change"] or "",
        }
        for r in f.to_dict("records")
    ]
    session.connection().execute(Finding.__table__.insert(), rows)


def store_submission(
    session: Session, valid: ValidSubmission, *, uploaded_by_id: int | None
) -> StoreResult:
    """Store `valid` as the current submission for its LA and period.

    A file already stored for this LA is recognised by its hash and not stored again;
    an existing current submission for the period is marked superseded (kept)."""
    existing = find_duplicate(session, valid)
    if existing is not None:
        return StoreResult(existing.id, duplicate=True, superseded_id=None)
    old = current_submission(session, valid.authority_id, valid.period)
    if old is not None:
        session.execute(update(Submission).where(Submission.id == old.id).values(status=SUPERSEDED))
        session.flush()
    sub = Submission(
        authority_id=valid.authority_id,
        product_id=valid.product_id,
        supplier_id=valid.supplier_id,
        period=valid.period,
        instrument_version=valid.instrument_version,
        survey_closed=valid.survey_closed,
        file_hash=valid.file_hash,
        source_name=valid.source_name,
        status=CURRENT,
        uploaded_by_id=uploaded_by_id,
        n_respondents=len(valid.respondents),
        n_findings=len(valid.findings),
        n_redactions=len(valid.redactions),
    )
    session.add(sub)
    session.flush()
    respondent_ids = _insert_respondents(session, sub.id, valid)
    _insert_ratings(session, respondent_ids, valid)
    _insert_summaries(session, sub.id, valid)
    _insert_findings(session, sub.id, valid)
    bump_data_version(session)
    return StoreResult(sub.id, duplicate=False, superseded_id=old.id if old else None)
