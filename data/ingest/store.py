"""Store a valid submission, its summaries and its redacted text in one transaction.

The caller's session is committed by the caller; everything here happens inside it,
so a failure anywhere leaves the database as it was."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.ingest.validate import ValidSubmission
from data.reference.codes import instrument
from data.scores import scoring
from data.store.bulk import allocate_ids, copy_text, insert_rows, is_postgres
from data.store.models import CURRENT, SUPERSEDED, Submission
from data.store.versioning import bump_data_version


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


RESPONDENT_COLUMNS = (
    "id",
    "submission_id",
    "respondent_ref",
    "role",
    "service_area",
    "experience_band",
    "comment",
)
RATING_COLUMNS = ("respondent_id", "item_id", "value")
SUMMARY_COLUMNS = ("submission_id", *scoring.SUMMARY_COLUMNS)
FINDING_COLUMNS = (
    "submission_id",
    "finding_ref",
    "theme_code",
    "category_code",
    "workflow_area_code",
    "severity",
    "respondents_raising",
    "description",
    "suggested_change",
)


def _insert_respondents(session: Session, submission_id: int, valid: ValidSubmission) -> list[int]:
    """Insert the respondents with ids allocated up front; return the ids in file order."""
    r = valid.respondents
    ids = allocate_ids(session, "respondent", len(r))
    comments = [None if pd.isna(c) else c for c in r["comment"].tolist()]
    rows = zip(
        ids,
        [submission_id] * len(ids),
        r["respondent_ref"].tolist(),
        r["role"].tolist(),
        r["service_area"].tolist(),
        r["experience_band"].tolist(),
        comments,
        strict=True,
    )
    insert_rows(session, "respondent", RESPONDENT_COLUMNS, rows)
    return ids


def _insert_ratings(session: Session, respondent_ids: list[int], valid: ValidSubmission) -> int:
    """Bulk-load ratings: COPY on PostgreSQL, executemany of tuples elsewhere.

    Ratings are the biggest table (millions of rows), so this skips the ORM entirely."""
    matrix = valid.ratings.to_numpy()
    item_ids = [valid.item_ids[c] for c in valid.ratings.columns]
    rows_idx, cols_idx = np.nonzero(~np.isnan(matrix))
    values = matrix[rows_idx, cols_idx].astype(np.int64)
    if values.size and (values.min() < 1 or values.max() > 5):
        raise ValueError("ratings must be 1 to 5 once validated")
    if is_postgres(session):
        # COPY text lines "respondent\titem\tvalue\n" glued from two small tables of
        # pieces (numpy does the per-rating work): "respondent\t" + "item\tvalue\n".
        heads = np.array([f"{r}\t" for r in respondent_ids], dtype=object)
        tails = np.array([f"{i}\t{v}\n" for i in item_ids for v in range(6)], dtype=object)
        lines = heads[rows_idx] + tails[cols_idx * 6 + values]
        copy_text(session, "rating", RATING_COLUMNS, "".join(lines.tolist()))
    else:
        rid = np.asarray(respondent_ids, dtype=np.int64)[rows_idx].tolist()
        iid = np.asarray(item_ids, dtype=np.int64)[cols_idx].tolist()
        rows = zip(rid, iid, values.tolist(), strict=True)
        insert_rows(session, "rating", RATING_COLUMNS, rows)
    return len(values)


def _insert_summaries(session: Session, submission_id: int, valid: ValidSubmission) -> None:
    items = instrument(valid.instrument_version)
    rows = scoring.summary_rows(valid.ratings, valid.respondents["role"], items)
    insert_rows(session, "score_summary", SUMMARY_COLUMNS, ((submission_id, *r) for r in rows))


def _insert_findings(session: Session, submission_id: int, valid: ValidSubmission) -> None:
    f = valid.findings
    if f.empty:
        return
    rows = zip(
        [submission_id] * len(f),
        f["finding_ref"].tolist(),
        f["theme"].tolist(),
        f["category"].tolist(),
        f["workflow_area"].tolist(),
        f["severity"].tolist(),
        [int(n) for n in f["respondents_raising"].tolist()],
        f["description"].tolist(),
        [c or "" for c in f["suggested_change"].tolist()],
        strict=True,
    )
    insert_rows(session, "finding", FINDING_COLUMNS, rows)


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
