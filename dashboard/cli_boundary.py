"""The command line's error boundary: open the configured database without ever creating
one by accident, and turn any failure into one line that says what is wrong and what to do.

Only `init-db` and `load-demo` may create a database or a schema (``create=True``); every
other command needs an existing database with the current schema."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Config, database_url
from data.errors import DomainError
from data.store.db import make_engine, make_sessionmaker

URL_EXAMPLE = "postgresql://user:password@host:5432/icsdash or sqlite:////srv/icsdash/icsdash.db"
SUPPORTED = ("sqlite", "postgresql")
CONNECT_TIMEOUT_S = 10


class CliError(Exception):
    """A refusal with one line fit to show an administrator; `code` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _hide_password(text: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


def _parse(config: type[Config] | Config) -> URL:
    raw = config.DATABASE_URL or ""
    if not raw.strip():
        raise CliError(f"DATABASE_URL is empty: set it, like {URL_EXAMPLE}")
    try:
        url = make_url(database_url(config))
    except ArgumentError:
        raise CliError(
            f"DATABASE_URL '{_hide_password(raw)}' is not a database URL: write it like "
            f"{URL_EXAMPLE}"
        ) from None
    if url.get_backend_name() not in SUPPORTED:
        raise CliError(
            f"DATABASE_URL uses '{url.get_backend_name()}', which icsdash does not support: "
            f"use {URL_EXAMPLE}"
        )
    return url


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite URL (None for an in-memory database)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().resolve()


def where(config: type[Config] | Config) -> str:
    """The configured database, for messages: the file, or the URL without its password."""
    path = sqlite_path(_parse(config))
    return str(path) if path else _hide_password(config.DATABASE_URL)


def _default_note() -> str:
    if "DATABASE_URL" in os.environ:
        return ""
    return " (DATABASE_URL is not set, so icsdash uses icsdash.db in the current folder)"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return _hide_password(text)[:200] or type(orig).__name__


def _connect(engine: Engine, shown: str) -> list[str]:
    """Connect once; return the table names. Connection failures become CliError."""
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    except NoSuchModuleError as exc:
        raise CliError(f"the database driver for {shown} is not installed ({exc})") from None
    except DBAPIError as exc:
        reason = _reason(exc)
        if "file is not a database" in reason:
            raise CliError(
                f"{shown} is not an icsdash (SQLite) database: check DATABASE_URL"
            ) from None
        raise CliError(
            f"Cannot connect to the database at {shown} ({reason}): check DATABASE_URL and that "
            "the database server is running and reachable"
        ) from None


def _schema_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    from data.store.migrate import alembic_config

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _check_schema(engine: Engine, tables: list[str], shown: str) -> None:
    if "alembic_version" not in tables:
        raise CliError(f"The database at {shown} has no icsdash schema: run `icsdash init-db`")
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    wanted = _schema_heads()
    if current != wanted:
        have = ", ".join(sorted(current)) or "none"
        raise CliError(
            f"The database at {shown} has schema version {have}; this icsdash needs "
            f"{', '.join(sorted(wanted))}: run `icsdash init-db` to upgrade it"
        )


def open_engine(
    config: type[Config] | Config, *, create: bool = False, upgrading: bool = False
) -> Engine:
    """An engine on the configured database, checked: it exists (SQLite files are never
    created here unless `create`), it answers, and its schema is current (`create`: any or
    none; `upgrading`: an icsdash schema of any version, which the caller then upgrades)."""
    url = _parse(config)
    shown = where(config)
    path = sqlite_path(url)
    if url.get_backend_name() == "sqlite":
        if path is None:
            if not create:
                raise CliError(
                    "DATABASE_URL names an in-memory SQLite database, which holds nothing: "
                    "point it at a file or a PostgreSQL database"
                )
        elif not path.exists():
            if not create:
                raise CliError(
                    f"No database at {path}{_default_note()}: run `icsdash init-db` or set "
                    "DATABASE_URL"
                )
            if not path.parent.is_dir():
                raise CliError(
                    f"Cannot create the database at {path}: the folder {path.parent} does not exist"
                )
        elif path.is_dir():
            raise CliError(f"DATABASE_URL points at the folder {path}, not a database file")
    kwargs = {}
    if url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    engine = make_engine(url.render_as_string(hide_password=False), **kwargs)
    try:
        tables = _connect(engine, shown)
        if upgrading and "alembic_version" not in tables:
            raise CliError(f"The database at {shown} has no icsdash schema: run `icsdash init-db`")
        if not create and not upgrading:
            _check_schema(engine, tables, shown)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def removed_if_refused(config: type[Config] | Config) -> Iterator[None]:
    """Around a command that may create an SQLite file: if the command fails, remove the file
    (and its -wal/-shm companions) it created, so a refusal leaves nothing behind."""
    path = sqlite_path(_parse(config))
    existed = path is None or path.exists()
    try:
        yield
    except BaseException:
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise


def open_sessions(config: type[Config] | Config) -> sessionmaker[Session]:
    """Sessions on the configured, existing, current database (see open_engine)."""
    return make_sessionmaker(open_engine(config))


def explain(exc: BaseException) -> str:
    """One line for an exception that escaped a command (not CliError/DomainError)."""
    if isinstance(exc, IsADirectoryError):
        return (
            f"{exc.filename} is a folder, not a file: name the file(s) inside it "
            "(.xlsx, .zip, or the three .csv files)"
        )
    if isinstance(exc, FileNotFoundError):
        return f"No file or folder at {exc.filename}: check the path"
    if isinstance(exc, PermissionError):
        return f"Not allowed to read or write {exc.filename}: check its permissions"
    if isinstance(exc, OSError):
        name = f" {exc.filename}" if exc.filename else ""
        return f"Cannot use{name}: {exc.strerror or exc}"
    if isinstance(exc, DBAPIError):
        reason = _reason(exc)
        if re.search(r"no such table|does not exist|undefined", reason, re.I):
            return (
                f"The database schema is missing or out of date ({reason}): run `icsdash init-db`"
            )
        return f"The database refused the operation ({reason}); nothing was changed"
    if isinstance(exc, SQLAlchemyError):
        return f"Database error ({_reason(exc)}); nothing was changed"
    return (
        f"Unexpected error ({type(exc).__name__}: {_reason(exc)}); nothing was changed. "
        "Run again with --debug to see the details"
    )


def check_readable_files(paths: list[str]) -> None:
    """Refuse before touching the database when an input file is missing or a folder."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            raise CliError(
                f"{name} is a folder, not a file: name the file(s) inside it "
                "(.xlsx, .zip, or the three .csv files)"
            )
        if not path.exists():
            raise CliError(f"No file at {name}: check the path")
        if not os.access(path, os.R_OK):
            raise CliError(f"Not allowed to read {name}: check its permissions")


__all__ = [
    "CliError",
    "DomainError",
    "check_readable_files",
    "explain",
    "open_engine",
    "open_sessions",
    "removed_if_refused",
    "sqlite_path",
    "where",
]
