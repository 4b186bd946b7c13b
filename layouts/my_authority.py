"""My authority: the signed-in LA against its supplier group, statistical neighbours and
England, what changed since its previous submission, and who improved in its group."""

from __future__ import annotations

from dash import dcc, html

from data.queries.filter_options import reference_options
from data.queries.filters import MY_AUTHORITY
from layouts.compare import measures
from layouts.components import chart_card, page_heading, scrolling_box
from layouts.filters import LATEST_PERIOD, filter_panel, select_filter
from layouts.releases import la_section as release_section
from layouts.url_state import url_state

PREFIX = "my-authority"
PATH = "/my-authority"
FIELDS = {"period": f"{PREFIX}-period", "measure": f"{PREFIX}-measure"}


def layout(**query):
    picked = MY_AUTHORITY.control_values(query, reference_options())
    return html.Div(
        [
            url_state(PREFIX, query),
            dcc.Store(id=f"{PREFIX}-refresh", data=0),
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
                panel_id=f"{PREFIX}-filters",
            ),
            html.P(id=f"{PREFIX}-neighbours-note", className="mb-4"),
            chart_card(
                f"{PREFIX}-profile",
                "Your authority against its comparators",
                graph_height=640,
                description="Mean score on SUS and each theme with 95% confidence intervals. "
                "Comparators leave your own authority out.",
            ),
            chart_card(
                f"{PREFIX}-trend",
                "Over time",
                description="The chosen score in each period your authority has results for.",
            ),  # fmt: skip
            chart_card(
                f"{PREFIX}-change",
                "What changed since your previous submission",
                graph_height=560,
                description="Change in your authority's mean score on each theme; a filled "
                "marker means the 95% interval of the change excludes zero (significant).",
            ),
            html.Section(
                [
                    html.H2("Who improved", id=f"{PREFIX}-improved-title"),
                    html.P(
                        "Other authorities in your supplier group whose score on a theme rose "
                        "significantly since their previous submission. They are shown by "
                        "pseudonym; ask to be put in touch and they decide whether to reveal "
                        "who they are."
                    ),
                    scrolling_box(f"{PREFIX}-improved", "Authorities that improved"),
                    html.P(id=f"{PREFIX}-action-message", role="status", **{"aria-live": "polite"}),
                ],
                className="figure-card",
                **{"aria-labelledby": f"{PREFIX}-improved-title"},
            ),
            html.Section(
                [
                    html.H2("Requests to be put in touch", id=f"{PREFIX}-requests-title"),
                    scrolling_box(f"{PREFIX}-requests", "Requests to be put in touch"),
                ],
                className="figure-card",
                **{"aria-labelledby": f"{PREFIX}-requests-title"},
            ),
            release_section(),
        ]
    )
