"""Load reference data: code lists, the instrument, suppliers and products, authorities."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import DomainError
from data.reference import codes
from data.reference.pseudonyms import new_pseudonym
from data.store.models import (
    Authority,
    Category,
    DataVersion,
    InstrumentVersion,
    Item,
    Product,
    ProductUse,
    Supplier,
    Theme,
    WorkflowArea,
)


def load_code_lists(session: Session) -> None:
    """Insert themes, categories, workflow areas, instrument items, suppliers and products
    that are missing; safe to run again."""
    for model, name in ((Theme, "themes"), (Category, "categories")):
        have = set(session.scalars(select(model.code)))
        for row in codes.read_reference(name):
            if row["code"] not in have:
                session.add(
                    model(code=row["code"], name=row["name"], description=row["description"])
                )
    have = set(session.scalars(select(WorkflowArea.code)))
    for row in codes.read_reference("workflow_areas"):
        if row["code"] not in have:
            session.add(WorkflowArea(code=row["code"], name=row["name"]))
    session.flush()
    versions = set(session.scalars(select(InstrumentVersion.version)))
    for version in codes.instrument_versions():
        if version in versions:
            continue
        session.add(InstrumentVersion(version=version, description=f"Instrument version {version}"))
        session.flush()
        for item in codes.instrument(version):
            session.add(
                Item(
                    version=version,
                    code=item.code,
                    theme_code=item.theme,
                    polarity=item.polarity,
                    statement=item.statement,
                )
            )
    for row in codes.read_reference("products"):
        ensure_product(session, row["supplier"], row["product"])
    if session.get(DataVersion, 1) is None:
        # the counter's row exists before the first uploads: two simultaneous first uploads
        # would otherwise both try to create it and one would be refused
        session.add(DataVersion(id=1, version=0))
    session.flush()


def ensure_product(session: Session, supplier_name: str, product_name: str) -> Product:
    supplier = session.scalar(select(Supplier).where(Supplier.name == supplier_name))
    if supplier is None:
        supplier = Supplier(name=supplier_name)
        session.add(supplier)
        session.flush()
    product = session.scalar(select(Product).where(Product.name == product_name))
    if product is None:
        product = Product(name=product_name, supplier_id=supplier.id)
        session.add(product)
        session.flush()
    return product


def _rows(source: Path | str) -> list[dict[str, str]]:
    text = Path(source).read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    return [
        {k.strip(): (v or "").strip() for k, v in r.items()}
        for r in csv.DictReader(io.StringIO(text))
    ]


def load_authorities(session: Session, source: Path | str, rng: random.Random | None = None) -> int:
    """Add or update authorities from CSV (code,name,region,la_type,size_band[,consent_named])."""
    taken = set(session.scalars(select(Authority.pseudonym)))
    existing = {a.code: a for a in session.scalars(select(Authority))}
    count = 0
    for row in _rows(source):
        code = row["code"].upper()
        auth = existing.get(code)
        if auth is None:
            auth = Authority(code=code, pseudonym=new_pseudonym(taken, rng))
            session.add(auth)
        auth.name, auth.region, auth.la_type = row["name"], row["region"], row["la_type"]
        auth.size_band = row.get("size_band", "") or "medium"
        auth.consent_named = row.get("consent_named", "").lower() in ("1", "true", "yes")
        count += 1
    session.flush()
    return count


def load_product_use(session: Session, source: Path | str) -> int:
    """Add product-use rows from CSV (authority_code,product,start_date,end_date)."""
    authorities = {a.code: a.id for a in session.scalars(select(Authority))}
    products = {p.name.lower(): p.id for p in session.scalars(select(Product))}
    count = 0
    for row in _rows(source):
        code, product = row["authority_code"].upper(), row["product"].lower()
        if code not in authorities or product not in products:
            raise DomainError(
                f"unknown authority or product in product use: {code}, {row['product']}"
            )
        end = row.get("end_date") or ""
        session.add(
            ProductUse(
                authority_id=authorities[code],
                product_id=products[product],
                start_date=date.fromisoformat(row["start_date"]),
                end_date=date.fromisoformat(end) if end else None,
            )
        )
        count += 1
    session.flush()
    return count
