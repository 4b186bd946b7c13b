"""What administrators manage: users, authorities, suppliers and products, product use over
time, statistical neighbours, and reading the audit log.

Every public function takes the Viewer and refuses anyone but an admin (require_admin),
so the rule holds however the function is reached. Passwords arrive already hashed: the
caller owns the hashing scheme, data/ never sees a password."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import DomainError, NotFound, plain_text_problem
from data.privacy.access import Viewer, require_admin
from data.queries.filters import AUDIT, PRODUCT_USE
from data.reference import codes
from data.reference.pseudonyms import new_pseudonym
from data.store import audit
from data.store.models import ROLES, AuditEvent, Authority, Product, ProductUse, Supplier, User
from data.store.versioning import bump_data_version

MIN_PASSWORD = 8
SIZE_BANDS = ("small", "medium", "large")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,80}$")
GSS_RE = re.compile(r"^[ENSW][0-9]{8}$")
AUDIT_LIMIT = 1000


MAX_PASSWORD = 200


def _plain(name: str, what: str, limit: int = 120) -> str:
    if len(name) > limit:
        raise DomainError(f"The {what} can have at most {limit} characters.")
    problem = plain_text_problem(name, what)
    if problem:
        raise DomainError(problem)
    return name


def password_problem(password: str | None) -> str | None:
    """Why a password set by an administrator is not acceptable, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"A password can have at most {MAX_PASSWORD} characters."
    if password.strip() != password:
        return "A password cannot start or end with a space."
    return None


# --- users ------------------------------------------------------------------------------


def _scope(
    session: Session, role: str, authority_id: int | None, supplier_id: int | None
) -> tuple[int | None, int | None]:
    """Check role against authority and supplier group; coordinators and admins have neither."""
    if role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}")
    if role in ("coordinator", "admin"):
        return None, None
    if role == "supplier":  # speaks for one supplier, belongs to no authority
        if supplier_id is None or session.get(Supplier, supplier_id) is None:
            raise DomainError("a supplier user must belong to a supplier (--supplier NAME)")
        return None, supplier_id
    if authority_id is None or session.get(Authority, authority_id) is None:
        raise DomainError(f"a {role} must belong to an authority (--authority CODE)")
    if role == "la_user":
        return authority_id, None
    if supplier_id is None or session.get(Supplier, supplier_id) is None:
        raise DomainError("an nlar_rep must represent a supplier group (--supplier NAME)")
    return authority_id, supplier_id


def add_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    authority_id: int | None = None,
    supplier_id: int | None = None,
    display_name: str = "",
    actor_id: int | None = None,
) -> User:
    """Add a user (no rights check: the CLI and demo loader call this directly)."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise DomainError(
            "a username needs 2 to 80 letters, digits or . _ @ - (no spaces)"
            if username
            else "a username and a password of at least 4 characters are required"
        )
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise DomainError(f"user '{username}' already exists")
    authority_id, supplier_id = _scope(session, role, authority_id, supplier_id)
    display_name = _plain(" ".join((display_name or "").split()), "display name")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=password_hash,
        role=role,
        authority_id=authority_id,
        supplier_id=supplier_id,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor_id, "user_created", username, role)
    return user


def create_user(session: Session, viewer: Viewer, **fields) -> User:
    """Admin: add a user (fields as add_user)."""
    require_admin(viewer)
    return add_user(session, actor_id=viewer.user_id, **fields)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def update_user(
    session: Session,
    viewer: Viewer,
    user_id: int,
    *,
    role: str,
    authority_id: int | None,
    supplier_id: int | None,
    active: bool,
    display_name: str | None = None,
) -> User:
    """Admin: change a user's role, authority, supplier group, name or enabled state."""
    require_admin(viewer)
    user = _user(session, user_id)
    if user.id == viewer.user_id and (role != "admin" or not active):
        raise DomainError("You cannot remove your own administrator rights or disable yourself.")
    authority_id, supplier_id = _scope(session, role, authority_id, supplier_id)
    before = f"{user.role}, authority {user.authority_id}, active {user.active}"
    user.role, user.authority_id, user.supplier_id = role, authority_id, supplier_id
    user.active = bool(active)
    if display_name is not None and display_name.strip():
        user.display_name = _plain(" ".join(display_name.split()), "display name")
    session.flush()
    after = f"{role}, authority {authority_id}, active {user.active}"
    audit.record(session, viewer.user_id, "user_changed", user.username, f"{before} -> {after}")
    return user


def set_password(session: Session, viewer: Viewer, user_id: int, password_hash: str) -> None:
    """Admin: replace a user's password (already hashed by the caller)."""
    require_admin(viewer)
    user = _user(session, user_id)
    user.password_hash = password_hash
    audit.record(session, viewer.user_id, "password_reset", user.username)


