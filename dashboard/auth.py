"""Sign-in, sign-out and the guard that puts every route behind login.

One before_request guard covers pages, Dash's /_dash-* endpoints, component
scripts and downloads; only the login page, health check and static assets are open.

Sessions are revocable: each carries the user's session generation from sign-in, checked on
every request; sign-out, disabling the account and a new password bump it, so a copied
session cookie stops working at once. Sign-out is a POST with the CSRF token only.

Failed sign-ins are limited per address and per account; when an account is over its limit
only a correct password from an address with no failed attempts on it gets through, so a
stranger guessing passwords cannot lock the owner out."""

from __future__ import annotations

import logging
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
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from data.privacy.access import SUPPLIER, Viewer, callback_target, supplier_may_request
from data.store import audit
from data.store.db import session_scope
from data.store.models import User
from layouts.shell import Identity

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# /api/v1/ and /feeds/ authenticate each request with a bearer or feed token of their own.
OPEN_PREFIXES = ("/assets/", "/api/v1/", "/feeds/")
OPEN_PATHS = ("/login", "/healthz", "/favicon.ico")  # exactly: /loginx is the app's, guarded
GENERATION = "_icsdash_gen"  # the session's key for the user's session generation
LOCKED = (
    "Too many failed sign-ins for this account. Try again in a minute; if you know the "
    "password, sign in from a device that has not failed."
)
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
        csrf_token=generate_csrf(),
    )


def _signed_in(user: User) -> SignedInUser:
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


def _load(user_id: str) -> SignedInUser | None:
    """The user of this request's session, if the account is active and the session was
    started in the account's current session generation (not revoked since)."""
    if not user_id.isdigit():
        return None
    services = current_app.extensions["icsdash"]
    with session_scope(services.sessions) as db:
        user = db.get(User, int(user_id))
        if user is None or not user.active:
            return None
        if session.get(GENERATION) != user.session_generation:
            return None  # signed out elsewhere, disabled or password changed since
        return _signed_in(user)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _failed(response) -> bool:
    return response.status_code != 302


class _AccountLimit:
    """Failed sign-ins per account (and per account and address), in the limiter's storage
    (Redis with CACHE_URL, shared by every worker). If that storage fails, the counts are
    kept in this process until it answers again (logged once), so sign-in keeps working."""

    _fallback = MovingWindowRateLimiter(MemoryStorage())
    _storage_failed = False

    def __init__(self, username: str) -> None:
        self.on = current_app.config.get("RATELIMIT_ENABLED", True)
        self.item = parse_limit(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])
        self.account = "login-account:" + username.strip().lower()[:80]
        self.address = f"{self.account}:{get_remote_address()}"

    def _run(self, op: str, key: str):
        try:
            result = getattr(limiter.limiter, op)(self.item, key)
        except Exception as exc:  # the shared storage is down: count here meanwhile
            if not _AccountLimit._storage_failed:
                log.warning("sign-in limit storage unavailable, counting in-process: %s", exc)
                _AccountLimit._storage_failed = True
            return getattr(self._fallback, op)(self.item, key)
        if _AccountLimit._storage_failed:
            log.warning("sign-in limit storage answers again")
            _AccountLimit._storage_failed = False
        return result

    def locked(self) -> bool:
        return self.on and not self._run("test", self.account)

    def address_failed(self) -> bool:
        """This address has failed on this account within the window."""
        return self.on and self._run("get_window_stats", self.address).remaining < self.item.amount

    def fail(self) -> None:
        if self.on:
            self._run("hit", self.account)
            self._run("hit", self.address)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
def login():
    demo = current_app.extensions["icsdash"].demo
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", error=None, next_url=next_url, username="", demo=demo)
    username = request.form.get("username", "").strip()[:200]
    password = request.form.get("password", "")[:1000]
    limit = _AccountLimit(username)
    services = current_app.extensions["icsdash"]
    signed_in = generation = None
    with session_scope(services.sessions) as db:
        user = db.scalar(select(User).where(User.username == username)) if username else None
        ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
        if limit.locked() and (not ok or limit.address_failed()):
            page = render_template(
                "login.html", error=LOCKED, next_url=next_url, username=username, demo=demo
            )
            return page, 429
        if user is not None and ok and user.active:
            audit.record(db, user.id, audit.SIGN_IN, user.username)
            signed_in, generation = _signed_in(user), user.session_generation
    if signed_in is None:
        limit.fail()
        error = "The username or password is not right, or the account is disabled."
        page = render_template(
            "login.html", error=error, next_url=next_url, username=username, demo=demo
        )
        return page, 401
    login_user(signed_in)
    session[GENERATION] = generation
    return redirect(next_url)


def end_sessions(user_id: int) -> None:
    """End every session of `user_id` now (this one included)."""
    services = current_app.extensions["icsdash"]
    with session_scope(services.sessions) as db:
        user = db.get(User, user_id)
        if user is not None:
            user.end_sessions()


@bp.get("/logout")
def logout_by_link():
    """A link (from any site) must not sign anyone out: only the Sign out button's POST."""
    body = "Sign out with the Sign out button at the top of a page."
    return body, 405, {"Allow": "POST", "Content-Type": "text/plain; charset=utf-8"}


@bp.post("/logout")  # CSRF-checked like every POST
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


def _guard():
    path = request.path
    if path.startswith(OPEN_PREFIXES) or path in OPEN_PATHS:
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
