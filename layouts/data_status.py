"""The panel of results shared by period, shown on the Admin page."""

from __future__ import annotations

from dash import html


def panel(prefix: str) -> html.Section:
    return html.Section(
        [
            html.H2("Data available", className="h4"),
            # scrolls sideways on a phone; focusable so the keyboard can scroll it too
            html.Div(
                id=f"{prefix}-status",
                className="table-responsive",
                tabIndex=0,
                role="region",
                **{"aria-label": "Results shared by period"},
            ),
        ],
        className="figure-card",
    )
