"""Product releases (name and date) and which release each LA ran in each period.

Admins record releases of any product, a supplier user those of its own products. An LA's
own users (or an admin) say which release it ran in a period; the release must be a known
release of a product of the supplier the LA used in that period."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound
from data.privacy.access import ADMIN, LA_USER, NLAR_REP, SUPPLIER, Viewer, require
from data.store import audit
from data.store.models import Authority, Product, ProductUse, Release, ReleaseUse

PERIOD_RE = re.compile(r"^\d{4}-Q[1-4]$")


class ReleaseError(DomainError):
    """A release or release-use entry that cannot be stored as given."""


def quarter_bounds(period: str) -> tuple[date, date]:
    """First and last day of a 'YYYY-Qn' period."""
    year, quarter = int(period[:4]), int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def _product(session: Session, product_id: int) -> Product:
    product = session.get(Product, int(product_id))
    if product is None:
        raise NotFound("There is no such product.")
    return product


def may_record_release(viewer: Viewer, supplier_id: int) -> bool:
    return viewer.role == ADMIN or (viewer.role == SUPPLIER and viewer.supplier_id == supplier_id)


def record_release(
    session: Session, viewer: Viewer, product_id: int, name: str, released_on: date | str
) -> Release:
    """Add a release of a product (admins; suppliers for their own products)."""
    product = _product(session, product_id)
    require(
        may_record_release(viewer, product.supplier_id),
        "only an administrator or the product's supplier can record its releases",
    )
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 80:
        raise ReleaseError("Give the release a name (up to 80 characters).")
    try:
        when = released_on if isinstance(released_on, date) else date.fromisoformat(released_on)
    except (TypeError, ValueError) as exc:
        raise ReleaseError(f"“{released_on}” is not a date: write it as YYYY-MM-DD.") from exc
    clash = session.scalar(
        select(Release.id).where(
            Release.product_id == product.id, func.lower(Release.name) == name.lower()
        )
    )
    if clash:
        raise ReleaseError(f"{product.name} already has a release called “{name}”.")
    release = Release(
        product_id=product.id, name=name, released_on=when, created_by_id=viewer.user_id
    )
    session.add(release)
    session.flush()
    audit.record(session, viewer.user_id, "release_recorded", f"{product.name} {name}", str(when))
    return release


def releases(session: Session, *, supplier_id: int | None = None) -> list[Release]:
    """Known releases, newest first (of one supplier's products when given)."""
    stmt = select(Release).join(Product, Product.id == Release.product_id)
    if supplier_id is not None:
        stmt = stmt.where(Product.supplier_id == supplier_id)
    return list(session.scalars(stmt.order_by(Release.released_on.desc(), Release.id.desc())))


def find_release(session: Session, supplier_id: int, name: str) -> Release | None:
    """A release of one of the supplier's products, by name (case-insensitive)."""
    return session.scalar(
        select(Release)
        .join(Product, Product.id == Release.product_id)
        .where(Product.supplier_id == supplier_id, func.lower(Release.name) == name.lower())
        .order_by(Release.released_on.desc())
        .limit(1)
    )


def product_in_period(session: Session, authority_id: int, period: str) -> Product | None:
    """The product the LA used at the end of the period (product use over time)."""
    _, end = quarter_bounds(period)
    use = session.scalar(
        select(ProductUse)
        .where(
            ProductUse.authority_id == authority_id,
            ProductUse.start_date <= end,
            (ProductUse.end_date.is_(None)) | (ProductUse.end_date >= end),
        )
        .order_by(ProductUse.start_date.desc())
        .limit(1)
    )
    return use.product if use else None


def record_release_use(
    session: Session, viewer: Viewer, authority_id: int, period: str, release_name: str
) -> ReleaseUse | None:
    """Say which release the LA ran in a period (empty name clears it)."""
    require(
        viewer.role == ADMIN
        or (viewer.role in (LA_USER, NLAR_REP) and viewer.authority_id == authority_id),
        "only the authority's own users or an administrator can say which release it runs",
    )
    if session.get(Authority, authority_id) is None:
        raise NotFound("There is no such authority.")
    period = (period or "").strip().upper()
    if not PERIOD_RE.match(period):
        raise ReleaseError(f"“{period}” is not a period: write it as YYYY-Qn, e.g. 2010-Q3.")
    existing = session.scalar(
        select(ReleaseUse).where(
            ReleaseUse.authority_id == authority_id, ReleaseUse.period == period
        )
    )
    name = " ".join((release_name or "").split())
    if not name:
        if existing is not None:
            session.delete(existing)
            audit.record(session, viewer.user_id, "release_use_cleared", period, "")
        return None
    product = product_in_period(session, authority_id, period)
    if product is None:
        raise ReleaseError(f"No product is recorded for your authority in {period}.")
    release = session.scalar(
        select(Release).where(
            Release.product_id == product.id, func.lower(Release.name) == name.lower()
        )
    )
    if release is None:
        known = [r.name for r in releases_of(session, product.id)]
        hint = f" Known releases: {', '.join(known)}." if known else " None is recorded yet."
        raise ReleaseError(f"{product.name} has no release called “{name}”.{hint}")
    _, end = quarter_bounds(period)
    if release.released_on > end:
        raise ReleaseError(
            f"{product.name} {release.name} came out on {release.released_on:%d %B %Y}, "
            f"after {period} ended."
        )
    if existing is None:
        existing = ReleaseUse(authority_id=authority_id, period=period, release_id=release.id)
        session.add(existing)
    existing.release_id = release.id
    existing.recorded_by_id = viewer.user_id
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "release_use_recorded",
        period,
        json.dumps({"authority_id": authority_id, "release": release.name}),
    )
    return existing


