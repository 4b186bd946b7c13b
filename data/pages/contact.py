"""'Put us in touch': one LA asks to meet an anonymous LA that improved on a theme.

A request is stored (ContactRequest) and shown to the other LA, which accepts or declines.
Until it accepts, each side sees the other only by pseudonym (or by name where that LA
consented to be named); accepting reveals the two LAs' names to each other. Every check is
made here, on the server: a request may only go to an LA that the requester's own
"who improved" list shows, and only the receiving LA may decide on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound
from data.pages.my_authority import require_authority, who_improved
from data.privacy.access import Viewer, require
from data.privacy.disclosure import DisclosureRules
from data.store import audit
from data.store.models import Authority, ContactRequest, utcnow

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
MAX_MESSAGE = 500


@dataclass(frozen=True)
class ContactView:
    """One request as the viewer may see it."""

    id: int
    direction: str  # "incoming" or "outgoing"
    other: str  # name once accepted (or consented), else pseudonym
    theme: str
    status: str
    message: str
    created_at: datetime

    @property
    def can_decide(self) -> bool:
        return self.direction == "incoming" and self.status == PENDING


def request_contact(
    session: Session,
    viewer: Viewer,
    target: str,
    theme: str,
    period: str,
    rules: DisclosureRules,
    message: str = "",
) -> ContactRequest:
    """Store a request from the viewer's LA to the improver shown as ``target`` on ``theme``.

    Raises PermissionDenied unless the viewer's own "who improved" list for ``period`` shows
    that LA and theme; DomainError if an open or accepted request already exists."""
    me = require_authority(viewer)
    eligible = {
        (i.shown_as, i.theme): i.authority_id for i in who_improved(session, viewer, period, rules)
    }
    to_id = eligible.get((target, theme))
    require(to_id is not None, "You can only ask to meet an authority listed as having improved.")
    existing = session.scalar(
        select(ContactRequest).where(
            ContactRequest.from_authority_id == me,
            ContactRequest.to_authority_id == to_id,
            ContactRequest.theme_code == theme,
            ContactRequest.status.in_((PENDING, ACCEPTED)),
        )
    )
    if existing is not None:
        raise DomainError("You have already asked to be put in touch about this theme.")
    req = ContactRequest(
        from_authority_id=me,
        to_authority_id=to_id,
        theme_code=theme,
        status=PENDING,
        message=message.strip()[:MAX_MESSAGE],
    )
    session.add(req)
    session.flush()
    audit.record(session, viewer.user_id, "contact_request", f"contact:{req.id}", theme)
    return req


def decide(session: Session, viewer: Viewer, request_id: int, accept: bool) -> ContactRequest:
    """Accept or decline a pending request addressed to the viewer's LA.

    Raises NotFound when there is no such request for this LA (so ids of other LAs' requests
    reveal nothing), DomainError when it was already decided."""
    me = require_authority(viewer)
    req = session.get(ContactRequest, request_id)
    if req is None or req.to_authority_id != me:
        raise NotFound("There is no such request for your authority.")
    if req.status != PENDING:
        raise DomainError("This request has already been answered.")
    req.status = ACCEPTED if accept else DECLINED
    req.decided_at = utcnow()
    audit.record(session, viewer.user_id, f"contact_{req.status}", f"contact:{req.id}")
    return req


def requests_for(session: Session, viewer: Viewer) -> list[ContactView]:
    """Requests to and from the viewer's LA, newest first, names revealed only on accept."""
    me = require_authority(viewer)
    found = session.scalars(
        select(ContactRequest)
        .where(or_(ContactRequest.from_authority_id == me, ContactRequest.to_authority_id == me))
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
    ).all()
    ids = {r.from_authority_id for r in found} | {r.to_authority_id for r in found}
    authorities = {a.id: a for a in session.scalars(select(Authority).where(Authority.id.in_(ids)))}
    out = []
    for r in found:
        incoming = r.to_authority_id == me
        other = authorities[r.from_authority_id if incoming else r.to_authority_id]
        out.append(
            ContactView(
                r.id,
                "incoming" if incoming else "outgoing",
                other.shown_as(reveal=r.status == ACCEPTED),
                r.theme_code,
                r.status,
                r.message if incoming else "",
                r.created_at,
            )
        )
    return out
