"""Themes page: three count charts and the findings list, all from data.pages.themes.

Filter values are parsed once (data.queries.filters.THEMES: unknown values mean "all");
the viewer comes from the session; the list and its CSV download use the same listing rule
as the screen."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, dcc, no_update

from callbacks.chart_card import ChartResult, cached_value, empty_figure, register_chart, rules
from callbacks.common import csv_text, current_viewer, db, guarded
from callbacks.filters import (
    footnote,
    parse,
    period_resolver,
    register_group_options,
    register_period_options,
)
from callbacks.url_state import register_url_state
from data.pages.themes import concentration, counts, finding_rows, findings_list
from data.privacy.narrowing import ENGLAND
from data.queries.filters import THEMES
from data.store.versioning import current_data_version
from layouts.charts.figures import count_bars, count_heatmap
from layouts.charts.tables import format_table
from layouts.themes import FIELDS, PATH, PREFIX, choices

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
    rows = finding_rows(session, f.period, rules())
    where = f.describe(opts)
    table = counts(
        rows, ["theme"], f, rules(), viewer.own_authorities, totals={"theme": ALL_THEMES}
    )
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
    rows = finding_rows(session, f.period, rules())
    where = f.describe(opts)
    table = counts(
        rows, ["group", "theme"], f, rules(), viewer.own_authorities, totals={"group": ENGLAND}
    )
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
    rows = finding_rows(session, f.period, rules())
    where = f.describe(opts)
    table = counts(
        rows,
        ["workflow_area", "severity"],
        f,
        rules(),
        viewer.own_authorities,
        totals={"severity": ALL_SEVERITIES},
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
        else f"For {where}, too few authorities raised findings to show them by area."
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


def _shown_list(viewer, session, *values) -> tuple[list[dict], list[dict], str]:
    """The findings list's grid columns, rows and note for this viewer and selection."""
    _opts, f = parse(session, THEMES, FIELDS, values)
    table, note = findings_list(session, f, rules(), viewer.own_authorities)
    table = readable_list(table)
    return list_columns(table), table.to_dict("records"), note


def register(app) -> None:
    register_url_state(app, PREFIX, PATH, FIELDS, period_resolver(THEMES))
    register_period_options(app, FIELDS["period"], f"{PREFIX}-query", all_label="All periods")
    register_group_options(app, FIELDS["group"], f"{PREFIX}-query")
    register_chart(app, f"{PREFIX}-by-theme", INPUTS, by_theme_chart)
    register_chart(app, f"{PREFIX}-by-group", INPUTS, by_group_chart)
    register_chart(app, f"{PREFIX}-by-area", INPUTS, by_area_chart)

    @app.callback(
        Output(f"{PREFIX}-list", "columnDefs"),
        Output(f"{PREFIX}-list", "rowData"),
        Output(f"{PREFIX}-list-note", "children"),
        *INPUTS,
    )
    @guarded(lambda msg: ([], [], msg))
    def _list(*values):
        viewer = current_viewer()
        with db() as session:
            return cached_value(f"{PREFIX}-list", _shown_list, viewer, session, list(values))

    @app.callback(
        Output(f"{PREFIX}-list-download", "data"),
        Input(f"{PREFIX}-list-download-button", "n_clicks"),
        *[State(c, "value") for c in FIELDS.values()],
        prevent_initial_call=True,
    )
    @guarded(lambda _msg: no_update)
    def _download(n_clicks, *values):
        if not n_clicks:
            return no_update
        viewer = current_viewer()
        with db() as session:
            opts, f = parse(session, THEMES, FIELDS, values)
            table, note = findings_list(session, f, rules(), viewer.own_authorities)
            version = current_data_version(session)
        table = readable_list(table).rename(columns=LIST_HEADERS)
        header = [f"Filters: {f.describe(opts)}", f"Data version: {version}", note]
        return dcc.send_string(csv_text(table, header), "findings.csv")
