"""Candidate requirements, curated requirements, endorsements and joint specifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.store.models.base import Base, utcnow

PRIORITIES = ("must", "should", "could", "wont")
STATUSES = (
    "proposed",
    "endorsed",
    "in_specification",
    "with_supplier",
    "planned",
    "delivered",
    "declined",
)


class FindingCluster(Base):
    """Which candidate (cluster) each finding currently belongs to; kept between
    recomputations so groups stay stable as data grows."""

    __tablename__ = "finding_cluster"

    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[str] = mapped_column(String(40), index=True)


class FindingEmbedding(Base):
    """Sentence vector (float32 bytes) of one model input text, keyed by
    grouping.embeddings.text_key (SHA-256 of model id and text), so a regroup embeds only new
    text and identical texts share one row."""

    __tablename__ = "finding_embedding"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class ClusterSummary(Base):
    """What upload-time assignment needs of one stored candidate group without reading its
    findings: size, sum of scaled member vectors and of their squares, theme and workflow-area
    counts (JSON). A cache: rows whose size no longer matches are rebuilt from members."""

    __tablename__ = "cluster_summary"

    cluster_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    vector_sum: Mapped[bytes] = mapped_column(LargeBinary)
    square_sum: Mapped[float] = mapped_column(Float)
    theme_counts: Mapped[str] = mapped_column(Text)
    area_counts: Mapped[str] = mapped_column(Text)


class ClusterRelation(Base):
    """Two candidate groups a curator marked "related, not the same": they stay apart in
    every regroup and are shown as linked. cluster_a < cluster_b."""

    __tablename__ = "cluster_relation"

    cluster_a: Mapped[str] = mapped_column(String(40), primary_key=True)
    cluster_b: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CurationLink(Base):
    """A curated decision (must/cannot link two findings) that survives reclustering."""

    __tablename__ = "curation_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # 'must' or 'cannot'
    finding_a_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"))
    finding_b_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Requirement(Base):
    __tablename__ = "requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), nullable=True)
    statement: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="should")
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    delivered_release: Mapped[str] = mapped_column(String(80), default="")
    theme_code: Mapped[str | None] = mapped_column(ForeignKey("theme.code"), nullable=True)
    source_cluster_id: Mapped[str] = mapped_column(String(40), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RequirementEvidence(Base):
    """A finding that backs a requirement. origin_requirement_id remembers where
    evidence came from so a merge can be undone exactly."""

    __tablename__ = "requirement_evidence"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True
    )
    origin_requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement.id"), nullable=True
    )


class Endorsement(Base):
    """One endorsement per LA per requirement, however many of its users click."""

    __tablename__ = "endorsement"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    origin_requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement.id"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Specification(Base):
    __tablename__ = "specification"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    versions: Mapped[list[SpecificationVersion]] = relationship(
        back_populates="specification", order_by="SpecificationVersion.number"
    )


class SpecificationVersion(Base):
    __tablename__ = "specification_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    specification_id: Mapped[int] = mapped_column(
        ForeignKey("specification.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[str] = mapped_column(Text, default="")
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    specification: Mapped[Specification] = relationship(back_populates="versions")
    items: Mapped[list[SpecificationItem]] = relationship(order_by="SpecificationItem.position")


class SpecificationItem(Base):
    __tablename__ = "specification_item"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("specification_version.id", ondelete="CASCADE"), primary_key=True
    )
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ContactRequest(Base):
    """'Who improved': one LA asks to be put in touch with an anonymous improver."""

    __tablename__ = "contact_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    to_authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    theme_code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
