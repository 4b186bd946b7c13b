"""Submission ingest: read -> validate and redact -> store, one code path for the web
upload, `icsdash import` and the demo loader."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.errors import IngestError
from data.ingest.catalogue import Catalogue, load_catalogue
from data.ingest.read import RawSubmission, read_submission
from data.ingest.report import Problem, ProductChange, Report
from data.ingest.store import StoreResult, current_submission, find_duplicate, store_submission
from data.ingest.validate import RedactedText, ValidSubmission, validate
from data.store import audit

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CONCURRENT = "another upload for this period was stored at the same moment; check the history"
UNCONFIRMED = (
    "{n} warning(s) must be confirmed before the file is stored: check them, then confirm "
    "(on the command line: --confirm-warnings)"
)


def oversize_report(total: int, max_bytes: int) -> Report:
    """The report for an upload over the size limit (also used before decoding uploads)."""
    report = Report()
    report.refuse_file(
        f"{total:,} bytes",
        f"the upload is larger than the {max_bytes / (1024 * 1024):g} MB limit",
    )
    return report


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


def _printable(name: str) -> str:
    """A file name fit to show and store: control characters dropped, length bounded."""
    return "".join(ch for ch in str(name) if ch.isprintable())[:200] or "upload"


def _read_checked(
    files: list[tuple[str, bytes]], max_bytes: int
) -> tuple[Report, RawSubmission | None]:
    files = [(_printable(name), content) for name, content in files]
    total = sum(len(content) for _, content in files)
    if total > max_bytes:
        return oversize_report(total, max_bytes), None
    report = Report()
    return report, read_submission(files, report)


def _validate_checked(
    raw: RawSubmission,
    cat: Catalogue,
    report: Report,
    allowed_authorities: frozenset[int] | None,
    today: date | None,
) -> ValidSubmission | None:
    try:
        return validate(
            raw, cat, allowed_authorities=allowed_authorities, report=report, today=today
        )
    except Exception:  # a validation bug must still end in a report, never a trace
        log.exception("unexpected failure validating %s", raw.source_name)
        report.add("File", None, "", "", "the file could not be checked; the problem is logged")
        return None


def check_content(
    files: list[tuple[str, bytes]],
    catalogue: Catalogue,
    *,
    allowed_authorities: frozenset[int] | None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    today: date | None = None,
) -> tuple[Report, ValidSubmission | None]:
    """The checks of `check_files` that need no database: read, validate and redact.

    Never raises for bad files; a valid submission comes back with a report that is ok."""
    report, raw = _read_checked(files, max_bytes)
    if raw is None:
        return report, None
    return report, _validate_checked(raw, catalogue, report, allowed_authorities, today)


def check_files(
    session: Session,
    files: list[tuple[str, bytes]],
    *,
    allowed_authorities: frozenset[int] | None,
    catalogue: Catalogue | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    today: date | None = None,
) -> CheckResult:
    """Read and validate uploaded files without storing anything; never raises for bad files."""
    report, raw = _read_checked(files, max_bytes)
    if raw is None:
        return CheckResult(report, None)
    cat = catalogue or load_catalogue(session)
    valid = _validate_checked(raw, cat, report, allowed_authorities, today)
    if valid is None:
        return CheckResult(report, None)
    dup = find_duplicate(session, valid)
    cur = current_submission(session, valid.authority_id, valid.period)
    return CheckResult(
        report, valid, dup.id if dup else None, cur.id if cur is not None and dup is None else None
    )


def store_checked(
    session: Session,
    report: Report,
    valid: ValidSubmission | None,
    *,
    uploaded_by_id: int | None,
    warnings_confirmed: bool = False,
) -> StoreResult:
    """Store a checked submission in the caller's transaction (with its audit event);
    raise IngestError with the report if the checks refused it, or if it has warnings the
    uploader has not confirmed."""
    if valid is None or not report.ok:
        raise IngestError(f"{len(report.problems)} problem(s) found", report)
    if report.warnings and not warnings_confirmed:
        refused = Report(problems=list(report.warnings))
        raise IngestError(UNCONFIRMED.format(n=len(report.warnings)), refused)
    try:
        stored = store_submission(session, valid, uploaded_by_id=uploaded_by_id)
    except IntegrityError as exc:
        # The partial unique index (one current submission per LA and period) or the
        # (authority, file hash) constraint caught a simultaneous upload. The caller's
        # transaction is rolled back when this propagates.
        log.info("concurrent upload refused: %s", exc.orig)
        report = Report()
        report.add("File", None, "", valid.period, CONCURRENT)
        raise IngestError(CONCURRENT, report) from exc
    if not stored.duplicate:
        audit.record(
            session,
            uploaded_by_id,
            "upload",
            f"submission {stored.submission_id}",
            f"{valid.authority_name} {valid.period}",
        )
    return stored


def import_files(
    session: Session,
    files: list[tuple[str, bytes]],
    *,
    allowed_authorities: frozenset[int] | None,
    uploaded_by_id: int | None,
    catalogue: Catalogue | None = None,
    today: date | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    warnings_confirmed: bool = False,
) -> StoreResult:
    """Check and store in the caller's transaction; raise IngestError with the report if refused
    (warnings refuse the file too unless `warnings_confirmed`)."""
    result = check_files(
        session,
        files,
        allowed_authorities=allowed_authorities,
        catalogue=catalogue,
        today=today,
        max_bytes=max_bytes,
    )
    return store_checked(
        session,
        result.report,
        result.valid,
        uploaded_by_id=uploaded_by_id,
        warnings_confirmed=warnings_confirmed,
    )


def redaction_counts(valid: ValidSubmission) -> dict[str, int]:
    """Free-text cells redacted, by kind of personal data removed (a cell counts once per kind)."""
    counts: dict[str, int] = {}
    for r in valid.redactions:
        for kind in r.kinds:
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


KIND_NAMES = {
    "email": "e-mail address",
    "phone": "phone number",
    "postcode": "postcode",
    "nhs_number": "NHS number",
    "ni_number": "National Insurance number",
    "date_of_birth": "date of birth",
    "date": "date",
    "case_reference": "case reference",
    "name": "person's name",
}


def describe_redactions(valid: ValidSubmission) -> str:
    """'none', or e.g. '3 free-text cells: e-mail address in 2, phone number in 1'."""
    counts = redaction_counts(valid)
    if not counts:
        return "none"
    kinds = ", ".join(f"{KIND_NAMES.get(k, k.replace('_', ' '))} in {n}" for k, n in counts.items())
    cells = len(valid.redactions)
    return f"{cells} free-text cell{'s' if cells != 1 else ''}: {kinds}"


def check_summary(result: CheckResult) -> list[tuple[str, str]]:
    """What the upload page shows once a file passed its checks, as (term, value) pairs:
    the command line prints the same report."""
    valid = result.valid
    if valid is None:
        return []
    if result.duplicate_of:
        replaces = f"nothing: this file is already stored as submission {result.duplicate_of}"
    elif result.supersedes:
        replaces = f"submission {result.supersedes} (kept in the history)"
    else:
        replaces = "nothing: this is the first submission for this period"
    rows = f"{len(valid.respondents):,} respondents, {len(valid.findings):,} findings"
    return [
        ("Authority", valid.authority_name),
        ("Period", valid.period),
        ("Product", valid.product_name),
        ("Rows checked", rows),
        ("Redacted", describe_redactions(valid)),
        ("Warnings", f"{len(result.report.warnings)}"),
        ("Supersedes", replaces),
    ]


__all__ = [
    "CheckResult",
    "Problem",
    "ProductChange",
    "RedactedText",
    "Report",
    "StoreResult",
    "check_content",
    "check_files",
    "check_summary",
    "describe_redactions",
    "import_files",
    "load_catalogue",
    "oversize_report",
    "store_checked",
]
