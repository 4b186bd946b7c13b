"""Overview: coverage, headline SUS and theme scores by supplier group, what changed."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components import chart_card, page_heading, stat_tile
from layouts.ids import OVERVIEW as OV
from layouts.url_state import url_state


def layout(**query):
    return html.Div(
        [
            dcc.Store(id=OV("load"), data=query),
            url_state(OV, query),
            page_heading(
                "Overview",
                "How usable children's social care case-recording systems are, pooled across "
                "the authorities that have shared their results. Authorities are never named.",
            ),
            dbc.Row(
                [
                    stat_tile("Authorities with results", OV("las"), "in any period"),
                    stat_tile("Supplier groups", OV("groups"), "with results in any period"),
                    stat_tile("Responses", OV("respondents"), "all periods added up"),
                    stat_tile("Latest period", OV("period"), "what the charts show"),
                ]
            ),
            html.P(
                "The tiles count everything shared so far. The charts show the latest period: "
                "each supplier group with enough authorities and respondents to be shown on "
                "its own, and the smaller groups pooled as \u201cOther suppliers\u201d, so a "
                "chart can list fewer groups than the tile counts.",
                className="footnote",
                id=OV("tiles-note"),
            ),
            chart_card(OV("sus"), "System Usability Scale by supplier group, latest period"),
            chart_card(
                OV("themes"),
                "Theme scores by supplier group, latest period",
                graph_height=520,
            ),
            chart_card(OV("change"), "What changed since the previous period"),
        ]
    )
