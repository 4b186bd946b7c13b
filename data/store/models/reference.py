"""Reference data: authorities, suppliers, products, who used what when, and code lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.store.models.base import Base


class Authority(Base):
    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(40))
    la_type: Mapped[str] = mapped_column(String(30))
    size_band: Mapped[str] = mapped_column(String(20))
    pseudonym: Mapped[str] = mapped_column(String(12), unique=True)
    consent_named: Mapped[bool] = mapped_column(Boolean, default=False)

    product_uses: Mapped[list[ProductUse]] = relationship(
        back_populates="authority", order_by="ProductUse.start_date"
    )

    def shown_as(self, *, reveal: bool) -> str:
        """Name if the viewer may see it (own LA or consent), else the pseudonym."""
        return self.name if reveal or self.consent_named else self.pseudonym


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    products: Mapped[list[Product]] = relationship(back_populates="supplier")


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    name: Mapped[str] = mapped_column(String(80), unique=True)

    supplier: Mapped[Supplier] = relationship(back_populates="products")


class ProductUse(Base):
    """Which product an LA used from which date; an assessment belongs to the
    supplier group of the product in use in its period, not today's."""

    __tablename__ = "product_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    authority: Mapped[Authority] = relationship(back_populates="product_uses")
    product: Mapped[Product] = relationship()


class StatisticalNeighbour(Base):
    """Admin-loaded neighbour table (e.g. the NFER ten statistical neighbours)."""

    __tablename__ = "statistical_neighbour"

    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    neighbour_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)


class InstrumentVersion(Base):
    __tablename__ = "instrument_version"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(String(200), default="")

    items: Mapped[list[Item]] = relationship(back_populates="instrument", order_by="Item.id")


class Theme(Base):
    __tablename__ = "theme"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")


class Category(Base):
    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")


class WorkflowArea(Base):
    __tablename__ = "workflow_area"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("version", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(ForeignKey("instrument_version.version"))
    code: Mapped[str] = mapped_column(String(10))
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"))
    polarity: Mapped[str] = mapped_column(String(10))
    statement: Mapped[str] = mapped_column(Text)

    instrument: Mapped[InstrumentVersion] = relationship(back_populates="items")
