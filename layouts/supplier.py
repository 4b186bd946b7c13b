"""Supplier answers: the joint specifications addressed to the supplier, each requirement with
its anonymised evidence, the supplier's answer to each, the thread under a question, and the
supplier's product releases. The only page (with the inbox) a supplier user reaches.

Query string: ?spec=<id>&requirement=<id>."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components import page_heading
from layouts.forms import action, card, labelled, release_form
from layouts.ids import SUPPLIER as S
from layouts.ids import SUPPLIER_RELEASE

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
    return card(
        "Answer a requirement",
        [
            _select(S("answer-req"), "Requirement"),
            html.Fieldset(
                [
                    html.Legend("Your answer", className="form-label fs-6"),
                    dbc.RadioItems(
                        id=S("answer-status"), options=ANSWER_OPTIONS, value="acknowledged"
                    ),
                ],
                className="mb-2",
            ),
            dbc.Label("Question, reason or note", html_for=S("answer-text")),
            dbc.Textarea(id=S("answer-text"), rows=3, maxLength=2000, className="mb-2"),
            dbc.Row(
                [
                    labelled("Release", dbc.Input(id=S("answer-release"), maxLength=80), 6),
                    labelled(
                        "Expected date (planned)", dbc.Input(id=S("answer-date"), type="date"), 6
                    ),
                ]
            ),
            *action("Send answer", S("answer-save"), S("answer-msg")),
        ],
        heading_id=S("answer-heading"),
    )


def _reply_form() -> html.Section:
    return card(
        "Follow up a question",
        [
            html.P("Add a message to the thread under your current answer to a requirement."),
            _select(S("reply-req"), "Requirement"),
            dbc.Label("Message", html_for=S("reply-text")),
            dbc.Textarea(id=S("reply-text"), rows=2, maxLength=2000, className="mb-2"),
            *action("Send message", S("reply-save"), S("reply-msg"), "secondary"),
        ],
        heading_id=S("reply-heading"),
    )


def _releases() -> html.Section:
    return card(
        "Your releases",
        [
            html.P(
                "Record each release of your products so authorities can say which one they "
                "run, and so you can answer “delivered in” with it."
            ),
            *release_form(SUPPLIER_RELEASE, "secondary"),
        ],
        heading_id=SUPPLIER_RELEASE("heading"),
    )


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=S("query"), data=query),
            dcc.Store(id=S("changed"), data={"n": 0}),
            page_heading(
                "Joint specifications addressed to you",
                "What your user group asks of your products, with the evidence behind each "
                "requirement. Authorities are never named; small counts show as c.",
            ),
            html.Section(
                [
                    _select(S("spec"), "Specification"),
                    html.Div(id=S("spec-body"), **{"aria-live": "polite"}),
                ],
                className="figure-card",
                **{"aria-label": "Specification"},
            ),
            _answer_form(),
            _reply_form(),
            _releases(),
        ]
    )
