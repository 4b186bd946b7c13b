"""API tokens on the Admin page: create (shown once) and revoke; data.requirements.tokens
refuses anyone but an administrator. Both actions move the section's change counter on, and
the list follows it."""

from __future__ import annotations

from dash import Input, Output, State, html

from callbacks.common import as_int, clearing, current_viewer, db
from callbacks.registrars import Button, Done, register_buttons
from data.errors import DomainError
from data.requirements import tokens
from layouts.ids import TOKENS as T
from layouts.releases import table

HEADERS = ("Id", "Account", "Label", "Starts", "Created", "Last used", "State")


def token_list(_changed) -> dict:
    """The tokens (``message``), the supplier accounts to make one for, and the live ones."""
    viewer = current_viewer()
    with db() as session:
        rows = tokens.token_rows(session, viewer)
        accounts = tokens.supplier_accounts(session, viewer)
    shown = [
        (r.id, r.username, r.label, r.prefix, r.created_at, r.last_used_at,
         "revoked" if r.revoked else "live")
        for r in rows
    ]  # fmt: skip
    live = [
        {"label": f"{r.id}: {r.username} {r.label} ({r.prefix})", "value": str(r.id)}
        for r in rows
        if not r.revoked
    ]
    return {
        "message": table(shown, HEADERS, "API tokens", "No tokens yet."),
        "users": accounts,
        "live": live,
    }


def create(viewer, _trigger, *, user, label) -> Done:
    if not user:
        raise DomainError("Choose a supplier account.")
    with db() as session:
        token, _ = tokens.create_token(
            session, viewer, as_int(user, "Choose a supplier account."), label or ""
        )
    return Done(
        [
            "Token created. Copy it now: it will not be shown again. ",
            html.Code(token, className="user-select-all"),
        ]
    )


def revoke(viewer, _trigger, *, token_id) -> Done:
    if not token_id:
        raise DomainError("Choose a token to revoke.")
    with db() as session:
        prefix = tokens.revoke_token(
            session, viewer, as_int(token_id, "Choose a token to revoke.")
        ).prefix
    return Done(f"Token {prefix}… revoked.")


def register(app) -> None:
    app.callback(
        output={
            "message": Output(T("list"), "children"),
            "users": Output(T("user"), "options"),
            "live": Output(T("revoke-id"), "options"),
        },
        inputs=Input(T("changed"), "data"),
        on_error=clearing(users=[], live=[]),
    )(token_list)
    register_buttons(
        app,
        [
            Button(create, T("create"), T("msg"),
                   {"user": State(T("user"), "value"), "label": State(T("label"), "value")}),
            Button(revoke, T("revoke"), T("revoke-msg"),
                   {"token_id": State(T("revoke-id"), "value")}),
        ],
        counter=T("changed"),
    )  # fmt: skip
