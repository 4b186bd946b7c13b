"""The supplier page: the specifications addressed to the supplier, each requirement with its
anonymised evidence and the supplier's current answer, and the supplier's releases.

Evidence is the specification export's (data.requirements.evidence: counts under the
disclosure rules, redacted example findings from requirements raised by enough LAs) with
every authority name removed, even of LAs that consented to be named: a supplier never sees
which LA said what."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from data.privacy.access import Viewer, require_supplier
from data.privacy.disclosure import DisclosureRules
from data.requirements import answers, evidence, releases, supplier_views
from data.store.models import Product, Supplier


@dataclass(frozen=True)
class SupplierItem:
    requirement_id: int
    evidence: evidence.EvidenceItem  # quotations without any authority's name
    answer: answers.AnswerView | None


@dataclass(frozen=True)
class SupplierSpec:
    id: int
    title: str
    version: int
    saved: str
    data_version: int
    suppression: str
    items: list[SupplierItem]


def spec_options(session: Session, viewer: Viewer) -> list[dict[str, object]]:
    """The supplier's specifications as dropdown options."""
    supplier_id = require_supplier(viewer)
    return [
        {"label": s.title, "value": s.id}
        for s in answers.supplier_specifications(session, supplier_id)
    ]


def supplier_spec(
    session: Session, viewer: Viewer, rules: DisclosureRules, spec_id: int
) -> SupplierSpec:
    """One specification addressed to the supplier (latest version), ready to show."""
    found = supplier_views.addressed_document(session, rules, require_supplier(viewer), spec_id)
    doc = found.doc
    return SupplierSpec(
        id=found.spec.id,
        title=doc.title,
        version=doc.version,
        saved=f"{doc.saved_at:%d %B %Y}",
        data_version=doc.data_version,
        suppression=doc.suppression,
        items=[
            SupplierItem(rid, item, found.answers.get(rid))
            for rid, item in zip(found.requirement_ids, doc.items, strict=True)
        ],
    )


def product_options(session: Session, viewer: Viewer) -> list[dict[str, object]]:
    supplier_id = require_supplier(viewer)
    supplier = session.get(Supplier, supplier_id)
    products: list[Product] = list(supplier.products) if supplier else []
    return [{"label": p.name, "value": p.id} for p in sorted(products, key=lambda p: p.name)]


def release_rows(session: Session, viewer: Viewer) -> list[dict[str, str]]:
    supplier_id = require_supplier(viewer)
    return [
        {"product": r.product.name, "release": r.name, "released_on": r.released_on.isoformat()}
        for r in releases.releases(session, supplier_id=supplier_id)
    ]
