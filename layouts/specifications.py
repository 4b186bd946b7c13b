"""Joint specifications: build a titled, versioned specification for a supplier group (or all
groups), pick and order its requirements, record each one's status with the supplier, and
download it as Word or CSV with the evidence behind every requirement.

Query string: ?spec=<id>&version=<number>."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.requirements.specifications import STATUS_LABELS
from layouts.components import page_heading
from layouts.requirements import HIDDEN, grid, select

P = "spec"
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
            html.H2("Start a specification", id=f"{P}-create-heading"),
            dbc.Label("Title", html_for=f"{P}-new-title"),
            dbc.Input(id=f"{P}-new-title", maxLength=200, className="mb-2"),
            select(f"{P}-new-group", "For supplier group"),
            dbc.Button("Create specification", id=f"{P}-create", color="primary"),
            _msg(f"{P}-create-msg"),
        ],
        id=f"{P}-create-area",
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": f"{P}-create-heading"},
    )


def _view() -> html.Section:
    return html.Section(
        [
            html.H2("Specification", id=f"{P}-view-heading"),
            dbc.Row(
                [
                    dbc.Col(select(f"{P}-pick", "Specification", placeholder="None yet"), md=8),
                    dbc.Col(select(f"{P}-version", "Version"), md=4),
                ],
                className="mb-2",
            ),
            html.Div(id=f"{P}-meta"),
            grid(f"{P}-items", ITEM_COLUMNS, label="Requirements in this version"),
            html.P(id=f"{P}-footnote", className="footnote mt-2"),
            html.Div(
                [
                    dbc.Button("Download Word document", id=f"{P}-download-docx", color="primary"),
                    dbc.Button(
                        "Download CSV",
                        id=f"{P}-download-csv",
                        color="secondary",
                        outline=True,
                        className="ms-2",
                    ),
                    dcc.Download(id=f"{P}-download"),
                    html.P(id=f"{P}-download-reason", className="form-text mt-1 mb-0"),
                    _msg(f"{P}-download-msg"),
                ],
                className="mt-2",
            ),
        ],
        className="figure-card",
        **{"aria-labelledby": f"{P}-view-heading"},
    )


def _build() -> html.Section:
    return html.Section(
        [
            html.H2("Save a new version", id=f"{P}-build-heading"),
            html.P(
                "Pick the requirements in the order they should appear (the first picked comes "
                "first). The group's own requirements and those for all groups can be included."
            ),
            dbc.Label("Requirements, in order", html_for=f"{P}-build-reqs"),
            dcc.Dropdown(id=f"{P}-build-reqs", multi=True, className="mb-2"),
            select(f"{P}-build-period", "Theme scores from period", placeholder="Latest period"),
            dbc.Label("Note for this version (optional)", html_for=f"{P}-build-note"),
            dbc.Textarea(id=f"{P}-build-note", rows=2, maxLength=2000, className="mb-2"),
            dbc.Button("Save as new version", id=f"{P}-save-version", color="primary"),
            _msg(f"{P}-save-msg"),
        ],
        id=f"{P}-build-area",
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": f"{P}-build-heading"},
    )


def _status() -> html.Section:
    return html.Section(
        [
            html.H2("Status with the supplier", id=f"{P}-status-heading"),
            dbc.Row(
                [
                    dbc.Col(
                        select(f"{P}-status-req", "Requirement", placeholder="Choose one"), md=6
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label("Status", html_for=f"{P}-status-value"),
                                dbc.Select(
                                    id=f"{P}-status-value",
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
                            dbc.Label("Delivered in release", html_for=f"{P}-status-release"),
                            dbc.Input(id=f"{P}-status-release", maxLength=80),
                        ],
                        md=3,
                    ),
                ],
                className="mb-2",
            ),
            dbc.Button("Record status", id=f"{P}-status-save", color="primary"),
            _msg(f"{P}-status-msg"),
        ],
        id=f"{P}-status-area",
        className="figure-card",
        style=HIDDEN,
        **{"aria-labelledby": f"{P}-status-heading"},
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=f"{P}-query", data=query),
            *[dcc.Store(id=f"{P}-changed-{name}", data={"n": 0}) for name in CHANGE_STORES],
            page_heading(
                "Joint specifications",
                "One agreed set of requirements a supplier group puts to its supplier, with the "
                "evidence behind each one. Small counts show as c.",
            ),
            _view(),
            _build(),
            _status(),
            _create(),
        ]
    )
