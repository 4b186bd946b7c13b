"""What validation checks a file against: the service's reference data, read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.reference import codes
from data.store.models import Authority, Item, Product, ProductUse


@dataclass(frozen=True)
class ProductRef:
    id: int
    name: str
    supplier_id: int


@dataclass(frozen=True)
class Catalogue:
    authorities: dict[str, tuple[int, str]]  # code -> (id, name)
    products: dict[str, ProductRef]  # lower-case name -> product
    product_use: dict[int, list[tuple[int, date, date | None]]]  # authority id -> uses
    items: dict[int, dict[str, int]]  # instrument version -> item code -> item id
    themes: frozenset[str]
    categories: frozenset[str]
    workflow_areas: frozenset[str]
    roles: frozenset[str]
    experience_bands: frozenset[str]

    def product_in_use(self, authority_id: int, on: date) -> int | None:
        for product_id, start, end in self.product_use.get(authority_id, []):
            if start <= on and (end is None or on <= end):
                return product_id
        return None

    def product_name(self, product_id: int) -> str:
        return next((p.name for p in self.products.values() if p.id == product_id), "?")


def load_catalogue(session: Session) -> Catalogue:
    """Read the reference data a validation needs (a few hundred rows)."""
    authorities = {a.code.upper(): (a.id, a.name) for a in session.scalars(select(Authority))}
    products = {
        p.name.strip().lower(): ProductRef(p.id, p.name, p.supplier_id)
        for p in session.scalars(select(Product))
    }
    uses: dict[int, list[tuple[int, date, date | None]]] = {}
    for use in session.scalars(select(ProductUse).order_by(ProductUse.start_date)):
        uses.setdefault(use.authority_id, []).append((use.product_id, use.start_date, use.end_date))
    items: dict[int, dict[str, int]] = {}
    for item in session.scalars(select(Item)):
        items.setdefault(item.version, {})[item.code] = item.id
    return Catalogue(
        authorities=authorities,
        products=products,
        product_use=uses,
        items=items,
        themes=frozenset(codes.code_names("themes")),
        categories=frozenset(codes.code_names("categories")),
        workflow_areas=frozenset(codes.code_names("workflow_areas")),
        roles=frozenset(codes.respondent_roles()),
        experience_bands=frozenset(codes.code_names("experience_bands")),
    )
