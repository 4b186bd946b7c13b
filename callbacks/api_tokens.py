"""API tokens on the Admin page: create (shown once) and revoke; data.requirements.tokens
refuses anyone but an administrator."""

from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.common import as_int, current_viewer, db, guarded
from data.errors import DomainError
from data.requirements import tokens
from layouts.components import alert
from layouts.releases import TOKENS_P, table


def register(app) -> None:
    @app.callback(
        Output(f"{TOKENS_P}-list", "children"),
        Output(f"{TOKENS_P}-user", "options"),
        Output(f"{TOKENS_P}-revoke-id", "options"),
        Input(f"{TOKENS_P}-msg", "children"),
        Input(f"{TOKENS_P}-revoke-msg", "children"),
    )
    @guarded(lambda msg: (alert(msg), [], []))
    def _list(*_changed):
        viewer = current_viewer()
        with db() as session:
            rows = tokens.token_rows(session, viewer)
            accounts = tokens.supplier_accounts(session, viewer)
        shown = [
            (r.id, r.username, r.label, r.prefix, r.created_at, r.last_used_at,
             "revoked" if r.revoked else "live")
            for r in rows
        ]  # fmt: skip
        headers = ("Id", "Account", "Label", "Starts", "Created", "Last used", "State")
        live = [
            {"label": f"{r.id}: {r.username} {r.label} ({r.prefix})", "value": str(r.id)}
            for r in rows
            if not r.revoked
        ]
        return table(shown, headers, "API tokens", "No tokens yet."), accounts, live

    @app.callback(
        Output(f"{TOKENS_P}-msg", "children"),
        Input(f"{TOKENS_P}-create", "n_clicks"),
        State(f"{TOKENS_P}-user", "value"),
        State(f"{TOKENS_P}-label", "value"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _create(n_clicks, user, label):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        if not user:
            raise DomainError("Choose a supplier account.")
        with db() as session:
            token, _ = tokens.create_token(
                session, viewer, as_int(user, "Choose a supplier account."), label or ""
            )
        return alert(
            [
                "Token created. Copy it now: it will not be shown again. ",
                html.Code(token, className="user-select-all"),
            ],
            "success",
        )

    @app.callback(
        Output(f"{TOKENS_P}-revoke-msg", "children"),
        Input(f"{TOKENS_P}-revoke", "n_clicks"),
        State(f"{TOKENS_P}-revoke-id", "value"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _revoke(n_clicks, token_id):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        if not token_id:
            raise DomainError("Choose a token to revoke.")
        with db() as session:
            row = tokens.revoke_token(
                session, viewer, as_int(token_id, "Choose a token to revoke.")
            )
            prefix = row.prefix
        return alert(f"Token {prefix}… revoked.", "success")
