"""Append to the audit log (uploads, merges, endorsements, status and user changes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from data.store.models import AuditEvent

SIGN_IN = "sign_in"  # recorded at every sign-in (dashboard/auth.py)


def record(
    session: Session, user_id: int | None, action: str, target: str = "", detail: str = ""
) -> None:
    """Add one audit event to the caller's transaction."""
    session.add(AuditEvent(user_id=user_id, action=action, target=target[:120], detail=detail))
