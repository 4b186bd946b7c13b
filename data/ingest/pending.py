"""Checked uploads waiting for the uploader's confirmation, kept on the server.

The browser only ever holds a random token. At confirm time the files are read back from
here (never from the client), only by the user who uploaded them, and checked again.
They live in the database (table pending_upload), so every app host behind a load balancer
sees them and a restarted worker loses none; entries expire after an hour."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from data.errors import NotFound
from data.store.db import session_scope
from data.store.models import PendingUpload, utcnow

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
EXPIRED = "This upload has expired or was not found; please upload the file again."


class PendingUploads:
    """put/get/discard uploaded files by token, bound to the user who uploaded them."""

    def __init__(self, sessions: sessionmaker[Session], ttl_seconds: int = 3600) -> None:
        self.sessions = sessions
        self.ttl = ttl_seconds

    @staticmethod
    def _check(token) -> str:
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            raise NotFound(EXPIRED)
        return token

    def put(self, user_id: int, files: list[tuple[str, bytes]]) -> str:
        """Keep `files` for `user_id` (all of them or none: one transaction); return the
        token that names them."""
        self.purge()
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with session_scope(self.sessions) as session:
            session.add_all(
                PendingUpload(
                    token=token,
                    position=i,
                    user_id=user_id,
                    created_at=now,
                    name=name[:255],
                    content=content,
                )
                for i, (name, content) in enumerate(files)
            )
        return token

    def get(self, token: str, user_id: int) -> list[tuple[str, bytes]]:
        """The files behind `token`, if `user_id` uploaded them and they have not expired."""
        token = self._check(token)
        cutoff = utcnow() - timedelta(seconds=self.ttl)
        with session_scope(self.sessions) as session:
            rows = session.execute(
                select(PendingUpload.name, PendingUpload.content)
                .where(
                    PendingUpload.token == token,
                    PendingUpload.user_id == user_id,
                    PendingUpload.created_at >= cutoff,
                )
                .order_by(PendingUpload.position)
            ).all()
        if not rows:
            raise NotFound(EXPIRED)
        return [(name, bytes(content)) for name, content in rows]

    def discard(self, token: str, user_id: int) -> None:
        """Forget an upload (after it is stored or cancelled); only its uploader can."""
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            return
        with session_scope(self.sessions) as session:
            session.execute(
                delete(PendingUpload).where(
                    PendingUpload.token == token, PendingUpload.user_id == user_id
                )
            )

    def purge(self) -> None:
        """Remove expired entries."""
        cutoff = utcnow() - timedelta(seconds=self.ttl)
        with session_scope(self.sessions) as session:
            session.execute(delete(PendingUpload).where(PendingUpload.created_at < cutoff))
