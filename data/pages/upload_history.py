"""An authority's submissions over time: the history, restoring an earlier version, and
the stored (redacted) data as CSV files.

Only the authority's own users and administrators may see or change an authority's
submissions; everything here takes the Viewer and raises PermissionDenied otherwise."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound, PermissionDenied
from data.ingest.validate import FINDING_COLUMNS, RESPONSE_FIXED
from data.privacy.access import ADMIN, LA_USER, NLAR_REP, Viewer
from data.queries.csv_export import csv_bytes
from data.store import audit
from data.store.models import (
    CURRENT,
    SUPERSEDED,
    Authority,
    Finding,
    Item,
    Product,
    Rating,
    Respondent,
    Submission,
    User,
)
from data.store.versioning import bump_data_version

CONCURRENT_RESTORE = (
    "another change for this period was stored at the same moment; check the history"
)


def require_manage(viewer: Viewer, authority_id: int) -> None:
    """Own authority's la_user/nlar_rep, or an admin."""
    if viewer.role == ADMIN:
        return
    if viewer.role in (LA_USER, NLAR_REP) and viewer.authority_id == authority_id:
        return
    raise PermissionDenied("You can only see and change your own authority's submissions.")


def manageable_authorities(session: Session, viewer: Viewer) -> list[tuple[int, str]]:
    """(id, name) of the authorities whose history the viewer may open."""
    query = select(Authority.id, Authority.name).order_by(Authority.name)
    if viewer.role != ADMIN:
        if viewer.role not in (LA_USER, NLAR_REP) or viewer.authority_id is None:
            return []
        query = query.where(Authority.id == viewer.authority_id)
    return [(i, n) for i, n in session.execute(query)]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    authority_id: int
    authority_name: str
    period: str
    status: str
    uploaded_at: datetime
    uploader: str
    product: str
    n_respondents: int
    n_findings: int
    n_redactions: int
    source_name: str

    def describe(self) -> str:
        """One line for the upload report, e.g. what a new file supersedes."""
        return (
            f"{self.authority_name} {self.period}, uploaded {self.uploaded_at:%d %B %Y %H:%M} "
            f"by {self.uploader} ({_count(self.n_respondents, 'respondent')}, "
            f"{_count(self.n_findings, 'finding')}, {self.status})"
        )


def _info_query():
    return (
        select(Submission, Authority.name, Product.name, User.display_name, User.username)
        .join(Authority, Authority.id == Submission.authority_id)
        .join(Product, Product.id == Submission.product_id)
        .outerjoin(User, User.id == Submission.uploaded_by_id)
    )


def _info(row) -> SubmissionInfo:
    sub, authority, product, display, username = row
    return SubmissionInfo(
        sub.id,
        sub.authority_id,
        authority,
        sub.period,
        sub.status,
        sub.uploaded_at,
        display or username or "the service (import)",
        product,
        sub.n_respondents,
        sub.n_findings,
        sub.n_redactions,
        sub.source_name,
    )


def submission_info(session: Session, viewer: Viewer, submission_id: int) -> SubmissionInfo:
    """One submission's summary, if the viewer may see its authority's history."""
    row = session.execute(_info_query().where(Submission.id == submission_id)).first()
    if row is None:
        raise NotFound("That submission does not exist.")
    require_manage(viewer, row[0].authority_id)
    return _info(row)


def history(session: Session, viewer: Viewer, authority_id: int) -> list[SubmissionInfo]:
    """Every submission of one authority, newest period and upload first."""
    require_manage(viewer, authority_id)
    rows = session.execute(
        _info_query()
        .where(Submission.authority_id == authority_id)
        .order_by(Submission.period.desc(), Submission.uploaded_at.desc(), Submission.id.desc())
    )
    return [_info(r) for r in rows]


@dataclass(frozen=True)
class RestoreResult:
    restored_id: int
    superseded_id: int | None
    data_version: int


