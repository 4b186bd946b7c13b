"""My authority page: comparator charts, own changes, who improved and contact requests.

The authority is always the signed-in user's own (callbacks.common.current_viewer); nothing
here takes an authority id from the browser. Contact buttons carry a pseudonym and theme,
which data.pages.contact re-checks against the viewer's own "who improved" list."""

from __future__ import annotations

import pandas as pd
from dash import ALL, Input, Output, State, ctx, html, no_update

from callbacks.chart_card import ChartResult, empty_figure, register_chart, rules
from callbacks.common import clearing, current_viewer, db
from callbacks.filters import footnote
from callbacks.registrars import next_number
from callbacks.url_state import register_url_state
from data.errors import DomainError, PermissionDenied
from data.pages import contact
from data.pages import my_authority as ma
from data.queries.filter_options import reference_options
from data.queries.filters import MY_AUTHORITY, Selection
from data.reference.codes import SUS_BENCHMARK, theme_names
from layouts.charts.figures import change_dots, comparator_dots, series_lines
from layouts.charts.tables import format_table
from layouts.compare import measures
from layouts.filters import options
from layouts.ids import MY_AUTHORITY as M
from layouts.my_authority import FIELDS, PATH

INPUTS = [Input(FIELDS["period"], "value"), Input(FIELDS["measure"], "value")]
COLUMNS = {
    "measure": "Score",
    "comparator": "Compared with",
    "mean": "Mean",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "n": "Respondents",
    "n_las": "Authorities",
    "reason": "Note",
}


def _names() -> dict[str, str]:
    return {"SUS": "SUS", **{c: n for c, n in theme_names().items() if c != "GEN"}}


def _selection(session, viewer, period, measure=None) -> Selection:
    """The filters parsed (data.queries.filters.MY_AUTHORITY) against the periods the
    viewer's authority has results for: the latest period when none, or an unknown one, is
    chosen; SUS when no known measure is."""
    periods = ma.own_periods(session, ma.require_authority(viewer))
    values = {"period": period, "measure": measure}
    return MY_AUTHORITY.parse(values, reference_options(periods))


def _resolve(session, viewer, chosen: dict[str, object]) -> dict[str, object]:
    """URL values with the period the charts show (the latest when none is chosen)."""
    return {**chosen, "period": _selection(session, viewer, chosen.get("period")).period}


def _nodata(message: str) -> ChartResult:
    return ChartResult(empty_figure(message), message, pd.DataFrame())


def _display(table: pd.DataFrame, first: dict[str, str]) -> pd.DataFrame:
    names = _names()
    shown = format_table(table.assign(measure=table["measure"].map(names)),
                         ["mean", "ci_low", "ci_high", "n", "n_las"])  # fmt: skip
    cols = [c for c in dict.fromkeys([*first, *COLUMNS]) if c in shown]
    return shown[cols].rename(columns={**COLUMNS, **first})


def profile_chart(viewer, session, period, measure) -> ChartResult:
    f = _selection(session, viewer, period, measure)
    p = f.period
    if p is None:
        return _nodata("Your authority has not shared results yet.")
    table = ma.profile(session, viewer, f, rules())
    if table.empty:
        return _nodata(f"No results for your authority in {p}.")
    names = _names()
    mine = table.loc[table["comparator"] == ma.YOU].set_index("measure")["mean"]
    others = table.loc[(table["comparator"] == ma.GROUP) & ~table["suppressed"]]
    others = others.set_index("measure")["mean"]
    gap = (mine - others).dropna().sort_values()
    if len(gap):
        low, high = gap.index[0], gap.index[-1]
        behind = int((gap < 0).sum())
        if behind == 0:
            summary = (
                f"In {p}, your authority scored at or above other authorities in your supplier "
                f"group on all {len(gap)} scores, furthest ahead on {names.get(high)} "
                f"({gap.iloc[-1]:+.0f} points)."
            )
        else:
            summary = (
                f"In {p}, your authority scored below other authorities in your supplier group "
                f"on {behind} of {len(gap)} scores, furthest behind on {names.get(low)} "
                f"({gap.iloc[0]:+.0f} points)."
            )
    else:
        summary = (
            f"In {p}, your authority's own scores are shown, but not compared with other "
            "authorities in your supplier group."
        )
    summary = " ".join(filter(None, [summary, ma.hidden_note(table)]))
    order = ["SUS", *[m for m in names if m != "SUS"]]
    table = table.assign(_o=table["measure"].map({m: i for i, m in enumerate(order)}))
    table = table.sort_values(["_o"], kind="stable").drop(columns="_o")
    fig = comparator_dots(table, "measure", "comparator", ma.series(table), labels=names)
    return ChartResult(
        fig,
        summary,
        _display(table, {"measure": "Score"}),
        footnote("Your own authority's figures are never suppressed for you."),
        f"period {p}",
    )


