"""What every callback needs: the database session, the viewer, and one place that turns
domain errors into messages. Callbacks never trust the client: the viewer comes from the
server-side session, never from an input."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dash import no_update
from flask import current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from data.errors import DomainError, PermissionDenied
from data.privacy.access import Viewer
from data.queries.csv_export import csv_text
from data.store.db import session_scope

log = logging.getLogger(__name__)


def services():
    return current_app.extensions["icsdash"]


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(services().sessions) as session:
        yield session


def current_viewer() -> Viewer:
    """The signed-in user's rights; refuses anonymous callers even if the guard was bypassed."""
    if not current_user or not current_user.is_authenticated:
        raise PermissionDenied("Sign in required.")
    return current_user.viewer


def user_message(exc: Exception) -> str:
    """The one place domain errors become text for the page."""
    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}"
    if isinstance(exc, DomainError):
        return str(exc)
    return "Something went wrong on our side; the problem has been logged."


def guarded(on_error: Callable[[str], tuple | object]):
    """Decorate a callback: domain errors become `on_error(message)` outputs, not tracebacks."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except DomainError as exc:
                return on_error(user_message(exc))
            except Exception as exc:  # logged, never shown raw
                log.exception("callback %s failed", fn.__name__)
                return on_error(user_message(exc))

        return inner

    return wrap


__all__ = ["current_viewer", "db", "guarded", "no_update", "services", "user_message", "csv_text"]
