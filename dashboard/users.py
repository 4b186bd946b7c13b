"""Creating user accounts from the CLI and the demo loader.

The rules (roles, authority, supplier group, unique names) live in data.pages.admin,
shared with the Admin page; this module resolves codes and names and hashes the password."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth import hash_password
from data.errors import DomainError
from data.pages.admin import add_user
from data.store.models import Authority, Supplier, User


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
    if not username.strip() or len(password) < 4:
        raise DomainError("a username and a password of at least 4 characters are required")
    authority_id = supplier_id = None
    if authority_code:
        authority_id = session.scalar(
            select(Authority.id).where(Authority.code == authority_code.strip().upper())
        )
        if authority_id is None:
            raise DomainError(f"no authority with code {authority_code}")
    if supplier_name:
        supplier_id = session.scalar(select(Supplier.id).where(Supplier.name == supplier_name))
        if supplier_id is None:
            raise DomainError(f"no supplier called {supplier_name}")
    return add_user(
        session,
        username=username,
        password_hash=hash_password(password),
        role=role,
        authority_id=authority_id,
        supplier_id=supplier_id,
        display_name=display_name,
        actor_id=actor_id,
    )
