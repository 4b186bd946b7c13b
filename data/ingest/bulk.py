"""Load many submissions in ONE transaction: the path for an initial national load.

Every submission goes through exactly the checks and the store code of an upload
(`check_content` then `store_checked`, as `import_files` does). What differs:

- the checks (read, validate, redact) can run in `jobs` worker processes, a few
  submissions ahead of the one being stored;
- the whole load is one transaction: a refused file or any other error rolls back
  everything, and nothing is visible to other sessions before `commit()`;
- on PostgreSQL the foreign keys of the tables a submission fills row by row (rating,
  respondent, score_summary, finding) are dropped when the load starts and re-created,
  exactly as they were, just before the commit. Re-creating a key checks every row in
  one pass instead of one trigger call per inserted row (most of the cost of storing
  millions of ratings), as the PostgreSQL manual advises for bulk loads ("Populating a
  Database"). If any row broke a key the commit fails and nothing is stored. Until the
  commit the load holds exclusive locks on those tables and the ones they refer to
  (submission, item, theme, category, workflow_area), so other sessions that read them
  wait: use it to load data, not while people are using the service.

    with BulkLoad(sessions, jobs=2) as load:
        load.add([files_1, files_2, ...])   # StoreResults, in order
        load.commit()                       # without it, everything is rolled back
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Self

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from data.errors import IngestError
from data.ingest import MAX_UPLOAD_BYTES, check_content, store_checked
from data.ingest.catalogue import Catalogue, load_catalogue
from data.ingest.report import Report
from data.ingest.store import StoreResult
from data.ingest.validate import ValidSubmission
from data.store.bulk import is_postgres

Files = list[tuple[str, bytes]]
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# Tables store_submission fills with many rows per submission (data.ingest.store).
KEYED_TABLES = ("rating", "respondent", "score_summary", "finding")
ANALYSED_TABLES = ("submission", "authority")  # also grow or change in a load
_FOREIGN_KEYS = text(
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f' ORDER BY conname"
)

# What a worker process checks against (set once per worker by _start_worker).
_worker_options: dict = {}


def _start_worker(options: dict) -> None:
    _worker_options.update(options)


def _check(files: Files) -> tuple[Report, ValidSubmission | None]:
    return check_content(files, **_worker_options)


class BulkLoad:
    """Check and store many submissions in one transaction of its own session."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        catalogue: Catalogue | None = None,
        allowed_authorities: frozenset[int] | None = None,
        uploaded_by_id: int | None = None,
        jobs: int = 1,
        max_bytes: int = MAX_UPLOAD_BYTES,
        today: date | None = None,
        warnings_confirmed: bool = False,
    ) -> None:
        self._sessions = sessions
        self._warnings_confirmed = warnings_confirmed
        self._catalogue = catalogue
        self._allowed = allowed_authorities
        self._uploaded_by_id = uploaded_by_id
        self._jobs = max(1, jobs)
        self._max_bytes = max_bytes
        self._today = today
        self._session: Session | None = None
        self._pool = None
        self._options: dict = {}
        self._dropped_keys: list[tuple[str, str, str]] = []  # table, name, definition
        self._failed = False
        self.stored = 0

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._session = self._sessions()
        try:
            catalogue = self._catalogue or load_catalogue(self._session)
            self._options = {
                "catalogue": catalogue,
                "allowed_authorities": self._allowed,
                "max_bytes": self._max_bytes,
                "today": self._today,
            }
            if self._session.get_bind().dialect.name == "postgresql":
                self._drop_foreign_keys()
            if self._jobs > 1:  # workers only check files: they never use the database
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
                self._pool = context.Pool(
                    self._jobs, initializer=_start_worker, initargs=(self._options,)
                )
        except BaseException:
            self._close(rollback=True)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._close(rollback=True)  # a no-op after commit()

    def _close(self, *, rollback: bool) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._session is not None:
            if rollback:
                self._session.rollback()
            self._session.close()
            self._session = None

    # -- PostgreSQL: foreign keys checked once, at the end --------------------------------

    def _drop_foreign_keys(self) -> None:
        keys = [
            (table, name, definition)
            for table in KEYED_TABLES
            for name, definition in self._session.execute(_FOREIGN_KEYS, {"table": table})
        ]
        for _, name, _ in keys:
            if not _NAME.match(name):  # spliced into SQL below
                raise ValueError(f"unexpected foreign key name: {name!r}")
        for table, name, _ in keys:
            self._session.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        self._dropped_keys = keys

    def _restore_foreign_keys(self) -> None:
        for table, name, definition in self._dropped_keys:
            # Checks every existing row in one pass (a join), as adding a key always does.
            self._session.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
        self._dropped_keys = []

    # -- loading --------------------------------------------------------------------------

    def _checked(self, file_sets: Sequence[Files]) -> Iterable[tuple[Report, ValidSubmission]]:
        if self._pool is None:
            return (check_content(files, **self._options) for files in file_sets)
        return self._pool.imap(_check, file_sets, chunksize=1)

    def add(self, file_sets: Sequence[Files]) -> list[StoreResult]:
        """Check and store each set of files (one submission each), in order.

        A refused submission raises IngestError (its report, named by its files) and
        the whole load is rolled back, whatever the caller does next."""
        if self._session is None or self._failed:
            raise RuntimeError("the bulk load is not open (or has already failed)")
        out = []
        try:
            for files, (report, valid) in zip(file_sets, self._checked(file_sets), strict=True):
                try:
                    stored = store_checked(
                        self._session,
                        report,
                        valid,
                        uploaded_by_id=self._uploaded_by_id,
                        warnings_confirmed=self._warnings_confirmed,
                    )
                except IngestError as exc:
                    names = ", ".join(name for name, _ in files)
                    raise IngestError(
                        f"{names}: {exc}; nothing from this load was stored", exc.report
                    ) from exc
                self.stored += 0 if stored.duplicate else 1
                out.append(stored)
        except BaseException:
            self._failed = True
            self._close(rollback=True)
            raise
        return out

    def commit(self) -> None:
        """Re-create the foreign keys (checking every row), then commit the whole load."""
        if self._session is None or self._failed:
            raise RuntimeError("the bulk load is not open (or has already failed)")
        try:
            self._restore_foreign_keys()
            self._session.commit()
        except BaseException:
            self._failed = True
            self._close(rollback=True)
            raise
        self._analyse()
        self._close(rollback=False)

    def _analyse(self) -> None:
        """Refresh the planner's statistics after the load, as the PostgreSQL manual advises
        for bulk loads: with the old ones (an empty database) it planned the summaries query
        of the analysis pages as a nested loop, 20 s instead of under one."""
        if is_postgres(self._session):
            for table in (*ANALYSED_TABLES, *KEYED_TABLES):
                self._session.execute(text(f"ANALYZE {table}"))
            self._session.commit()
