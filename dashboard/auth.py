"""Sign-in, sign-out and the guard that puts every route behind login.

One before_request guard covers pages, Dash's /_dash-* endpoints, component
scripts and downloads; only the login page, health check and static assets are open."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from data.privacy.access import SUPPLIER, Viewer, callback_target, supplier_may_request
from data.store import audit
from data.store.db import session_scope
from data.store.models import User
from layouts.shell import Identity

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# /api/v1/ and /feeds/ authenticate each request with a bearer or feed token of their own.
OPEN_PREFIXES = ("/login", "/healthz", "/assets/", "/api/v1/", "/feeds/")
# A fixed hash to compare against when the user does not exist, so timing does not
# reveal which usernames are real.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """scrypt hash (werkzeug's default), salted."""
    return generate_password_hash(password)


@dataclass
class SignedInUser(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    authority_id: int | None
    supplier_id: int | None
    authority_name: str | None
    supplier_name: str | None
    active: bool = True

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.id, self.role, self.authority_id, self.supplier_id)


def current_identity() -> Identity | None:
    """What the page shell shows about the signed-in user (None outside a request)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    u = current_user
    return Identity(
        u.display_name,
        u.role,
        u.authority_name,
        u.supplier_name if u.role in ("nlar_rep", SUPPLIER) else None,
    )


def _load(user_id: str) -> SignedInUser | None:
    if not user_id.isdigit():
        return None
    services = current_app.extensions["icsdash"]
    with session_scope(services.sessions) as session:
        user = session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return SignedInUser(
            user.id,
            user.username,
            user.display_name or user.username,
            user.role,
            user.authority_id,
            user.supplier_id,
            user.authority.name if user.authority else None,
            user.supplier.name if user.supplier else None,
        )


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _account_key() -> str:
    return "account:" + request.form.get("username", "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
)
def login():
    demo = current_app.extensions["icsdash"].demo
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", error=None, next_url=next_url, username="", demo=demo)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    services = current_app.extensions["icsdash"]
    with session_scope(services.sessions) as session:
        user = session.scalar(select(User).where(User.username == username))
        ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
        if user is not None and ok and user.active:
            audit.record(session, user.id, audit.SIGN_IN, user.username)
            user_id = user.id
        else:
            user_id = None
    if user_id is None:
        error = "The username or password is not right, or the account is disabled."
        page = render_template(
            "login.html", error=error, next_url=next_url, username=username, demo=demo
        )
        return page, 401
    login_user(_load(str(user_id)))
    return redirect(next_url)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


def _guard():
    path = request.path
    if path.startswith(OPEN_PREFIXES) or path == "/favicon.ico":
        return None
    if current_user.is_authenticated:
        return _supplier_fence() if current_user.role == SUPPLIER else None
    if path.startswith("/_dash-") or path.startswith("/download/"):
        return jsonify(error="Sign in required"), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _supplier_fence():
    """A supplier user reaches its own pages and their callbacks only (data.privacy.access)."""
    path = request.path
    if path == "/":
        return redirect("/supplier")
    body = request.get_json(silent=True) if path == "/_dash-update-component" else None
    outputs, pathname = callback_target(body)
    if supplier_may_request(path, outputs, pathname):
        return None
    return jsonify(error="Not available to supplier accounts"), 403


def init_app(server: Flask) -> None:
    login_manager.init_app(server)
    login_manager.user_loader(_load)
    login_manager.login_view = "auth.login"
    limiter.init_app(server)
    server.register_blueprint(bp)
    server.before_request(_guard)
