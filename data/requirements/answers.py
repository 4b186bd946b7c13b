"""A supplier's answers to the requirements of the specifications addressed to it, and the
short thread under an answer (a supplier's question, the NLAR representative's reply).

Who: a supplier user answers for its own supplier, only requirements in the latest version of
a specification for its own supplier group; the group's NLAR representative (or a coordinator)
replies to a thread, and the supplier may follow up. Every answer and reply is audited and
notifies the people it concerns (data.requirements.notifications). Answers move the
requirement's status: planned, delivered and declined set it; acknowledged and needs
clarification mean it is with the supplier."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.privacy.access import (
    ADMIN,
    COORDINATOR,
    LA_USER,
    NLAR_REP,
    SUPPLIER,
    Viewer,
    may_curate,
    require,
    require_supplier,
)
from data.requirements import notifications
from data.requirements.curation import CurationError, get_requirement, ref
from data.requirements.releases import find_release
from data.store import audit
from data.store.models import (
    ANSWER_STATUSES,
    AnswerReply,
    Product,
    ProductUse,
    Specification,
    SpecificationItem,
    SpecificationVersion,
    Supplier,
    SupplierAnswer,
)

ANSWER_LABELS = {
    "acknowledged": "Acknowledged",
    "clarification": "Needs clarification",
    "planned": "Planned",
    "delivered": "Delivered",
    "declined": "Declined",
}
REQUIREMENT_STATUS = {
    "acknowledged": "with_supplier",
    "clarification": "with_supplier",
    "planned": "planned",
    "delivered": "delivered",
    "declined": "declined",
}
MAX_TEXT = 2000
MAX_THREAD = 20


@dataclass(frozen=True)
class Message:
    who: str
    text: str
    at: datetime


@dataclass(frozen=True)
class AnswerView:
    id: int
    requirement_id: int
    supplier_id: int
    supplier: str
    status: str
    label: str
    text: str
    release: str
    expected_on: date | None
    at: datetime
    thread: list[Message] = field(default_factory=list)

    def summary(self) -> str:
        """One line saying what the supplier answered."""
        if self.status == "planned":
            when = f", expected {self.expected_on:%d %B %Y}" if self.expected_on else ""
            return f"Planned for release {self.release}{when}"
        if self.status == "delivered":
            return f"Delivered in release {self.release}"
        if self.status == "declined":
            return f"Declined: {self.text}"
        if self.status == "clarification":
            return f"Needs clarification: {self.text}"
        return "Acknowledged" + (f": {self.text}" if self.text else "")


# --- what a supplier may see ---------------------------------------------------------------


def supplier_specifications(session: Session, supplier_id: int) -> list[Specification]:
    """Specifications addressed to this supplier's group that have a saved version."""
    has_version = select(SpecificationVersion.specification_id).distinct()
    return list(
        session.scalars(
            select(Specification)
            .where(Specification.supplier_id == supplier_id, Specification.id.in_(has_version))
            .order_by(Specification.id)
        )
    )


def latest_version_ids(session: Session, supplier_id: int) -> list[int]:
    latest = (
        select(func.max(SpecificationVersion.id))
        .join(Specification, Specification.id == SpecificationVersion.specification_id)
        .where(Specification.supplier_id == supplier_id)
        .group_by(SpecificationVersion.specification_id)
    )
    return list(session.scalars(latest))


def addressed_requirement_ids(session: Session, supplier_id: int) -> set[int]:
    """Requirements in the latest version of a specification for this supplier's group."""
    versions = latest_version_ids(session, supplier_id)
    if not versions:
        return set()
    return set(
        session.scalars(
            select(SpecificationItem.requirement_id).where(
                SpecificationItem.version_id.in_(versions)
            )
        )
    )


def require_addressed(session: Session, viewer: Viewer, requirement_id: int) -> int:
    """The viewer's supplier, once it is checked that the requirement is addressed to it;
    another supplier's requirement is reported as not found (its existence is not told)."""
    supplier_id = require_supplier(viewer)
    if int(requirement_id) not in addressed_requirement_ids(session, supplier_id):
        raise NotFound(f"There is no requirement {ref(int(requirement_id))} addressed to you.")
    return supplier_id


