"""Settings, read from the environment; tests subclass Config."""

from __future__ import annotations

import math
import os
import string
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-change-me"
MIN_SECRET_BITS = 256  # 32 random bytes
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
# Placeholders copied from tutorials and sample configs: refused whatever their length.
WEAK_SECRETS = frozenset(
    {
        DEFAULT_SECRET,
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "mysecret",
        "my-secret-key",
        "your-secret-key",
        "your_secret_key",
        "supersecret",
        "super-secret-key",
        "password",
        "default",
        "dev",
        "development",
        "test",
        "testing",
        "please-change-me",
        "replace-me",
        "insecure",
        "icsdash",
    }
)


class ConfigError(Exception):
    """A setting that makes the service unsafe or unable to start; the message says which."""


def secret_key_problem(key: str | None) -> str | None:
    """Why `key` is not fit to sign sessions (None when it is): it must hold at least 32
    random bytes, e.g. 64 hex digits or 43 URL-safe base64 characters."""
    key = key or ""
    if not key.strip():
        return f"SECRET_KEY is not set: set it to a long random value ({MAKE_SECRET})"
    if key.strip().lower() in WEAK_SECRETS or DEFAULT_SECRET in key:
        return f"SECRET_KEY is a well-known placeholder: set a long random value ({MAKE_SECRET})"
    if set(key) <= set(string.hexdigits):
        alphabet = 16
    elif set(key) <= set(string.ascii_letters + string.digits + "-_+/="):
        alphabet = 64
    else:
        alphabet = 95
    bits = len(key) * math.log2(alphabet)
    trigrams = {key[i : i + 3] for i in range(len(key) - 2)}
    repetitive = len(trigrams) < 0.8 * (len(key) - 2)  # "abcabc...", "0123...0123..."
    if bits < MIN_SECRET_BITS or len(set(key)) < min(alphabet, 12) or repetitive:
        return (
            f"SECRET_KEY is too short or too simple ({len(key)} characters): it needs at least "
            f"32 random bytes, e.g. 64 hex digits ({MAKE_SECRET})"
        )
    return None


class Config:
    DATABASE_URL: str = os.environ.get("DATABASE_URL", f"sqlite:///{Path.cwd() / 'icsdash.db'}")
    SECRET_KEY: str = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    CACHE_URL: str | None = os.environ.get("CACHE_URL") or None  # e.g. redis://127.0.0.1:6379/0
    DEMO: bool = os.environ.get("ICSDASH_DEMO", "") == "1"
    MIN_LAS: int = int(os.environ.get("MIN_LAS", "3"))
    MIN_RESPONDENTS: int = int(os.environ.get("MIN_RESPONDENTS", "10"))
    MAX_UPLOAD_MB: int = int(os.environ.get("MAX_UPLOAD_MB", "10"))
    LOGIN_RATE_LIMIT: str = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT: str = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute")
    RATELIMIT_ENABLED: bool = True
    # Shared limiter storage when several workers serve the app (memory:// otherwise)
    RATELIMIT_STORAGE_URI: str = os.environ.get("CACHE_URL") or "memory://"
    # Redis down: count sign-in attempts in this process until it is back (checked again
    # every few seconds), rather than refusing every sign-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: bool = True
    RATELIMIT_STORAGE_OPTIONS: dict = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    SESSION_COOKIE_SECURE: bool = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    # Supplier API (dashboard/api.py): per-token rate limit and largest accepted body.
    API_RATE_LIMIT: str = os.environ.get("API_RATE_LIMIT", "120 per minute")
    API_MAX_BODY_BYTES: int = int(os.environ.get("API_MAX_BODY_BYTES", "16384"))
    # Notification e-mail: off unless MAIL_ENABLED=1 and an SMTP host is given.
    MAIL_ENABLED: bool = os.environ.get("MAIL_ENABLED", "") == "1"
    SMTP_HOST: str = os.environ.get("SMTP_HOST", "")
    SMTP_PORT: int = int(os.environ.get("SMTP_PORT", "25"))
    MAIL_FROM: str = os.environ.get("MAIL_FROM", "icsdash@localhost")
    TESTING: bool = False
    # Build the analysis memos in a background thread at start and after each new data
    # version (dashboard/warm.py); seconds between data-version checks, 0 turns it off.
    WARM_EVERY_S: float = float(os.environ.get("WARM_EVERY_S", "5"))


def database_url(config: type[Config] | Config) -> str:
    """SQLAlchemy URL; plain postgresql:// URLs use the psycopg 3 driver."""
    url = config.DATABASE_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
