"""The data version: one counter bumped whenever stored results change."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.models import DataVersion, utcnow


def current_data_version(session: Session) -> int:
    return session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


def bump_data_version(session: Session) -> int:
    """Increase the version inside the caller's transaction (row-locks on PostgreSQL)."""
    result = session.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=utcnow())
    )
    if result.rowcount == 0:
        session.add(DataVersion(id=1, version=1))
        session.flush()
    return current_data_version(session)
