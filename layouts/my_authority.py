"""My authority: the signed-in LA against its supplier group, statistical neighbours and
England, what changed since its previous submission, and who improved in its group."""

from __future__ import annotations

from dash import dcc, html

from data.queries.filter_options import reference_options
from data.queries.filters import MY_AUTHORITY
from layouts.compare import measures
from layouts.components import chart_card, page_heading, scrolling_box
from layouts.filters import LATEST_PERIOD, filter_panel, select_filter
from layouts.ids import MY_AUTHORITY as M
from layouts.releases import la_section as release_section
from layouts.url_state import url_state

PATH = "/my-authority"
FIELDS = {"period": M("period"), "measure": M("measure")}


def layout(**query):
    picked = MY_AUTHORITY.control_values(query, reference_options())
    return html.Div(
        [
            url_state(M, query),
            dcc.Store(id=M("refresh"), data=0),
            page_heading(
                "My authority",
                "Your authority's results by name, against other authorities in your supplier "
                "group, your statistical neighbours and England. Other authorities are never "
                "named unless they agree.",
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
                        hint="Periods your authority has results for",
                    ),
                    select_filter(
                        FIELDS["measure"],
                        "Score over time",
                        measures(),
                        picked["measure"],
                        all_label=None,
                        width=4,
                    ),
                ],
                panel_id=M("filters"),
            ),
            html.P(id=M("neighbours-note"), className="mb-4"),
            chart_card(
                M("profile"),
                "Your authority against its comparators",
                graph_height=640,
                description="Mean score on SUS and each theme with 95% confidence intervals. "
                "Comparators leave your own authority out.",
            ),
            chart_card(
                M("trend"),
                "Over time",
                description="The chosen score in each period your authority has results for.",
            ),  # fmt: skip
            chart_card(
                M("change"),
                "What changed since your previous submission",
                graph_height=560,
                description="Change in your authority's mean score on each theme; a filled "
                "marker means the 95% interval of the change excludes zero (significant).",
            ),
            html.Section(
                [
                    html.H2("Who improved", id=M("improved-title")),
                    html.P(
                        "Other authorities in your supplier group whose score on a theme rose "
                        "significantly since their previous submission. They are shown by "
                        "pseudonym; ask to be put in touch and they decide whether to reveal "
                        "who they are."
                    ),
                    scrolling_box(M("improved"), "Authorities that improved"),
                    html.P(id=M("action-message"), role="status", **{"aria-live": "polite"}),
                ],
                className="figure-card",
                **{"aria-labelledby": M("improved-title")},
            ),
            html.Section(
                [
                    html.H2("Requests to be put in touch", id=M("requests-title")),
                    scrolling_box(M("requests"), "Requests to be put in touch"),
                ],
                className="figure-card",
                **{"aria-labelledby": M("requests-title")},
            ),
            release_section(),
        ]
    )
