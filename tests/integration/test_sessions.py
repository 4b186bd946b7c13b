"""The security review's attacks, tried: replayed session cookies, sessions of disabled users
and changed passwords, sign-out by GET, weak signing keys, and locking out an account owner."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from dashboard.auth import hash_password
from dashboard.config import ConfigError
from dashboard.factory import create_app
from data.pages.admin import set_password, update_user
from data.privacy.access import Viewer
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import User
from tests.conftest import fresh_database
from tests.integration.conftest import DashClient, make_config, seed_small


@pytest.fixture(scope="module")
def own_db(tmp_path_factory) -> str:
    url = fresh_database("sqlite", tmp_path_factory.mktemp("sessions"), "sessions")
    seed_small(url)
    return url


@pytest.fixture(scope="module")
def app(own_db):
    return create_app(make_config(own_db))


@pytest.fixture
def sessions(own_db):
    engine = make_engine(own_db)
    yield make_sessionmaker(engine)
    engine.dispose()


def _signed_in(app, username: str) -> DashClient:
    c = DashClient(app.server.test_client())
    assert c.login(username).status_code == 302
    assert c.http.get("/_dash-layout").status_code == 200
    return c


def _session_cookie(c: DashClient) -> str:
    return c.http.get_cookie("session").value


def _as_admin(session) -> Viewer:
    admin = session.scalar(select(User).where(User.username == "admin"))
    return Viewer(admin.id, admin.role, None, None)


def test_cookie_copied_before_logout_is_dead_after_it(app):
    c = _signed_in(app, "la")
    stolen = _session_cookie(c)
    response = c.http.post("/logout", data={"csrf_token": c.csrf()})
    assert response.status_code == 302 and response.location.endswith("/login")
    replay = app.server.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/_dash-layout").status_code == 401
    assert replay.get("/").status_code == 302  # to the sign-in page
    assert _signed_in(app, "la")  # signing in again works


def test_logout_ends_every_session_of_the_user(app):
    laptop, phone = _signed_in(app, "la"), _signed_in(app, "la")
    laptop.http.post("/logout", data={"csrf_token": laptop.csrf()})
    assert phone.http.get("/_dash-layout").status_code == 401


def test_logout_by_get_or_without_csrf_is_refused(app):
    c = _signed_in(app, "la2")
    assert c.http.get("/logout").status_code == 405
    assert c.http.post("/logout").status_code == 400  # no CSRF token
    assert c.http.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert c.http.get("/_dash-layout").status_code == 200  # still signed in


def test_disabling_a_user_ends_their_session_even_after_reenabling(app, sessions):
    c = _signed_in(app, "nlar")
    with session_scope(sessions) as s:
        user = s.scalar(select(User).where(User.username == "nlar"))
        fields = dict(role=user.role, authority_id=user.authority_id, supplier_id=user.supplier_id)
        update_user(s, _as_admin(s), user.id, active=False, **fields)
    assert c.http.get("/_dash-layout").status_code == 401
    with session_scope(sessions) as s:
        update_user(s, _as_admin(s), user.id, active=True, **fields)
    assert c.http.get("/_dash-layout").status_code == 401  # the old session stays dead
    assert _signed_in(app, "nlar")


def test_password_change_ends_sessions(app, sessions):
    c = _signed_in(app, "coord")
    with session_scope(sessions) as s:
        user_id = s.scalar(select(User.id).where(User.username == "coord"))
        set_password(s, _as_admin(s), user_id, hash_password("a-new-pass-5678"))
    assert c.http.get("/_dash-layout").status_code == 401
    assert c.login("coord", "a-new-pass-5678").status_code == 302


def _find(node, kind: str):
    if isinstance(node, dict):
        if node.get("type") == kind:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _find(child, kind)
            if found is not None:
                return found
    return None


def test_shell_signs_out_with_a_csrf_form(app):
    c = _signed_in(app, "la2")
    form = _find(c.http.get("/_dash-layout").get_json(), "Form")["props"]
    assert form["action"] == "/logout" and form["method"] == "POST"
    hidden = _find(form, "Input")["props"]
    assert hidden["name"] == "csrf_token" and hidden["type"] == "hidden"
    response = c.http.post("/logout", data={"csrf_token": hidden["value"]})
    assert response.status_code == 302  # what the button sends signs out
    assert c.http.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("key", ["changeme", "", "short-key", "dev-insecure-change-me"])
def test_weak_secret_key_refused_outside_demo(own_db, key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(make_config(own_db, SECRET_KEY=key, TESTING=False, WARM_EVERY_S=0))
    create_app(make_config(own_db, SECRET_KEY=key, TESTING=False, DEMO=True, WARM_EVERY_S=0))


def test_strong_secret_key_accepted(own_db):
    create_app(make_config(own_db, SECRET_KEY=secrets.token_hex(32), TESTING=False, WARM_EVERY_S=0))


def test_stranger_cannot_lock_the_owner_out(own_db):
    app = create_app(
        make_config(
            own_db,
            RATELIMIT_ENABLED=True,
            LOGIN_ACCOUNT_RATE_LIMIT="3 per minute",
            LOGIN_RATE_LIMIT="100 per minute",
        )
    )
    attacker = DashClient(app.server.test_client())
    attacker.http.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert [attacker.login("la", "guess").status_code for _ in range(4)] == [401, 401, 401, 429]
    assert attacker.login("la").status_code == 429  # even the right password, from there
    owner = DashClient(app.server.test_client())
    owner.http.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert owner.login("la", "typo").status_code == 429  # locked: wrong guesses stay refused
    other = DashClient(app.server.test_client())
    other.http.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert other.login("la").status_code == 302  # the owner, from a clean address, gets in
    assert owner.login("la").status_code == 302  # a refused (not counted) try is no failure
