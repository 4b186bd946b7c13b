"""Build the per-process memos (all periods' summaries and finding counts, filter options)
before users ask, and again whenever the data version changes.

Reading every period once costs a few seconds at national scale; done in a request it
would be the first user's wait after each upload, so the app does it in the background."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from data.pages.themes import finding_cube, finding_rows
from data.privacy.disclosure import DisclosureRules
from data.privacy.scores_cube import warm_partitions
from data.queries.filter_options import analysis_options, summary_rows
from data.requirements.candidates import ranked_candidates, waiting_count
from data.store.versioning import current_data_version

log = logging.getLogger(__name__)


def warm(session: Session, rules: DisclosureRules) -> int:
    """Fill the memos for the current data version; return that version."""
    version = current_data_version(session)
    analysis_options(session)
    rows = summary_rows(session, rules).rows
    warm_partitions(rows, rules)  # the score atoms of every period and measure (Compare)
    finding_rows(session, None, rules)
    finding_cube(session, rules)  # the protected source of every Themes figure
    ranked_candidates(session)
    waiting_count(session)
    gc.collect()
    release_freed_memory()
    return version


def release_freed_memory() -> None:
    """Hand memory freed by the warm-up (query rows, temporary frames) back to the system.

    glibc keeps freed heap pages otherwise, and a gunicorn worker forked after the warm-up
    would start with them resident. A no-op where glibc is not the C library."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Warmer:
    """A daemon thread that warms the memos at start and after every new data version
    (an upload through any worker or host bumps it; each process checks every ``every`` s)."""

    def __init__(
        self, sessions: Callable[[], Session], rules: DisclosureRules, every: float = 5.0
    ) -> None:
        self.sessions, self.rules, self.every = sessions, rules, every
        self.warmed_version: int | None = None
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="icsdash-warm", daemon=True)

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> None:
        """Warm once if the data version moved since the last warm-up."""
        with self.sessions() as session:
            if current_data_version(session) == self.warmed_version:
                return
            start = time.perf_counter()
            self.warmed_version = warm(session, self.rules)
            log.info(
                "memos warmed for data version %s in %.1f s",
                self.warmed_version,
                time.perf_counter() - start,
            )
        self.ready.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # e.g. database not migrated yet: try again later
                log.warning("warming the memos failed; retrying", exc_info=True)
            self._stop.wait(self.every)