def authority_supplier_ids(session: Session, authority_id: int) -> set[int]:
    """Every supplier group an authority has been in (from its product use)."""
    return set(
        session.scalars(
            select(Product.supplier_id)
            .join(ProductUse, ProductUse.product_id == Product.id)
            .where(ProductUse.authority_id == authority_id)
        )
    )


def may_see_answers(session: Session, viewer: Viewer, supplier_id: int) -> bool:
    """A supplier's answers are seen by the supplier itself, its group's NLAR representatives
    and LAs, coordinators and admins."""
    if viewer.role in (COORDINATOR, ADMIN):
        return True
    if viewer.role in (SUPPLIER, NLAR_REP) and viewer.supplier_id == supplier_id:
        return True
    if viewer.role in (LA_USER, NLAR_REP) and viewer.authority_id is not None:
        return supplier_id in authority_supplier_ids(session, viewer.authority_id)
    return False


# --- answering -------------------------------------------------------------------------------


def _clean(text: str | None, limit: int = MAX_TEXT) -> str:
    text = " ".join((text or "").split())
    if not text.isprintable():  # NUL and other control characters (PostgreSQL refuses NUL)
        raise CurationError("The answer contains control characters; type it as plain text.")
    if len(text) > limit:
        raise CurationError(f"Keep it to {limit} characters (this is {len(text)}).")
    return text


def record_answer(
    session: Session,
    viewer: Viewer,
    requirement_id: int,
    status: str,
    *,
    text: str = "",
    release: str = "",
    expected_on: date | str | None = None,
) -> SupplierAnswer:
    """Record the supplier's answer to one requirement (raises CurationError on bad input)."""
    supplier_id = require_addressed(session, viewer, requirement_id)
    if status not in ANSWER_STATUSES:
        raise CurationError(
            f"The answer must be one of: {', '.join(ANSWER_LABELS[s] for s in ANSWER_STATUSES)}."
        )
    text, release = _clean(text), _clean(release, 80)
    expected = _date(expected_on) if expected_on not in (None, "") else None
    release_id = None
    if status == "clarification" and not text:
        raise CurationError("Write the question you need answered.")
    if status == "declined" and not text:
        raise CurationError("Give the reason for declining.")
    if status == "planned":
        if not release:
            raise CurationError("Name the release it is planned for.")
        if expected is None:
            raise CurationError("Give the date the release is expected (YYYY-MM-DD).")
    if status == "delivered":
        if not release:
            raise CurationError("Name the release that delivered it.")
        found = find_release(session, supplier_id, release)
        if found is None:
            raise CurationError(
                f"There is no release called “{release}” of your products yet: record the "
                "release first (name and date), then answer."
            )
        release_id, release = found.id, found.name
    answer = SupplierAnswer(
        requirement_id=int(requirement_id),
        supplier_id=supplier_id,
        user_id=viewer.user_id,
        status=status,
        text=text if status in ("acknowledged", "clarification", "declined") else "",
        release_name=release if status in ("planned", "delivered") else "",
        release_id=release_id,
        expected_on=expected if status == "planned" else None,
    )
    session.add(answer)
    req = get_requirement(session, requirement_id)
    req.status = REQUIREMENT_STATUS[status]
    req.delivered_release = answer.release_name if status == "delivered" else ""
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "supplier_answer",
        ref(req.id),
        json.dumps(
            {
                "status": status,
                "text": answer.text,
                "release": answer.release_name,
                "expected_on": str(answer.expected_on or ""),
            }  # fmt: skip
        ),
    )
    view = _view(session, answer)
    notifications.answer_recorded(session, req.id, supplier_id, view.supplier, view.summary())
    return answer


def _date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise CurationError(f"“{value}” is not a date: write it as YYYY-MM-DD.") from exc