def restore(session: Session, viewer: Viewer, submission_id: int) -> RestoreResult:
    """Make an earlier version current again; the current one becomes superseded (kept)."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound("That submission does not exist.")
    require_manage(viewer, sub.authority_id)
    if sub.status == CURRENT:
        raise DomainError("That version is already the current one.")
    current = session.scalar(
        select(Submission.id).where(
            Submission.authority_id == sub.authority_id,
            Submission.period == sub.period,
            Submission.status == CURRENT,
        )
    )
    try:
        if current is not None:
            session.execute(
                update(Submission).where(Submission.id == current).values(status=SUPERSEDED)
            )
            session.flush()
        session.execute(update(Submission).where(Submission.id == sub.id).values(status=CURRENT))
        session.flush()
    except IntegrityError as exc:  # a simultaneous upload or restore won the race
        raise DomainError(CONCURRENT_RESTORE) from exc
    version = bump_data_version(session)
    authority = session.get(Authority, sub.authority_id)
    audit.record(
        session,
        viewer.user_id,
        "restore",
        f"submission {sub.id}",
        f"{authority.name} {sub.period}; superseded submission {current}",
    )
    return RestoreResult(sub.id, current, version)


def _responses_rows(session: Session, sub: Submission, with_refs: bool) -> list[list[object]]:
    codes = list(
        session.scalars(
            select(Item.code).where(Item.version == sub.instrument_version).order_by(Item.id)
        )
    )
    respondents = session.execute(
        select(
            Respondent.id,
            Respondent.respondent_ref,
            Respondent.role,
            Respondent.service_area,
            Respondent.experience_band,
            Respondent.comment,
        )
        .where(Respondent.submission_id == sub.id)
        .order_by(Respondent.id)
    ).all()
    ratings: dict[int, dict[str, int]] = {}
    for rid, code, value in session.execute(
        select(Rating.respondent_id, Item.code, Rating.value)
        .join(Item, Item.id == Rating.item_id)
        .join(Respondent, Respondent.id == Rating.respondent_id)
        .where(Respondent.submission_id == sub.id)
    ):
        ratings.setdefault(rid, {})[code] = value
    fixed = list(RESPONSE_FIXED) if with_refs else list(RESPONSE_FIXED[1:])
    rows: list[list[object]] = [[*fixed, *codes, "comment"]]
    for rid, ref, role, area, band, comment in respondents:
        values = [role, area, band]
        if with_refs:
            values.insert(0, ref)
        given = ratings.get(rid, {})
        rows.append([*values, *(given.get(c) for c in codes), comment])
    return rows


def export_submission(session: Session, viewer: Viewer, submission_id: int) -> tuple[str, bytes]:
    """The stored (redacted) data as about/responses/findings CSVs in a zip.

    Respondent refs are included only for the authority's own users."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound("That submission does not exist.")
    require_manage(viewer, sub.authority_id)
    with_refs = viewer.authority_id == sub.authority_id
    authority = session.get(Authority, sub.authority_id)
    product = session.get(Product, sub.product_id)
    about = [
        ["field", "value"],
        ["authority_code", authority.code],
        ["product", product.name],
        ["period", sub.period],
        ["instrument_version", sub.instrument_version],
        ["survey_closed", sub.survey_closed.isoformat() if sub.survey_closed else ""],
    ]
    findings = [list(FINDING_COLUMNS)] + [
        [
            f.finding_ref,
            f.theme_code,
            f.category_code,
            f.workflow_area_code,
            f.severity,
            f.respondents_raising,
            f.description,
            f.suggested_change,
        ]
        for f in session.scalars(
            select(Finding).where(Finding.submission_id == sub.id).order_by(Finding.id)
        )
    ]
    note = (
        f"Submission {sub.id}: {authority.name}, {sub.period}, {sub.status}, uploaded "
        f"{sub.uploaded_at:%Y-%m-%d %H:%M} UTC from '{sub.source_name}'.\r\n"
        "Free text is shown as stored: after personal data was redacted.\r\n"
        + ("" if with_refs else "Respondent refs are withheld outside the authority.\r\n")
    )
    stem = f"{authority.code}_{sub.period}_submission-{sub.id}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{stem}_about.csv", csv_bytes(about))
        zf.writestr(f"{stem}_responses.csv", csv_bytes(_responses_rows(session, sub, with_refs)))
        zf.writestr(f"{stem}_findings.csv", csv_bytes(findings))
        zf.writestr("README.txt", note)
    audit.record(session, viewer.user_id, "download_submission", f"submission {sub.id}")
    return f"{stem}.zip", buf.getvalue()
