"""Common requirements page."""

from __future__ import annotations

from dash import dcc, html

from layouts.components import page_heading
from layouts.data_status import panel

PREFIX = "requirements"


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=f"{PREFIX}-load", data=query),
            page_heading("Common requirements"),
            panel(PREFIX),
        ]
    )
