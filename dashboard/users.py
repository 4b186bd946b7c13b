"""Creating and changing user accounts (shared by the CLI, the demo loader and Admin)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth import hash_password
from data import audit
from data.errors import DomainError
from data.models import ROLES, Authority, Supplier, User


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    authority_code: str | None = None,
    supplier_name: str | None = None,
    display_name: str = "",
    actor_id: int | None = None,
) -> User:
    """Add a user; la_user and nlar_rep need an authority, nlar_rep also a supplier group."""
    if role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}")
    if not username.strip() or len(password) < 4:
        raise DomainError("a username and a password of at least 4 characters are required")
    if session.scalar(select(User).where(User.username == username)):
        raise DomainError(f"user '{username}' already exists")
    authority = supplier = None
    if authority_code:
        authority = session.scalar(
            select(Authority).where(Authority.code == authority_code.upper())
        )
        if authority is None:
            raise DomainError(f"no authority with code {authority_code}")
    if supplier_name:
        supplier = session.scalar(select(Supplier).where(Supplier.name == supplier_name))
        if supplier is None:
            raise DomainError(f"no supplier called {supplier_name}")
    if role in ("la_user", "nlar_rep") and authority is None:
        raise DomainError(f"a {role} must belong to an authority (--authority CODE)")
    if role == "nlar_rep" and supplier is None:
        raise DomainError("an nlar_rep must represent a supplier group (--supplier NAME)")
    user = User(
        username=username.strip(),
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        authority_id=authority.id if authority else None,
        supplier_id=supplier.id if supplier else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor_id, "user_created", username, role)
    return user