def trend_chart(viewer, session, period, measure) -> ChartResult:
    f = _selection(session, viewer, period, measure)
    m = f.get("measure")
    name = measures()[m]
    table = ma.trend(session, viewer, f, rules())
    if table.empty:
        return _nodata("Your authority has not shared results yet.")
    mine = table.loc[table["comparator"] == ma.YOU].sort_values("period")
    if len(mine) >= 2:
        first, last = mine.iloc[0], mine.iloc[-1]
        summary = (
            f"Your authority's mean {name} went from {first['mean']:.0f} in {first['period']} "
            f"to {last['mean']:.0f} in {last['period']}."
        )
    else:
        summary = f"Your authority has results for one period only ({mine.iloc[0]['period']})."
    summary = " ".join(filter(None, [summary, ma.hidden_note(table)]))
    fig = series_lines(table, "comparator", ma.series(table),
                       benchmark=SUS_BENCHMARK if m == "SUS" else None)  # fmt: skip
    display = _display(table, {"period": "Period"})
    return ChartResult(fig, summary, display, footnote(), f"all periods; score {name}")


def change_chart(viewer, session, period, _measure) -> ChartResult:
    p = _selection(session, viewer, period).period
    if p is None:
        return _nodata("Your authority has not shared results yet.")
    before, table = ma.own_changes(session, viewer, p, rules())
    if before is None or table.empty:
        return _nodata(f"Your authority has no submission before {p} to compare with.")
    names = _names()
    sig = table.loc[table["significant"].astype(bool)]
    up, down = sig.loc[sig["change"] > 0], sig.loc[sig["change"] < 0]
    summary = (
        f"Between {before} and {p}, your authority's score rose significantly on {len(up)} "
        f"and fell significantly on {len(down)} of {len(table)} measures."
    )
    labelled = table.assign(measure=table["measure"].map(names))
    shown = format_table(labelled, ["change", "ci_low", "ci_high", "mean_before", "mean_after",
                                    "n_before", "n_after", "significant"])  # fmt: skip
    shown = shown[["measure", "mean_before", "mean_after", "change", "ci_low", "ci_high",
                   "significant", "n_before", "n_after"]]  # fmt: skip
    shown.columns = ["Score", f"Mean {before}", f"Mean {p}", "Change", "95% CI low",
                     "95% CI high", "Significant", f"Respondents {before}",
                     f"Respondents {p}"]  # fmt: skip
    return ChartResult(
        change_dots(labelled, "measure"), summary, shown, footnote(), f"{before} to {p}"
    )


def improved_table(improvers: list[ma.Improver]):
    """One row per authority, with every theme it improved on; its button asks to be put in
    touch about all of them."""
    names = _names()
    if not improvers:
        return html.P("No other authority in your group improved significantly on a theme.")
    by_la: dict[str, list[ma.Improver]] = {}
    for i in improvers:
        by_la.setdefault(i.shown_as, []).append(i)
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Authority", "Improved on", "Periods", "")]))  # fmt: skip
    rows = []
    for shown_as, found in by_la.items():
        themes = sorted({i.theme for i in found}, key=lambda t: names.get(t, t))
        labels = [names.get(t, t) for t in themes]
        periods = sorted({f"{i.before} to {i.after}" for i in found})
        rows.append(
            html.Tr(
                [
                    html.Td(shown_as),
                    html.Td(html.Ul([html.Li(t) for t in labels], className="mb-0 ps-3")),
                    html.Td(", ".join(periods)),
                    html.Td(
                        html.Button(
                            "Ask to be put in touch",
                            id={"type": M("ask"), "index": f"{shown_as}|{','.join(themes)}"},
                            className="btn btn-outline-primary btn-sm",
                            **{"aria-label": f"Ask to be put in touch with {shown_as} "
                               f"about {', '.join(labels)}"},
                        )
                    ),
                ]
            )
        )  # fmt: skip
    return html.Table(
        [html.Caption("Authorities that improved significantly"), head, html.Tbody(rows)],
        className="table table-sm",
    )


def _ask_about_each(session, viewer, target: str, themes: list[str], period: str) -> None:
    """One request per theme the authority improved on; refused outright when any theme is
    not on the viewer's list; an error only when every theme had already been asked about."""
    already: list[DomainError] = []
    for theme in themes:
        try:
            contact.request_contact(session, viewer, target, theme, period, rules())
        except PermissionDenied:
            raise
        except DomainError as exc:
            already.append(exc)
    if len(already) == len(themes):
        raise already[0]