def list_users(session: Session, viewer: Viewer) -> pd.DataFrame:
    require_admin(viewer)
    rows = session.execute(
        select(
            User.id,
            User.username,
            User.display_name,
            User.role,
            Authority.name,
            Supplier.name,
            User.active,
            User.created_at,
            User.authority_id,
            User.supplier_id,
        )
        .outerjoin(Authority, Authority.id == User.authority_id)
        .outerjoin(Supplier, Supplier.id == User.supplier_id)
        .order_by(User.username)
    ).all()
    columns = [
        "id",
        "username",
        "name",
        "role",
        "authority",
        "supplier group",
        "active",
        "created",
        "authority_id",
        "supplier_id",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- authorities ------------------------------------------------------------------------


def save_authority(
    session: Session,
    viewer: Viewer,
    *,
    authority_id: int | None,
    code: str,
    name: str,
    region: str,
    la_type: str,
    size_band: str,
    consent_named: bool,
) -> Authority:
    """Admin: add an authority (authority_id None) or edit one."""
    require_admin(viewer)
    code, name = (code or "").strip().upper(), " ".join((name or "").split())
    if not GSS_RE.match(code):
        raise DomainError("The code must be a GSS code: a letter and eight digits, e.g. E09000019.")
    if not name or len(name) > 120:
        raise DomainError("The name is required (up to 120 characters).")
    _plain(name, "name")
    if region not in codes.region_names():
        raise DomainError("Choose one of the nine English regions.")
    if la_type not in codes.la_type_names():
        raise DomainError("Choose the type of authority.")
    if size_band not in SIZE_BANDS:
        raise DomainError("Choose a size band: small, medium or large.")
    clash = session.scalar(select(Authority.id).where(Authority.code == code))
    if clash is not None and clash != authority_id:
        raise DomainError(f"An authority with code {code} already exists.")
    if authority_id is None:
        taken = set(session.scalars(select(Authority.pseudonym)))
        authority = Authority(code=code, pseudonym=new_pseudonym(taken))
        session.add(authority)
        action = "authority_added"
    else:
        authority = session.get(Authority, authority_id)
        if authority is None:
            raise NotFound("That authority does not exist.")
        action = "authority_changed"
    authority.code, authority.name, authority.region = code, name, region
    authority.la_type, authority.size_band = la_type, size_band
    authority.consent_named = bool(consent_named)
    session.flush()
    audit.record(
        session, viewer.user_id, action, code, f"{name}; consent to be named: {consent_named}"
    )
    bump_data_version(session)  # region, type and naming feed every memo and cached chart
    return authority


def regenerate_pseudonym(session: Session, viewer: Viewer, authority_id: int) -> str:
    """Admin: give an authority a fresh random pseudonym (e.g. after it leaked)."""
    require_admin(viewer)
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise NotFound("That authority does not exist.")
    taken = set(session.scalars(select(Authority.pseudonym)))
    old, authority.pseudonym = authority.pseudonym, new_pseudonym(taken)
    session.flush()
    audit.record(session, viewer.user_id, "pseudonym_regenerated", authority.code, f"was {old}")
    bump_data_version(session)  # no cached list or chart may show the old pseudonym again
    return authority.pseudonym


def list_authorities(session: Session, viewer: Viewer) -> pd.DataFrame:
    require_admin(viewer)
    today = date.today()
    current = {
        a: p
        for a, p in session.execute(
            select(ProductUse.authority_id, Product.name)
            .join(Product, Product.id == ProductUse.product_id)
            .where(ProductUse.start_date <= today)
            .where((ProductUse.end_date.is_(None)) | (ProductUse.end_date >= today))
        )
    }
    rows = [
        (
            a.id,
            a.code,
            a.name,
            a.region,
            a.la_type,
            a.size_band,
            a.pseudonym,
            a.consent_named,
            current.get(a.id, ""),
        )
        for a in session.scalars(select(Authority).order_by(Authority.name))
    ]
    columns = [
        "id",
        "code",
        "name",
        "region",
        "la_type",
        "size_band",
        "pseudonym",
        "consent_named",
        "product now",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- suppliers, products and product use ------------------------------------------------


def _name(text: str, what: str) -> str:
    name = " ".join((text or "").split()) if isinstance(text, str) else ""
    if not name or len(name) > 80:
        raise DomainError(f"The {what} name is required (up to 80 characters).")
    return _plain(name, f"{what} name")


def add_supplier(session: Session, viewer: Viewer, name: str) -> Supplier:
    require_admin(viewer)
    name = _name(name, "supplier")
    if session.scalar(select(Supplier.id).where(func.lower(Supplier.name) == name.lower())):
        raise DomainError(f"A supplier called {name} already exists.")
    supplier = Supplier(name=name)
    session.add(supplier)
    session.flush()
    audit.record(session, viewer.user_id, "supplier_added", name)
    return supplier


def add_product(session: Session, viewer: Viewer, supplier_id: int | None, name: str) -> Product:
    require_admin(viewer)
    name = _name(name, "product")
    if supplier_id is None or session.get(Supplier, supplier_id) is None:
        raise DomainError("Choose the supplier that sells the product.")
    if session.scalar(select(Product.id).where(func.lower(Product.name) == name.lower())):
        raise DomainError(f"A product called {name} already exists.")
    product = Product(name=name, supplier_id=supplier_id)
    session.add(product)
    session.flush()
    audit.record(session, viewer.user_id, "product_added", name, f"supplier {supplier_id}")
    return product


def list_products(session: Session, viewer: Viewer) -> pd.DataFrame:
    require_admin(viewer)
    rows = session.execute(
        select(Product.id, Supplier.name, Product.name)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .order_by(Supplier.name, Product.name)
    ).all()
    return pd.DataFrame(rows, columns=["id", "supplier", "product"])


def list_suppliers(session: Session, viewer: Viewer) -> list[tuple[int, str]]:
    require_admin(viewer)
    return [
        tuple(r)
        for r in session.execute(select(Supplier.id, Supplier.name).order_by(Supplier.name))
    ]


def list_product_use(
    session: Session, viewer: Viewer, filters: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """Admin: product-use records, of one authority if ``filters`` (data.queries.filters
    PRODUCT_USE, from the controls) names a stored one; any other value means every one."""
    require_admin(viewer)
    authorities = {str(i) for i in session.scalars(select(Authority.id))}
    chosen = PRODUCT_USE.parse(filters or {}, {"authorities": authorities})
    query = (
        select(
            ProductUse.id,
            Authority.name,
            Product.name,
            Supplier.name,
            ProductUse.start_date,
            ProductUse.end_date,
        )
        .join(Authority, Authority.id == ProductUse.authority_id)
        .join(Product, Product.id == ProductUse.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .order_by(Authority.name, ProductUse.start_date)
        .where(*chosen.where())
    )
    rows = session.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "authority", "product", "supplier", "from", "until"])


def record_product_change(
    session: Session, viewer: Viewer, authority_id: int, product_id: int, start: date
) -> ProductUse:
    """Admin: the authority uses `product_id` from `start`; the open use ends the day before."""
    require_admin(viewer)
    authority = session.get(Authority, authority_id)
    product = session.get(Product, product_id) if product_id is not None else None
    if authority is None or product is None or start is None:
        raise DomainError("Choose the authority, the product and the date the change took effect.")
    uses = list(
        session.scalars(
            select(ProductUse)
            .where(ProductUse.authority_id == authority_id)
            .order_by(ProductUse.start_date)
        )
    )
    if uses and uses[-1].start_date >= start:
        raise DomainError(
            f"{authority.name}'s latest recorded product use starts on "
            f"{uses[-1].start_date:%d %B %Y}; a change must start after that. "
            "To correct earlier records, delete the wrong entry first."
        )
    if uses and uses[-1].product_id == product_id and uses[-1].end_date is None:
        raise DomainError(f"{authority.name} already uses {product.name}.")
    if uses and (uses[-1].end_date is None or uses[-1].end_date >= start):
        uses[-1].end_date = start - timedelta(days=1)
    use = ProductUse(authority_id=authority_id, product_id=product_id, start_date=start)
    session.add(use)
    session.flush()
    audit.record(
        session,
        viewer.user_id,
        "product_change",
        authority.code,
        f"{authority.name} uses {product.name} from {start.isoformat()}",
    )
    return use


def delete_product_use(session: Session, viewer: Viewer, use_id: int) -> None:
    """Admin: remove a wrong product-use record."""
    require_admin(viewer)
    use = session.get(ProductUse, use_id)
    if use is None:
        raise NotFound("That product-use record does not exist.")
    detail = f"authority {use.authority_id}, product {use.product_id}, from {use.start_date}"
    session.delete(use)
    session.flush()
    audit.record(session, viewer.user_id, "product_use_deleted", f"product use {use_id}", detail)


# --- audit log --------------------------------------------------------------------------


def audit_actions(session: Session, viewer: Viewer) -> list[str]:
    require_admin(viewer)
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_log(
    session: Session,
    viewer: Viewer,
    filters: Mapping[str, object] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    limit: int = AUDIT_LIMIT,
) -> pd.DataFrame:
    """Admin: audit events, newest first, filtered by user and action (``filters``,
    data.queries.filters AUDIT, from the controls: an unknown user or action means every
    one) and date range (inclusive)."""
    require_admin(viewer)
    users = {str(i) for i in session.scalars(select(User.id))}
    options = {"users": users, "actions": audit_actions(session, viewer)}
    chosen = AUDIT.parse(filters or {}, options)
    query = (
        select(
            AuditEvent.at, User.username, AuditEvent.action, AuditEvent.target, AuditEvent.detail
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .where(*chosen.where())
    )
    if start is not None:
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min))
    if end is not None:
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["when (UTC)", "user", "action", "target", "detail"])
    frame["user"] = frame["user"].fillna("(system)")
    return frame
