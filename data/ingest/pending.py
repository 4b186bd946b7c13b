"""Checked uploads waiting for the uploader's confirmation, kept on the server.

The browser only ever holds a random token. At confirm time the files are read back from
here (never from the client), only by the user who uploaded them, and checked again.
A directory on local disk works for several workers on one host; entries expire."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from data.errors import NotFound

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
EXPIRED = "This upload has expired or was not found; please upload the file again."


class PendingUploads:
    """put/get/discard uploaded files by token, bound to the user who uploaded them."""

    def __init__(self, root: Path | str, ttl_seconds: int = 3600) -> None:
        self.root = Path(root)
        self.ttl = ttl_seconds

    def _dir(self, token: str) -> Path:
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            raise NotFound(EXPIRED)
        return self.root / token

    def put(self, user_id: int, files: list[tuple[str, bytes]]) -> str:
        """Keep `files` for `user_id`; return the token that names them."""
        self.purge()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        token = secrets.token_urlsafe(32)
        staging = self.root / f".{token}"
        staging.mkdir(mode=0o700)
        for i, (_name, content) in enumerate(files):
            (staging / f"{i}.bin").write_bytes(content)
        meta = {"user_id": user_id, "created": time.time(), "names": [n for n, _ in files]}
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        staging.rename(self.root / token)  # appears complete or not at all
        return token

    def get(self, token: str, user_id: int) -> list[tuple[str, bytes]]:
        """The files behind `token`, if `user_id` uploaded them and they have not expired."""
        folder = self._dir(token)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NotFound(EXPIRED) from exc
        if meta.get("user_id") != user_id or time.time() - meta.get("created", 0) > self.ttl:
            raise NotFound(EXPIRED)
        try:
            return [
                (name, (folder / f"{i}.bin").read_bytes()) for i, name in enumerate(meta["names"])
            ]
        except OSError as exc:
            raise NotFound(EXPIRED) from exc

    def discard(self, token: str, user_id: int) -> None:
        """Forget an upload (after it is stored or cancelled); only its uploader can."""
        try:
            self.get(token, user_id)
        except NotFound:
            return
        shutil.rmtree(self._dir(token), ignore_errors=True)

    def purge(self) -> None:
        """Remove expired entries (and half-written ones)."""
        if not self.root.is_dir():
            return
        cutoff = time.time() - self.ttl
        for entry in self.root.iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue
