"""Common requirements: ranked candidates with their anonymised findings; NLAR reps and
coordinators accept, reword, merge, split and unmerge requirements; LAs endorse them.

Query string: ?group=<supplier id or 'all'>&candidate=<id>&requirement=<R-n or n>, kept in
step with the page (callbacks.url_state), so a view can be shared or reloaded; a candidate in
the URL is shown as if selected once the server has checked the viewer may open it (the links
between related groups use it), otherwise nothing is selected and a note says why."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.requirements.ranking import RULE
from layouts.answers import loop_panel
from layouts.components import COLUMN_DEFAULTS, GRID_OPTIONS, header_width, page_heading
from layouts.ids import REQUIREMENTS as R
from layouts.url_state import url_state

HIDDEN = {"display": "none"}
PATH = "/requirements"
# URL key -> what holds it (callbacks.url_state): the group filter, the shown candidate and
# the selected requirement, so a view can be shared or reloaded
FIELDS = {
    "group": R("group"),
    "candidate": (R("candidate"), "data"),
    "requirement": (R("selected"), "data"),
}
PRIORITY_OPTIONS = [
    {"label": "Must have", "value": "must"},
    {"label": "Should have", "value": "should"},
    {"label": "Could have", "value": "could"},
    {"label": "Won't have (this time)", "value": "wont"},
]
CHANGE_STORES = ("accept", "regroup", "endorse", "curate", "relate")


WIDE = {"title": 3, "description": 3, "statement": 3, "reach": 2, "suggested_change": 2}
NARROW = {"rank": 104, "las": 96, "position": 80, "score": 104}
# Wide enough for the header's name beside its filter button and a word per line; where the
# columns need more room than the card has, the grid scrolls sideways (its bar shown).
COLUMN_MIN, WIDE_MIN = 124, 260
CANDIDATE_COLUMNS = {
    "rank": "Rank",
    "candidate": "Candidate",
    "title": "Representative finding",
    "las": "LAs",
    "groups": "Groups",
    "label": "Label",
    "respondents": "Respondents affected",
    "avg_severity": "Average severity",
    "score": "Score",
    "accepted_as": "Accepted as",
    "theme": "Theme",
    "workflow_area": "Workflow area",
}
FINDING_COLUMNS = {
    "finding_id": "Finding",
    "authority": "Authority",
    "description": "Description (redacted)",
    "suggested_change": "Suggested change",
    "severity": "Severity",
    "respondents": "Respondents raising",
    "theme": "Theme",
    "workflow_area": "Workflow area",
    "supplier_group": "Supplier group",
    "category": "Category",
}
LIST_COLUMNS = {
    "requirement": "Requirement",
    "statement": "Statement",
    "reach": "Reach",
    "priority": "Priority",
    "status": "Status",
    "your_la_endorsed": "Your LA endorsed",
    "group": "For",
    "theme": "Theme",
    "merged_into": "Merged into",
}


def column_defs(headers: dict[str, str]) -> list[dict]:
    """AG Grid columns in the given order, sized to fill the grid: text wraps (nothing is cut
    off) and long text columns take the most room. Where even their minimum widths do not
    fit (a phone), the grid scrolls sideways."""
    cols = []
    for field, name in headers.items():
        col = {
            "field": field,
            "headerName": name,
            "minWidth": max(NARROW.get(field, COLUMN_MIN), header_width(name)),
            "flex": 1,
            "wrapText": True,
            "autoHeight": True,
        }
        if field in WIDE:
            col.update(flex=WIDE[field], minWidth=max(WIDE_MIN, header_width(name)))
        cols.append(col)
    return cols


def grid(grid_id: str, headers: dict[str, str], *, multi: bool = False, label: str) -> html.Div:
    """A sortable, filterable, paged grid whose rows can be selected (rows need a 'key')."""
    selection = (
        {"mode": "multiRow", "headerCheckbox": False}
        if multi
        else {"mode": "singleRow", "checkboxes": False}
    )
    table = dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs(headers),
        rowData=[],
        defaultColDef={**COLUMN_DEFAULTS, "minWidth": 72},
        dashGridOptions={
            **GRID_OPTIONS,
            "rowSelection": {**selection, "enableClickSelection": True},
            "pagination": True,
            "paginationPageSize": 20,
            # as tall as its rows: wrapped rows in a fixed box showed one row at a time
            "domLayout": "autoHeight",
        },
        getRowId="params.data.key",
        style={"width": "100%"},
        className="ag-theme-alpine",
    )
    return html.Div(table, role="region", **{"aria-label": label})


def select(select_id: str, label: str, **kwargs) -> html.Div:
    """A labelled native select (keyboard and screen-reader friendly)."""
    return html.Div(
        [dbc.Label(label, html_for=select_id), dbc.Select(id=select_id, options=[], **kwargs)],
        className="mb-2",
    )


def _msg(msg_id: str) -> html.Div:
    return html.Div(id=msg_id, role="status", **{"aria-live": "polite"})


def _priority(radio_id: str, value: str = "should") -> html.Fieldset:
    return html.Fieldset(
        [
            html.Legend("Priority (MoSCoW)", className="form-label fs-6"),
            dbc.RadioItems(id=radio_id, options=PRIORITY_OPTIONS, value=value, inline=True),
        ],
        className="mb-2",
    )


def _statement(area_id: str, label: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(label, html_for=area_id),
            dbc.Textarea(id=area_id, rows=3, maxLength=600, className="mb-2"),
        ]
    )


def _ranking_rule() -> html.Details:
    return html.Details(
        [
            html.Summary("How candidates are ranked and labelled"),
            html.P(RULE.describe(), id=R("rule"), className="mt-2"),
            dbc.Table.from_dataframe(_weights(), striped=True, size="sm", className="w-auto"),
            html.P(id=R("label-rule")),
        ],
        open=True,
        className="mb-3",
    )


def _weights():
    import pandas as pd

    return pd.DataFrame(RULE.weights())


def _grouping_notice() -> list:
    """A warning when findings are grouped without the sentence model (words only)."""
    from data.requirements.clusters import grouping_notice

    notice = grouping_notice()
    return [dbc.Alert(notice, color="warning", id=R("model-notice"))] if notice else []


def _closest() -> html.Section:
    """A selected finding's nearest findings in its group, with how alike they are."""
    return html.Section(
        [
            html.H4("Closest findings in this group", className="h5 mt-3", id=R("near-heading")),
            html.P(NEAR_HINT, id=R("near-note")),
            html.Div(id=R("near")),
        ],
        **{"aria-labelledby": R("near-heading")},
    )


