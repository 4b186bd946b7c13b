"""Login on every route, roles, CSRF and security headers, through the Flask test client."""

from __future__ import annotations

import pytest

from tests.integration.conftest import make_config
from tests.routes import PAGES

DASH_ROUTES = ["/_dash-layout", "/_dash-dependencies"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_redirects_to_login(client, path):
    response = client.http.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", DASH_ROUTES)
def test_anonymous_dash_endpoint_refused(client, path):
    assert client.http.get(path).status_code == 401


def test_anonymous_callback_refused(client):
    response = client.http.post(
        "/_dash-update-component",
        json={"output": "x.children"},
        headers={"X-CSRFToken": client.csrf()},
    )
    assert response.status_code == 401


def test_component_scripts_need_login(app, client):
    response = client.http.get("/_dash-component-suites/dash/dcc/dash_core_components.js")
    assert response.status_code == 401


def test_login_page_and_assets_are_open(client):
    assert client.http.get("/login").status_code == 200
    assert client.http.get("/assets/bootstrap.min.css").status_code == 200
    assert client.http.get("/healthz").status_code == 200


def test_wrong_password_fails(client):
    response = client.login("la", "wrong-password")
    assert response.status_code == 401
    assert "username or password is not right" in response.get_data(as_text=True)
    assert client.http.get("/").status_code == 302


def test_unknown_user_fails_the_same_way(client):
    response = client.login("nobody", "whatever")
    assert response.status_code == 401


@pytest.mark.parametrize("username", ["la", "nlar", "coord", "admin"])
def test_signed_in_user_is_served(signed_in, username):
    c = signed_in(username)
    for path in PAGES[:3] + DASH_ROUTES:
        assert c.http.get(path).status_code == 200, path


def test_login_without_csrf_token_is_refused(client):
    response = client.http.post("/login", data={"username": "la", "password": "pass-1234"})
    assert response.status_code == 400


def test_callback_without_csrf_header_is_refused(signed_in):
    c = signed_in("la")
    response = c.http.post("/_dash-update-component", json={"output": "x.children"})
    assert response.status_code == 400


def test_next_parameter_only_local(client):
    page = client.http.get("/login?next=https://evil.example/").get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_security_headers_and_cookie_flags(signed_in):
    c = signed_in("la")
    response = c.http.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_httponly_samesite(client):
    token_page = client.http.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    response = client.http.post(
        "/login", data={"username": "la", "password": "pass-1234", "csrf_token": token}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_login_rate_limited_per_account(small_db):
    from dashboard.factory import create_app
    from tests.integration.conftest import DashClient

    app = create_app(
        make_config(
            small_db,
            RATELIMIT_ENABLED=True,
            LOGIN_ACCOUNT_RATE_LIMIT="3 per minute",
            LOGIN_RATE_LIMIT="100 per minute",
        )
    )
    c = DashClient(app.server.test_client())
    codes = [c.login("la", "bad").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert c.login("la").status_code == 429  # even the right password, until the window ends
    other = c.login("admin")
    assert other.status_code == 302  # another account is not locked


def test_disabled_user_cannot_sign_in(small_db, app):
    from sqlalchemy import update

    from data.store.db import make_engine, make_sessionmaker, session_scope
    from data.store.models import User
    from tests.integration.conftest import DashClient

    sessions = make_sessionmaker(make_engine(small_db))
    with session_scope(sessions) as s:
        s.execute(update(User).where(User.username == "la2").values(active=False))
    c = DashClient(app.server.test_client())
    assert c.login("la2").status_code == 401
    with session_scope(sessions) as s:
        s.execute(update(User).where(User.username == "la2").values(active=True))
