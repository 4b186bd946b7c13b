"""gunicorn settings for serving the app: ``gunicorn -c python:dashboard.gunicorn_conf
dashboard.wsgi:server`` (``icsdash run`` does this).

The app is built and its analysis memos warmed once in the master before the workers fork
(``preload_app``), so a new worker answers its first request warm and its memo pages stay
shared with the others until written. Each worker then drops the master's database
connections and starts its own warmer thread, which follows new data versions."""

from __future__ import annotations

import contextlib
import ctypes
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
preload_app = True
# Longer than a reverse proxy's idle timeout (often 60 s), so an idle keep-alive connection
# is closed by the proxy, never by gunicorn just as the proxy reuses it (a reset request).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))


M_ARENA_MAX = -8  # glibc mallopt parameter


def post_fork(server, worker) -> None:  # noqa: ARG001 (gunicorn's hook signature)
    # At most two malloc arenas per worker: glibc otherwise gives each request thread its
    # own, each keeping the memory its requests freed (tens of MB per thread at national
    # scale). Set before the worker starts its threads; ignored where glibc is not in use.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)
    from dashboard.factory import after_fork
    from dashboard.wsgi import app

    after_fork(app)