def requests_table(views: list[contact.ContactView]):
    if not views:
        return html.P("There are no requests to or from your authority.")
    names = _names()
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Direction", "Authority", "Theme", "Status", "")]))  # fmt: skip
    rows = []
    for v in views:
        theme = names.get(v.theme, v.theme)
        if v.can_decide:
            action = html.Div(
                [
                    html.Button("Accept", id={"type": M("decide"), "index": f"{v.id}|accept"},
                                className="btn btn-primary btn-sm me-2",
                                **{"aria-label": f"Accept the request from {v.other} about "
                                   f"{theme}"}),
                    html.Button("Decline", id={"type": M("decide"), "index": f"{v.id}|decline"},
                                className="btn btn-outline-secondary btn-sm",
                                **{"aria-label": f"Decline the request from {v.other} about "
                                   f"{theme}"}),
                ]
            )  # fmt: skip
        elif v.status == contact.ACCEPTED:
            action = "Names shared: you can now contact each other."
        else:
            action = ""
        direction = "To you" if v.direction == "incoming" else "From you"
        rows.append(html.Tr([html.Td(direction), html.Td(v.other), html.Td(theme),
                             html.Td(v.status.capitalize()), html.Td(action)]))  # fmt: skip
    return html.Table(
        [html.Caption("Requests to and from your authority"), head, html.Tbody(rows)],
        className="table table-sm",
    )


def periods_and_neighbours(_query) -> dict:
    """The period select's options (the authority's periods, newest first) and who its
    statistical neighbours are.

    Only the options: the select starts on the URL's period or on "latest", which the
    charts read as that, so they do not wait for this callback (:func:`_resolve` names the
    period in the URL)."""
    viewer = current_viewer()
    with db() as session:
        me = ma.require_authority(viewer)
        periods = ma.own_periods(session, me)
        hood = ma.neighbours(session, me)
    note = (
        f"Your statistical neighbours are {hood.describe()} ({len(hood.ids)} authorities). "
        f"{ma.NEIGHBOURS_NOTE}"
    )
    return {"options": options({q: q for q in reversed(periods)}, None), "note": note}


def improved(period, _refresh) -> dict:
    """The "who improved" list for the chosen period."""
    viewer = current_viewer()
    with db() as session:
        p = _selection(session, viewer, period).period
        found = ma.who_improved(session, viewer, p, rules()) if p else []
    return {"message": improved_table(found)}


def requests(_query, _refresh) -> dict:
    """Requests to be put in touch, to and from the viewer's authority."""
    viewer = current_viewer()
    with db() as session:
        return {"message": requests_table(contact.requests_for(session, viewer))}


def act(_asks, _decisions, period, refresh) -> dict:
    """An "ask to be put in touch", "accept" or "decline" button: do it, say what was done
    and move the refresh counter on (the lists reload). A refusal is said, not done."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        return no_update
    viewer = current_viewer()
    index = str(trigger.get("index", ""))
    with db() as session:
        if trigger.get("type") == M("ask"):
            target, _, themes = index.partition("|")
            p = _selection(session, viewer, period).period
            _ask_about_each(session, viewer, target, themes.split(","), p or "")
            message = (
                f"Your request to be put in touch with {target} has been sent. They "
                "will see it on their My authority page."
            )
        else:
            raw_id, _, verdict = index.partition("|")
            known = raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10
            if not known or verdict not in ("accept", "decline"):
                raise DomainError("That request could not be found.")
            req = contact.decide(session, viewer, int(raw_id), verdict == "accept")
            message = (
                "You accepted: both authorities can now see each other's names."
                if req.status == contact.ACCEPTED
                else "You declined the request; your authority stays anonymous."
            )
    return {"message": message, "refresh": next_number(refresh)}


def register(app) -> None:
    register_url_state(app, M, PATH, FIELDS, _resolve)
    register_chart(app, M("profile"), INPUTS, profile_chart)
    register_chart(app, M("trend"), INPUTS, trend_chart)
    register_chart(app, M("change"), INPUTS, change_chart)
    app.callback(
        output={
            "options": Output(FIELDS["period"], "options"),
            "note": Output(M("neighbours-note"), "children"),
        },
        inputs=Input(M("query"), "data"),
        on_error=clearing(text_in="note", options=[]),
    )(periods_and_neighbours)
    app.callback(
        output={"message": Output(M("improved"), "children")},
        inputs=[Input(FIELDS["period"], "value"), Input(M("refresh"), "data")],
        on_error=clearing(render=html.P),
    )(improved)
    app.callback(
        output={"message": Output(M("requests"), "children")},
        inputs=[Input(M("query"), "data"), Input(M("refresh"), "data")],
        on_error=clearing(render=html.P),
    )(requests)
    app.callback(
        output={
            "message": Output(M("action-message"), "children"),
            "refresh": Output(M("refresh"), "data"),
        },
        inputs=[
            Input({"type": M("ask"), "index": ALL}, "n_clicks"),
            Input({"type": M("decide"), "index": ALL}, "n_clicks"),
        ],
        state=[State(FIELDS["period"], "value"), State(M("refresh"), "data")],
        prevent_initial_call=True,
        on_error=clearing(text_in="message"),
    )(act)
