"""Faults the service survives: two app hosts sharing checked uploads through the database,
a worker killed mid-upload, Redis going away and coming back, and two confirmations of the
same file at once (bench/faults.py runs the same scenarios against real gunicorn hosts)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.factory import create_app
from data.errors import IngestError
from data.ingest import check_files, store_checked
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import CURRENT, Finding, PendingUpload, Rating, Respondent, Submission
from tests.conftest import fresh_database
from tests.factories import submission_files
from tests.integration.conftest import DashClient, make_config, seed_small
from tests.integration.test_overview import LOAD, OUTPUT_ID, OUTPUTS
from tests.integration.test_upload_page import Page, check, confirm, text_of

ROOT = Path(__file__).resolve().parents[2]
SECRET = "f" * 8 + os.urandom(28).hex()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_db(request, tmp_path_factory) -> str:
    url = fresh_database(request.param, tmp_path_factory.mktemp("faults"), "faults")
    seed_small(url)
    return url


@pytest.fixture(scope="module")
def sessions(shared_db):
    engine = make_engine(shared_db)
    yield make_sessionmaker(engine)
    engine.dispose()


def _host(url: str, **extra):
    """One app host: its own process state and temporary folder, the shared database."""
    return create_app(make_config(url, SECRET_KEY=SECRET, **extra))


def _counts(sessions) -> dict:
    with session_scope(sessions) as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Submission, Respondent, Rating, Finding)
        }


def test_two_hosts_share_checked_uploads(shared_db, sessions, tmp_path, monkeypatch):
    host_a, host_b = _host(shared_db), _host(shared_db)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # no folder the hosts could share by accident
    on_a = DashClient(host_a.server.test_client())
    assert on_a.login("la").status_code == 302
    token = check(Page(on_a), submission_files(period="2011-Q1", seed=71))["upload-token.data"]
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).select_from(PendingUpload)) >= 3
    on_b = DashClient(host_b.server.test_client())  # the load balancer sends the confirm to B
    on_b.http.set_cookie("session", on_a.http.get_cookie("session").value)
    on_b.http.set_cookie("_csrf_token", on_a.csrf())
    stored = confirm(Page(on_b), token)
    assert text_of(stored["upload-result.children"]).startswith("Stored:")
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).where(PendingUpload.token == token)) == 0


KILLED_WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from data.ingest import import_files
    from data.store.db import make_engine, make_sessionmaker, session_scope
    url, folder = sys.argv[1], Path(sys.argv[2])
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
        s.flush()
        print("written, not committed", flush=True)
        time.sleep(120)
    """
)


def test_worker_killed_mid_upload_leaves_nothing_half_stored(shared_db, sessions, tmp_path):
    with session_scope(sessions) as s:
        confirmed = s.scalar(
            select(Submission.id).where(
                Submission.period == "2010-Q1", Submission.status == CURRENT
            )
        )
    before = _counts(sessions)
    folder = tmp_path / "upload"
    folder.mkdir()
    for name, content in submission_files("E06000901", "frameworki", "2010-Q1", seed=72):
        (folder / name).write_bytes(content)
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, shared_db, str(folder)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "written, not committed"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert _counts(sessions) == before  # no half-stored submission
    with session_scope(sessions) as s:
        assert s.get(Submission, confirmed).status == CURRENT  # nothing confirmed was lost
    with session_scope(sessions) as s:  # and the same file stores cleanly afterwards
        files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
        result = check_files(s, files, allowed_authorities=None)
        stored = store_checked(s, result.report, result.valid, uploaded_by_id=None)
    assert stored.superseded_id is not None and not stored.duplicate


@pytest.mark.postgres
def test_two_concurrent_confirmations_give_one_current_submission(shared_db, sessions):
    if not shared_db.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL")
    files = submission_files("E10000901", "PROTOCOL ICS", "2011-Q2", seed=73)
    barrier, outcomes = threading.Barrier(2), []

    def confirm_once():
        try:
            with session_scope(sessions) as s:
                result = check_files(s, files, allowed_authorities=None)
                barrier.wait(timeout=30)
                stored = store_checked(s, result.report, result.valid, uploaded_by_id=None)
            outcomes.append(("stored", stored.duplicate))
        except IngestError as exc:
            outcomes.append(("refused", str(exc)))

    threads = [threading.Thread(target=confirm_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(o[0] for o in outcomes) == ["refused", "stored"], outcomes
    assert "stored at the same moment" in next(o[1] for o in outcomes if o[0] == "refused")
    with session_scope(sessions) as s:
        current = s.scalars(
            select(Submission.id).where(
                Submission.period == "2011-Q2", Submission.status == CURRENT
            )
        ).all()
    assert len(current) == 1


# -- Redis (CACHE_URL) going away and coming back -------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _overview(client: DashClient) -> float:
    started = time.perf_counter()
    response = client.callback(OUTPUT_ID, LOAD, outputs=OUTPUTS)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert json.loads(response.get_data(as_text=True))["response"]["overview-sus-table-data"]
    return time.perf_counter() - started


def test_pages_work_with_redis_down(shared_db):
    url = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    app = _host(shared_db, CACHE_URL=url, RATELIMIT_STORAGE_URI=url, RATELIMIT_ENABLED=True)
    c = DashClient(app.server.test_client())
    assert c.login("coord").status_code == 302  # sign-in limits fall back to memory
    _overview(c)
    _overview(c)


REDIS = shutil.which("redis-server")


class OwnRedis:
    """A redis-server of this test's own, on a free port (never the machine's shared one)."""

    def __init__(self, port: int) -> None:
        self.port, self.proc = port, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def keys(self) -> int:
        import redis

        return redis.Redis(port=self.port).dbsize()


@pytest.mark.skipif(REDIS is None, reason="redis-server not installed")
def test_pages_recover_when_redis_returns(shared_db):
    if not shared_db.startswith("sqlite"):
        pytest.skip("one backend is enough for the cache")
    server = OwnRedis(_free_port())
    server.start()
    try:
        url = f"redis://127.0.0.1:{server.port}/0"
        app = _host(
            shared_db,
            CACHE_URL=url,
            CACHE_RETRY_S=0,  # retry Redis at once (the back-off has its own unit test)
            RATELIMIT_STORAGE_URI=url,
            RATELIMIT_ENABLED=True,
        )
        c = DashClient(app.server.test_client())
        assert c.login("coord").status_code == 302
        _overview(c)
        assert server.keys() > 0  # results cached in Redis
        server.stop()
        _overview(c)  # Redis gone: answered from the database
        assert c.http.get("/_dash-layout").status_code == 200
        server.start()  # an empty Redis comes back
        _overview(c)
        assert server.keys() > 0  # and is used again
    finally:
        if server.proc and server.proc.poll() is None:
            server.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_bench_faults_with_two_gunicorn_hosts():
    """bench/faults.py: the scenarios above against two real gunicorn processes."""
    from tests.conftest import PG_URL

    engine = make_engine(PG_URL)
    try:
        engine.connect().close()
    except Exception as exc:  # no server here
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    finally:
        engine.dispose()
    # six demo authorities (not the script's 12): enough for three held-back uploads
    args = ["--database-url", PG_URL, "--authorities", "6", "--json"]
    proc = subprocess.run(
        [sys.executable, "bench/faults.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = json.loads(proc.stdout.strip().splitlines()[-1])["rows"]
    assert len(rows) >= 3 and all(r["ok"] for r in rows), rows
