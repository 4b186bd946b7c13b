"""Faults on PostgreSQL with two gunicorn processes standing in for two hosts (each its own
temporary folder, nothing shared but the database and Redis):

1. a file checked on host A is confirmed on host B (checked uploads live in the database);
2. a worker killed with SIGKILL after writing a submission but before committing leaves
   nothing half-stored and loses nothing confirmed;
3. with CACHE_URL set and Redis stopped, pages keep answering from the database, and use
   Redis again when it returns (a redis-server of this script's own, never a shared one);
4. two confirmations of the same file at the same moment, one per host, give exactly one
   current submission.

    .venv/bin/python bench/faults.py --database-url postgresql://postgres@127.0.0.1/test_x

A schema of its own is created in that database and dropped at the end."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import _common  # noqa: F401
import requests
from _common import ROOT, emit
from sqlalchemy import func, select, text

from dashboard.users import create_user
from data.demo.generate import generate_demo
from data.ingest import import_files, load_catalogue
from data.reference.seed import load_authorities, load_code_lists, load_product_use
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.migrate import upgrade
from data.store.models import CURRENT, Rating, Respondent, Submission
from tests.integration.conftest import DashClient
from tests.integration.test_overview import LOAD, OUTPUT_ID, OUTPUTS
from tests.integration.test_upload_page import Page, check, confirm, text_of

ADMIN, PASSWORD = "faults-admin", "faults-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a requests-based client with the interface of the tests' DashClient -------------------


class _Response:
    def __init__(self, r: requests.Response) -> None:
        self.r, self.status_code = r, r.status_code

    def get_json(self):
        return self.r.json()

    def get_data(self, as_text: bool = False):
        return self.r.text if as_text else self.r.content


class _Http:
    def __init__(self, base: str, session: requests.Session) -> None:
        self.base, self.session = base, session

    def get(self, path: str) -> _Response:
        return _Response(self.session.get(self.base + path, timeout=120))

    def post(self, path: str, data=None, content_type=None, headers=None) -> _Response:
        headers = {**(headers or {}), **({"Content-Type": content_type} if content_type else {})}
        response = self.session.post(self.base + path, data=data, headers=headers, timeout=120)
        return _Response(response)


class Host(DashClient):
    """A browser session against one host; `moved_to` sends the same cookies to another.
    Callback requests are built by the tests' DashClient (post, callback) over requests."""

    def __init__(self, base: str, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.http = _Http(base, self.session)

    def csrf(self) -> str:
        return self.session.cookies.get("_csrf_token", "")

    def login(self) -> None:
        import re

        page = self.session.get(self.http.base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = self.session.post(
            self.http.base + "/login",
            data={"username": ADMIN, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 302, r.text[:300]

    def moved_to(self, base: str) -> Host:
        return Host(base, self.session)


# -- setup ------------------------------------------------------------------------------------


def make_schema(url: str) -> tuple[str, str]:
    schema = f"faults_{os.getpid()}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def seed(url: str, folder: Path, n_authorities: int = 12) -> list[list[tuple[str, bytes]]]:
    """Demo data for ``n_authorities``; the last submission of three authorities is held back
    for the scenarios to upload. Returns the held-back file sets."""
    upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    manifest = generate_demo(folder, seed=7, n_authorities=n_authorities)
    with session_scope(sessions) as s:
        load_code_lists(s)
        load_authorities(s, manifest.authorities_csv)
        load_product_use(s, manifest.product_use_csv)
    sets = [[(p.name, p.read_bytes()) for p in paths] for paths in manifest.submissions]
    held, seen = [], set()
    for files in reversed(sets):  # the newest file of three different authorities
        authority = files[0][0].split("_")[0]
        if authority not in seen and len(held) < 3:
            seen.add(authority)
            held.append(files)
    with session_scope(sessions) as s:
        catalogue = load_catalogue(s)
        for files in sets:
            if files not in held:
                import_files(
                    s, files, allowed_authorities=None, uploaded_by_id=None, catalogue=catalogue
                )
        create_user(s, ADMIN, PASSWORD, "admin")
    return held


def start_host(url: str, port: int, secret: str, cache_url: str | None, log) -> subprocess.Popen:
    """Start a gunicorn host; :func:`wait_healthy` waits for it (hosts start side by side)."""
    tmp = tempfile.mkdtemp(prefix="icsdash-host-")  # each host its own folder
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "TMPDIR": tmp}
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
        env["CACHE_RETRY_S"] = "0"  # measure recovery at once, not after the back-off
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:dashboard.gunicorn_conf",
         "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "dashboard.wsgi:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    return proc


def wait_healthy(proc: subprocess.Popen, port: int) -> None:
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start; see the log")


class OwnRedis:
    def __init__(self) -> None:
        self.port, self.proc = free_port(), None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def keys(self) -> int:
        import redis

        return redis.Redis(port=self.port).dbsize()


# -- scenarios --------------------------------------------------------------------------------


def shared_pending(a: Host, b_base: str, files) -> dict:
    token = check(Page(a), files)["upload-token.data"]
    shown = text_of(confirm(Page(a.moved_to(b_base)), token)["upload-result.children"])
    return {"scenario": "checked on A, confirmed on B", "ok": shown.startswith("Stored:"),
            "detail": shown[:90]}  # fmt: skip


KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from data.ingest import import_files
    from data.store.db import make_engine, make_sessionmaker, session_scope
    url, folder = sys.argv[1], Path(sys.argv[2])
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    with session_scope(make_sessionmaker(make_engine(url))) as s:
        import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
        s.flush()
        print("written", flush=True)
        time.sleep(120)
    """
)


def counts(sessions) -> tuple:
    with session_scope(sessions) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Submission, Respondent, Rating)
        )


def killed_worker(url: str, sessions, files, folder: Path) -> dict:
    folder.mkdir()
    for name, content in files:
        (folder / name).write_bytes(content)
    with session_scope(sessions) as s:
        current = s.scalar(select(func.count()).where(Submission.status == CURRENT))
    before = counts(sessions)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, url, str(folder)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    written = proc.stdout.readline().strip() == "written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with session_scope(sessions) as s:
        still = s.scalar(select(func.count()).where(Submission.status == CURRENT))
    ok = written and counts(sessions) == before and still == current
    return {"scenario": "SIGKILL after writing, before commit", "ok": ok,
            "detail": f"rows before/after {before} / {counts(sessions)}"}  # fmt: skip


def _overview(host: Host) -> float:
    started = time.perf_counter()
    r = host.http.post(
        "/_dash-update-component",
        data=__import__("json").dumps({"output": OUTPUT_ID, "outputs": OUTPUTS, "inputs": LOAD,
                                        "state": [], "changedPropIds": ["overview-load.data"]}),
        content_type="application/json",
        headers={"X-CSRFToken": host.csrf()},
    )  # fmt: skip
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return (time.perf_counter() - started) * 1000


def redis_down(host: Host, redis: OwnRedis) -> dict:
    _overview(host)
    cached = redis.keys() > 0
    redis.stop()
    down = [_overview(host) for _ in range(3)]
    redis.start()
    _overview(host)
    back = redis.keys() > 0
    return {"scenario": "Redis stopped, then back", "ok": cached and back,
            "detail": f"pages answered while down in {max(down):.0f} ms max; cache used again: "
                      f"{back}"}  # fmt: skip


def concurrent_confirms(a: Host, b: Host, files, sessions) -> dict:
    tokens = [check(Page(h), files)["upload-token.data"] for h in (a, b)]
    pages, results = [Page(a), Page(b)], []
    barrier = threading.Barrier(2)

    def go(page, token):
        barrier.wait()
        results.append(text_of(confirm(page, token)["upload-result.children"]))

    threads = [threading.Thread(target=go, args=(p, t)) for p, t in zip(pages, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    name = files[0][0]
    with session_scope(sessions) as s:
        n = s.scalar(
            select(func.count()).where(
                Submission.status == CURRENT, Submission.source_name.contains(name)
            )
        )
    return {"scenario": "same file confirmed on A and B at once", "ok": n == 1,
            "detail": " | ".join(r[:60] for r in results)}  # fmt: skip


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database")
    parser.add_argument("--authorities", type=int, default=12, help="demo authorities (>= 3)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("the fault scenarios need PostgreSQL (two hosts, concurrent writers)")
    base_url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema, url = make_schema(base_url)
    work = Path(tempfile.mkdtemp(prefix="icsdash-faults-"))
    procs, redis, rows = [], None, []
    try:
        held = seed(url, work / "demo", args.authorities)
        sessions = make_sessionmaker(make_engine(url))
        redis = OwnRedis() if shutil.which("redis-server") else None
        if redis:
            redis.start()
        cache = f"redis://127.0.0.1:{redis.port}/0" if redis else None
        secret = secrets.token_hex(32)
        log = open(work / "gunicorn.log", "wb")  # noqa: SIM115 (open for the hosts' lifetime)
        ports = [free_port(), free_port()]
        procs = [start_host(url, port, secret, cache, log) for port in ports]
        for p, port in zip(procs, ports, strict=True):
            wait_healthy(p, port)
        a = Host(f"http://127.0.0.1:{ports[0]}")
        a.login()
        b = a.moved_to(f"http://127.0.0.1:{ports[1]}")
        rows.append(shared_pending(a, b.http.base, held[0]))
        rows.append(killed_worker(url, sessions, held[1], work / "killed"))
        if redis:
            rows.append(redis_down(a, redis))
        rows.append(concurrent_confirms(a, b, held[2], sessions))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        if redis and redis.proc and redis.proc.poll() is None:
            redis.stop()
        drop_schema(base_url, schema)
        shutil.rmtree(work, ignore_errors=True)
    emit("Faults (PostgreSQL, two gunicorn hosts)", rows, as_json=args.json)
    return rows


if __name__ == "__main__":
    results = main()
    raise SystemExit(0 if all(r["ok"] for r in results) else 1)
