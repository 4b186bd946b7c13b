"""Joint specifications: a titled set of requirements for one supplier group (or all groups),
kept as numbered versions with ordered items; and each requirement's status with the supplier.

Curating a specification needs the same right as curating its group's requirements
(data.privacy.access.may_curate); anyone signed in may read and export one (exports are
disclosure-controlled, see data.requirements.evidence)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from data.errors import NotFound, plain_text_problem
from data.privacy.access import Viewer, may_curate, require
from data.queries.filter_options import analysis_options
from data.queries.filters import EVIDENCE, Selection
from data.requirements import notifications
from data.requirements.curation import CurationError, get_requirement, ref
from data.store import audit
from data.store.models import (
    STATUSES,
    Requirement,
    Specification,
    SpecificationItem,
    SpecificationVersion,
    Supplier,
)
from data.store.versioning import current_data_version

STATUS_LABELS = {
    "proposed": "Proposed",
    "endorsed": "Endorsed",
    "in_specification": "In a specification",
    "with_supplier": "With the supplier",
    "planned": "Planned by the supplier",
    "delivered": "Delivered",
    "declined": "Declined",
}
ALL_GROUPS = "All supplier groups"


def evidence_filters(session: Session, supplier_id: int | None, period: object) -> Selection:
    """What a version's evidence is built with: the specification's group (None: all
    groups), and theme scores from ``period`` if it is a period with results (a control
    value, parsed as every filter is; anything else: the latest period with data)."""
    chosen = EVIDENCE.parse({"period": period}, analysis_options(session)).period
    name = group_name(session, supplier_id)
    return EVIDENCE.select(supplier_id=supplier_id, group=name, period=chosen)


def describe_evidence(filters: Selection) -> str:
    """The evidence filters in words, for exports."""
    period = filters.period or "latest period with data"
    return (
        f"Supplier group: {filters.get('group')}. Findings: current submissions only. "
        f"Theme scores: {period}, all respondent roles, "
        f"{'the group' if filters.get('supplier_id') is not None else 'all groups (England)'}."
    )


def group_name(session: Session, supplier_id: int | None) -> str:
    if supplier_id is None:
        return ALL_GROUPS
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("There is no such supplier group.")
    return supplier.name


def get_specification(session: Session, spec_id: int) -> Specification:
    spec = session.get(Specification, int(spec_id))
    if spec is None:
        raise NotFound("There is no such specification.")
    return spec


def list_specifications(session: Session) -> list[Specification]:
    return list(session.scalars(select(Specification).order_by(Specification.id)))


def create_specification(
    session: Session, viewer: Viewer, title: str, supplier_id: int | None
) -> Specification:
    """Start a specification for a group (None: all groups, coordinators only)."""
    require(
        may_curate(viewer, supplier_id),
        "only the group's NLAR representative or a coordinator can create its specification",
    )
    title = " ".join(title.split()) if isinstance(title, str) else ""
    if not 3 <= len(title) <= 200:
        raise CurationError("Give the specification a title (3 to 200 characters).")
    if problem := plain_text_problem(title, "title"):
        raise CurationError(problem)
    group_name(session, supplier_id)
    spec = Specification(title=title, supplier_id=supplier_id, created_by_id=viewer.user_id)
    session.add(spec)
    session.flush()
    audit.record(session, viewer.user_id, "specification_created", f"S-{spec.id}", title)
    return spec


def eligible_requirements(session: Session, supplier_id: int | None) -> list[Requirement]:
    """Live requirements a specification for this group may contain: the group's own and the
    all-group ones (an all-group specification takes all-group requirements only)."""
    scope = Requirement.supplier_id.is_(None)
    if supplier_id is not None:
        scope = or_(scope, Requirement.supplier_id == supplier_id)
    return list(
        session.scalars(
            select(Requirement)
            .where(Requirement.merged_into_id.is_(None), scope)
            .order_by(Requirement.id)
        )
    )


def new_version(
    session: Session,
    viewer: Viewer,
    spec_id: int,
    requirement_ids: Sequence[int],
    *,
    note: str = "",
    period: str | None = None,
) -> SpecificationVersion:
    """Save the next version with these requirements in this order; requirements still
    proposed or endorsed move to in_specification."""
    spec = get_specification(session, spec_id)
    require(
        may_curate(viewer, spec.supplier_id),
        "only the group's NLAR representative or a coordinator can change its specification",
    )
    if not isinstance(note, str) or len(note) > 2000:
        raise CurationError("Keep the note to 2,000 characters of text.")
    if problem := plain_text_problem(note.strip(), "note", multiline=True):
        raise CurationError(problem)
    ordered = list(dict.fromkeys(int(r) for r in requirement_ids))
    if not ordered:
        raise CurationError("Pick at least one requirement for the specification.")
    allowed = {r.id: r for r in eligible_requirements(session, spec.supplier_id)}
    wrong = [ref(r) for r in ordered if r not in allowed]
    if wrong:
        raise CurationError(
            f"{', '.join(wrong)} cannot go in this specification (merged, or for another group)."
        )
    number = (
        session.scalar(
            select(func.max(SpecificationVersion.number)).where(
                SpecificationVersion.specification_id == spec.id
            )
        )
        or 0
    ) + 1
    filters = evidence_filters(session, spec.supplier_id, period)
    version = SpecificationVersion(
        specification_id=spec.id,
        number=number,
        note=note.strip(),
        filters=filters.to_json(),
        data_version=current_data_version(session),
        created_by_id=viewer.user_id,
    )
    session.add(version)
    session.flush()
    session.add_all(
        SpecificationItem(version_id=version.id, requirement_id=rid, position=pos)
        for pos, rid in enumerate(ordered, start=1)
    )
    for rid in ordered:
        if allowed[rid].status in ("proposed", "endorsed"):
            allowed[rid].status = "in_specification"
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "specification_version_saved",
        f"S-{spec.id} v{number}",
        json.dumps({"requirements": ordered}),
    )
    notifications.specification_saved(session, spec.supplier_id, spec.id, spec.title, number)
    return version


def get_version(session: Session, spec_id: int, number: int | None = None) -> SpecificationVersion:
    """A version of a specification (the latest when number is None)."""
    stmt = select(SpecificationVersion).where(SpecificationVersion.specification_id == int(spec_id))
    stmt = (
        stmt.where(SpecificationVersion.number == int(number))
        if number is not None
        else stmt.order_by(SpecificationVersion.number.desc()).limit(1)
    )
    version = session.scalar(stmt)
    if version is None:
        raise NotFound("This specification has no such version yet.")
    return version


def version_requirement_ids(session: Session, version_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SpecificationItem.requirement_id)
            .where(SpecificationItem.version_id == version_id)
            .order_by(SpecificationItem.position)
        )
    )


def set_status(
    session: Session, viewer: Viewer, requirement_id: int, status: str, release: str = ""
) -> Requirement:
    """Record a requirement's status with the supplier; 'delivered' needs the release."""
    req = get_requirement(session, requirement_id)
    require(
        may_curate(viewer, req.supplier_id),
        "only the group's NLAR representative or a coordinator can record its status",
    )
    if status not in STATUSES:
        raise CurationError(f"Status must be one of: {', '.join(STATUSES)}.")
    release = " ".join((release or "").split())[:80]
    if status == "delivered" and not release:
        raise CurationError("Say in which supplier release it was delivered.")
    before = (req.status, req.delivered_release)
    req.status = status
    req.delivered_release = release if status == "delivered" else ""
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "requirement_status_changed",
        ref(req.id),
        json.dumps({"before": before, "after": [status, req.delivered_release]}),
    )
    return req
