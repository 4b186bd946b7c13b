"""What every callback needs: the database session, the viewer, and one place that turns
errors into messages. Callbacks never trust the client: the viewer comes from the
server-side session, never from an input.

Errors: a callback simply raises. Dash's app-wide ``on_error`` (:func:`on_callback_error`,
wired in dashboard.factory) turns a domain error into its message and any other exception
into a logged, generic message (never a traceback), and shows it in the callback's
``message`` output (callbacks with dict outputs). A callback that must also reset outputs
on failure passes ``on_error=clearing(...)``. :func:`guarded` is the older per-callback
form, still used by a few callbacks not yet converted."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from dash import callback_context, no_update
from flask import current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from data.errors import DomainError, PermissionDenied
from data.privacy.access import Viewer
from data.queries.csv_export import csv_text
from data.store.db import session_scope
from layouts.components import alert

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


ID_LIMIT = 2**31  # ids, counts and versions are PostgreSQL integers


def as_int(value, message: str) -> int:
    """A whole number from a control or store; anything else (a forged value too) refuses
    with `message`, never an unexpected error."""
    if isinstance(value, bool):
        raise DomainError(message)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise DomainError(message) from None
    if not -ID_LIMIT < number < ID_LIMIT:  # past PostgreSQL's integer: no such row
        raise DomainError(message)
    return number


def mapping(value) -> dict:
    """A store that should hold an object (the URL's query, a change counter): {} if not."""
    return value if isinstance(value, dict) else {}


def user_message(exc: Exception) -> str:
    """The one place domain errors become text for the page."""
    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}"
    if isinstance(exc, DomainError):
        return str(exc)
    return "Something went wrong on our side; the problem has been logged."


def failure_message(exc: Exception, where: str) -> str:
    """`exc`'s message for the page; an unexpected exception is logged with its traceback."""
    if not isinstance(exc, DomainError):
        log.error("callback %s failed", where, exc_info=exc)
    return user_message(exc)


def on_callback_error(
    exc: Exception,
    *,
    blank: Mapping | None = None,
    text_in: str = "",
    render: Callable[[str], object] | None = None,
):
    """Dash's on_error for every callback: what a failed callback shows.

    For dict outputs: the message in the ``message`` output, as an alert (or ``render``ed),
    or as plain text in the output named `text_in`; the outputs in `blank` reset to those
    values; every other output unchanged. A callback with positional outputs changes
    nothing (its error is only logged, if unexpected)."""
    named = callback_context.using_outputs_grouping  # dict outputs (one Output is a dict too)
    outputs = callback_context.outputs_grouping
    message = failure_message(exc, str(list(outputs.values()) if named else outputs)[:300])
    if not named:
        return None  # Dash: no output changes
    shown = {key: (blank or {}).get(key, no_update) for key in outputs}
    if text_in:
        shown[text_in] = message
    elif "message" in outputs:
        shown["message"] = render(message) if render else alert(message, "danger")
    return shown


def clearing(
    *, text_in: str = "", render: Callable[[str], object] | None = None, **blank
) -> Callable[[Exception], dict | None]:
    """A callback's own on_error: :func:`on_callback_error`, resetting the outputs named in
    `blank` (``rows=[]``) and, with `text_in`, showing the message as text in that output;
    `render` draws the message (default: a danger alert)."""
    return functools.partial(on_callback_error, blank=blank, text_in=text_in, render=render)


__all__ = [
    "as_int",
    "clearing",
    "csv_text",
    "current_viewer",
    "db",
    "mapping",
    "no_update",
    "on_callback_error",
    "services",
    "user_message",
]