NEAR_HINT = (
    "Select a finding in the list above to see the findings of this group most like it. "
    "Similarity is how alike the grouping found their wording and meaning (100% = the same)."
)


def _choose_then(name: str, label: str, placeholder: str, button: str, **style) -> dbc.Row:
    """A labelled select R(f"{name}-target") with its button R(name) beside it (below it
    on a phone)."""
    return dbc.Row(
        [
            dbc.Col(select(R(f"{name}-target"), label, placeholder=placeholder), md=8),
            dbc.Col(dbc.Button(button, id=R(name), **style), md=4, className="mb-2"),
        ],
        align="end",
        className="g-2",
    )


def _related() -> html.Section:
    """Groups marked "related, not the same" as links; curators mark and unmark them."""
    return html.Section(
        [
            html.H4("Related, not the same", className="h5 mt-3", id=R("related-heading")),
            html.P(
                "Candidate groups a curator marked as a related but different problem: "
                "regrouping never merges them with this one."
            ),
            html.Div(id=R("related-links")),
            html.Div(
                [
                    _choose_then(
                        "relate",
                        "Mark this group related, not the same, as",
                        "Choose a candidate group of the same supplier group",
                        "Mark related, not the same",
                        color="primary",
                    ),
                    _choose_then(
                        "unrelate",
                        "Remove the mark between this group and",
                        "Choose a linked group",
                        "Remove mark",
                        color="secondary",
                    ),
                    _msg(R("relate-msg")),
                ],
                id=R("relate-form"),
                className="mt-2",
                style=HIDDEN,
            ),
        ],
        id=R("related-area"),
        style=HIDDEN,
        **{"aria-labelledby": R("related-heading")},
    )


