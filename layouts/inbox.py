"""Inbox: the signed-in user's notifications (answers and questions on requirements their
authority endorsed or their group asked for, specifications addressed to their supplier,
upload periods opening and closing), their Atom feed address and the optional e-mail copy."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.answers import status
from layouts.components import page_heading

P = "inbox"


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=f"{P}-changed", data={"n": 0}),
            page_heading("Inbox", "What concerns you, newest first."),
            html.Section(
                [
                    html.H2("Notifications", id=f"{P}-list-heading", className="h4"),
                    html.Div(id=f"{P}-list"),
                    dbc.Button("Mark all as read", id=f"{P}-read-all", color="secondary"),
                    status(f"{P}-read-msg"),
                ],
                className="figure-card",
                **{"aria-labelledby": f"{P}-list-heading"},
            ),
            html.Section(
                [
                    html.H2("Atom feed", id=f"{P}-feed-heading", className="h4"),
                    html.P(
                        "Follow your notifications in a feed reader. The address contains a "
                        "secret of your own: making a new one stops the old one working."
                    ),
                    dbc.Button("Make a new feed address", id=f"{P}-feed-new", color="secondary"),
                    status(f"{P}-feed-msg"),
                ],
                className="figure-card",
                **{"aria-labelledby": f"{P}-feed-heading"},
            ),
            html.Section(
                [
                    html.H2("E-mail", id=f"{P}-email-heading", className="h4"),
                    html.P(id=f"{P}-email-note"),
                    dbc.Label("E-mail address", html_for=f"{P}-email"),
                    dbc.Input(id=f"{P}-email", type="email", maxLength=254, className="mb-2"),
                    dbc.Checklist(
                        id=f"{P}-email-on",
                        options=[{"label": "Send me a copy of each notification", "value": "on"}],
                        value=[],
                        className="mb-2",
                    ),
                    dbc.Button("Save", id=f"{P}-email-save", color="secondary"),
                    status(f"{P}-email-msg"),
                ],
                className="figure-card",
                **{"aria-labelledby": f"{P}-email-heading"},
            ),
        ]
    )
