"""Bulk-load plain tuples into one table inside the caller's transaction.

PostgreSQL gets COPY ... FROM STDIN (one round trip, no per-row statements); SQLite gets
one executemany of tuples. Both skip SQLAlchemy's per-row parameter handling, which is
what dominated storing a submission. Values must already be plain Python values of the
column types (int, float, str, None); nothing here converts or validates them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _connection(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def _names(table: str, columns: Sequence[str]) -> str:
    for name in (table, *columns):
        if not _NAME.match(name):  # names are spliced into SQL: only plain identifiers
            raise ValueError(f"not a plain table or column name: {name!r}")
    return ", ".join(columns)


def is_postgres(session: Session | Connection) -> bool:
    return _connection(session).dialect.name == "postgresql"


def insert_rows(
    session: Session | Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`."""
    cols = _names(table, columns)
    conn = _connection(session)
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with (
            dbapi.cursor() as cur,
            cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cur = dbapi.cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    finally:
        cur.close()


def copy_text(session: Session | Connection, table: str, columns: Sequence[str], data: str) -> None:
    """PostgreSQL only: COPY a ready-made text-format block (tab-separated lines, already
    escaped) into `table`. The fastest way in for integer-only rows such as ratings."""
    cols = _names(table, columns)
    dbapi = _connection(session).connection.dbapi_connection
    with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        copy.write(data)


def allocate_ids(session: Session | Connection, table: str, count: int) -> list[int]:
    """`count` new ids for `table`.id, ascending, to insert explicitly in the caller's
    transaction (so a bulk insert needs no RETURNING).

    PostgreSQL draws them from the column's sequence (other transactions can never get
    them). SQLite would itself give the next rows max(id) + 1, ...: the caller must already
    hold the write lock (have written in this transaction), so nobody can take them first."""
    if count <= 0:
        return []
    _names(table, ())
    conn = _connection(session)
    if conn.dialect.name == "postgresql":
        ids = conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table, "count": count},
        ).scalars()
        return sorted(ids)
    top = conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
    return list(range(top + 1, top + 1 + count))
