"""Checked uploads waiting for the uploader's confirmation (data.ingest.pending).

In the database, not on one host's disk, so every app host behind a load balancer sees
them; one row per uploaded file, all rows of an upload written in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from data.store.models.base import Base, utcnow


class PendingUpload(Base):
    __tablename__ = "pending_upload"
    __table_args__ = (Index("ix_pending_upload_created_at", "created_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