def _candidates() -> html.Section:
    return html.Section(
        [
            html.H2("Candidate requirements", id=R("cand-heading")),
            html.P(
                "Findings from different authorities that describe the same problem, grouped "
                "automatically. Select a candidate to see its findings.",
            ),
            *_grouping_notice(),
            _ranking_rule(),
            dbc.Row(
                [
                    dbc.Col(
                        select(R("group"), "Supplier group"),
                        md=5,
                    ),
                    dbc.Col(
                        html.Fieldset(
                            [
                                html.Legend("Show", className="form-label fs-6"),
                                dbc.RadioItems(
                                    id=R("min-las"),
                                    options=[
                                        {"label": "Raised by 3 or more authorities", "value": 3},
                                        {"label": "All candidates", "value": 0},
                                    ],
                                    value=3,
                                ),
                            ]
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Button(
                                    "Regroup findings",
                                    id=R("regroup"),
                                    color="secondary",
                                    outline=True,
                                    size="sm",
                                ),
                                _msg(R("regroup-msg")),
                            ],
                            id=R("regroup-area"),
                            style=HIDDEN,
                        ),
                        md=3,
                    ),
                ],
                className="mb-2",
            ),
            html.P(id=R("cand-summary"), className="figure-summary"),
            grid(R("candidates"), CANDIDATE_COLUMNS, label="Ranked candidates"),
            html.P(id=R("footnote"), className="footnote mt-2"),
            html.Section(
                [
                    html.H3("Findings in the selected candidate", id=R("cand-title")),
                    html.P(id=R("link-note"), role="status", className="text-muted"),
                    html.P(id=R("cand-note")),
                    html.Div(id=R("why"), className="why-grouped"),
                    grid(
                        R("cand-findings"),
                        FINDING_COLUMNS,
                        label="Candidate findings",
                    ),
                    _closest(),
                    _related(),
                ],
                className="mt-3",
            ),
            html.Section(
                [
                    html.H3("Accept the selected candidate as a requirement"),
                    html.P(
                        "Reword it as one clear requirement statement and give it a priority. "
                        "Its findings become the requirement's evidence."
                    ),
                    _statement(R("accept-statement"), "Requirement statement"),
                    _priority(R("accept-priority")),
                    select(R("accept-group"), "For supplier group"),
                    select(
                        R("accept-into"),
                        "Or add its findings to an existing requirement (optional)",
                        placeholder="No: accept as a new requirement",
                    ),
                    dbc.Button("Accept as requirement", id=R("accept"), color="primary"),
                    _msg(R("accept-msg")),
                ],
                id=R("accept-form"),
                className="figure-card mt-3",
                style=HIDDEN,
            ),
        ],
        className="figure-card",
        **{"aria-labelledby": R("cand-heading")},
    )


def _curate_panel() -> html.Div:
    return html.Div(
        [
            html.H4("Reword", className="h5 mt-3"),
            _statement(R("reword-statement"), "Reworded statement"),
            _priority(R("reword-priority")),
            dbc.Button("Save wording", id=R("reword"), color="primary", size="sm"),
            html.H4("Merge", className="h5 mt-4"),
            select(R("merge-target"), "Merge this requirement into", placeholder="Choose one"),
            dbc.Button("Merge", id=R("merge"), color="secondary", size="sm"),
            dbc.Button("Unmerge", id=R("unmerge"), color="secondary", size="sm", className="ms-2"),
            html.H4("Split", className="h5 mt-4"),
            html.P("Tick the findings above that describe a different problem, then:"),
            _statement(R("split-statement"), "Statement for the new requirement"),
            _priority(R("split-priority")),
            dbc.Button("Split into a new requirement", id=R("split"), color="secondary", size="sm"),
        ],
        id=R("curate-panel"),
        style=HIDDEN,
    )


def _requirements() -> html.Section:
    return html.Section(
        [
            html.H2("Requirements", id=R("list-heading")),
            html.P(
                "Accepted requirements with their reach. Select one to see its evidence, "
                "endorse it for your authority, or curate it."
            ),
            dbc.Checklist(
                id=R("show-merged"),
                options=[{"label": "Also show requirements merged into others", "value": "yes"}],
                value=[],
                className="mb-2",
            ),
            grid(R("list"), LIST_COLUMNS, label="Requirements"),
            html.Section(
                [
                    html.H3(id=R("detail-title"), children="No requirement selected"),
                    html.P(id=R("detail-statement"), className="lead"),
                    html.P(id=R("detail-reach"), className="fw-bold"),
                    html.P(id=R("detail-meta")),
                    html.Div(
                        [
                            dbc.Button(
                                "Endorse for my authority", id=R("endorse"), color="primary"
                            ),
                            dbc.Button(
                                "Withdraw my authority's endorsement",
                                id=R("withdraw"),
                                color="link",
                            ),
                            _msg(R("endorse-msg")),
                        ],
                        id=R("endorse-area"),
                        style=HIDDEN,
                    ),
                    html.H4("Evidence", className="h5 mt-3"),
                    html.P(id=R("evidence-note")),
                    grid(R("evidence"), FINDING_COLUMNS, multi=True, label="Evidence"),
                    _curate_panel(),
                    _msg(R("curate-msg")),
                    loop_panel(R, reply=True),
                ],
                className="mt-3",
            ),
        ],
        className="figure-card",
        **{"aria-labelledby": R("list-heading")},
    )


def layout(**query):
    return html.Div(
        [
            url_state(R, query),  # query, search (the address), the newer-data notice
            dcc.Store(id=R("selected"), data=None),
            dcc.Store(id=R("candidate"), data=None),  # set from the URL once checked
            *[dcc.Store(id=R(f"changed-{name}"), data={"n": 0}) for name in CHANGE_STORES],
            page_heading(
                "Common requirements",
                "Problems many authorities share, turned into requirements with the evidence "
                "behind them. Other authorities are never named; small counts show as c.",
            ),
            _candidates(),
            _requirements(),
        ]
    )
