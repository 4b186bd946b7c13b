"""Serve the app under gunicorn and drive it with concurrent simulated users on loopback.

    python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/test \\
        --workers 2 4 --users 50 --seconds 60 [--cache-url redis://127.0.0.1:6379/0]

Each simulated user signs in through the login form, then for `--seconds` opens random pages
(page HTML, /_dash-layout) and fires that page's load callbacks with random filter values,
as bench/pages.py does, then reads the page for 1-5 s (`--think MIN MAX`; `--think 0 0` for a
stress test with no pause). Reports requests per second, p50/p95/p99 and errors per worker count."""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import _common  # noqa: F401
import requests
from _common import ROOT, emit, percentile
from pages import PAGES, components, make_config, page_callbacks, request_body

from dashboard.factory import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plan(url: str) -> dict[str, list]:
    """Per page: (layout components, load callbacks), built from the app's own definitions."""
    import layouts

    app = create_app(make_config(url))
    out = {}
    for _module, path, _name, layout_fn in layouts.PAGES:
        if path in PAGES:
            with app.server.test_request_context(path):
                layout = layout_fn()
            out[path] = (components(layout), page_callbacks(app, layout))
    return out


def start_server(url: str, workers: int, port: int, cache_url: str | None, log, threads: int = 4):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute",
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:dashboard.gunicorn_conf",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "dashboard.wsgi:server",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file, not a pipe: an unread pipe would block gunicorn once full
    )
    deadline = time.time() + 180  # the master warms the memos before forking
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.kill()
    log.seek(0)
    raise SystemExit(f"gunicorn did not start: {log.read().decode()[-2000:]}")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    out = []
    try:
        with open(f"/proc/{master_pid}/task/{master_pid}/children") as f:
            children = [int(p) for p in f.read().split()]
    except OSError:
        return out
    for pid in children:
        try:
            with open(f"/proc/{pid}/status") as f:
                kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            out.append(kb / 1024)
        except (OSError, StopIteration):
            continue
    return out


def user_loop(
    base, username, password, pages, stop_at, seed, latencies, by_target, errors, lock, think
):
    """One simulated user: sign in, then open a random page (its HTML, layout and load
    callbacks, with random filter values), read it for a random ``think`` time, repeat."""
    rng = random.Random(seed)
    http = requests.Session()
    try:
        answer = http.get(f"{base}/login", timeout=30)
        found = re.search(r'name="csrf_token" value="([^"]+)"', answer.text)
        if found is None:
            raise RuntimeError(f"sign-in page answered {answer.status_code}: {answer.text[:120]!r}")
        token = found.group(1)
        http.post(
            f"{base}/login",
            data={"username": username, "password": password, "csrf_token": token},
            timeout=30,
            allow_redirects=False,
        )
    except Exception as exc:
        with lock:
            errors.append(f"login: {exc}")
        return
    while time.time() < stop_at:
        path = rng.choice(list(pages))
        found, calls = pages[path]
        requests_to_make = [("GET", path, None), ("GET", "/_dash-layout", None)]
        requests_to_make += [
            ("POST", "/_dash-update-component", request_body(c, found, rng)) for c in calls
        ]
        for method, target, body in requests_to_make:
            label = body["output"].strip(".").split("...")[0][:40] if body else target
            start = time.perf_counter()
            try:
                if method == "GET":
                    r = http.get(base + target, timeout=30)
                else:
                    r = http.post(
                        base + target,
                        json=body,
                        timeout=30,
                        headers={"X-CSRFToken": http.cookies.get("_csrf_token", "")},
                    )
                ok = r.status_code in (200, 204)
            except requests.RequestException as exc:
                ok, r = False, exc
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                by_target.setdefault(label, []).append(elapsed)
                if not ok:
                    errors.append(f"{target}: {getattr(r, 'status_code', r)}")
        time.sleep(max(0.0, min(rng.uniform(*think), stop_at - time.time())))


def run_one(args, url, pages, workers) -> dict:
    with tempfile.TemporaryFile() as log:
        return _run_one(args, url, pages, workers, log)


def _run_one(args, url, pages, workers, log) -> dict:
    port = free_port()
    proc = start_server(url, workers, port, args.cache_url, log, args.threads)
    peak_rss = [0.0]

    def sample_memory() -> None:
        while proc.poll() is None and not done.is_set():
            peak_rss[0] = max([peak_rss[0], *worker_rss_mb(proc.pid)])
            done.wait(0.5)

    done = threading.Event()
    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    latencies, by_target, errors, lock = [], {}, [], threading.Lock()
    stop_at = time.time() + args.seconds
    threads = [
        threading.Thread(
            target=user_loop,
            args=(
                f"http://127.0.0.1:{port}",
                args.usernames[i % len(args.usernames)],
                args.password,
                pages,
                stop_at,
                i,
                latencies,
                by_target,
                errors,
                lock,
                tuple(args.think),
            ),
        )
        for i in range(args.users)
    ]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.time() - started
    done.set()
    sampler.join()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return {
        "workers": workers,
        "threads": args.threads,
        "users": args.users,
        "think_s": "–".join(f"{t:g}" for t in args.think),
        "seconds": round(duration, 1),
        "requests": len(latencies),
        "rps": round(len(latencies) / duration, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "errors": len(errors),
        "worker_peak_rss_mb": round(peak_rss[0], 1),
        "first_errors": errors[:3],
        "slowest_p95_ms": {
            k: round(percentile(v, 95))
            for k, v in sorted(by_target.items(), key=lambda kv: -percentile(kv[1], 95))[:5]
        },
    }


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.db")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--usernames", nargs="+", default=["bench-coordinator", "bench-la"])
    parser.add_argument("--password", default="bench-password")
    parser.add_argument("--cache-url", default=None)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=[1.0, 5.0],
        metavar=("MIN", "MAX"),
        help="seconds a user reads a page before the next (uniform); 0 0 for a stress test",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    pages = plan(url)
    rows = [run_one(args, url, pages, w) for w in args.workers]
    emit("Concurrent users against gunicorn", rows, as_json=args.json)
    return rows


if __name__ == "__main__":
    main()
