"""The panel of results shared by period, shown on the Admin page."""

from __future__ import annotations

from dash import html


def panel(prefix: str) -> html.Section:
    return html.Section(
        [html.H2("Data available", className="h4"), html.Div(id=f"{prefix}-status")],
        className="figure-card",
    )
