"""Shared UI pieces: page heading, chart card (title, summary, chart, table, CSV), notes."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.ids import Namespace

SUPPRESSION_FOOTNOTE = (
    "c = suppressed to protect confidentiality: fewer than {min_las} authorities or "
    "{min_respondents} respondents contribute, or the value could otherwise be worked out "
    "from other figures."
)

# UK Government Analysis Function accessible palettes
CATEGORICAL = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
TWO_SERIES = ["#12436D", "#F46A25"]
SEQUENTIAL = ["#6BACE6", "#2073BC", "#12436D"]


# Every grid: rows in reading order, text selectable, menus visible, and every column's
# header in the document (AG Grid otherwise leaves out the headers of columns scrolled out
# of view, and a header row with no header cells fails axe's aria-required-children).
GRID_OPTIONS = {
    "ensureDomOrder": True,
    "enableCellTextSelection": True,
    "suppressMenuHide": True,
    "suppressColumnVirtualisation": True,
    # a cell's tooltip is its title: the whole text of a cut-off cell on hover
    "enableBrowserTooltips": True,
}
# Headers wrap rather than cut a column's name short.
COLUMN_DEFAULTS = {
    "sortable": True,
    "filter": True,
    "resizable": True,
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
}


def header_width(name: str) -> int:
    """The narrowest a grid column can be with its header's longest word whole beside the
    filter button (about 8 px a letter and 64 px of padding and button): AG Grid wraps a
    header only between words, so "Requirement" or "Respondents" in a 124 px column read
    "Requirem…" / "Respond…"."""
    return 8 * max((len(w) for w in str(name).split()), default=0) + 64


def page_heading(title: str, lead: str | None = None) -> html.Div:
    return html.Div(
        [html.H1(title, className="mb-3")] + ([html.P(lead, className="lead")] if lead else [])
    )


def data_table(table_id: str, *, height: int = 360) -> dag.AgGrid:
    """A sortable, filterable grid; columns and rows come from a callback."""
    return dag.AgGrid(
        id=table_id,
        columnDefs=[],
        rowData=[],
        defaultColDef={**COLUMN_DEFAULTS, "minWidth": 110},
        dashGridOptions={**GRID_OPTIONS, "domLayout": "autoHeight"},
        style={"width": "100%"},
        className="ag-theme-alpine",
    )


def chart_card(
    prefix: str, title: str, *, graph_height: int = 420, description: str | None = None
) -> html.Section:
    """Title, one-sentence summary, chart, table alternative and CSV download.

    Ids: {prefix}-summary, {prefix}-graph, {prefix}-download-button, {prefix}-download,
    {prefix}-footnote; the table alternative's rows wait in {prefix}-table-data and its grid
    ({prefix}-table, a :func:`data_table`) is put in {prefix}-table-slot when the reader
    first opens it (callbacks.chart_card), so a page load builds no hidden grid. ``description``
    adds a fixed paragraph under the title saying how to read the chart."""
    card = Namespace(prefix)
    intro = [html.P(description, className="figure-description")] if description else []
    return html.Section(
        [
            html.H2(title, id=card("title")),
            *intro,
            html.P(id=card("summary"), className="figure-summary", **{"aria-live": "polite"}),
            html.Div(
                dcc.Loading(
                    dcc.Graph(
                        id=card("graph"),
                        config={
                            "displaylogo": False,
                            "responsive": True,
                            "toImageButtonOptions": {"format": "png", "filename": prefix},
                        },
                        style={"minHeight": f"{graph_height}px"},  # figures set their height
                    ),
                    type="default",
                ),
                className="chart-scroll",
            ),
            html.Details(
                [
                    html.Summary("Show the data as a table", id=card("table-toggle")),
                    html.Div(id=card("table-slot"), className="mt-2"),
                ],
                className="mt-2",
            ),
            dcc.Store(id=card("table-data")),
            html.Div(
                [
                    dbc.Button(
                        "Download the data (CSV)",
                        id=card("download-button"),
                        color="secondary",
                        outline=True,
                        size="sm",
                        className="mt-2",
                    ),
                    dcc.Download(id=card("download")),
                ]
            ),
            html.P(id=card("footnote"), className="footnote mt-2"),
        ],
        className="figure-card",
        **{"aria-labelledby": card("title")},
    )


def stat_tile(label: str, value_id: str, hint: str | None = None) -> dbc.Col:
    """A headline count; ``hint`` says in a few words what exactly it counts."""
    parts = [html.Div(label), html.Div(id=value_id, className="value")]
    if hint:
        parts.append(html.Div(hint, className="stat-hint"))
    return dbc.Col(html.Div(parts, className="stat-tile"), md=3, sm=6, className="mb-3")


def alert(message: str, color: str = "danger") -> dbc.Alert:
    return dbc.Alert(message, color=color, className="mt-2")


def paged_table(table_id: str, *, page_size: int = 20) -> dag.AgGrid:
    """A sortable, filterable grid shown a page at a time, for long lists (only the rows of
    the current page are in the document, which keeps long lists quick to render)."""
    return dag.AgGrid(
        id=table_id,
        columnDefs=[],
        rowData=[],
        defaultColDef={**COLUMN_DEFAULTS, "minWidth": 110},
        dashGridOptions={
            **GRID_OPTIONS,
            "pagination": True,
            "paginationPageSize": page_size,
            "paginationPageSizeSelector": False,
            "domLayout": "autoHeight",
        },
        style={"width": "100%"},
        className="ag-theme-alpine",
    )


def scrolling_box(ident: str, label: str) -> html.Div:
    """A box for a wide table (filled by a callback): scrolls sideways on a phone, and is
    focusable and labelled so the keyboard can scroll it too."""
    return html.Div(
        id=ident, className="table-responsive", tabIndex=0, role="region", **{"aria-label": label}
    )
