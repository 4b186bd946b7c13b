"""Themes page: three count charts and the findings list, all from data.pages.themes.

Filter values are parsed once (data.queries.filters.THEMES: unknown values mean "all");
the viewer comes from the session; the list and its CSV download use the same listing rule
as the screen."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, dcc, no_update

from callbacks.chart_card import ChartResult, cached_value, empty_figure, register_chart, rules
from callbacks.common import clearing, csv_text, current_viewer, db
from callbacks.filters import (
    footnote,
    parse,
    period_resolver,
    register_group_options,
    register_period_options,
)
from callbacks.url_state import register_url_state
from data.pages.themes import (
    concentration,
    counts,
    finding_cube,
    finding_rows,
    findings_list,
    pseudonym_groups,
)
from data.privacy.narrowing import ENGLAND
from data.queries.filters import THEMES
from data.store.versioning import current_data_version
from layouts.charts.figures import count_bars, count_heatmap
from layouts.charts.tables import format_table
from layouts.ids import THEMES as T
from layouts.themes import FIELDS, PATH, choices

INPUTS = [Input(c, "value") for c in FIELDS.values()]
ALL_THEMES, ALL_SEVERITIES = "All themes", "All severities"
COUNT_COLUMNS = {
    "findings": "Findings",
    "n_las": "Authorities",
    "respondents_raising": "Respondents raising",
    "reason": "Note",
}
LIST_HEADERS = {
    "period": "Period",
    "supplier_group": "Supplier group",
    "authority": "Authority",
    "theme": "Theme",
    "category": "Category",
    "workflow_area": "Workflow area",
    "severity": "Severity",
    "respondents_raising": "Respondents raising",
    "description": "Finding",
    "suggested_change": "Suggested change",
}


def _display(table: pd.DataFrame, first: dict[str, str]) -> pd.DataFrame:
    shown = format_table(table, ["findings", "n_las", "respondents_raising"], decimals=0)
    cols = [c for c in dict.fromkeys([*first, *COUNT_COLUMNS]) if c in shown]
    return shown[cols].rename(columns={**COUNT_COLUMNS, **first})


def _nodata(message: str) -> ChartResult:
    return ChartResult(empty_figure(message), message, pd.DataFrame())


def by_theme_chart(viewer, session, *values) -> ChartResult:
    opts, f = parse(session, THEMES, FIELDS, values)
    rows = finding_rows(session, None, rules())
    where = f.describe(opts)
    table = counts(
        finding_cube(session, rules()), ["theme"], f, rules(), viewer.own_authorities,
        totals={"theme": ALL_THEMES}, rows=rows,
    )  # fmt: skip
    if table.empty:
        return _nodata(f"No findings for {where}.")
    names = {**choices()["theme"], ALL_THEMES: ALL_THEMES}
    top = concentration(table.loc[table["theme"] != ALL_THEMES])
    total = table.loc[table["theme"] == ALL_THEMES].iloc[0]
    if len(top) and not total["suppressed"]:
        summary = (
            f"For {where}, {names.get(top.iloc[0]['theme'])} had the most findings "
            f"({top.iloc[0]['findings']} of {total['findings']})."
        )
    else:
        summary = f"For {where}, too few authorities raised findings to show them by theme."
    table = table.assign(theme=table["theme"].map(names))
    # the total stays in the table alternative; as a bar it would dwarf every theme
    fig = count_bars(table.loc[table["theme"] != ALL_THEMES], "theme")
    return ChartResult(fig, summary, _display(table, {"theme": "Theme"}), footnote(), where)


def by_group_chart(viewer, session, *values) -> ChartResult:
    opts, f = parse(session, THEMES, FIELDS, values)
    rows = finding_rows(session, None, rules())
    where = f.describe(opts)
    table = counts(
        finding_cube(session, rules()), ["group", "theme"], f, rules(), viewer.own_authorities,
        totals={"group": ENGLAND}, rows=rows,
    )  # fmt: skip
    if table.empty:
        return _nodata(f"No findings for {where}.")
    names = choices()["theme"]
    groups = concentration(table.loc[table["group"] != ENGLAND])
    summary = (
        f"For {where}, the most findings in one group and theme were on "
        f"{names.get(groups.iloc[0]['theme'])} in {groups.iloc[0]['group']} "
        f"({groups.iloc[0]['findings']})."
        if len(groups)
        else f"For {where}, no supplier group and theme can be shown on its own."
    )
    fig = count_heatmap(table, "group", "theme", col_labels=names)
    display = _display(
        table.assign(theme=table["theme"].map(names)), {"group": "Supplier group", "theme": "Theme"}
    )
    return ChartResult(fig, summary, display, footnote(), where)


def by_area_chart(viewer, session, *values) -> ChartResult:
    opts, f = parse(session, THEMES, FIELDS, values)
    rows = finding_rows(session, None, rules())
    where = f.describe(opts)
    table = counts(
        finding_cube(session, rules()),
        ["workflow_area", "severity"],
        f,
        rules(),
        viewer.own_authorities,
        totals={"severity": ALL_SEVERITIES},
        rows=rows,
    )
    if table.empty:
        return _nodata(f"No findings for {where}.")
    areas = choices()["workflow"]
    sev = {**choices()["severity"], ALL_SEVERITIES: ALL_SEVERITIES}
    order = {s: i for i, s in enumerate(sev)}
    table = table.assign(_o=table["severity"].map(order)).sort_values(["workflow_area", "_o"])
    table = table.drop(columns="_o")
    totals = concentration(table.loc[table["severity"] == ALL_SEVERITIES])
    summary = (
        f"For {where}, most findings arose in {areas.get(totals.iloc[0]['workflow_area'])} "
        f"({totals.iloc[0]['findings']})."
        if len(totals)
        else f"For {where}, no count by area can be shown (c): findings are published only "
        "in blocks large enough to protect every authority, and the blocks follow theme and "
        "supplier group, so counting by area would split them."
    )
    fig = count_heatmap(
        table, "workflow_area", "severity", row_labels=areas, col_labels=sev, col_order=list(sev)
    )
    display = _display(
        table.assign(
            workflow_area=table["workflow_area"].map(areas), severity=table["severity"].map(sev)
        ),
        {"workflow_area": "Workflow area", "severity": "Severity"},
    )
    return ChartResult(fig, summary, display, footnote(), where)


LIST_ORDER = [
    "period",
    "supplier_group",
    "authority",
    "theme",
    "severity",
    "description",
    "suggested_change",
    "category",
    "workflow_area",
    "respondents_raising",
]
WIDTHS = {
    "period": 105,
    "supplier_group": 140,
    "authority": 120,
    "theme": 170,
    "severity": 105,
    "category": 120,
    "workflow_area": 150,
    "respondents_raising": 130,
}


def list_columns(table: pd.DataFrame) -> list[dict]:
    """Grid columns: the finding's text wraps and takes the spare width."""
    cols = []
    for c in [c for c in LIST_ORDER if c in table.columns]:
        spec = {"field": c, "headerName": LIST_HEADERS.get(c, c)}
        if c in ("description", "suggested_change"):
            spec.update(
                wrapText=True,
                autoHeight=True,
                flex=2 if c == "description" else 1,
                minWidth=260 if c == "description" else 200,
            )
        else:
            spec.update(width=WIDTHS.get(c, 120), wrapText=True, autoHeight=True)
        cols.append(spec)
    return cols


