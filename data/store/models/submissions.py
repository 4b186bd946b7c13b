"""One LA's results for one period: the raw record (respondents, ratings, findings)
and the summaries kept up to date at ingest so no page reads raw ratings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.store.models.base import Base, utcnow

CURRENT = "current"
SUPERSEDED = "superseded"


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (
        # At most one current submission per LA and period, enforced by the database
        # so two simultaneous uploads cannot both become current.
        Index(
            "uq_submission_current",
            "authority_id",
            "period",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
        UniqueConstraint("authority_id", "file_hash"),
        Index("ix_submission_status_period", "status", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    period: Mapped[str] = mapped_column(String(7))
    instrument_version: Mapped[int] = mapped_column(ForeignKey("instrument_version.version"))
    survey_closed: Mapped[date | None] = mapped_column(Date, nullable=True)
    file_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(12), default=CURRENT)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    n_respondents: Mapped[int] = mapped_column(Integer, default=0)
    n_findings: Mapped[int] = mapped_column(Integer, default=0)
    n_redactions: Mapped[int] = mapped_column(Integer, default=0)

    authority = relationship("Authority")
    product = relationship("Product")
    supplier = relationship("Supplier")


class Respondent(Base):
    __tablename__ = "respondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    respondent_ref: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(30))
    service_area: Mapped[str] = mapped_column(String(80), default="")
    experience_band: Mapped[str] = mapped_column(String(10), default="")
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class Rating(Base):
    """One 1-5 answer: the raw record. Kept narrow because there are millions."""

    __tablename__ = "rating"

    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    finding_ref: Mapped[str] = mapped_column(String(64))
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"))
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    workflow_area_code: Mapped[str] = mapped_column(ForeignKey("workflow_area.code"))
    severity: Mapped[str] = mapped_column(String(10))
    respondents_raising: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    suggested_change: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship()


class ScoreSummary(Base):
    """Count, sum and sum of squares of respondent scores per submission x role x measure.

    measure_type is 'item', 'theme' or 'sus'; for items h1..h5 hold the 1-5 histogram.
    Every figure a page shows is recomputed from these (SCORING.md)."""

    __tablename__ = "score_summary"
    __table_args__ = (Index("ix_score_summary_measure", "measure_type", "measure_code"),)

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30), primary_key=True)
    measure_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    measure_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    total_sq: Mapped[float] = mapped_column(Float)
    h1: Mapped[int] = mapped_column(Integer, default=0)
    h2: Mapped[int] = mapped_column(Integer, default=0)
    h3: Mapped[int] = mapped_column(Integer, default=0)
    h4: Mapped[int] = mapped_column(Integer, default=0)
    h5: Mapped[int] = mapped_column(Integer, default=0)


class DataVersion(Base):
    """A single counter bumped on every change to stored results; URLs, caches
    and exports carry it so they can say when newer data exists."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
