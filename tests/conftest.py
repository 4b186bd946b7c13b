"""Shared fixtures: databases (SQLite and PostgreSQL), a small demo dataset, the app,
a logged-in client per role."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from sqlalchemy import text

import layouts.charts.figures
from data.reference.seed import load_code_lists
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.migrate import upgrade
from data.store.models import Base
from tests.factories import load_reference

layouts.charts.figures.VALIDATE = True  # every chart the tests draw is checked property by property

PG_URL = os.environ.get(
    "ICSDASH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("ICSDASH_REQUIRE_POSTGRES") == "1"


TESTS = Path(__file__).parent


def pytest_configure(config) -> None:
    # `-n 2 --dist loadgroup`: hand out the work units in collection order (tests/browser,
    # tests/integration, then the small modules of tests/unit last, which even out the end),
    # not by their number of tests, which put the four long journeys (one unit) behind dozens
    # of small modules.
    if getattr(config.option, "dist", "no") == "loadgroup":
        config.option.loadscopereorder = False
    config.pluginmanager.register(_XdistGroups(), "icsdash-xdist-groups")


def pytest_collection_modifyitems(config, items) -> None:
    """Tiers. `pytest -m "not slow"` is the edit loop: the pure tests in tests/unit (about 20 s
    of CPU). The whole suite is for CI. Slow: all of tests/integration (the app over HTTP,
    CLI subprocesses, bench scripts), tests/browser (marked in its conftest), every
    PostgreSQL run, and the unit tests marked slow one by one. (Not trylast: `-m` deselects
    in pytest's own hook, which must see these marks.)"""
    for item in items:
        if item.get_closest_marker("postgres") or TESTS / "integration" in item.path.parents:
            item.add_marker(pytest.mark.slow)


class _XdistGroups:
    @pytest.hookimpl(trylast=True)  # after every conftest has added its marks
    def pytest_collection_modifyitems(self, config, items) -> None:
        _xdist_groups(config, items)


def _xdist_groups(config, items) -> None:
    """Name each test's work unit for `--dist loadgroup` (on an xdist worker only).

    pytest-xdist tells the scheduler a test's group by appending "@group" to the node id it
    reports, which it does by setting ``item._nodeid``; since pytest 9.2 a node id is read from
    ``item._id``, so that suffix never arrived: every test went out on its own, the browser
    group and the journeys were split across both workers, and each module-scoped fixture
    (the 80-authority demo of test_specification_audit, the analysis and bench databases, ...)
    was built on both workers. Here the suffix goes where pytest reads it.

    A test without an xdist_group mark is grouped with its module, as `--dist loadfile` would:
    its module's fixtures are built once."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest before 9.2 reads item._nodeid
        NodeId = None

    for item in items:
        nodeid = item.nodeid
        if nodeid.rfind("@") > nodeid.rfind("]"):  # already named (a fixed xdist)
            continue
        marks = [m.args[0] if m.args else m.kwargs.get("name", "default")
                 for m in item.iter_markers("xdist_group")]  # fmt: skip
        group = "_".join(sorted({str(m) for m in marks})) or (
            f"{item.path.parent.name}/{item.path.stem}"
        )
        if NodeId is None:
            item._nodeid = f"{nodeid}@{group}"
        else:
            item._id = NodeId.parse(f"{nodeid}@{group}")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"p{os.getpid()}")[:8]
_SCHEMAS: set[str] = set()


def _pg_url(tag: str) -> str:
    """A schema of its own per test run, xdist worker and purpose, selected with search_path
    (so two test runs at once on one server never share one); dropped when the run ends."""
    schema = f"t_{_RUN}_{_worker()}_{tag}".lower()
    _SCHEMAS.add(schema)
    engine = make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # no server here
        engine.dispose()
        if REQUIRE_PG:
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    engine.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def pytest_sessionfinish(session, exitstatus) -> None:
    if not _SCHEMAS:
        return
    engine = make_engine(PG_URL)
    try:  # one transaction per schema: dropping them all in one runs out of lock slots
        for schema in sorted(_SCHEMAS):
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()


_FRESH = itertools.count()


def fresh_database(backend: str, tmp_path: Path, tag: str) -> str:
    """Migrate a brand-new database and load the code lists; return its URL. Each PostgreSQL
    one is a schema of its own, so its URL is new too: the per-process memos (keyed by URL
    and data version) never serve one test's results to the next."""
    pg_tag = f"{tag}{next(_FRESH)}"
    url = f"sqlite:///{tmp_path / f'{tag}.db'}" if backend == "sqlite" else _pg_url(pg_tag)
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        load_code_lists(session)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    """Sessions on a fresh SQLite database (one per test module) with the code lists and the
    three test authorities of tests.factories. A module needing another `ref` defines its own."""
    url = fresh_database("sqlite", tmp_path_factory.mktemp("ref"), "ref")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        load_reference(s)
    yield sessions
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, migrated database on each backend (tests using it run twice)."""
    return fresh_database(request.param, tmp_path, "fn")


@pytest.fixture
def sessions(db_url):
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def clear_data(engine) -> None:
    """Empty every table (used between tests sharing one migrated schema)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
