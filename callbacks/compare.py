"""Compare supplier groups: five chart cards fed by data.pages.compare, filters in the URL.

Every compute function parses its inputs once (data.queries.filters.COMPARE, through
callbacks.filters.parse) and takes the viewer only from the server session; the
per-authority breakdown re-checks the viewer's right on every call."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output

from callbacks.chart_card import ChartResult, empty_figure, register_chart, rules
from callbacks.common import clearing, current_viewer
from callbacks.filters import footnote, parse, period_resolver, register_period_options
from callbacks.url_state import register_url_state
from data.pages import compare
from data.privacy.narrowing import ENGLAND
from data.queries.filters import COMPARE
from data.reference.codes import SUS_BENCHMARK
from layouts.charts.figures import (
    add_sus_grades,
    band_dots,
    group_trends,
    labelled_heatmap,
    mean_bars,
)
from layouts.charts.sentences import group_range
from layouts.charts.tables import format_table
from layouts.compare import FIELDS, PATH, axis_title, measures
from layouts.ids import COMPARE as C

INPUTS = [Input(FIELDS[k], "value") for k in ("period", "role", "type", "region", "measure")]
COLUMNS = {
    "group": "Supplier group",
    "mean": "Mean",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "grade": "SUS grade",
    "n": "Respondents",
    "n_las": "Authorities",
    "reason": "Note",
}


def _setup(session, *values):
    """Options, the parsed selection and its measure, from the controls' values."""
    opts, f = parse(session, COMPARE, FIELDS, values)
    return opts, f, f.get("measure")


def _nodata(message: str = "No results have been shared yet.") -> ChartResult:
    return ChartResult(empty_figure(message), message, pd.DataFrame())


