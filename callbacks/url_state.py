"""Keep a page's address in step with its filters and say when newer data exists.

:func:`register_url_state` wires the pieces layouts.url_state adds to a page: the server
builds the query string from the filters plus ``v=<data version>``; a small clientside
callback puts it in the address bar with ``history.replaceState`` (no reload, no extra
history entry, and the pages router does not re-render the page); opening the URL calls the
page's ``layout(**query)``, which restores the filters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from dash import Input, Output, State, html, no_update

from callbacks.common import as_int, current_viewer, db, mapping
from data.queries.filters import clean
from data.store.versioning import current_data_version
from layouts.ids import Namespace
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
    text = clean(mapping(query).get(VERSION_KEY))
    ok = text is not None and text.isascii() and text.isdigit() and len(text) < 16
    return int(text) if ok else None


def notice(
    page: Namespace, path: str, search: str | None, loaded: int, current: int, link: int | None
):
    """The newer-data message for `page` (served at `path`), or None when the view is up
    to date."""
    if current > loaded:
        search = search if isinstance(search, str) else "?"  # a forged store: no filters kept
        pairs = [p.split("=", 1) for p in search.lstrip("?").split("&") if "=" in p]
        kept = "&".join(f"{k}={v}" for k, v in pairs if k != VERSION_KEY)
        href = f"{path}?{kept + '&' if kept else ''}{VERSION_KEY}={current}"
        return html.P(
            [
                f"This view was made on data version {loaded}; newer data is available "
                f"(version {current}) — ",
                html.A("refresh", href=href, id=page("version-refresh")),
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


def search_for(keys: Sequence[str], resolve: Resolve | None, *values) -> str:
    """The page's query string for its controls' `values` (URL `keys`, in order)."""
    viewer = current_viewer()
    chosen = dict(zip(keys, values, strict=True))
    with db() as session:
        version = current_data_version(session)
        if resolve is not None:
            chosen = resolve(session, viewer, chosen)
    return build_search(list(chosen.items()), version)


def plain_search(_query) -> str:
    """The query string of a page without filters: the data version alone."""
    current_viewer()
    with db() as session:
        return build_search([], current_data_version(session))


def loaded_version(_query) -> int:
    """The data version the page was drawn with."""
    current_viewer()
    with db() as session:
        return current_data_version(session)


def version_notice(page: Namespace, path: str, loaded, _ticks, query, search):
    """The newer-data notice, checked on page load and every poll."""
    current_viewer()
    if loaded is None:
        return no_update
    with db() as session:
        current = current_data_version(session)
    return notice(page, path, search, as_int(loaded, "Reload the page."), current, made_on(query))


Field = str | tuple[str, str]  # a control's id (its value), or (id, property), e.g. a Store's data


def register_url_state(
    app, page: Namespace, path: str, fields: Mapping[str, Field], resolve: Resolve | None = None
) -> None:
    """Wire `page` (served at ``path``): ``fields`` maps each URL key to the id of the
    control whose ``value`` holds that filter (or to an (id, property) pair: the selection a
    page keeps in a Store's ``data``), in the order the URL lists them.
    ``resolve(session, viewer, values)`` turns control values into the ones the page shows
    (a select left on "latest period" puts that period's name in the URL). If a callback
    fails, the address and the notice are left as they are."""
    keys, controls = list(fields), list(fields.values())
    if controls:
        inputs = [Input(*c) if isinstance(c, tuple) else Input(c, "value") for c in controls]
        app.callback(Output(page("search"), "data"), *inputs)(
            functools.partial(search_for, keys, resolve)
        )
    else:
        app.callback(Output(page("search"), "data"), Input(page("query"), "data"))(plain_search)
    app.clientside_callback(
        REPLACE_URL, Output(page("url-written"), "data"), Input(page("search"), "data")
    )
    app.callback(Output(page("loaded-version"), "data"), Input(page("query"), "data"))(
        loaded_version
    )
    app.callback(
        Output(page("version-notice"), "children"),
        Input(page("loaded-version"), "data"),
        Input(page("version-poll"), "n_intervals"),
        State(page("query"), "data"),
        State(page("search"), "data"),
    )(functools.partial(version_notice, page, path))
