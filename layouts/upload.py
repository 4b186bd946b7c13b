"""Upload results: template, upload, validation and redaction report, confirm, history.

Nothing is stored until the uploader has seen the report and pressed Confirm; the page
only ever holds a random token for the checked file, never the file itself."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components import COLUMN_DEFAULTS, GRID_OPTIONS, page_heading
from layouts.ids import UPLOAD as U

DROP_STYLE = {
    "border": "2px dashed #505a5f",
    "padding": "2rem 1rem",
    "textAlign": "center",
    "cursor": "pointer",
    "background": "#f3f2f1",
}


def grid(grid_id: str, *, select: bool = False, label: str, page_size: int = 15) -> html.Div:
    """A sortable, filterable, paged grid; with `select`, one row can be chosen."""
    options = {
        **GRID_OPTIONS,
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "domLayout": "autoHeight",
    }
    if select:
        options["rowSelection"] = {
            "mode": "singleRow",
            "checkboxes": True,
            "enableClickSelection": True,
        }
    table = dag.AgGrid(
        id=grid_id,
        columnDefs=[],
        rowData=[],
        defaultColDef={
            **COLUMN_DEFAULTS,
            "wrapText": True,
            "autoHeight": True,
            "minWidth": 90,
        },
        dashGridOptions=options,
        getRowId="params.data.key" if select else None,
        style={"width": "100%"},
        className="ag-theme-alpine",
    )
    return html.Div(table, role="region", **{"aria-label": label})


def message(msg_id: str, children=None) -> html.Div:
    return html.Div(children, id=msg_id, role="status", **{"aria-live": "polite"})


def _template_section() -> html.Section:
    return html.Section(
        [
            html.H2("1. Get the template", className="h4"),
            html.P(
                "The template has the three tables to fill in (About, Responses and "
                "Findings), drop-down lists of the allowed codes, and instructions. Use the "
                "Excel workbook, or the CSV files if you prefer to work that way."
            ),
            dbc.Button(
                "Download the Excel template (.xlsx)",
                id=U("template-xlsx"),
                color="primary",
                className="me-2 mb-2",
            ),
            dbc.Button(
                "Download the CSV template (.zip)",
                id=U("template-csv"),
                color="secondary",
                outline=True,
                className="mb-2",
            ),
            dcc.Download(id=U("template-download")),
        ],
        className="figure-card",
    )


def _upload_section() -> html.Section:
    return html.Section(
        [
            html.H2("2. Upload your file", className="h4"),
            html.P(
                [
                    "Upload the filled-in workbook (.xlsx), or the three CSV files together "
                    "(their names must end in about.csv, responses.csv and findings.csv), or "
                    "the CSV template zip. ",
                    html.Span(id=U("limit")),
                ],
                id=U("files-hint"),
            ),
            html.Div(
                dcc.Upload(
                    id=U("files"),
                    multiple=True,
                    accept=".xlsx,.csv,.zip",
                    children=html.Div(
                        [
                            "Drag and drop the file here, or ",
                            html.Span("choose a file", style={"textDecoration": "underline"}),
                        ]
                    ),
                    style=DROP_STYLE,
                    style_active={**DROP_STYLE, "background": "#dde7f0"},
                ),
                **{"data-upload-label": "Upload your results file (.xlsx, .csv or .zip)"},
            ),
            html.Div(
                [dbc.Spinner(size="sm", spinner_class_name="me-2"), "Checking your file…"],
                id=U("progress"),
                hidden=True,
                role="status",
                className="mt-2",
            ),
        ],
        className="figure-card",
    )


def _report_section() -> html.Section:
    return html.Section(
        [
            html.H2("3. Check the report", className="h4", id=U("report-heading")),
            message(U("outcome"), html.P("Upload a file to see its report here.")),
            html.Div(id=U("summary")),
            html.Section(
                [
                    html.H3("Problems found", className="h5"),
                    html.P(id=U("problems-intro")),
                    grid(U("problems"), label="Problems found in the file", page_size=20),
                    dbc.Button(
                        "Download the problems (CSV)",
                        id=U("problems-download-button"),
                        color="secondary",
                        outline=True,
                        size="sm",
                        className="mt-2",
                    ),
                    dcc.Download(id=U("problems-download")),
                ],
                id=U("problems-section"),
                hidden=True,
                className="mt-3",
            ),
            html.Section(
                [
                    html.H3("What was redacted", className="h5"),
                    html.P(
                        "Personal details found in free text are replaced by a marker before "
                        "anything is stored; the original text is never stored. Check that "
                        "nothing else needs removing, and that nothing was removed wrongly."
                    ),
                    grid(U("redactions"), label="Free text before and after redaction"),
                ],
                id=U("redactions-section"),
                hidden=True,
                className="mt-3",
            ),
            html.Div(
                [
                    html.P(id=U("offer-text")),
                    dbc.Button(
                        "Record the change of supplier",
                        id=U("record-change"),
                        color="warning",
                        className="mb-2",
                    ),
                ],
                id=U("offer-section"),
                hidden=True,
                className="mt-3",
            ),
            html.Div(
                [
                    dbc.Button(
                        "Confirm and store", id=U("confirm"), color="success", className="me-2"
                    ),
                    dbc.Button("Cancel", id=U("cancel"), color="secondary", outline=True),
                ],
                id=U("actions"),
                hidden=True,
                className="mt-3",
            ),
            message(U("result")),
        ],
        id=U("report"),
        className="figure-card",
    )


def _history_section() -> html.Section:
    return html.Section(
        [
            html.H2("Your submissions", className="h4"),
            html.P(
                "Every file stored for the authority, newest first. Only the current version "
                "of each period is used in the results; you can make an earlier version "
                "current again. Downloads hold the data as stored, after redaction."
            ),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("Authority", html_for=U("history-authority")),
                        dbc.Select(id=U("history-authority"), options=[]),
                    ],
                    md=6,
                ),
                className="mb-3",
            ),
            message(U("history-note")),
            grid(U("history"), select=True, label="Submissions of the authority"),
            html.Div(
                [
                    dbc.Button(
                        "Make the selected version current",
                        id=U("restore"),
                        color="primary",
                        className="me-2 mt-2",
                    ),
                    dbc.Button(
                        "Download the selected version (CSV files)",
                        id=U("history-download-button"),
                        color="secondary",
                        outline=True,
                        className="mt-2",
                    ),
                    dcc.Download(id=U("history-download")),
                ]
            ),
            message(U("history-message")),
        ],
        className="figure-card",
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=U("load"), data=query),
            dcc.Store(id=U("token")),
            dcc.Store(id=U("history-refresh"), data=0),
            page_heading(
                "Upload results",
                "Share your authority's latest survey results. Nothing is stored until you "
                "have checked the report and confirmed.",
            ),
            _template_section(),
            _upload_section(),
            _report_section(),
            _history_section(),
            html.Div(id=U("status"), hidden=True),  # fed by the shared data-status callback
        ]
    )
