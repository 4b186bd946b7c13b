"""Inbox page: thin wiring over data.requirements.notifications; every function acts on the
signed-in user's own notifications and settings only. Marking all read moves the page's
change counter on, and the list follows it."""

from __future__ import annotations

from dash import Input, Output, State, html
from flask import current_app, request

from callbacks.common import clearing, current_viewer, db
from callbacks.registrars import Button, Done, next_change, register_buttons
from data.requirements import notifications
from layouts.components import alert
from layouts.ids import INBOX as I

MAIL_ON = "E-mail copies are available on this service."
MAIL_OFF = "This service does not send e-mail at the moment; your choice is kept for when it does."


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


def inbox(_changed) -> dict:
    """The viewer's notifications (``message``) and e-mail settings."""
    viewer = current_viewer()
    with db() as session:
        items = notifications.inbox(session, viewer)
        email, enabled = notifications.email_settings(session, viewer)
        listed = (
            html.Ul([_item(n) for n in items], className="list-unstyled")
            if items
            else html.P("Nothing yet.")
        )
    return {
        "message": listed,
        "email": email,
        "email_on": ["on"] if enabled else [],
        "note": MAIL_ON if current_app.config.get("MAIL_ENABLED") else MAIL_OFF,
    }


def read_all(viewer, _trigger) -> Done:
    with db() as session:
        notifications.mark_read(session, viewer)
    return Done("All marked as read.")


def new_feed(viewer, _trigger) -> Done:
    with db() as session:
        token = notifications.new_feed_token(session, viewer)
    url = f"{request.host_url.rstrip('/')}/feeds/{token}.atom"
    shown = ["Your feed address (shown once): ", html.Code(url, className="user-select-all")]
    return Done(shown, changed=False)


def save_email(viewer, _trigger, *, email, on) -> Done:
    with db() as session:
        chosen = on if isinstance(on, list) else []  # the checklist's ticked values
        notifications.set_email(session, viewer, email or "", "on" in chosen)
    return Done("Saved.", changed=False)


def _plain_when_done(message, color: str):
    """ "All marked as read." shows as plain text; a refusal as an alert."""
    return message if color == "success" else alert(message, color)


def register(app) -> None:
    app.callback(
        output={
            "message": Output(I("list"), "children"),
            "email": Output(I("email"), "value"),
            "email_on": Output(I("email-on"), "value"),
            "note": Output(I("email-note"), "children"),
        },
        inputs=Input(I("changed"), "data"),
        on_error=clearing(note=""),
    )(inbox)
    register_buttons(
        app,
        [
            Button(read_all, I("read-all"), I("read-msg"), show=_plain_when_done),
            Button(new_feed, I("feed-new"), I("feed-msg")),
            Button(save_email, I("email-save"), I("email-msg"),
                   {"email": State(I("email"), "value"), "on": State(I("email-on"), "value")}),
        ],
        counter=I("changed"),
        step=next_change,
    )  # fmt: skip
