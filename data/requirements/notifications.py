"""Notifications: who is told what, the in-app inbox, the per-user Atom feed and the optional
e-mail copy.

What concerns whom: a new answer or reply on a requirement goes to the supplier group's NLAR
representatives and to the users of every LA that endorsed it; an NLAR representative's reply
goes to the supplier's users; a specification version saved for a group goes to that
supplier's users; a period opening or closing for upload goes to every LA user. E-mail is sent
only through an explicitly configured Mailer (off by default)."""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from xml.sax.saxutils import escape

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.errors import DomainError
from data.privacy.access import LA_USER, NLAR_REP, SUPPLIER, Viewer
from data.store.models import (
    Endorsement,
    Notification,
    NotificationSettings,
    User,
    utcnow,
)

INBOX_LIMIT = 200
FEED_LIMIT = 50


@dataclass(frozen=True)
class Mailer:
    """SMTP settings; e-mail is sent only when a Mailer is configured (MAIL_ENABLED)."""

    host: str
    port: int = 25
    sender: str = "icsdash@localhost"
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(msg)


_MAILER: dict[str, Mailer | None] = {"mailer": None}


def configure_mailer(mailer: Mailer | None) -> None:
    """Turn e-mail copies on (a Mailer) or off (None); the app factory calls this."""
    _MAILER["mailer"] = mailer


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- who is told ------------------------------------------------------------------------------


def _users(session: Session, *conditions) -> list[int]:
    return list(session.scalars(select(User.id).where(User.active.is_(True), *conditions)))


def notify(
    session: Session, user_ids: Iterable[int], kind: str, title: str, body: str = "", link: str = ""
) -> int:
    """Put one notification in each user's inbox (once per user); returns how many."""
    ids = sorted(set(user_ids))
    for uid in ids:
        session.add(
            Notification(user_id=uid, kind=kind, title=title[:200], body=body, link=link[:200])
        )
    session.flush()
    mailer = _MAILER["mailer"]
    if mailer is not None and ids:
        for settings in session.scalars(
            select(NotificationSettings).where(
                NotificationSettings.user_id.in_(ids),
                NotificationSettings.email_enabled.is_(True),
                NotificationSettings.email != "",
            )
        ):
            mailer.send(settings.email, title, f"{body}\n\n{link}".strip())
    return len(ids)


def _endorsers(session: Session, requirement_id: int) -> list[int]:
    authorities = select(Endorsement.authority_id).where(
        Endorsement.requirement_id == requirement_id
    )
    return _users(session, User.authority_id.in_(authorities), User.role.in_((LA_USER, NLAR_REP)))


def answer_recorded(
    session: Session, requirement_id: int, supplier_id: int, supplier: str, summary: str
) -> int:
    reps = _users(session, User.role == NLAR_REP, User.supplier_id == supplier_id)
    return notify(
        session,
        reps + _endorsers(session, requirement_id),
        "answer",
        f"{supplier} answered R-{requirement_id}: {summary}"[:200],
        summary,
        f"/requirements?requirement={requirement_id}",
    )


def reply_recorded(
    session: Session,
    requirement_id: int,
    supplier_id: int,
    author_id: int,
    from_supplier: bool,
    text: str,
) -> int:
    if from_supplier:
        told = _users(session, User.role == NLAR_REP, User.supplier_id == supplier_id)
        told += _endorsers(session, requirement_id)
        link = f"/requirements?requirement={requirement_id}"
    else:
        told = _users(session, User.role == SUPPLIER, User.supplier_id == supplier_id)
        link = f"/supplier?requirement={requirement_id}"
    return notify(
        session,
        [u for u in told if u != author_id],
        "reply",
        f"New message on R-{requirement_id}",
        text,
        link,
    )


def specification_saved(
    session: Session, supplier_id: int | None, spec_id: int, title: str, number: int
) -> int:
    if supplier_id is None:
        return 0
    return notify(
        session,
        _users(session, User.role == SUPPLIER, User.supplier_id == supplier_id),
        "specification",
        f"Specification “{title}” version {number} is addressed to you",
        "A user group has put a joint specification to you; answer each requirement.",
        f"/supplier?spec={spec_id}",
    )


def upload_window(session: Session, period: str, opening: bool, until: str = "") -> int:
    """Tell every LA's users that a period opens (or closes) for upload."""
    title = (
        f"Period {period} is open for upload" + (f" until {until}" if until else "")
        if opening
        else f"Period {period} has closed for upload"
    )
    return notify(
        session,
        _users(session, User.role.in_((LA_USER, NLAR_REP))),
        "upload_window",
        title,
        title + ".",
        "/upload",
    )


# --- inbox and feed ---------------------------------------------------------------------------


def inbox(session: Session, viewer: Viewer, *, unread_only: bool = False) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == viewer.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(INBOX_LIMIT)))


def unread_count(session: Session, viewer: Viewer) -> int:
    return len(inbox(session, viewer, unread_only=True))


def mark_read(session: Session, viewer: Viewer, ids: Iterable[int] | None = None) -> None:
    """Mark the viewer's notifications read (all of them when ids is None)."""
    stmt = update(Notification).where(
        Notification.user_id == viewer.user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_([int(i) for i in ids]))
    session.execute(stmt.values(read_at=utcnow()))


def _settings(session: Session, user_id: int) -> NotificationSettings:
    settings = session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id, email="", email_enabled=False)
        session.add(settings)
    return settings


def new_feed_token(session: Session, viewer: Viewer) -> str:
    """A fresh feed token for the viewer (the old one stops working); shown once."""
    token = secrets.token_urlsafe(24)
    _settings(session, viewer.user_id).feed_token_hash = token_hash(token)
    session.flush()
    return token


def feed_user(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    settings = session.scalar(
        select(NotificationSettings).where(
            NotificationSettings.feed_token_hash == token_hash(token)
        )
    )
    user = session.get(User, settings.user_id) if settings else None
    return user if user is not None and user.active else None


def set_email(session: Session, viewer: Viewer, email: str, enabled: bool) -> None:
    email = (email or "").strip()
    if enabled and (not email or "@" not in email or len(email) > 254 or " " in email):
        raise DomainError("Give a valid e-mail address to receive notifications by e-mail.")
    settings = _settings(session, viewer.user_id)
    settings.email, settings.email_enabled = email, bool(enabled)
    session.flush()


def email_settings(session: Session, viewer: Viewer) -> tuple[str, bool]:
    settings = session.get(NotificationSettings, viewer.user_id)
    return (settings.email, settings.email_enabled) if settings else ("", False)


def atom_feed(session: Session, user: User, base_url: str) -> str:
    """The user's notifications as an Atom 1.0 document."""
    items = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(FEED_LIMIT)
        )
    )
    base = base_url.rstrip("/")
    updated = (items[0].created_at if items else utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = "".join(
        "<entry>"
        f"<id>urn:icsdash:notification:{n.id}</id>"
        f"<title>{escape(n.title)}</title>"
        f"<updated>{n.created_at:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f'<link href="{escape(base + n.link, {chr(34): "&quot;"})}"/>'
        f'<category term="{escape(n.kind)}"/>'
        f'<content type="text">{escape(n.body)}</content>'
        "</entry>"
        for n in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:icsdash:feed:user:{user.id}</id>"
        f"<title>ICS collaboration dashboard: notifications for {escape(user.username)}</title>"
        f"<updated>{updated}</updated>"
        f"<author><name>ICS collaboration dashboard</name></author>"
        f"{entries}</feed>"
    )
