"""Supplier answers: the joint specifications addressed to the supplier, each requirement with
its anonymised evidence, the supplier's answer to each, the thread under a question, and the
supplier's product releases. The only page (with the inbox) a supplier user reaches.

Query string: ?spec=<id>&requirement=<id>."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.answers import labelled, status
from layouts.components import page_heading

P = "supplier"
ANSWER_OPTIONS = [
    {"label": "Acknowledged", "value": "acknowledged"},
    {"label": "Needs clarification (write your question)", "value": "clarification"},
    {"label": "Planned (name the release and its expected date)", "value": "planned"},
    {"label": "Delivered (name the release)", "value": "delivered"},
    {"label": "Declined (give the reason)", "value": "declined"},
]


def _select(ident: str, label: str) -> html.Div:
    return html.Div(
        [dbc.Label(label, html_for=ident), dbc.Select(id=ident, options=[])], className="mb-2"
    )


def _answer_form() -> html.Section:
    return html.Section(
        [
            html.H2("Answer a requirement", id=f"{P}-answer-heading"),
            _select(f"{P}-answer-req", "Requirement"),
            html.Fieldset(
                [
                    html.Legend("Your answer", className="form-label fs-6"),
                    dbc.RadioItems(
                        id=f"{P}-answer-status", options=ANSWER_OPTIONS, value="acknowledged"
                    ),
                ],
                className="mb-2",
            ),
            dbc.Label("Question, reason or note", html_for=f"{P}-answer-text"),
            dbc.Textarea(id=f"{P}-answer-text", rows=3, maxLength=2000, className="mb-2"),
            dbc.Row(
                [
                    labelled("Release", dbc.Input(id=f"{P}-answer-release", maxLength=80), 6),
                    labelled(
                        "Expected date (planned)", dbc.Input(id=f"{P}-answer-date", type="date"), 6
                    ),
                ]
            ),
            dbc.Button("Send answer", id=f"{P}-answer-save", color="primary"),
            status(f"{P}-answer-msg"),
        ],
        className="figure-card",
        **{"aria-labelledby": f"{P}-answer-heading"},
    )


def _reply_form() -> html.Section:
    return html.Section(
        [
            html.H2("Follow up a question", id=f"{P}-reply-heading"),
            html.P("Add a message to the thread under your current answer to a requirement."),
            _select(f"{P}-reply-req", "Requirement"),
            dbc.Label("Message", html_for=f"{P}-reply-text"),
            dbc.Textarea(id=f"{P}-reply-text", rows=2, maxLength=2000, className="mb-2"),
            dbc.Button("Send message", id=f"{P}-reply-save", color="secondary"),
            status(f"{P}-reply-msg"),
        ],
        className="figure-card",
        **{"aria-labelledby": f"{P}-reply-heading"},
    )


def _releases() -> html.Section:
    return html.Section(
        [
            html.H2("Your releases", id=f"{P}-release-heading"),
            html.P(
                "Record each release of your products so authorities can say which one they "
                "run, and so you can answer “delivered in” with it."
            ),
            html.Div(id=f"{P}-release-list"),
            dbc.Row(
                [
                    labelled("Product", dbc.Select(id=f"{P}-release-product", options=[])),
                    labelled("Release name", dbc.Input(id=f"{P}-release-name", maxLength=80)),
                    labelled("Release date", dbc.Input(id=f"{P}-release-date", type="date")),
                ]
            ),
            dbc.Button("Record the release", id=f"{P}-release-save", color="secondary"),
            status(f"{P}-release-msg"),
        ],
        className="figure-card",
        **{"aria-labelledby": f"{P}-release-heading"},
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=f"{P}-query", data=query),
            dcc.Store(id=f"{P}-changed", data={"n": 0}),
            page_heading(
                "Joint specifications addressed to you",
                "What your user group asks of your products, with the evidence behind each "
                "requirement. Authorities are never named; small counts show as c.",
            ),
            html.Section(
                [
                    _select(f"{P}-spec", "Specification"),
                    html.Div(id=f"{P}-spec-body", **{"aria-live": "polite"}),
                ],
                className="figure-card",
                **{"aria-label": "Specification"},
            ),
            _answer_form(),
            _reply_form(),
            _releases(),
        ]
    )