def releases_of(session: Session, product_id: int) -> list[Release]:
    return list(
        session.scalars(
            select(Release).where(Release.product_id == product_id).order_by(Release.released_on)
        )
    )


def release_uses(session: Session, authority_id: int) -> list[tuple[str, str, str]]:
    """(period, product, release) the LA has recorded, latest period first."""
    rows = session.execute(
        select(ReleaseUse.period, Product.name, Release.name)
        .join(Release, Release.id == ReleaseUse.release_id)
        .join(Product, Product.id == Release.product_id)
        .where(ReleaseUse.authority_id == authority_id)
        .order_by(ReleaseUse.period.desc())
    )
    return [tuple(r) for r in rows]


def releases_for_authority(session: Session, authority_id: int) -> list[tuple[str, str, str]]:
    """(product, release, date) of every product the LA has used, newest first."""
    used = select(ProductUse.product_id).where(ProductUse.authority_id == authority_id)
    rows = session.execute(
        select(Product.name, Release.name, Release.released_on)
        .join(Product, Product.id == Release.product_id)
        .where(Release.product_id.in_(used))
        .order_by(Release.released_on.desc())
    )
    return [(p, r, d.isoformat()) for p, r, d in rows]


def release_table(session: Session, viewer: Viewer) -> list[tuple[str, str, str, str]]:
    """Admins: (supplier, product, release, date) of every release, newest first."""
    require(viewer.role == ADMIN, "Only an administrator can do this.")
    return [
        (r.product.supplier.name, r.product.name, r.name, r.released_on.isoformat())
        for r in releases(session)
    ]


def product_choices(session: Session, viewer: Viewer) -> list[dict[str, object]]:
    """Products the viewer may record releases of."""
    stmt = select(Product).order_by(Product.name)
    if viewer.role == SUPPLIER:
        stmt = stmt.where(Product.supplier_id == viewer.supplier_id)
    elif viewer.role != ADMIN:
        return []
    return [{"label": p.name, "value": str(p.id)} for p in session.scalars(stmt)]
