"""Per-user Atom feeds of notifications (/feeds/<token>.atom), authenticated by the user's
feed token (made on the Inbox page, stored hashed), and the optional e-mail copy settings."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request

from data.requirements import notifications
from data.store.db import session_scope

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/<token>.atom")
def atom(token: str):
    services = current_app.extensions["icsdash"]
    with session_scope(services.sessions) as session:
        user = notifications.feed_user(session, token)
        if user is None:
            return Response("Unknown feed token.\n", status=404, mimetype="text/plain")
        body = notifications.atom_feed(session, user, request.host_url)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/feeds/", defaults={"_rest": ""})
@bp.route("/feeds/<path:_rest>")
def not_a_feed(_rest: str):
    """/feeds/ is open without sign-in: anything but a feed is not found (never the app)."""
    return Response("There is no such feed.\n", status=404, mimetype="text/plain")


def init_app(server: Flask) -> None:
    """Register the feed route and turn notification e-mail on only where configured."""
    server.register_blueprint(bp)
    config = server.config
    mailer = (
        notifications.Mailer(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["MAIL_FROM"])
        if config.get("MAIL_ENABLED") and config.get("SMTP_HOST")
        else None
    )
    notifications.configure_mailer(mailer)
    # One process may hold several apps (tests): each request uses its own app's setting.
    server.before_request(lambda: notifications.configure_mailer(mailer))
