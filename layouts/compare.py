"""Compare supplier groups: groups side by side by SUS and theme, a theme x group heatmap,
the spread of authority scores within each group, trends, and (for a group's NLAR
representative) the group authority by authority."""

from __future__ import annotations

from dash import html

from data.queries.filter_options import reference_options
from data.queries.filters import COMPARE
from data.reference.codes import theme_names
from layouts.components import chart_card, page_heading
from layouts.filters import ALL, LATEST_PERIOD, filter_panel, select_filter
from layouts.ids import COMPARE as C
from layouts.url_state import url_state

PATH = "/compare"
# URL key -> control id; the URL lists filters in this order.
FIELDS = {
    "period": C("period"),
    "role": C("role"),
    "type": C("la-type"),
    "region": C("region"),
    "measure": C("measure"),
}


def measures() -> dict[str, str]:
    themes = {c: n for c, n in theme_names().items() if c != "GEN"}
    return {"SUS": "SUS (System Usability Scale)", **themes}


def axis_title(measure: str) -> str:
    """A value axis's title, short enough for a 390 px phone: the chart's heading and summary
    name the measure ("Mean Significant harm and protection (0–100)" was cut off)."""
    return "Mean SUS (0–100)" if measure == "SUS" else "Mean score (0–100)"


def protection_note() -> html.Details:
    return html.Details(
        [
            html.Summary("How these figures protect authorities"),
            html.P(
                "A figure is shown only when at least 3 authorities and 10 respondents "
                "contribute (not counting your own authority), otherwise it reads c. Other "
                "figures may also read c so that a hidden one cannot be worked out by "
                "subtraction, including by comparing this view with a wider one (for "
                "example all regions against one region). Supplier groups too small to show "
                "on their own are counted together as Other suppliers."
            ),
            html.P(
                "The spread of authority scores within a group is shown as the pooled mean "
                "of the lower and the upper half of its authorities (each sorted by its own "
                "mean), never as single authorities' scores, minima, maxima or quantiles, "
                "because each of those is one authority's own score."
            ),
        ],
        className="protection-note mb-4",
    )


def layout(**query):
    opts = reference_options()
    picked = COMPARE.control_values(query, opts)
    return html.Div(
        [
            url_state(C, query),
            page_heading(
                "Compare supplier groups",
                "How usable each supplier's system is, pooled across the authorities that use "
                "it. Authorities are never named.",
            ),
            filter_panel(
                "Filters",
                [
                    select_filter(
                        FIELDS["period"],
                        "Period",
                        value=picked["period"] or "",
                        all_label=None,
                        placeholder=LATEST_PERIOD,
                        hint="Quarter the survey closed in",
                        width=2,
                    ),
                    select_filter(
                        FIELDS["role"],
                        "Respondent role",
                        opts.roles,
                        picked["role"] or ALL,
                        all_label="All roles",
                    ),  # fmt: skip
                    select_filter(
                        FIELDS["type"],
                        "LA type",
                        opts.la_types,
                        picked["type"] or ALL,
                        all_label="All LA types",
                        width=2,
                    ),  # fmt: skip
                    select_filter(
                        FIELDS["region"],
                        "Region",
                        opts.regions,
                        picked["region"] or ALL,
                        all_label="All regions",
                        width=2,
                    ),  # fmt: skip
                    select_filter(
                        FIELDS["measure"],
                        "Score to compare",
                        measures(),
                        picked["measure"],
                        all_label=None,
                    ),  # fmt: skip
                ],
                panel_id=C("filters"),
            ),
            protection_note(),
            chart_card(
                C("groups"),
                "Supplier groups side by side",
                description="Mean score per group with its 95% confidence interval; England "
                "(all groups) is shown in orange. For SUS the shaded bands are the "
                "Sauro–Lewis grades and the dashed line the published average of 68.",
            ),
            chart_card(
                C("heatmap"),
                "Theme scores by supplier group",
                graph_height=560,
                description="Each cell is a group's mean score on a theme (0–100, higher is "
                "better); darker cells score higher.",
            ),
            chart_card(
                C("spread"),
                "Spread of authority scores within each group",
                description="Each marker is the average score of one band of a group's "
                "authorities, from the lowest-scoring band to the highest. Uses all "
                "respondents in the chosen period; the role, LA type and region filters do "
                "not apply.",
            ),
            chart_card(
                C("trend"),
                "Trend across periods",
                graph_height=640,
                description="One panel per supplier group (dark blue) with England for "
                "comparison (orange, dashed). The period filter does not apply.",
            ),
            html.Div(
                chart_card(
                    C("breakdown"),
                    "Your supplier group, authority by authority",
                    graph_height=640,
                    description="Only a group's NLAR representative sees this. Authorities "
                    "appear under their pseudonyms (names only for your own authority and "
                    "authorities that agreed to be named).",
                ),
                id=C("breakdown-wrap"),
                hidden=True,
            ),
        ]
    )
