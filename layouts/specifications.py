"""Joint specifications: build a titled, versioned specification for a supplier group (or all
groups), pick and order its requirements, record each one's status with the supplier, and
download it as Word or CSV with the evidence behind every requirement.

Query string: ?spec=<id>&version=<number>."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.requirements.specifications import STATUS_LABELS
from layouts.answers import loop_panel
from layouts.components import page_heading
from layouts.ids import SPECIFICATIONS as S
from layouts.requirements import HIDDEN, grid, select

CHANGE_STORES = ("create", "version", "status")
ITEM_COLUMNS = {
    "position": "#",
    "requirement": "Requirement",
    "statement": "Statement",
    "priority": "Priority",
    "status": "Status with the supplier",
    "las": "LAs raising",
    "groups": "Supplier groups",
    "respondents": "Respondents affected",
    "endorsements": "LAs endorsing",
    "theme": "Theme",
    "theme_score": "Theme score for the group",
}


def _msg(msg_id: str) -> html.Div:
    return html.Div(id=msg_id, role="status", **{"aria-live": "polite"})


def _create() -> html.Section:
    return html.Section(
        [
            html.H2("Start a specification", id=S("create-heading")),
            dbc.Label("Title", html_for=S("new-title")),
            dbc.Input(id=S("new-title"), maxLength=200, className="mb-2"),
            select(S("new-group"), "For supplier group"),
            dbc.Button("Create specification", id=S("create"), color="primary"),
            _msg(S("create-msg")),
        ],
        id=S("create-area"),
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": S("create-heading")},
    )


def _view() -> html.Section:
    return html.Section(
        [
            html.H2("Specification", id=S("view-heading")),
            dbc.Row(
                [
                    dbc.Col(select(S("pick"), "Specification", placeholder="None yet"), md=8),
                    dbc.Col(select(S("version"), "Version"), md=4),
                ],
                className="mb-2",
            ),
            html.Div(id=S("meta")),
            grid(S("items"), ITEM_COLUMNS, label="Requirements in this version"),
            html.P(id=S("footnote"), className="footnote mt-2"),
            html.Div(
                [
                    dbc.Button("Download Word document", id=S("download-docx"), color="primary"),
                    dbc.Button(
                        "Download CSV",
                        id=S("download-csv"),
                        color="secondary",
                        outline=True,
                        className="ms-2",
                    ),
                    dcc.Download(id=S("download")),
                    html.P(id=S("download-reason"), className="form-text mt-1 mb-0"),
                    _msg(S("download-msg")),
                ],
                className="mt-2",
            ),
        ],
        className="figure-card",
        **{"aria-labelledby": S("view-heading")},
    )


def _build() -> html.Section:
    return html.Section(
        [
            html.H2("Save a new version", id=S("build-heading")),
            html.P(
                "Pick the requirements in the order they should appear (the first picked comes "
                "first). The group's own requirements and those for all groups can be included."
            ),
            dbc.Label("Requirements, in order", html_for=S("build-reqs")),
            dcc.Dropdown(id=S("build-reqs"), multi=True, className="mb-2"),
            select(S("build-period"), "Theme scores from period", placeholder="Latest period"),
            dbc.Label("Note for this version (optional)", html_for=S("build-note")),
            dbc.Textarea(id=S("build-note"), rows=2, maxLength=2000, className="mb-2"),
            dbc.Button("Save as new version", id=S("save-version"), color="primary"),
            _msg(S("save-msg")),
        ],
        id=S("build-area"),
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": S("build-heading")},
    )


def _status() -> html.Section:
    return html.Section(
        [
            html.H2("Status with the supplier", id=S("status-heading")),
            dbc.Row(
                [
                    dbc.Col(select(S("status-req"), "Requirement", placeholder="Choose one"), md=6),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label("Status", html_for=S("status-value")),
                                dbc.Select(
                                    id=S("status-value"),
                                    options=[
                                        {"label": v, "value": k} for k, v in STATUS_LABELS.items()
                                    ],
                                    value="with_supplier",
                                ),
                            ]
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Delivered in release", html_for=S("status-release")),
                            dbc.Input(id=S("status-release"), maxLength=80),
                        ],
                        md=3,
                    ),
                ],
                className="mb-2",
            ),
            dbc.Button("Record status", id=S("status-save"), color="primary"),
            _msg(S("status-msg")),
        ],
        id=S("status-area"),
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": S("status-heading")},
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=S("query"), data=query),
            *[dcc.Store(id=S(f"changed-{name}"), data={"n": 0}) for name in CHANGE_STORES],
            page_heading(
                "Joint specifications",
                "One agreed set of requirements a supplier group puts to its supplier, with the "
                "evidence behind each one. Small counts show as c.",
            ),
            _view(),
            html.Div(loop_panel(S, reply=False), className="figure-card"),
            _build(),
            _status(),
            _create(),
        ]
    )
