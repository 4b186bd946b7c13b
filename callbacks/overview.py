"""Overview page callbacks: coverage tiles and three disclosure-controlled charts."""

from __future__ import annotations

from dash import Input, Output

from callbacks.chart_card import ChartResult, empty_figure, register_chart, rules
from callbacks.common import clearing, current_viewer, db
from callbacks.url_state import register_url_state
from data.pages.compare import own_group
from data.pages.overview import latest_period, sus_by_group, sus_change_by_group, themes_by_group
from data.queries.summaries import coverage
from data.reference.codes import SUS_BENCHMARK, theme_names
from layouts.charts.figures import change_dots, labelled_heatmap, mean_bars
from layouts.charts.tables import format_table
from layouts.components import SUPPRESSION_FOOTNOTE
from layouts.ids import OVERVIEW as OV

TILES = ("las", "groups", "respondents", "period")  # tile ids on the page, in output order


def _footnote() -> str:
    r = rules()
    return SUPPRESSION_FOOTNOTE.format(min_las=r.min_las, min_respondents=r.min_respondents)


def _nodata() -> ChartResult:
    import pandas as pd

    return ChartResult(
        empty_figure("No results have been shared yet."),
        "No results have been shared yet.",
        pd.DataFrame(),
    )


def _display(table, label: str):
    shown = format_table(table, ["mean", "ci_low", "ci_high", "n", "n_las"])
    return shown.rename(
        columns={
            "group": label,
            "mean": "Mean",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
            "n": "Respondents",
            "n_las": "Authorities",
        }
    ).drop(columns=["sd", "suppressed", "reason"], errors="ignore")


def sus_chart(viewer, session, _load) -> ChartResult:
    period = latest_period(session)
    if period is None:
        return _nodata()
    table = sus_by_group(session, period, rules(), viewer.own_authorities)
    shown = table[~table["suppressed"]].sort_values("mean", ascending=False)
    groups = shown[shown["group"] != "All groups (England)"]
    if len(groups):
        best, worst = groups.iloc[0], groups.iloc[-1]
        summary = (
            f"In {period}, mean SUS ranged from {worst['mean']:.0f} ({worst['group']}) to "
            f"{best['mean']:.0f} ({best['group']}), against a published average of "
            f"{SUS_BENCHMARK:.0f} across many systems."
        )
    else:
        summary = f"In {period}, too few authorities shared results to show any group."
    ordered = table.sort_values("mean", ascending=False, na_position="last")
    return ChartResult(
        mean_bars(
            ordered,
            "group",
            benchmark=SUS_BENCHMARK,
            x_title="Mean SUS score (0–100)",
            highlight="All groups (England)",
            own=own_group(session, viewer, period),
        ),
        summary,
        _display(ordered, "Supplier group"),
        _footnote(),
        f"period {period}",
    )


def themes_chart(viewer, session, _load) -> ChartResult:
    period = latest_period(session)
    if period is None:
        return _nodata()
    table = themes_by_group(session, period, rules(), viewer.own_authorities)
    names = theme_names()
    england = table[(table["group"] == "All groups (England)") & ~table["suppressed"]]
    england = england.sort_values("mean")
    summary = (
        f"In {period}, across all groups the lowest-scoring theme was "
        f"{names.get(england.iloc[0]['theme'])} ({england.iloc[0]['mean']:.0f}) and the "
        f"highest {names.get(england.iloc[-1]['theme'])} ({england.iloc[-1]['mean']:.0f})."
        if len(england)
        else f"In {period}, too few results to show theme scores."
    )
    display = _display(table.assign(theme=table["theme"].map(names)), "Supplier group")
    return ChartResult(
        labelled_heatmap(table, "group", "theme", col_labels=names),
        summary,
        display.rename(columns={"theme": "Theme"}),
        _footnote(),
        f"period {period}",
    )


def change_chart(viewer, session, _load) -> ChartResult:
    period = latest_period(session)
    if period is None:
        return _nodata()
    before, table = sus_change_by_group(session, period, rules(), viewer.own_authorities)
    if table.empty:
        return ChartResult(
            empty_figure("No earlier period to compare with."),
            f"There is no period before {period} to compare with.",
            table,
            _footnote(),
        )
    shown = table[~table["suppressed"]]
    sig = shown[shown["significant"].fillna(False).astype(bool)]
    summary = (
        f"Between {before} and {period}, {len(sig)} of {len(shown)} groups shown changed "
        "their mean SUS significantly (95% interval excluding zero)."
    )
    display = format_table(
        table, [c for c in table.columns if c not in ("group", "suppressed", "reason")]
    )
    display = display.drop(columns=["suppressed", "reason"], errors="ignore")
    return ChartResult(
        change_dots(table, "group"), summary, display, _footnote(), f"periods {before} to {period}"
    )


def tiles(_load) -> dict:
    """The coverage tiles: authorities, supplier groups and responses so far, latest period."""
    current_viewer()
    with db() as session:
        cov = coverage(session)
    return {
        "las": f"{cov.authorities}",
        "groups": f"{cov.supplier_groups}",
        "respondents": f"{cov.respondents:,}",
        "period": cov.latest_period or "none yet",
    }


def register(app) -> None:
    register_url_state(app, OV, "/", {})
    load = [Input(OV("load"), "data")]
    register_chart(app, OV("sus"), load, sus_chart)
    register_chart(app, OV("themes"), load, themes_chart)
    register_chart(app, OV("change"), load, change_chart)
    app.callback(
        output={name: Output(OV(name), "children") for name in TILES},
        inputs=load,
        on_error=clearing(text_in="las", groups="", respondents="", period=""),
    )(tiles)
