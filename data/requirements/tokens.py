"""Bearer tokens for the read-only API: one or more per supplier account, created and revoked
by an administrator, stored as a SHA-256 hash and shown in full only once. A token acts for
its account, so it sees what that supplier user sees and nothing else."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound
from data.privacy.access import SUPPLIER, Viewer, require_admin
from data.store import audit
from data.store.models import ApiToken, User, utcnow

PREFIX = "icsd_"
MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRow:
    id: int
    username: str
    label: str
    prefix: str
    created_at: str
    last_used_at: str
    revoked: bool


def create_token(
    session: Session, viewer: Viewer, user_id: int, label: str = ""
) -> tuple[str, ApiToken]:
    """Admin: a new token for a supplier account; returns the token (shown once) and its row."""
    require_admin(viewer)
    user = session.get(User, int(user_id))
    if user is None:
        raise NotFound("That user does not exist.")
    if user.role != SUPPLIER or user.supplier_id is None:
        raise DomainError("API tokens are for supplier accounts only.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_hash(token),
        prefix=token[: len(PREFIX) + 6],
        label=" ".join((label or "").split())[:80],
        created_by_id=viewer.user_id or None,  # None: the command line
    )
    session.add(row)
    session.flush()
    audit.record(session, viewer.user_id or None, "api_token_created", user.username, row.prefix)
    return token, row


def revoke_token(session: Session, viewer: Viewer, token_id: int) -> ApiToken:
    require_admin(viewer)
    row = session.get(ApiToken, int(token_id))
    if row is None:
        raise NotFound("There is no such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, viewer.user_id, "api_token_revoked", str(row.user_id), row.prefix)
    return row


def token_viewer(session: Session, token: str) -> Viewer | None:
    """The account a live token acts for, as a Viewer (None for unknown, revoked or disabled)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.role != SUPPLIER or user.supplier_id is None:
        return None
    row.last_used_at = utcnow()
    return Viewer(user.id, user.role, user.authority_id, user.supplier_id)


def token_rows(session: Session, viewer: Viewer) -> list[TokenRow]:
    require_admin(viewer)
    rows = session.execute(
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id.desc())
    )
    return [
        TokenRow(
            t.id,
            name,
            t.label,
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            t.revoked_at is not None,
        )
        for t, name in rows
    ]


def supplier_accounts(session: Session, viewer: Viewer) -> list[dict[str, str]]:
    require_admin(viewer)
    users = session.scalars(
        select(User).where(User.role == SUPPLIER, User.active.is_(True)).order_by(User.username)
    )
    return [{"label": u.username, "value": str(u.id)} for u in users]
