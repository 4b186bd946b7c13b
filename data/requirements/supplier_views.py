"""What a supplier sees of a specification addressed to it, for its page (data.pages.supplier)
and, as plain JSON-ready dicts with stable ids and the data version, for the API: only
specifications addressed to the supplier's group, requirements with their evidence counts under
the disclosure rules and example findings chosen for a supplier (data.requirements.evidence:
rows the drill-down rule lets a supplier see next to the group, without any authority's
name), statuses and the supplier's own answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound
from data.privacy.access import SUPPLIER, Viewer
from data.privacy.disclosure import DisclosureRules
from data.requirements import answers, evidence
from data.requirements.specifications import get_version
from data.store.models import STATUSES, Requirement, Specification, Supplier
from data.store.versioning import current_data_version

API_VERSION = "1"


class BadRequest(DomainError):
    """A request whose parameters are not acceptable (message fit to show)."""


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def envelope(session: Session, **body) -> dict:
    return {"api_version": API_VERSION, "data_version": current_data_version(session), **body}


def answer_json(view: answers.AnswerView | None) -> dict | None:
    if view is None:
        return None
    return {
        "id": view.id,
        "status": view.status,
        "summary": view.summary(),
        "text": view.text,
        "release": view.release or None,
        "expected_on": _iso(view.expected_on),
        "answered_at": _iso(view.at),
        "thread": [{"from": m.who, "text": m.text, "at": _iso(m.at)} for m in view.thread],
    }


def _spec_summary(spec, supplier: str) -> dict:
    latest = spec.versions[-1]
    return {
        "id": spec.id,
        "title": spec.title,
        "supplier": supplier,
        "latest_version": latest.number,
        "saved_at": _iso(latest.created_at),
        "requirement_count": len(latest.items),
    }


def _supplier(session: Session, supplier_id: int) -> str:
    supplier = session.get(Supplier, supplier_id)
    return supplier.name if supplier else ""


def list_specifications(session: Session, supplier_id: int) -> dict:
    name = _supplier(session, supplier_id)
    specs = answers.supplier_specifications(session, supplier_id)
    return envelope(session, specifications=[_spec_summary(s, name) for s in specs])


def _requirement_json(item: evidence.EvidenceItem, req: Requirement, answer) -> dict:
    return {
        "id": req.id,
        "ref": item.ref,
        "statement": item.statement,
        "priority": req.priority,
        "status": req.status,
        "delivered_release": req.delivered_release or None,
        "theme": item.theme,
        "evidence": {
            "las_raising": item.las,
            "respondents_affected": item.respondents,
            "las_endorsing": item.endorsements,
            "theme_score_for_group": item.theme_score,
            "example_findings": list(item.quotations),
            "example_findings_note": item.quotation_note,
        },
        "answer": answer_json(answer),
        "did_it_work": list(item.did_it_work),
    }


@dataclass(frozen=True)
class AddressedDocument:
    spec: Specification
    doc: evidence.SpecDocument  # quotations without any authority's name
    requirement_ids: list[int]
    answers: dict[int, answers.AnswerView]  # the supplier's current answer per requirement


def as_reader(supplier_id: int) -> Viewer:
    """A supplier's users as readers of its specifications: what they see depends on the role
    and the group only (no user is named), so the page and the API see the same."""
    return Viewer(user_id=0, role=SUPPLIER, supplier_id=supplier_id)


def addressed_document(
    session: Session, rules: DisclosureRules, supplier_id: int, spec_id: int
) -> AddressedDocument:
    """The latest version of a specification addressed to the supplier; another supplier's
    specification is reported as not found."""
    mine = {s.id: s for s in answers.supplier_specifications(session, supplier_id)}
    if int(spec_id) not in mine:
        raise NotFound(f"There is no specification {spec_id} addressed to you.")
    version = get_version(session, int(spec_id))
    doc = evidence.build_document(
        session, rules, int(spec_id), version.number, viewer=as_reader(supplier_id)
    )
    rids = [int(i.ref.removeprefix("R-")) for i in doc.items]
    current = answers.current_answers(session, rids, supplier_id)
    return AddressedDocument(
        mine[int(spec_id)],
        doc,
        rids,
        {rid: views[0] for rid, views in current.items()},
    )


def specification_detail(
    session: Session, rules: DisclosureRules, supplier_id: int, spec_id: int
) -> dict:
    """One specification addressed to the supplier (latest version) with its requirements."""
    found = addressed_document(session, rules, supplier_id, spec_id)
    reqs = [
        _requirement_json(item, session.get(Requirement, rid), found.answers.get(rid))
        for rid, item in zip(found.requirement_ids, found.doc.items, strict=True)
    ]
    summary = _spec_summary(found.spec, _supplier(session, supplier_id))
    return envelope(
        session,
        specification={**summary, "note": found.doc.note, "suppression": found.doc.suppression},
        requirements=reqs,
    )


def list_requirements(
    session: Session, rules: DisclosureRules, supplier_id: int, status: str | None
) -> dict:
    """Requirements addressed to the supplier, optionally with one status."""
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of: {', '.join(STATUSES)} (got “{status[:40]}”).")
    seen: dict[int, dict] = {}
    for spec in answers.supplier_specifications(session, supplier_id):
        detail = specification_detail(session, rules, supplier_id, spec.id)
        for r in detail["requirements"]:
            if status is None or r["status"] == status:
                entry = seen.setdefault(r["id"], {**r, "specifications": []})
                entry["specifications"].append(spec.id)
    return envelope(session, requirements=[seen[k] for k in sorted(seen)])
