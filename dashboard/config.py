"""Settings, read from the environment; tests subclass Config."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-change-me"


class Config:
    DATABASE_URL: str = os.environ.get("DATABASE_URL", f"sqlite:///{Path.cwd() / 'icsdash.db'}")
    SECRET_KEY: str = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    CACHE_URL: str | None = os.environ.get("CACHE_URL") or None  # e.g. redis://127.0.0.1:6379/0
    DEMO: bool = os.environ.get("ICSDASH_DEMO", "") == "1"
    MIN_LAS: int = int(os.environ.get("MIN_LAS", "3"))
    MIN_RESPONDENTS: int = int(os.environ.get("MIN_RESPONDENTS", "10"))
    MAX_UPLOAD_MB: int = int(os.environ.get("MAX_UPLOAD_MB", "10"))
    # Checked uploads wait here until confirmed; shared storage when several hosts serve.
    UPLOAD_DIR: str = os.environ.get("UPLOAD_DIR", "") or str(
        Path(tempfile.gettempdir()) / "icsdash-uploads"
    )
    LOGIN_RATE_LIMIT: str = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT: str = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute")
    RATELIMIT_ENABLED: bool = True
    # Shared limiter storage when several workers serve the app (memory:// otherwise)
    RATELIMIT_STORAGE_URI: str = os.environ.get("CACHE_URL") or "memory://"
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
