"""Who may see and do what (PRODUCT.md §2), as pure functions over a plain Viewer.

Callbacks build a Viewer from the signed-in user and ask these functions; nothing
here knows about Flask, so the rules are unit-tested directly."""

from __future__ import annotations

from dataclasses import dataclass

from data.errors import PermissionDenied

LA_USER, NLAR_REP, COORDINATOR, ADMIN = "la_user", "nlar_rep", "coordinator", "admin"


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    authority_id: int | None = None
    supplier_id: int | None = None  # supplier group an nlar_rep represents

    @property
    def own_authorities(self) -> frozenset[int]:
        """Authorities whose data this viewer sees unsuppressed and by name."""
        return frozenset({self.authority_id}) if self.authority_id is not None else frozenset()


def may_upload_for(viewer: Viewer) -> frozenset[int] | None:
    """Authorities the viewer may upload for: own LA, or None meaning any (admin)."""
    if viewer.role == ADMIN:
        return None
    if viewer.role in (LA_USER, NLAR_REP) and viewer.authority_id is not None:
        return frozenset({viewer.authority_id})
    raise PermissionDenied("Only an authority's own users or an administrator can upload results.")


def may_see_name(viewer: Viewer, authority_id: int, consent_named: bool) -> bool:
    return consent_named or authority_id == viewer.authority_id


def may_break_down_group(viewer: Viewer, supplier_id: int | None) -> bool:
    """Per-LA (pseudonymous) breakdown within a group: its NLAR rep, coordinators, admins."""
    if viewer.role in (COORDINATOR, ADMIN):
        return True
    return viewer.role == NLAR_REP and supplier_id is not None and supplier_id == viewer.supplier_id


def may_curate(viewer: Viewer, supplier_id: int | None) -> bool:
    """Accept/merge/split/reword requirements: the group's NLAR rep, or a coordinator."""
    if viewer.role == COORDINATOR:
        return True
    return viewer.role == NLAR_REP and supplier_id is not None and supplier_id == viewer.supplier_id


def may_endorse(viewer: Viewer) -> bool:
    return viewer.authority_id is not None and viewer.role in (LA_USER, NLAR_REP)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def require_admin(viewer: Viewer) -> None:
    require(viewer.role == ADMIN, "Only an administrator can do this.")
