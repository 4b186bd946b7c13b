"""Keep a page's address in step with its filters and say when newer data exists.

:func:`register_url_state` wires the pieces layouts.url_state adds to a page: the server
builds the query string from the filters plus ``v=<data version>``; a small clientside
callback puts it in the address bar with ``history.replaceState`` (no reload, no extra
history entry, and the pages router does not re-render the page); opening the URL calls the
page's ``layout(**query)``, which restores the filters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from dash import Input, Output, State, html, no_update

from callbacks.common import current_viewer, db, guarded
from data.queries.filters import clean
from data.store.versioning import current_data_version
from layouts.url_state import VERSION_KEY

REPLACE_URL = """
function(search) {
    if (typeof search !== "string") { return window.dash_clientside.no_update; }
    if (window.location.search !== search) {
        var url = window.location.pathname + search + window.location.hash;
        window.history.replaceState(window.history.state, "", url);
    }
    return search;
}
"""


def build_search(pairs: Sequence[tuple[str, object]], version: int) -> str:
    """'?key=value&...&v=N' for the filters that are set (empty values are left out)."""
    kept = [(k, text) for k, v in pairs if (text := clean(v)) is not None]
    return "?" + urlencode([*kept, (VERSION_KEY, str(version))])


def made_on(query: Mapping[str, object] | None) -> int | None:
    """The data version a URL says it was made on, if it says one."""
    text = clean((query or {}).get(VERSION_KEY))
    return int(text) if text is not None and text.isdigit() else None


def notice(path: str, search: str | None, loaded: int, current: int, link: int | None):
    """The newer-data message, or None when the view is up to date."""
    if current > loaded:
        pairs = [p.split("=", 1) for p in (search or "?").lstrip("?").split("&") if "=" in p]
        kept = "&".join(f"{k}={v}" for k, v in pairs if k != VERSION_KEY)
        href = f"{path}?{kept + '&' if kept else ''}{VERSION_KEY}={current}"
        return html.P(
            [
                f"This view was made on data version {loaded}; newer data is available "
                f"(version {current}) — ",
                html.A("refresh", href=href, id=f"{path.strip('/') or 'overview'}-refresh"),
                " to see it.",
            ],
            className="newer-data",
        )
    if link is not None and link < loaded:
        return html.P(
            f"This link was made on data version {link}; newer data is available, and the "
            f"figures below use it (version {loaded}).",
            className="newer-data",
        )
    return None


Resolve = Callable[[object, object, dict[str, object]], dict[str, object]]


def register_url_state(
    app, prefix: str, path: str, fields: Mapping[str, str], resolve: Resolve | None = None
) -> None:
    """Wire page ``prefix`` (served at ``path``): ``fields`` maps each URL key to the id of
    the control whose ``value`` holds that filter, in the order the URL lists them.
    ``resolve(session, viewer, values)`` turns control values into the ones the page shows
    (a select left on "latest period" puts that period's name in the URL)."""
    keys, controls = list(fields), list(fields.values())

    if controls:

        @app.callback(Output(f"{prefix}-search", "data"), *[Input(c, "value") for c in controls])
        @guarded(lambda _msg: no_update)
        def _search(*values):
            viewer = current_viewer()
            chosen = dict(zip(keys, values, strict=True))
            with db() as session:
                version = current_data_version(session)
                if resolve is not None:
                    chosen = resolve(session, viewer, chosen)
            return build_search(list(chosen.items()), version)

    else:

        @app.callback(Output(f"{prefix}-search", "data"), Input(f"{prefix}-query", "data"))
        @guarded(lambda _msg: no_update)
        def _search_plain(_query):
            current_viewer()
            with db() as session:
                return build_search([], current_data_version(session))

    app.clientside_callback(
        REPLACE_URL, Output(f"{prefix}-url-written", "data"), Input(f"{prefix}-search", "data")
    )

    @app.callback(Output(f"{prefix}-loaded-version", "data"), Input(f"{prefix}-query", "data"))
    @guarded(lambda _msg: no_update)
    def _loaded(_query):
        current_viewer()
        with db() as session:
            return current_data_version(session)

    @app.callback(
        Output(f"{prefix}-version-notice", "children"),
        Input(f"{prefix}-loaded-version", "data"),
        Input(f"{prefix}-version-poll", "n_intervals"),
        State(f"{prefix}-query", "data"),
        State(f"{prefix}-search", "data"),
    )
    @guarded(lambda _msg: no_update)
    def _notice(loaded, _ticks, query, search):
        current_viewer()
        if loaded is None:
            return no_update
        with db() as session:
            current = current_data_version(session)
        return notice(path, search, int(loaded), current, made_on(query))
