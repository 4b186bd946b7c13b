"""Submission ingest: read -> validate and redact -> store, one code path for the web
upload, `icsdash import` and the demo loader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from data import audit
from data.errors import IngestError
from data.ingest.catalogue import Catalogue, load_catalogue
from data.ingest.read import read_submission
from data.ingest.report import Problem, Report
from data.ingest.store import StoreResult, current_submission, find_duplicate, store_submission
from data.ingest.validate import RedactedText, ValidSubmission, validate

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass
class CheckResult:
    """What the uploader sees before confirming."""

    report: Report
    valid: ValidSubmission | None
    duplicate_of: int | None = None
    supersedes: int | None = None

    @property
    def ok(self) -> bool:
        return self.valid is not None and self.report.ok


def check_files(
    session: Session,
    files: list[tuple[str, bytes]],
    *,
    allowed_authorities: frozenset[int] | None,
    catalogue: Catalogue | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    today: date | None = None,
) -> CheckResult:
    """Read and validate uploaded files without storing anything."""
    report = Report()
    total = sum(len(content) for _, content in files)
    if total > max_bytes:
        report.add(
            "File",
            None,
            "",
            f"{total:,} bytes",
            f"the upload is larger than the {max_bytes // (1024 * 1024)} MB limit",
        )
        return CheckResult(report, None)
    raw = read_submission(files, report)
    if raw is None:
        return CheckResult(report, None)
    cat = catalogue or load_catalogue(session)
    valid = validate(raw, cat, allowed_authorities=allowed_authorities, report=report, today=today)
    if valid is None:
        return CheckResult(report, None)
    dup = find_duplicate(session, valid)
    cur = current_submission(session, valid.authority_id, valid.period)
    return CheckResult(
        report, valid, dup.id if dup else None, cur.id if cur is not None and dup is None else None
    )


def import_files(
    session: Session,
    files: list[tuple[str, bytes]],
    *,
    allowed_authorities: frozenset[int] | None,
    uploaded_by_id: int | None,
    catalogue: Catalogue | None = None,
    today: date | None = None,
) -> StoreResult:
    """Check and store in the caller's transaction; raise IngestError with the report if refused."""
    result = check_files(
        session, files, allowed_authorities=allowed_authorities, catalogue=catalogue, today=today
    )
    if not result.ok:
        raise IngestError(f"{len(result.report.problems)} problem(s) found", result.report)
    stored = store_submission(session, result.valid, uploaded_by_id=uploaded_by_id)
    if not stored.duplicate:
        audit.record(
            session,
            uploaded_by_id,
            "upload",
            f"submission {stored.submission_id}",
            f"{result.valid.authority_name} {result.valid.period}",
        )
    return stored


__all__ = [
    "CheckResult",
    "Problem",
    "RedactedText",
    "Report",
    "StoreResult",
    "check_files",
    "import_files",
    "load_catalogue",
]
