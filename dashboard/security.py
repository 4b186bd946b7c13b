"""CSRF on every POST (login form and Dash callbacks), cookie flags, security headers."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect, generate_csrf

csrf = CSRFProtect()
CSRF_COOKIE = "_csrf_token"  # the cookie Dash's renderer reads and echoes as X-CSRFToken


def _content_security_policy(script_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])  # Dash quotes its hashes
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",  # plotly and Dash set inline styles
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(server: Flask, app) -> None:
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session, like the session itself
        WTF_CSRF_SSL_STRICT=False,
    )
    server.config.setdefault("SESSION_COOKIE_SECURE", False)
    server.config["REMEMBER_COOKIE_SECURE"] = server.config["SESSION_COOKIE_SECURE"]
    csrf.init_app(server)
    policies: dict[str, str] = {}

    def policy() -> str:
        # Dash adds inline scripts (e.g. the pages clientside callbacks) while it sets itself
        # up on the first request, so hash them after that, once.
        if "csp" not in policies and getattr(app, "_got_first_request", {}).get("setup_server"):
            policies["csp"] = _content_security_policy(app.csp_hashes())
        return policies.get("csp") or _content_security_policy(app.csp_hashes())

    @server.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy())
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path == "/" or not request.path.startswith(("/assets/", "/_dash-component")):
            response.set_cookie(
                CSRF_COOKIE,
                generate_csrf(),
                samesite="Lax",
                secure=server.config["SESSION_COOKIE_SECURE"],
                httponly=False,  # Dash's renderer must read it to send the header
            )
        return response
