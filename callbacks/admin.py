"""Admin page callbacks: choices for the forms, users, and the audit log.

Every callback starts with admin_viewer(), and every data.pages.admin function checks
again, so a crafted request from anyone else changes nothing and reads nothing."""

from __future__ import annotations

from datetime import date

from dash import Input, Output, State, no_update
from werkzeug.security import generate_password_hash

from callbacks.common import as_int, clearing, current_viewer, db
from callbacks.registrars import Done, register_action, register_entity_grid
from data.errors import DomainError
from data.pages.admin import (
    audit_actions,
    audit_log,
    create_user,
    list_authorities,
    list_products,
    list_suppliers,
    list_users,
    password_problem,
    set_password,
    update_user,
)
from data.privacy.access import Viewer, require_admin
from data.queries.filters import ALL
from data.reference import codes
from layouts.ids import ADMIN as A

NONE = {"label": "(none)", "value": "none"}
BLANK = ("", None, "none")  # a form's select values meaning "no choice"
RELOAD = [Input(A("load"), "data"), Input(A("refresh"), "data")]  # page load, any change


def admin_viewer() -> Viewer:
    viewer = current_viewer()
    require_admin(viewer)
    return viewer


def optional_int(value) -> int | None:
    if value in BLANK:
        return None
    return as_int(value, "Choose from the list.")


def optional_date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise DomainError("Write the date like 2010-03-31.") from exc


def selected_id(selected, what: str) -> int:
    if not selected or not isinstance(selected, list) or not isinstance(selected[0], dict):
        raise DomainError(f"Select {what} in the table first.")
    value = optional_int(selected[0].get("id"))
    if value is None:
        raise DomainError(f"Select {what} in the table first.")
    return value


def _id_text(value) -> str:
    """A select value from a grid cell that pandas may have made 3.0 (or left blank)."""
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return NONE["value"]


def _options(pairs, *, blank: dict | None = NONE) -> list[dict]:
    return ([blank] if blank else []) + [{"label": n, "value": str(i)} for i, n in pairs]


# The selects the choices callback fills: output name -> select id on the page.
CHOICES = {
    "new_authority": "new-authority",
    "edit_authority": "edit-authority",
    "use_authority": "use-authority",
    "use_filter": "use-filter",
    "new_supplier": "new-supplier",
    "edit_supplier": "edit-supplier",
    "product_supplier": "product-supplier",
    "use_product": "use-product",
    "la_region": "la-region",
    "la_type": "la-type",
    "audit_user": "audit-user",
    "audit_action": "audit-action",
}


def choices(_load, _refresh) -> dict:
    """The options of every select on the page (authorities, suppliers, products ...)."""
    viewer = admin_viewer()
    with db() as session:
        authorities = list_authorities(session, viewer)
        suppliers = list_suppliers(session, viewer)
        users = list_users(session, viewer)
        actions = audit_actions(session, viewer)
        products = list_products(session, viewer)
    la = list(zip(authorities["id"], authorities["name"], strict=True))
    prod = [
        (i, f"{p} ({s})")
        for i, s, p in zip(products["id"], products["supplier"], products["product"], strict=True)
    ]
    everyone = {"label": "All", "value": ALL}
    return {
        "new_authority": _options(la),
        "edit_authority": _options(la),
        "use_authority": _options(la, blank=None),
        "use_filter": _options(la, blank={"label": "All authorities", "value": ALL}),
        "new_supplier": _options(suppliers),
        "edit_supplier": _options(suppliers),
        "product_supplier": _options(suppliers, blank=None),
        "use_product": _options(prod, blank=None),
        "la_region": [{"label": r, "value": r} for r in codes.region_names()],
        "la_type": [{"label": n, "value": c} for c, n in codes.la_type_names().items()],
        "audit_user": _options(zip(users["id"], users["username"], strict=True), blank=everyone),
        "audit_action": [everyone] + [{"label": a, "value": a} for a in actions],
        "message": "",
    }


def add_user(viewer, _trigger, *, username, name, role, authority, supplier, password) -> Done:
    problem = password_problem(password)
    if problem:
        raise DomainError(problem)
    with db() as session:
        user = create_user(
            session,
            viewer,
            username=username or "",
            password_hash=generate_password_hash(password),
            role=role or "",
            authority_id=optional_int(authority),
            supplier_id=optional_int(supplier),
            display_name=name or "",
        )
        return Done(f"Added {user.username} ({user.role}).")


