"""VersionMemo: reuse within a data version and database, rebuild after an upload."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from data.store.memo import VersionMemo
from data.store.models import Base
from data.store.versioning import bump_data_version


def _session(path) -> Session:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return Session(engine)


def test_memo_rebuilds_only_when_version_or_database_changes(tmp_path):
    memo, calls = VersionMemo(size=4), []

    def build():
        calls.append(1)
        return len(calls)

    first = _session(tmp_path / "a.db")
    assert memo.get(first, ("k",), build) == 1
    assert memo.get(first, ("k",), build) == 1  # same version: reused
    bump_data_version(first)
    first.commit()
    assert memo.get(first, ("k",), build) == 2  # new data: rebuilt
    other = _session(tmp_path / "b.db")
    assert memo.get(other, ("k",), build) == 3  # another database never shares entries


def test_memo_is_bounded(tmp_path):
    memo = VersionMemo(size=2)
    s = _session(tmp_path / "c.db")
    for k in range(5):
        memo.get(s, (k,), lambda k=k: k)
    assert len(memo._entries) == 2
