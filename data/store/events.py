"""In-process events, so a lower layer can let a higher one react without importing it.

data.ingest stores submissions but may not import data.requirements (sibling layers); the
requirements code registers ``submission_stored`` handlers here (upload-time grouping of
findings) and ``data.ingest.import_files`` fires them after a new submission is stored, inside
the caller's transaction. Handlers must not raise for ordinary failures (they log instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

Handler = Callable[[Session, int], None]
_stored: list[Handler] = []
_paused = threading.local()


def on_submission_stored(handler: Handler) -> Handler:
    """Register handler(session, submission_id) once; returns it (usable as a decorator)."""
    if handler not in _stored:
        _stored.append(handler)
    return handler


def submission_stored(session: Session, submission_id: int) -> None:
    if getattr(_paused, "on", False):
        return
    for handler in list(_stored):
        handler(session, submission_id)


@contextmanager
def paused() -> Iterator[None]:
    """No submission_stored handlers in this thread meanwhile: for bulk loads that regroup
    everything afterwards (e.g. the demo loader), where grouping each upload is wasted work."""
    before = getattr(_paused, "on", False)
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = before
