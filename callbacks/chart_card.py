"""Wire a layouts.components.chart_card: one compute function feeds the chart, its
one-sentence summary, the table alternative, the footnote and the CSV download, so the
download always carries exactly the suppression the screen shows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, no_update

from callbacks.common import current_viewer, db, on_callback_error, services
from data.queries.csv_export import csv_text
from data.store.versioning import current_data_version
from layouts.charts.figures import new_figure, template
from layouts.components import data_table, header_width
from layouts.ids import Namespace


@dataclass
class ChartResult:
    figure: go.Figure | dict  # a plain dict once cached (see cached_result)
    summary: str
    table: pd.DataFrame  # display-ready (suppressed cells already 'c')
    footnote: str = ""
    filters: str = "no filters (all data)"
    extra_header: list[str] = field(default_factory=list)


def empty_figure(message: str) -> go.Figure:
    fig = new_figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 16})
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        template=template(),
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
    )
    return fig


# A table alternative's column is sized by its longest text: figures (and c) take a narrow
# column, names and notes wrap, so a comparator's 80-character name or a note is read whole
# on a phone instead of being cut off at the default 200 px.
SHORT_TEXT, LONG_TEXT = 12, 100


def _column(frame: pd.DataFrame, c) -> dict:
    # every cell laid out as a wrapping one, so a row's figures line up with its wrapped text
    # (AG Grid centres a one-line cell but puts wrapped text at the top)
    spec = {"field": str(c), "headerName": str(c), "wrapText": True, "autoHeight": True}
    values = frame[c].dropna().astype(str)
    longest = int(values.str.len().max()) if len(values) else 0
    if longest <= SHORT_TEXT:
        spec["width"] = min(200, max(100, header_width(c)))
    else:
        spec.update(
            minWidth=150 if longest <= LONG_TEXT else 300,
            flex=1 if longest <= LONG_TEXT else 2,
        )
    return spec


def grid_columns(frame: pd.DataFrame) -> list[dict]:
    """The grid's columns: narrow for figures, wrapping (and taking the spare width) for
    text longer than :data:`SHORT_TEXT` characters."""
    return [_column(frame, c) for c in frame.columns]


def grid_rows(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), "").to_dict("records")


def table_data(frame: pd.DataFrame) -> dict:
    """The table alternative's grid columns and rows, as the chart callback sends them."""
    return {"columns": grid_columns(frame), "rows": grid_rows(frame)}


# Builds the table alternative's grid once the reader has opened it, and refills it when the
# chart changes. Five hidden grids, each with every row in the document, were about a third
# of the browser's work on a page load; most readers never open them.
SHOW_TABLE = """
function(clicks, table) {
    if (!clicks || !table) { return window.dash_clientside.no_update; }
    var grid = %s;
    grid.props.columnDefs = table.columns;
    grid.props.rowData = table.rows;
    return grid;
}
"""


def show_table_js(prefix: str) -> str:
    return SHOW_TABLE % json.dumps(data_table(f"{prefix}-table").to_plotly_json())


def csv_for(result: ChartResult, data_version: int) -> str:
    header = [
        f"Filters: {result.filters}",
        f"Data version: {data_version}",
        *result.extra_header,
        "c = suppressed to protect confidentiality; x = not available",
    ]
    return csv_text(result.table, header)


Compute = Callable[..., ChartResult]


def cache_key(prefix: str, database: str, version: int, rules_in_force, viewer, values) -> str:
    """The chart cache key: everything a chart result depends on.

    The database and its data version (bumped by every upload or restore), the disclosure
    thresholds in force, the viewer's role, LA and group (which decide suppression and
    naming) and the callback's input values; so a shared Redis never serves one database's
    or one threshold's results for another."""
    raw = json.dumps(
        [prefix, database, version, rules_in_force, viewer.role, viewer.authority_id,
         viewer.supplier_id, values],
        default=str,
        sort_keys=True,
    )  # fmt: skip
    return f"chart:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_value(prefix: str, compute: Callable, viewer, session, values):
    """compute(viewer, session, *values) memoised under :func:`cache_key`."""
    cache = services().cache
    database = session.get_bind().url.render_as_string(hide_password=True)
    key = cache_key(prefix, database, current_data_version(session), rules(), viewer, values)
    hit = cache.get(key) if cache is not None else None
    if hit is not None:
        return hit
    result = compute(viewer, session, *values)
    if cache is not None:
        cache.set(key, result)
    return result


def cached_result(prefix: str, compute: Compute, viewer, session, values) -> ChartResult:
    """compute(...) memoised under :func:`cache_key`, its figure as a plain dict: unpickling
    a plotly Figure rebuilds and re-checks every property (about 50 ms a chart at national
    scale), a dict costs next to nothing, and Dash sends the same JSON for either."""

    def plain(*args) -> ChartResult:
        result = compute(*args)
        if isinstance(result.figure, go.Figure):
            result = replace(result, figure=result.figure.to_plotly_json())
        return result

    return cached_value(prefix, plain, viewer, session, values)


BLANK_CHART = {"table": {"columns": [], "rows": []}, "footnote": ""}


def chart_error(exc: Exception) -> dict:
    """on_error of a chart card: the message as its summary and across an empty figure, no
    table rows, no footnote."""
    shown = on_callback_error(exc, blank=BLANK_CHART, text_in="summary")
    return {**shown, "figure": empty_figure(shown["summary"])}


def register_chart(
    app, prefix: str, inputs: list, compute: Compute, states: list | None = None
) -> None:
    """Register the display and download callbacks of chart card `prefix`.

    `compute(viewer, session, *values)` must check the viewer's rights itself. A failure
    shows its message in the card (:func:`chart_error`) and downloads nothing."""
    card = Namespace(prefix)
    states = states or []

    def show(*values) -> dict:
        viewer = current_viewer()
        with db() as session:
            result = cached_result(prefix, compute, viewer, session, list(values))
        return {
            "figure": result.figure,
            "summary": result.summary,
            "table": table_data(result.table),
            "footnote": result.footnote,
        }

    app.callback(
        output={
            "figure": Output(card("graph"), "figure"),
            "summary": Output(card("summary"), "children"),
            "table": Output(card("table-data"), "data"),
            "footnote": Output(card("footnote"), "children"),
        },
        inputs=inputs,
        state=states,
        on_error=chart_error,
    )(show)
    app.clientside_callback(
        show_table_js(prefix),
        Output(card("table-slot"), "children"),
        Input(card("table-toggle"), "n_clicks"),
        Input(card("table-data"), "data"),
    )
    # nothing to download while the chart has no rows (no data, or a refusal)
    app.clientside_callback(
        "function (table) { return !(table && table.rows && table.rows.length); }",
        Output(card("download-button"), "disabled"),
        Input(card("table-data"), "data"),
    )

    def download(n_clicks, *values):
        if not n_clicks:
            return no_update
        viewer = current_viewer()
        with db() as session:
            result = cached_result(prefix, compute, viewer, session, list(values))
            version = current_data_version(session)
        return dcc.send_string(csv_for(result, version), f"{prefix}.csv")

    app.callback(
        Output(card("download"), "data"),
        Input(card("download-button"), "n_clicks"),
        *[State(i.component_id, i.component_property) for i in inputs],
        *states,
        prevent_initial_call=True,
    )(download)


def rules():
    return services().rules
