"""The supplier page: the specifications addressed to the supplier, each requirement with its
anonymised evidence and the supplier's current answer, and the supplier's releases.

Evidence is the specification export's (data.requirements.evidence: counts under the
disclosure rules, redacted example findings from requirements raised by enough LAs) with
every authority name removed, even of LAs that consented to be named: a supplier never sees
which LA said what."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from data.errors import NotFound
from data.privacy.access import Viewer, require_supplier
from data.privacy.disclosure import DisclosureRules
from data.requirements import answers, evidence, releases
from data.requirements.specifications import get_version
from data.store.models import Product, Supplier


@dataclass(frozen=True)
class SupplierItem:
    requirement_id: int
    ref: str
    statement: str
    priority: str
    status: str
    theme: str
    las: str
    respondents: str
    endorsements: str
    theme_score: str
    quotations: tuple[str, ...]
    quotation_note: str
    answer: answers.AnswerView | None
    did_it_work: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SupplierSpec:
    id: int
    title: str
    version: int
    saved: str
    data_version: int
    suppression: str
    items: list[SupplierItem]


def supplier_name(session: Session, viewer: Viewer) -> str:
    supplier = session.get(Supplier, require_supplier(viewer))
    return supplier.name if supplier else ""


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
    supplier_id = require_supplier(viewer)
    mine = {s.id for s in answers.supplier_specifications(session, supplier_id)}
    if int(spec_id) not in mine:
        raise NotFound("There is no such specification addressed to you.")
    version = get_version(session, int(spec_id))
    doc = evidence.build_document(session, rules, int(spec_id), version.number)
    rids = [int(i.ref.removeprefix("R-")) for i in doc.items]
    current = answers.current_answers(session, rids, supplier_id)
    items = []
    for rid, item in zip(rids, doc.items, strict=True):
        answer = (current.get(rid) or [None])[0]
        items.append(
            SupplierItem(
                requirement_id=rid,
                ref=item.ref,
                statement=item.statement,
                priority=item.priority,
                status=item.status,
                theme=item.theme,
                las=item.las,
                respondents=item.respondents,
                endorsements=item.endorsements,
                theme_score=item.theme_score,
                quotations=tuple(evidence.without_names(q) for q in item.quotations),
                quotation_note=item.quotation_note,
                answer=answer,
                did_it_work=list(item.did_it_work),
            )
        )
    return SupplierSpec(
        id=int(spec_id),
        title=doc.title,
        version=doc.version,
        saved=f"{doc.saved_at:%d %B %Y}",
        data_version=doc.data_version,
        suppression=doc.suppression,
        items=items,
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
