"""Themes: where findings concentrate (by theme, supplier group, workflow area and severity)
and the redacted findings behind the charts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from data.queries.filter_options import reference_options
from data.queries.filters import THEMES
from layouts.components import chart_card, page_heading, paged_table
from layouts.filters import ALL, filter_panel, select_filter
from layouts.ids import THEMES as T
from layouts.url_state import url_state

PATH = "/themes"
FIELDS = {
    "period": T("period"),
    "theme": T("theme"),
    "category": T("category"),
    "workflow": T("workflow"),
    "severity": T("severity"),
    "region": T("region"),
    "type": T("la-type"),
    "group": T("group"),
}


def choices() -> dict[str, dict[str, str]]:
    """Value -> label for each filter whose choices do not depend on the data (by URL key,
    from the filter spec data.queries.filters.THEMES)."""
    opts = reference_options()
    return {f.key: f.allowed(opts) for f in THEMES.filters if not f.from_data}


def layout(**query):
    c = choices()
    start = THEMES.control_values(query, reference_options())
    picked = {k: v or ALL for k, v in start.items()}
    return html.Div(
        [
            url_state(T, query),
            page_heading(
                "Themes",
                "Where the problems authorities report are concentrated, and the findings "
                "behind them. Free text is shown only after personal details were removed.",
            ),
            filter_panel(
                "Filters",
                [
                    select_filter(
                        FIELDS["period"],
                        "Period",
                        value=picked["period"],
                        all_label="All periods",
                        width=3,
                    ),
                    select_filter(
                        FIELDS["theme"],
                        "Theme",
                        c["theme"],
                        picked["theme"],
                        all_label="All themes",
                    ),
                    select_filter(
                        FIELDS["category"],
                        "Category",
                        c["category"],
                        picked["category"],
                        all_label="All categories",
                        hint="Practice, technical or supplier",
                    ),
                    select_filter(
                        FIELDS["workflow"],
                        "Workflow area",
                        c["workflow"],
                        picked["workflow"],
                        all_label="All workflow areas",
                    ),
                    select_filter(
                        FIELDS["severity"],
                        "Severity",
                        c["severity"],
                        picked["severity"],
                        all_label="All severities",
                    ),
                    select_filter(
                        FIELDS["region"],
                        "Region",
                        c["region"],
                        picked["region"],
                        all_label="All regions",
                    ),
                    select_filter(
                        FIELDS["type"],
                        "LA type",
                        c["type"],
                        picked["type"],
                        all_label="All LA types",
                    ),
                    select_filter(
                        FIELDS["group"],
                        "Supplier group",
                        {start["group"]: start["group"]} if start["group"] else {},
                        picked["group"],
                        all_label="All supplier groups",
                    ),
                ],
                panel_id=T("filters"),
            ),  # fmt: skip
            html.P(
                "Each chart shows every value of its own breakdown with the other filters "
                "applied. A count reads c when fewer than 3 authorities or 10 respondents "
                "raising the findings stand behind it, or when it would let a hidden count be "
                "worked out.",
                className="mb-4",
            ),
            chart_card(
                T("by-theme"),
                "Findings by theme",
                description="Number of findings on each theme. The table below the chart "
                "also gives all themes together.",
            ),
            chart_card(
                T("by-group"),
                "Findings by supplier group and theme",
                graph_height=560,
                description="Darker cells hold more findings. England is every group "
                "together; small groups are counted as Other suppliers.",
            ),
            chart_card(
                T("by-area"),
                "Findings by workflow area and severity",
                graph_height=520,
                description="Where in the casework the findings arise, and how severe they are.",
            ),
            html.Section(
                [
                    html.H2("Findings behind the charts", id=T("list-title")),
                    html.P(id=T("list-note"), role="status", **{"aria-live": "polite"}),
                    html.Div(
                        paged_table(T("list")),
                        role="region",
                        **{"aria-label": "Findings behind the charts"},
                    ),
                    dbc.Button(
                        "Download the findings (CSV)",
                        id=T("list-download-button"),
                        color="secondary",
                        outline=True,
                        size="sm",
                        className="mt-2",
                    ),
                    dcc.Download(id=T("list-download")),
                ],
                className="figure-card",
                **{"aria-labelledby": T("list-title")},
            ),
        ]
    )