def readable_list(table: pd.DataFrame) -> pd.DataFrame:
    c = choices()
    return table.assign(
        theme=table["theme"].map(c["theme"]).fillna(table["theme"]),
        category=table["category"].map(c["category"]).fillna(table["category"]),
        workflow_area=table["workflow_area"].map(c["workflow"]).fillna(table["workflow_area"]),
        severity=table["severity"].str.capitalize(),
    )


def _listed(viewer, session, values) -> tuple[str, pd.DataFrame, str]:
    """The selection in words, the findings listed for this viewer (readable) and the
    listing's note: what the screen and the CSV both show."""
    opts, f = parse(session, THEMES, FIELDS, values)
    table, note = findings_list(
        session, f, rules(), viewer.own_authorities,
        linked_groups=pseudonym_groups(session, viewer),
    )  # fmt: skip
    return f.describe(opts), readable_list(table), note


def _shown_list(viewer, session, *values) -> tuple[list[dict], list[dict], str]:
    """The findings list's grid columns, rows and note for this viewer and selection."""
    _where, table, note = _listed(viewer, session, values)
    return list_columns(table), table.to_dict("records"), note


def shown_findings(*values) -> dict:
    """The findings list (its grid columns and rows) and its note, for the filters'
    `values` (memoised like the charts)."""
    viewer = current_viewer()
    with db() as session:
        columns, rows, note = cached_value(T("list"), _shown_list, viewer, session, list(values))
    return {"columns": columns, "rows": rows, "note": note}


def download_findings(n_clicks, *values):
    """The findings list as CSV, headed by the filters and the data version."""
    if not n_clicks:
        return no_update
    viewer = current_viewer()
    with db() as session:
        where, table, note = _listed(viewer, session, values)
        version = current_data_version(session)
    header = [f"Filters: {where}", f"Data version: {version}", note]
    table = table.rename(columns=LIST_HEADERS)
    return dcc.send_string(csv_text(table, header), "findings.csv")


def register(app) -> None:
    register_url_state(app, T, PATH, FIELDS, period_resolver(THEMES))
    register_period_options(app, FIELDS["period"], T("query"), all_label="All periods")
    register_group_options(app, FIELDS["group"], T("query"))
    register_chart(app, T("by-theme"), INPUTS, by_theme_chart)
    register_chart(app, T("by-group"), INPUTS, by_group_chart)
    register_chart(app, T("by-area"), INPUTS, by_area_chart)
    app.callback(
        output={
            "columns": Output(T("list"), "columnDefs"),
            "rows": Output(T("list"), "rowData"),
            "note": Output(T("list-note"), "children"),
        },
        inputs=INPUTS,
        on_error=clearing(text_in="note", columns=[], rows=[]),
    )(shown_findings)
    app.callback(
        Output(T("list-download"), "data"),
        Input(T("list-download-button"), "n_clicks"),
        *[State(c, "value") for c in FIELDS.values()],
        prevent_initial_call=True,
    )(download_findings)
