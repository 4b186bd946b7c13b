"""Shareable URLs: every filter lives in the query string and the URL records the data
version it was made on (``v=``). Pages add :func:`url_state` to their layout and read their
initial filter values with their filter spec (data.queries.filters.FilterSpec.control_values);
callbacks.url_state keeps the URL in step and says when newer data exists.

Ids for page ``prefix``: {prefix}-query (the query string the page was opened with),
{prefix}-search (the query string the page now shows), {prefix}-loaded-version,
{prefix}-url-written (set once the address bar shows it),
{prefix}-version-notice and {prefix}-version-poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html

VERSION_KEY = "v"
POLL_MS = 60_000


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
