"""What the app holds for one process: database, settings derived from Config, cache."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data.privacy.disclosure import DisclosureRules


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    rules: DisclosureRules
    demo: bool
    max_upload_bytes: int
    cache: object = None  # dashboard.cache.LocalCache or RedisCache
    warmer: object = None  # dashboard.warm.Warmer when the memos are warmed in the background
