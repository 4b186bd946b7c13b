"""The supplier-loop demo on a small demo database: supplier users, releases, answers at every
status with a thread, release use per period, and it can be loaded twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.auth import hash_password
from dashboard.demo import load_demo
from data.demo import supplier_loop
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import (
    ANSWER_STATUSES,
    AnswerReply,
    Release,
    ReleaseUse,
    SupplierAnswer,
    User,
)
from tests.conftest import fresh_database


@pytest.mark.slow
def test_demo_has_the_supplier_loop(tmp_path):
    url = fresh_database("sqlite", tmp_path, "demo")
    sessions = make_sessionmaker(make_engine(url))
    lines: list[str] = []
    load_demo(sessions, n_authorities=24, periods=("2009-Q4", "2010-Q1", "2010-Q2"),
              log=lines.append)  # fmt: skip
    assert any(line.startswith("Supplier loop demo: demo-supplier answers 5") for line in lines)
    with session_scope(sessions) as s:
        users = dict(s.execute(select(User.username, User.role)).all())
        assert users["demo-supplier"] == users["demo-supplier-other"] == "supplier"
        assert set(s.scalars(select(SupplierAnswer.status))) == set(ANSWER_STATUSES)
        assert s.scalar(select(func.count()).select_from(AnswerReply)) == 1
        assert set(s.scalars(select(Release.name))) == {"2009.1", "2009.2"}
        took = s.scalars(
            select(ReleaseUse.authority_id)
            .join(Release, Release.id == ReleaseUse.release_id)
            .where(Release.name == "2009.2")
        ).all()
        assert took
        assert supplier_loop.seed(s, hash_password("demo")) == "Supplier loop demo: already there."
