"""Admin page callbacks: choices for the forms, users, and the audit log.

Every callback starts with admin_viewer(), and every data.pages.admin function checks
again, so a crafted request from anyone else changes nothing and reads nothing."""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, no_update
from werkzeug.security import generate_password_hash

from callbacks.common import current_viewer, db, guarded
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
from data.reference import codes
from layouts.admin import ROLE_OPTIONS

P = "admin"
NONE = {"label": "(none)", "value": "none"}
ALL = "all"
BLANK = ("", None, "none", ALL)  # select values meaning "no choice" or "every one"


def admin_viewer() -> Viewer:
    viewer = current_viewer()
    require_admin(viewer)
    return viewer


def alert(text: str, color: str = "success") -> dbc.Alert:
    return dbc.Alert(text, color=color, className="mt-2")


def failed(msg: str) -> tuple:
    """Outputs of an action callback that was refused: the message, no refresh."""
    return alert(msg, "danger"), no_update


HEADERS = {"la_type": "LA type", "consent_named": "Consents to be named", "code": "GSS code"}


def _code_names() -> dict[str, dict[str, str]]:
    """Columns holding codes: each shown by its name, the code on hover."""
    roles = {o["value"]: o["label"] for o in ROLE_OPTIONS}
    return {"la_type": codes.la_type_names(), "role": roles}


def grid_data(frame: pd.DataFrame, hidden: tuple[str, ...] = ("id",)) -> tuple[list, list]:
    """columnDefs and rowData (with a 'key' for row selection) for an AG Grid; a column of
    codes shows their names (AG Grid refData; the row keeps the code) with the code on hover."""
    shown = [c for c in frame.columns if c not in hidden]
    names = _code_names()
    columns = [
        {
            "field": c,
            "headerName": HEADERS.get(c, (c[:1].upper() + c[1:]).replace("_", " ")),
            "flex": 1,
            "minWidth": 120,
            **({"refData": names[c], "tooltipField": c} if c in names else {}),
        }
        for c in shown
    ]
    rows = frame.astype(object).where(frame.notna(), "").to_dict("records")
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "hour"):
                row[key] = value.isoformat(sep=" ", timespec="minutes")
            elif hasattr(value, "isoformat"):
                row[key] = value.isoformat()
        if "id" in row:
            row["key"] = str(row["id"])
    return columns, rows


def optional_int(value) -> int | None:
    if value in BLANK:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError("Choose from the list.") from exc


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


def bump(refresh) -> int:
    return (refresh or 0) + 1


def _options(pairs, *, blank: dict | None = NONE) -> list[dict]:
    return ([blank] if blank else []) + [{"label": n, "value": str(i)} for i, n in pairs]


