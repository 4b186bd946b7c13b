"""People who sign in, and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.store.models.base import Base, utcnow

ROLES = ("la_user", "nlar_rep", "coordinator", "admin", "supplier")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), nullable=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Every signed-in session carries the generation it started in; bumping it (sign-out,
    # disabling the account, a new password) ends all of the user's sessions at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    authority = relationship("Authority")
    supplier = relationship("Supplier")

    def end_sessions(self) -> None:
        """End every session of this user (checked on each request)."""
        self.session_generation = (self.session_generation or 0) + 1


@event.listens_for(User, "before_update")
def _end_sessions_on_disable_or_new_password(_mapper, _conn, user: User) -> None:
    """Disabling an account or changing its password, by any ORM path (Admin page, CLI),
    ends the user's sessions."""
    state = inspect(user)
    changed = state.attrs.password_hash.history.has_changes()
    active = state.attrs.active.history
    if changed or (active.has_changes() and not user.active):
        user.end_sessions()


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