# The change form of the selected user: output and state name -> field id.
EDIT_FORM = {
    "role": "edit-role",
    "authority": "edit-authority",
    "supplier": "edit-supplier",
    "active": "edit-active",
}


def fields(kind: type[State] | type[Output], ids: dict[str, str], prop: str = "value") -> dict:
    """{name: kind(this page's id, prop)}: the States or Outputs of a form's fields."""
    return {name: kind(A(ident), prop) for name, ident in ids.items()}


def pick_user(selected) -> dict:
    """The selected user's role, authority, supplier and state, into the change form."""
    admin_viewer()
    if not selected:
        unchanged = dict.fromkeys(EDIT_FORM, no_update)
        return {"who": "Select a user in the table above, then change and save.", **unchanged}
    row = selected[0]
    return {
        "who": f"Changing {row.get('username')}.",
        "role": row.get("role"),
        "authority": _id_text(row.get("authority_id")),
        "supplier": _id_text(row.get("supplier_id")),
        "active": bool(row.get("active")),
    }


def edit_user(viewer, trigger, *, selected, role, authority, supplier, active, password) -> Done:
    """Save the change form, or set the new password, of the selected user."""
    user_id = selected_id(selected, "a user")
    with db() as session:
        if trigger == A("user-password"):
            problem = password_problem(password)
            if problem:
                raise DomainError(problem)
            set_password(session, viewer, user_id, generate_password_hash(password))
            return Done("The new password is set; tell the user in person.", changed=False)
        user = update_user(
            session,
            viewer,
            user_id,
            role=role or "",
            authority_id=optional_int(authority),
            supplier_id=optional_int(supplier),
            active=bool(active),
        )
        state = "enabled" if user.active else "disabled"
        return Done(f"Saved {user.username}: {user.role}, account {state}.")


def audit_rows(session, viewer, user, action, start, end):
    return audit_log(
        session,
        viewer,
        {"user": user, "action": action},
        start=optional_date(start),
        end=optional_date(end),
    )


def admin_grid(app, grid: str, load, **options) -> None:
    """An entity grid on this page (reloaded with the page's refresh counter), admins only."""
    register_entity_grid(app, A(grid), load, who=admin_viewer, **{"reload": RELOAD, **options})


def admin_action(app, run, buttons: list[str] | dict, message: str, **states: State) -> None:
    """An action on this page: `buttons` by id (or named triggers), outcome in `message`;
    a change moves the page's refresh counter on, so every grid and choice reloads."""
    triggers = buttons if isinstance(buttons, dict) else [Input(A(b), "n_clicks") for b in buttons]
    register_action(
        app,
        run,
        triggers=triggers,
        states=states,
        message=A(message),
        counter=A("refresh"),
        allow_duplicate=True,
        who=admin_viewer,
    )


def register(app) -> None:
    selects = {name: Output(A(ident), "options") for name, ident in CHOICES.items()}
    app.callback(
        output={**selects, "message": Output(A("access"), "children")},
        inputs=RELOAD,
        on_error=clearing(**dict.fromkeys(CHOICES, [])),
    )(choices)
    admin_grid(app, "users", list_users, hidden=("id", "authority_id", "supplier_id"))
    admin_action(
        app,
        add_user,
        ["user-add"],
        "user-add-msg",
        **fields(State, {k: f"new-{k}" for k in ("username", "name", "role", "authority",
                                                 "supplier", "password")}),
    )  # fmt: skip
    app.callback(
        output={"who": Output(A("edit-who"), "children"), **fields(Output, EDIT_FORM)},
        inputs=Input(A("users"), "selectedRows"),
        prevent_initial_call=True,
        on_error=clearing(text_in="who"),
    )(pick_user)
    admin_action(
        app,
        edit_user,
        ["user-save", "user-password"],
        "user-edit-msg",
        selected=State(A("users"), "selectedRows"),
        **fields(State, {**EDIT_FORM, "password": "edit-password"}),
    )
    admin_grid(
        app,
        "audit",
        audit_rows,
        params=[Input(A(f"audit-{name}"), "value") for name in ("user", "action", "from", "to")],
        reload=[Input(A("refresh"), "data")],
        hidden=(),
        count_in=A("audit-msg"),
    )
