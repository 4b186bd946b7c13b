"""Shareable URLs: every filter lives in the query string and the URL records the data
version it was made on (``v=``). Pages add :func:`url_state` to their layout and read their
initial filter values with their filter spec (data.queries.filters.FilterSpec.control_values);
callbacks.url_state keeps the URL in step and says when newer data exists.

Ids, in the page's namespace (layouts.ids): query (the query string the page was opened
with), search (the query string the page now shows), loaded-version, url-written (set once
the address bar shows it), version-notice and version-poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html

from layouts.ids import Namespace

VERSION_KEY = "v"
POLL_MS = 60_000


def url_state(page: Namespace, query: Mapping[str, object]) -> html.Div:
    """Stores for the page's query string and data version, and the newer-data notice."""
    return html.Div(
        [
            dcc.Store(id=page("query"), data=dict(query)),
            dcc.Store(id=page("search")),
            dcc.Store(id=page("loaded-version")),
            dcc.Store(id=page("url-written")),
            dcc.Interval(id=page("version-poll"), interval=POLL_MS),
            html.Div(
                id=page("version-notice"),
                role="status",
                className="version-notice",
                **{"aria-live": "polite"},
            ),
        ]
    )
