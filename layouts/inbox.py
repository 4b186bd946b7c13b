"""Inbox: the signed-in user's notifications (answers and questions on requirements their
authority endorsed or their group asked for, specifications addressed to their supplier,
upload periods opening and closing), their Atom feed address and the optional e-mail copy."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components import page_heading
from layouts.forms import action, card
from layouts.ids import INBOX as I


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=I("changed"), data={"n": 0}),
            page_heading("Inbox", "What concerns you, newest first."),
            card(
                "Notifications",
                [
                    html.Div(id=I("list")),
                    *action("Mark all as read", I("read-all"), I("read-msg"), "secondary"),
                ],
                heading_id=I("list-heading"),
                small=True,
            ),
            card(
                "Atom feed",
                [
                    html.P(
                        "Follow your notifications in a feed reader. The address contains a "
                        "secret of your own: making a new one stops the old one working."
                    ),
                    *action("Make a new feed address", I("feed-new"), I("feed-msg"), "secondary"),
                ],
                heading_id=I("feed-heading"),
                small=True,
            ),
            card(
                "E-mail",
                [
                    html.P(id=I("email-note")),
                    dbc.Label("E-mail address", html_for=I("email")),
                    dbc.Input(id=I("email"), type="email", maxLength=254, className="mb-2"),
                    dbc.Checklist(
                        id=I("email-on"),
                        options=[{"label": "Send me a copy of each notification", "value": "on"}],
                        value=[],
                        className="mb-2",
                    ),
                    *action("Save", I("email-save"), I("email-msg"), "secondary"),
                ],
                heading_id=I("email-heading"),
                small=True,
            ),
        ]
    )
