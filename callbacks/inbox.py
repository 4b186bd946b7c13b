"""Inbox page: thin wiring over data.requirements.notifications; every function acts on the
signed-in user's own notifications and settings only."""

from __future__ import annotations

from dash import Input, Output, State, html, no_update
from flask import current_app, request

from callbacks.common import current_viewer, db, guarded
from callbacks.registrars import next_change
from data.requirements import notifications
from layouts.components import alert
from layouts.inbox import P


def _item(n) -> html.Li:
    title = html.A(n.title, href=n.link) if n.link else n.title
    return html.Li(
        [
            html.Strong("New: ") if n.read_at is None else None,
            title,
            html.Span(f" ({n.created_at:%d %b %Y %H:%M})", className="text-muted"),
            html.Div(n.body, className="small") if n.body and n.body != n.title else None,
        ],
        className="mb-2" + (" fw-semibold" if n.read_at is None else ""),
    )


def register(app) -> None:
    @app.callback(
        Output(f"{P}-list", "children"),
        Output(f"{P}-email", "value"),
        Output(f"{P}-email-on", "value"),
        Output(f"{P}-email-note", "children"),
        Input(f"{P}-changed", "data"),
    )
    @guarded(lambda msg: (alert(msg), no_update, no_update, ""))
    def _list(_changed):
        viewer = current_viewer()
        with db() as session:
            items = notifications.inbox(session, viewer)
            email, enabled = notifications.email_settings(session, viewer)
            listed = (
                html.Ul([_item(n) for n in items], className="list-unstyled")
                if items
                else html.P("Nothing yet.")
            )
        configured = bool(current_app.config.get("MAIL_ENABLED"))
        note = (
            "E-mail copies are available on this service."
            if configured
            else "This service does not send e-mail at the moment; your choice is kept for "
            "when it does."
        )
        return listed, email, ["on"] if enabled else [], note

    @app.callback(
        Output(f"{P}-read-msg", "children"),
        Output(f"{P}-changed", "data", allow_duplicate=True),
        Input(f"{P}-read-all", "n_clicks"),
        State(f"{P}-changed", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _read_all(n_clicks, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            notifications.mark_read(session, viewer)
        return "All marked as read.", next_change(counter)

    @app.callback(
        Output(f"{P}-feed-msg", "children"),
        Input(f"{P}-feed-new", "n_clicks"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _feed(n_clicks):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        with db() as session:
            token = notifications.new_feed_token(session, viewer)
        url = f"{request.host_url.rstrip('/')}/feeds/{token}.atom"
        return alert(
            ["Your feed address (shown once): ", html.Code(url, className="user-select-all")],
            "success",
        )

    @app.callback(
        Output(f"{P}-email-msg", "children"),
        Input(f"{P}-email-save", "n_clicks"),
        State(f"{P}-email", "value"),
        State(f"{P}-email-on", "value"),
        prevent_initial_call=True,
    )
    @guarded(alert)
    def _email(n_clicks, email, on):
        viewer = current_viewer()
        if not n_clicks:
            return no_update
        with db() as session:
            chosen = on if isinstance(on, list) else []  # the checklist's ticked values
            notifications.set_email(session, viewer, email or "", "on" in chosen)
        return alert("Saved.", "success")
