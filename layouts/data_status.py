"""The panel of results shared by period, shown on the Admin page."""

from __future__ import annotations

from dash import html

from layouts.components import scrolling_box


def panel(prefix: str) -> html.Section:
    return html.Section(
        [
            html.H2("Data available", className="h4"),
            scrolling_box(f"{prefix}-status", "Results shared by period"),
        ],
        className="figure-card",
    )
