"""Requirements as a viewer may see them: the list, one requirement's detail and evidence."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.privacy.access import Viewer, may_curate, may_endorse
from data.privacy.disclosure import DisclosureRules
from data.queries.filters import REQUIREMENTS
from data.queries.summaries import supplier_names
from data.reference.codes import theme_names
from data.requirements.candidates import anonymised_findings
from data.requirements.curation import PRIORITY_LABELS, evidence_ids, get_requirement, ref
from data.requirements.endorsements import reaches
from data.requirements.evidence import status_text
from data.requirements.findings import finding_texts
from data.requirements.specifications import group_name
from data.store.models import Endorsement, Requirement

LIST_COLUMNS = [
    "requirement",
    "statement",
    "priority",
    "status",
    "group",
    "theme",
    "reach",
    "your_la_endorsed",
    "merged_into",
]


def group_filter(session: Session, value: object) -> int | None:
    """The supplier group a list is filtered on (data.queries.filters.REQUIREMENTS): a
    stored supplier's id, or None for every group, which an unknown or forged value means."""
    suppliers = {str(i) for i in supplier_names(session)}
    return REQUIREMENTS.parse({"group": value}, {"suppliers": suppliers}).value("group")


def requirement_list(
    session: Session,
    viewer: Viewer,
    rules: DisclosureRules,
    *,
    supplier_id: int | None = None,
    include_merged: bool = False,
) -> pd.DataFrame:
    """Requirements (newest first) with their reach text; ``supplier_id``: that group's own and
    the all-group ones."""
    stmt = select(Requirement).order_by(Requirement.id.desc())
    if supplier_id is not None:
        stmt = stmt.where(
            (Requirement.supplier_id == supplier_id) | Requirement.supplier_id.is_(None)
        )
    if not include_merged:
        stmt = stmt.where(Requirement.merged_into_id.is_(None))
    reqs = list(session.scalars(stmt))
    if not reqs:
        return pd.DataFrame(columns=LIST_COLUMNS)
    reach = reaches(session, [r.id for r in reqs])
    names, themes = supplier_names(session), theme_names()
    mine = set()
    if viewer.authority_id is not None:
        mine = set(
            session.scalars(
                select(Endorsement.requirement_id).where(
                    Endorsement.authority_id == viewer.authority_id
                )
            )
        )
    own = viewer.own_authorities
    return pd.DataFrame(
        [
            {
                "requirement": ref(r.id),
                "statement": r.statement,
                "priority": PRIORITY_LABELS.get(r.priority, r.priority),
                "status": status_text(r),
                "group": names.get(r.supplier_id, "All supplier groups"),
                "theme": themes.get(r.theme_code or "", ""),
                "reach": (
                    f"merged into {ref(r.merged_into_id)}"
                    if r.merged_into_id
                    else reach[r.id].text(rules, own)
                ),
                "your_la_endorsed": "yes" if r.id in mine else "no",
                "merged_into": ref(r.merged_into_id) if r.merged_into_id else "",
            }
            for r in reqs
        ],
        columns=LIST_COLUMNS,
    )


@dataclass(frozen=True)
class RequirementDetail:
    id: int
    ref: str
    statement: str
    priority: str
    status: str
    group: str
    supplier_id: int | None
    merged_into: str
    merged_from: list[str]
    reach: str
    evidence: pd.DataFrame
    withheld: int
    may_curate: bool
    may_endorse: bool
    endorsed_by_own: bool


def requirement_detail(
    session: Session, viewer: Viewer, rules: DisclosureRules, requirement_id: int
) -> RequirementDetail:
    """One requirement with its anonymised evidence and what the viewer may do with it."""
    req = get_requirement(session, requirement_id)
    reach = reaches(session, [req.id])[req.id]
    texts = finding_texts(session, finding_ids=evidence_ids(session, req.id))
    evidence, withheld = anonymised_findings(texts, viewer, rules, len(reach.las))
    merged_from = list(
        session.scalars(select(Requirement.id).where(Requirement.merged_into_id == req.id))
    )
    return RequirementDetail(
        id=req.id,
        ref=ref(req.id),
        statement=req.statement,
        priority=req.priority,
        status=status_text(req),
        group=group_name(session, req.supplier_id),
        supplier_id=req.supplier_id,
        merged_into=ref(req.merged_into_id) if req.merged_into_id else "",
        merged_from=[ref(m) for m in merged_from],
        reach=reach.text(rules, viewer.own_authorities),
        evidence=evidence,
        withheld=withheld,
        may_curate=may_curate(viewer, req.supplier_id),
        may_endorse=may_endorse(viewer),
        endorsed_by_own=viewer.authority_id is not None and viewer.authority_id in reach.endorsers,
    )


def curatable(
    session: Session, viewer: Viewer, *, scope_of: int | None = None
) -> list[dict[str, object]]:
    """Live requirements the viewer may curate, as dropdown options; with ``scope_of``, only
    those of the same scope as that requirement (merge targets), excluding it."""
    stmt = select(Requirement).where(Requirement.merged_into_id.is_(None)).order_by(Requirement.id)
    if scope_of is not None:
        base = get_requirement(session, scope_of)
        stmt = stmt.where(
            Requirement.id != base.id,
            Requirement.supplier_id.is_(None)
            if base.supplier_id is None
            else Requirement.supplier_id == base.supplier_id,
        )
    return [
        {"label": f"{ref(r.id)}: {r.statement[:80]}", "value": r.id}
        for r in session.scalars(stmt)
        if may_curate(viewer, r.supplier_id)
    ]