def _display(table: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    shown = format_table(table, ["mean", "ci_low", "ci_high", "n", "n_las"])
    cols = [c for c in dict.fromkeys([*(extra or {}), *COLUMNS]) if c in shown]
    return shown[cols].rename(columns={**COLUMNS, **(extra or {})})


def _whole_country(f) -> bool:
    """Whether the "All groups" row is England's (no region or LA type filter)."""
    return f.get("region") is None and f.get("type") is None


def _overall(f) -> str:
    return "England" if _whole_country(f) else "all groups in this selection"


def _visible(table: pd.DataFrame) -> pd.DataFrame:
    return table.loc[~table["suppressed"].to_numpy(dtype=bool)]


def groups_chart(viewer, session, period, role, la_type, region, measure) -> ChartResult:
    opts, f, m = _setup(session, period, role, la_type, region, measure)
    if f.period is None:
        return _nodata()
    r = rules()
    table = compare.measure_by_group(session, f, r, viewer.own_authorities)
    name = measures()[m]
    where = f.describe(opts)
    if table.empty:
        return _nodata(f"No {name} results for {where}.")
    groups = _visible(table.loc[table["group"] != ENGLAND])
    england = _visible(table.loc[table["group"] == ENGLAND])
    summary = group_range(
        where,
        name,
        list(zip(groups["group"], groups["mean"], strict=True)),
        overall=float(england.iloc[0]["mean"]) if len(england) else None,
        whole_country=_whole_country(f),
    )
    ordered = pd.concat(
        [table.loc[table["group"] != ENGLAND], table.loc[table["group"] == ENGLAND]]
    )
    fig = mean_bars(
        ordered,
        "group",
        benchmark=SUS_BENCHMARK if m == "SUS" else None,
        x_title=axis_title(m),
        highlight=ENGLAND,
        own=compare.own_group(session, viewer, f.period),
    )
    if m == "SUS":
        add_sus_grades(fig)
    note = compare.benchmark_note() if m == "SUS" else ""
    return ChartResult(fig, summary, _display(ordered), footnote(note), where)


def heatmap_chart(viewer, session, period, role, la_type, region, _measure) -> ChartResult:
    opts, f, _m = _setup(session, period, role, la_type, region, None)
    if f.period is None:
        return _nodata()
    table = compare.themes_by_group(session, f, rules(), viewer.own_authorities)
    where = f.describe(opts)
    if table.empty:
        return _nodata(f"No theme results for {where}.")
    names = opts.themes
    england = _visible(table.loc[table["group"] == ENGLAND]).sort_values("mean")
    hidden = int(table["suppressed"].sum())
    if len(england):
        summary = (
            f"For {where}, across {_overall(f)} the lowest-scoring theme was "
            f"{names.get(england.iloc[0]['theme'], england.iloc[0]['theme'])} "
            f"({england.iloc[0]['mean']:.0f}) and the highest "
            f"{names.get(england.iloc[-1]['theme'], england.iloc[-1]['theme'])} "
            f"({england.iloc[-1]['mean']:.0f}); {hidden} of {len(table)} cells are suppressed."
        )
    else:
        summary = f"For {where}, too few authorities contribute to show theme scores."
    display = _display(table.assign(theme=table["theme"].map(names)), {"theme": "Theme"})
    return ChartResult(
        labelled_heatmap(table, "group", "theme", col_labels=names),
        summary,
        display,
        footnote(),
        where,
    )


def spread_chart(viewer, session, period, role, la_type, region, measure) -> ChartResult:
    opts, f, m = _setup(session, period, role, la_type, region, measure)
    if f.period is None:
        return _nodata()
    r = rules()
    table = compare.spread_by_group(session, f, r, viewer.own_authorities)
    name = measures()[m]
    if table.empty:
        return _nodata(f"No {name} results for period {f.period}.")
    banded = table.loc[(table["position"] >= 0) & ~table["suppressed"].astype(bool)]
    banded = banded.loc[banded.groupby("group")["mean"].transform("size") >= 2]
    widths = (
        banded.groupby("group")["mean"].agg(lambda s: s.max() - s.min()).sort_values()
        if len(banded)
        else pd.Series(dtype=float)
    )
    if len(widths) == 1:
        summary = (
            f"In {f.period}, only {widths.index[0]} has enough authorities to show a spread on "
            f"{name}: its bands of authorities span {widths.iloc[0]:.0f} points."
        )
    elif len(widths):
        summary = (
            f"In {f.period}, the gap between the lowest- and highest-scoring bands of "
            f"authorities on {name} was smallest in {widths.index[0]} "
            f"({widths.iloc[0]:.0f} points) and largest in {widths.index[-1]} "
            f"({widths.iloc[-1]:.0f} points)."
        )
    else:
        summary = f"In {f.period}, no group has enough authorities to show a spread."
    display = table.assign(
        mean=_band_text(table, "mean", 1),
        n_las=_band_text(table, "n_las", 0, table["n_las_suppressed"]),
        respondents=_band_text(table, "respondents", 0),
        band=table["band"].replace("", "too few authorities for bands"),
    )[["group", "band", "mean", "n_las", "respondents"]]
    display.columns = ["Supplier group", "Band", "Mean", "Authorities", "Respondents"]
    fig = band_dots(table, benchmark=SUS_BENCHMARK if m == "SUS" else None,
                    x_title=axis_title(m))  # fmt: skip
    note = (
        "Bands are the lower and upper half of a group's authorities by their own mean, "
        "each pooled over its respondents; a band that could let an authority's figures be "
        "worked out, alone or with other figures, reads c. "
        f"Groups with fewer than {2 * (r.min_las + 2)} authorities show no bands."
    )
    return ChartResult(fig, summary, display, footnote(note), f"period {f.period}; score {name}")


def _band_text(
    table: pd.DataFrame, col: str, decimals: int, withheld: pd.Series | None = None
) -> list[str]:
    """``col`` as text, ``c`` where the cell, or (``withheld``) that value alone, is
    suppressed."""
    flags = table["suppressed"].to_numpy(dtype=bool)
    if withheld is not None:
        flags = flags | withheld.fillna(True).to_numpy(dtype=bool)
    return [compare_value(v, decimals, bool(s)) for v, s in zip(table[col], flags, strict=True)]


def compare_value(v, decimals: int = 1, suppressed: bool = False) -> str:
    """Display text for a band value ('c' where suppressed, 'x' where there is none)."""
    if suppressed:
        return "c"
    if v is None or pd.isna(v):
        return "x"
    return f"{float(v):.{decimals}f}"


def trend_chart(viewer, session, period, role, la_type, region, measure) -> ChartResult:
    opts, f, m = _setup(session, period, role, la_type, region, measure)
    if not opts.periods:
        return _nodata()
    name = measures()[m]
    table = compare.trend_by_group(session, opts.periods, f, rules(), viewer.own_authorities)
    where = f.without("period").describe(opts)
    if table.empty:
        return _nodata(f"No {name} results.")
    england = _visible(table.loc[table["group"] == ENGLAND]).sort_values("period")
    if len(england) >= 2:
        first, last = england.iloc[0], england.iloc[-1]
        summary = (
            f"The mean {name} across {_overall(f)} went from {first['mean']:.0f} in "
            f"{first['period']} to "
            f"{last['mean']:.0f} in {last['period']} ({where}); each panel shows one "
            "supplier group against it."
        )
    else:
        summary = f"Too few periods can be shown for {where} to describe a trend."
    fig = group_trends(table, reference=ENGLAND, benchmark=SUS_BENCHMARK if m == "SUS" else None)
    display = _display(table, {"period": "Period"})
    return ChartResult(fig, summary, display, footnote(), where)


def breakdown_chart(viewer, session, period, role, la_type, region, measure) -> ChartResult:
    opts, f, m = _setup(session, period, role, la_type, region, measure)
    name = measures()[m]
    group, table = compare.group_breakdown(session, viewer, f, rules())
    if table.empty:
        return _nodata(f"No {name} results for your group in period {f.period}.")
    shown = _visible(table)
    summary = (
        f"In {f.period}, {len(shown)} of the {len(table)} authorities in {group} have enough "
        f"respondents to show; their mean {name} ranged from {shown['mean'].min():.0f} to "
        f"{shown['mean'].max():.0f}."
        if len(shown)
        else f"In {f.period}, no authority in {group} has enough respondents to show."
    )
    fig = mean_bars(
        table.iloc[::-1],
        "authority",
        benchmark=SUS_BENCHMARK if m == "SUS" else None,
        x_title=axis_title(m),
    )
    display = _display(table, {"authority": "Authority"})
    return ChartResult(
        fig,
        summary,
        display,
        footnote("All roles; region, LA type and role filters do not apply."),
        f"period {f.period}; supplier group {group}",
    )


def breakdown_hidden(_query) -> dict:
    """Whether the authority-by-authority card stays hidden: it is only for the group's
    NLAR representative (hidden too if that cannot be checked)."""
    viewer = current_viewer()
    return {"hidden": not compare.may_see_la_breakdown(viewer, viewer.supplier_id)}


def register(app) -> None:
    register_url_state(app, C, PATH, FIELDS, period_resolver(COMPARE))
    register_period_options(app, FIELDS["period"], C("query"))
    register_chart(app, C("groups"), INPUTS, groups_chart)
    register_chart(app, C("heatmap"), INPUTS, heatmap_chart)
    register_chart(app, C("spread"), INPUTS, spread_chart)
    register_chart(app, C("trend"), INPUTS, trend_chart)
    register_chart(app, C("breakdown"), INPUTS, breakdown_chart)
    app.callback(
        output={"hidden": Output(C("breakdown-wrap"), "hidden")},
        inputs=Input(C("query"), "data"),
        on_error=clearing(hidden=True),
    )(breakdown_hidden)