def _register_options(app) -> None:
    outputs = [
        f"{P}-new-authority",
        f"{P}-edit-authority",
        f"{P}-use-authority",
        f"{P}-use-filter",
        f"{P}-new-supplier",
        f"{P}-edit-supplier",
        f"{P}-product-supplier",
        f"{P}-use-product",
        f"{P}-la-region",
        f"{P}-la-type",
        f"{P}-audit-user",
        f"{P}-audit-action",
    ]

    @app.callback(
        *[Output(o, "options") for o in outputs],
        Output(f"{P}-access", "children"),
        Input(f"{P}-load", "data"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda msg: (*[[] for _ in outputs], alert(msg, "danger")))
    def _choices(_load, _refresh):
        viewer = admin_viewer()
        with db() as session:
            authorities = list_authorities(session, viewer)
            suppliers = list_suppliers(session, viewer)
            users = list_users(session, viewer)
            actions = audit_actions(session, viewer)
            products = list_products(session, viewer)
        la = list(zip(authorities["id"], authorities["name"], strict=True))
        sup = suppliers
        prod = [
            (i, f"{p} ({s})")
            for i, s, p in zip(
                products["id"], products["supplier"], products["product"], strict=True
            )
        ]
        everyone = {"label": "All", "value": ALL}
        return (
            _options(la),
            _options(la),
            _options(la, blank=None),
            _options(la, blank={"label": "All authorities", "value": ALL}),
            _options(sup),
            _options(sup),
            _options(sup, blank=None),
            _options(prod, blank=None),
            [{"label": r, "value": r} for r in codes.region_names()],
            [{"label": n, "value": c} for c, n in codes.la_type_names().items()],
            _options(zip(users["id"], users["username"], strict=True), blank=everyone),
            [everyone] + [{"label": a, "value": a} for a in actions],
            "",
        )


def _register_users(app) -> None:
    @app.callback(
        Output(f"{P}-users", "columnDefs"),
        Output(f"{P}-users", "rowData"),
        Input(f"{P}-load", "data"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda _msg: ([], []))
    def _users(_load, _refresh):
        viewer = admin_viewer()
        with db() as session:
            frame = list_users(session, viewer)
        return grid_data(frame, hidden=("id", "authority_id", "supplier_id"))

    @app.callback(
        Output(f"{P}-user-add-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-user-add", "n_clicks"),
        State(f"{P}-new-username", "value"),
        State(f"{P}-new-name", "value"),
        State(f"{P}-new-role", "value"),
        State(f"{P}-new-authority", "value"),
        State(f"{P}-new-supplier", "value"),
        State(f"{P}-new-password", "value"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _add(_n, username, name, role, authority, supplier, password, refresh):
        viewer = admin_viewer()
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
            text = f"Added {user.username} ({user.role})."
        return alert(text), bump(refresh)

    @app.callback(
        Output(f"{P}-edit-who", "children"),
        Output(f"{P}-edit-role", "value"),
        Output(f"{P}-edit-authority", "value"),
        Output(f"{P}-edit-supplier", "value"),
        Output(f"{P}-edit-active", "value"),
        Input(f"{P}-users", "selectedRows"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (msg, no_update, no_update, no_update, no_update))
    def _pick(selected):
        admin_viewer()
        if not selected:
            return "Select a user in the table above, then change and save.", *[no_update] * 4
        row = selected[0]
        return (
            f"Changing {row.get('username')}.",
            row.get("role"),
            _id_text(row.get("authority_id")),
            _id_text(row.get("supplier_id")),
            bool(row.get("active")),
        )

    @app.callback(
        Output(f"{P}-user-edit-msg", "children"),
        Output(f"{P}-refresh", "data", allow_duplicate=True),
        Input(f"{P}-user-save", "n_clicks"),
        Input(f"{P}-user-password", "n_clicks"),
        State(f"{P}-users", "selectedRows"),
        State(f"{P}-edit-role", "value"),
        State(f"{P}-edit-authority", "value"),
        State(f"{P}-edit-supplier", "value"),
        State(f"{P}-edit-active", "value"),
        State(f"{P}-edit-password", "value"),
        State(f"{P}-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(failed)
    def _edit(_save, _password, selected, role, authority, supplier, active, password, refresh):
        viewer = admin_viewer()
        user_id = selected_id(selected, "a user")
        with db() as session:
            if ctx.triggered_id == f"{P}-user-password":
                problem = password_problem(password)
                if problem:
                    raise DomainError(problem)
                set_password(session, viewer, user_id, generate_password_hash(password))
                return alert("The new password is set; tell the user in person."), no_update
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
            text = f"Saved {user.username}: {user.role}, account {state}."
        return alert(text), bump(refresh)


def _register_audit(app) -> None:
    @app.callback(
        Output(f"{P}-audit", "columnDefs"),
        Output(f"{P}-audit", "rowData"),
        Output(f"{P}-audit-msg", "children"),
        Input(f"{P}-audit-user", "value"),
        Input(f"{P}-audit-action", "value"),
        Input(f"{P}-audit-from", "value"),
        Input(f"{P}-audit-to", "value"),
        Input(f"{P}-refresh", "data"),
    )
    @guarded(lambda msg: ([], [], alert(msg, "danger")))
    def _audit(user, action, start, end, _refresh):
        viewer = admin_viewer()
        with db() as session:
            frame = audit_log(
                session,
                viewer,
                user_id=optional_int(user),
                action=None if action in BLANK else action,
                start=optional_date(start),
                end=optional_date(end),
            )
        columns, rows = grid_data(frame, hidden=())
        return columns, rows, f"{len(rows):,} entries shown."


def register(app) -> None:
    _register_options(app)
    _register_users(app)
    _register_audit(app)
