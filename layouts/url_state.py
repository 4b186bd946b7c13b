"""Shareable URLs: every filter lives in the query string and the URL records the data
version it was made on (``v=``). Pages add :func:`url_state` to their layout and read their
initial filter values with :func:`query_value`; callbacks.url_state keeps the URL in step and
says when newer data exists.

Ids for page ``prefix``: {prefix}-query (the query string the page was opened with),
{prefix}-search (the query string the page now shows), {prefix}-loaded-version,
{prefix}-url-written (set once the address bar shows it),
{prefix}-version-notice and {prefix}-version-poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html

from layouts.filters import ALL

VERSION_KEY = "v"
POLL_MS = 60_000


def query_value(query: Mapping[str, object], key: str) -> str | None:
    """One query-string value as text, or None when absent, empty or repeated."""
    value = query.get(key)
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value).strip()
    return text or None


def query_choice(
    query: Mapping[str, object], key: str, allowed: Mapping[str, str] | list[str]
) -> str:
    """A query value that is one of ``allowed``, else "all" (the "all" choice of a filter)."""
    value = query_value(query, key)
    return value if value is not None and value in allowed else ALL


def url_state(prefix: str, query: Mapping[str, object]) -> html.Div:
    """Stores for the page's query string and data version, and the newer-data notice."""
    return html.Div(
        [
            dcc.Store(id=f"{prefix}-query", data=dict(query)),
            dcc.Store(id=f"{prefix}-search"),
            dcc.Store(id=f"{prefix}-loaded-version"),
            dcc.Store(id=f"{prefix}-url-written"),
            dcc.Interval(id=f"{prefix}-version-poll", interval=POLL_MS),
            html.Div(
                id=f"{prefix}-version-notice",
                role="status",
                className="version-notice",
                **{"aria-live": "polite"},
            ),
        ]
    )
