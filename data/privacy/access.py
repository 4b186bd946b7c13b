"""Who may see and do what (PRODUCT.md §2), as pure functions over a plain Viewer.

Callbacks build a Viewer from the signed-in user and ask these functions; nothing
here knows about Flask, so the rules are unit-tested directly."""

from __future__ import annotations

import json
from dataclasses import dataclass

from data.errors import PermissionDenied

LA_USER, NLAR_REP, COORDINATOR, ADMIN = "la_user", "nlar_rep", "coordinator", "admin"
SUPPLIER = "supplier"


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    authority_id: int | None = None
    supplier_id: int | None = None  # group an nlar_rep represents; a supplier user's own

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


# --- the supplier role: a closed world of its own pages --------------------------------------
# A supplier user reaches only these pages and the callbacks whose every output belongs to
# them; the central guard (dashboard/auth.py) asks supplier_may_request on every request.
SUPPLIER_PAGES = ("/supplier", "/inbox")
SUPPLIER_COMPONENT_PREFIXES = ("supplier-", "inbox-")
# Dash's own machinery every page needs (layout, dependency graph, component scripts).
SUPPLIER_DASH_PATHS = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/_favicon.ico")
SUPPLIER_DASH_PREFIXES = ("/_dash-component-suites/", "/logout")
PAGES_ROUTER_OUTPUTS = frozenset({"_pages_content", "_pages_store"})


def _component(ident) -> str:
    """A component id as text; a pattern-matching id by its 'type'."""
    if isinstance(ident, str) and ident.startswith("{"):
        try:
            ident = json.loads(ident)
        except ValueError:
            return ident
    if isinstance(ident, dict):
        return str(ident.get("type", ""))
    return "" if ident is None else str(ident)


def callback_target(body) -> tuple[list[str], object]:
    """The component ids a Dash callback request body writes to and the pathname it carries.

    Dash picks the callback to run by the body's ``output`` string and writes to ``outputs``:
    both are read, so a request cannot name one callback and claim the outputs of another."""
    if not isinstance(body, dict):
        return [], None
    ids = []
    output = body.get("output")
    if isinstance(output, str):
        for part in output.strip(".").split("..."):
            ids.append(_component(part.rsplit(".", 1)[0]))
    else:
        ids.append("")
    outputs = body.get("outputs")
    for out in outputs if isinstance(outputs, list) else [outputs]:
        ids.append(_component(out.get("id")) if isinstance(out, dict) else "")
    inputs = body.get("inputs")
    pathname = next(
        (
            i.get("value")
            for i in (inputs if isinstance(inputs, list) else [])
            if isinstance(i, dict) and i.get("property") == "pathname"
        ),
        None,
    )
    return ids, pathname


def supplier_may_request(path: str, outputs: list[str] | None = None, pathname=None) -> bool:
    """May a supplier user make this request? ``outputs``: the component ids a Dash callback
    request writes to; ``pathname``: the page the Dash pages router is asked to draw."""
    if path in SUPPLIER_PAGES or path in SUPPLIER_DASH_PATHS:
        return True
    if path.startswith(SUPPLIER_DASH_PREFIXES):
        return True
    if path != "/_dash-update-component" or not outputs:
        return False
    if set(outputs) <= PAGES_ROUTER_OUTPUTS:
        return pathname in SUPPLIER_PAGES
    return all(str(o).startswith(SUPPLIER_COMPONENT_PREFIXES) for o in outputs)


def require_supplier(viewer: Viewer) -> int:
    """The supplier a supplier user speaks for; refuses every other role."""
    require(
        viewer.role == SUPPLIER and viewer.supplier_id is not None,
        "only a supplier's own users can do this",
    )
    return viewer.supplier_id  # type: ignore[return-value]