def reply(session: Session, viewer: Viewer, answer_id: int, text: str) -> AnswerReply:
    """Add a message to an answer's thread: the group's NLAR representative or a coordinator
    replies; the supplier that answered may follow up."""
    answer = session.get(SupplierAnswer, int(answer_id))
    if answer is None:
        raise NotFound("There is no such answer.")
    supplier_side = viewer.role == SUPPLIER and viewer.supplier_id == answer.supplier_id
    require(
        supplier_side or may_curate(viewer, answer.supplier_id),
        "only the group's NLAR representative, a coordinator or the supplier can reply here",
    )
    text = _clean(text)
    if not text:
        raise CurationError("Write a reply first.")
    count = session.scalar(
        select(func.count()).select_from(AnswerReply).where(AnswerReply.answer_id == answer.id)
    )
    if count >= MAX_THREAD:
        raise CurationError(f"This thread has its {MAX_THREAD} messages; start a new answer.")
    message = AnswerReply(answer_id=answer.id, user_id=viewer.user_id, role=viewer.role, text=text)
    session.add(message)
    session.flush()
    audit.record(session, viewer.user_id, "answer_reply", ref(answer.requirement_id), text[:500])
    notifications.reply_recorded(
        session, answer.requirement_id, answer.supplier_id, viewer.user_id, supplier_side, text
    )
    return message


# --- reading ---------------------------------------------------------------------------------


def _who(role: str, supplier: str) -> str:
    return supplier if role == SUPPLIER else {
        NLAR_REP: "NLAR representative", COORDINATOR: "National coordinator"
    }.get(role, role)  # fmt: skip


def _view(session: Session, answer: SupplierAnswer) -> AnswerView:
    supplier = session.get(Supplier, answer.supplier_id)
    name = supplier.name if supplier else ""
    thread = [
        Message(_who(m.role, name), m.text, m.created_at)
        for m in session.scalars(
            select(AnswerReply).where(AnswerReply.answer_id == answer.id).order_by(AnswerReply.id)
        )
    ]
    return AnswerView(
        id=answer.id,
        requirement_id=answer.requirement_id,
        supplier_id=answer.supplier_id,
        supplier=name,
        status=answer.status,
        label=ANSWER_LABELS[answer.status],
        text=answer.text,
        release=answer.release_name,
        expected_on=answer.expected_on,
        at=answer.created_at,
        thread=thread,
    )


def current_answers(
    session: Session, requirement_ids: list[int] | set[int], supplier_id: int | None = None
) -> dict[int, list[AnswerView]]:
    """Each requirement's current answer per supplier (newest first), with its thread."""
    if not requirement_ids:
        return {}
    stmt = select(SupplierAnswer).where(SupplierAnswer.requirement_id.in_(list(requirement_ids)))
    if supplier_id is not None:
        stmt = stmt.where(SupplierAnswer.supplier_id == supplier_id)
    newest: dict[tuple[int, int], SupplierAnswer] = {}
    for a in session.scalars(stmt.order_by(SupplierAnswer.id)):
        newest[(a.requirement_id, a.supplier_id)] = a
    out: dict[int, list[AnswerView]] = {}
    for (rid, _sid), a in sorted(newest.items(), key=lambda kv: -kv[1].id):
        out.setdefault(rid, []).append(_view(session, a))
    return out


def answers_for_viewer(
    session: Session, viewer: Viewer, requirement_ids: list[int] | set[int]
) -> dict[int, list[AnswerView]]:
    """current_answers, keeping only the suppliers whose answers the viewer may see."""
    shown = {}
    for rid, views in current_answers(session, requirement_ids).items():
        kept = [v for v in views if may_see_answers(session, viewer, v.supplier_id)]
        if kept:
            shown[rid] = kept
    return shown


def answer_history(session: Session, requirement_id: int, supplier_id: int) -> list[AnswerView]:
    """Every answer the supplier gave this requirement, oldest first."""
    return [
        _view(session, a)
        for a in session.scalars(
            select(SupplierAnswer)
            .where(
                SupplierAnswer.requirement_id == int(requirement_id),
                SupplierAnswer.supplier_id == supplier_id,
            )
            .order_by(SupplierAnswer.id)
        )
    ]
