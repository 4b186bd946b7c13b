"""The data version: one counter bumped whenever stored results change."""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from data.store.models import DataVersion, utcnow

_SEEN = "icsdash_data_version"  # key in Session.info


@event.listens_for(Session, "after_transaction_end")
def _forget_version(session: Session, _transaction) -> None:
    session.info.pop(_SEEN, None)


def current_data_version(session: Session) -> int:
    """The data version, read once per transaction (a page callback asks for it from every
    memo and the chart cache; one query is enough). A transaction that bumps the version
    sees its own bump; the next transaction sees everyone's."""
    seen = session.info.get(_SEEN)
    if seen is None:
        seen = session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0
        session.info[_SEEN] = seen
    return seen


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
    session.info.pop(_SEEN, None)
    return current_data_version(session)
