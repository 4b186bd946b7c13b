"""Shared filter plumbing for the analysis pages: options that come from the database, and
turning raw control values (from a browser, so untrusted) into checked filters."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import current_viewer, db, guarded, services
from data.analysis import ViewFilters
from data.filter_options import FilterOptions, analysis_options, choice
from layouts.components import SUPPRESSION_FOOTNOTE
from layouts.filters import ALL, options, value_or_none


def checked_filters(
    opts: FilterOptions, period: object, role: object, la_type: object, region: object
) -> ViewFilters:
    """ViewFilters from control values; unknown values mean "all", no period means latest."""
    chosen = choice(value_or_none(period), opts.periods)
    return ViewFilters(
        period=chosen or (opts.periods[-1] if opts.periods else None),
        role=choice(value_or_none(role), opts.roles),
        region=choice(value_or_none(region), opts.regions),
        la_type=choice(value_or_none(la_type), opts.la_types),
    )


def labels(opts: FilterOptions) -> dict[str, dict[str, str]]:
    """Value -> label per filter column, for plain-English descriptions."""
    return {"role": opts.roles, "la_type": opts.la_types, "region": opts.regions}


def footnote(extra: str = "") -> str:
    r = services().rules
    text = SUPPRESSION_FOOTNOTE.format(min_las=r.min_las, min_respondents=r.min_respondents)
    return f"{text} {extra}".strip()


def register_period_options(
    app, control_id: str, trigger_id: str, *, all_label: str | None = None
) -> None:
    """Fill a period select from the periods with results; keep a valid chosen value, else
    choose the latest (or "all" when the select has an all choice)."""

    @app.callback(
        Output(control_id, "options"),
        Output(control_id, "value"),
        Input(trigger_id, "data"),
        State(control_id, "value"),
    )
    @guarded(lambda _msg: (no_update, no_update))
    def _periods(_trigger, value):
        current_viewer()
        with db() as session:
            periods = analysis_options(session).periods
        opts = options({p: p for p in reversed(periods)}, all_label)
        if value in periods or (all_label is not None and value == ALL):
            return opts, no_update
        return opts, (periods[-1] if periods and all_label is None else ALL)


def register_group_options(app, control_id: str, trigger_id: str) -> None:
    """Fill a supplier-group select with the groups that have results."""

    @app.callback(
        Output(control_id, "options"),
        Input(trigger_id, "data"),
        State(control_id, "value"),
    )
    @guarded(lambda _msg: no_update)
    def _groups(_trigger, _value):
        current_viewer()
        with db() as session:
            groups = analysis_options(session).groups
        return options(groups, "All supplier groups")
