"""Shared filter plumbing for the analysis pages: options that come from the database, and
turning raw control values (from a browser, so untrusted) into checked filters."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import current_viewer, db, guarded, services
from data.privacy.narrowing import ViewFilters
from data.queries.filter_options import FilterOptions, analysis_options, choice
from layouts.components import SUPPRESSION_FOOTNOTE
from layouts.filters import options, value_or_none


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
    """Fill a period select with the periods that have results, newest first.

    Only the options: the select starts on the URL's period or on its placeholder ("" =
    the latest period, or "all" where the select has an all choice), which the charts read
    as that, so they are requested with the page instead of one round trip after it.
    :func:`resolve_period` names the period in the page's URL."""

    @app.callback(Output(control_id, "options"), Input(trigger_id, "data"))
    @guarded(lambda _msg: no_update)
    def _periods(_trigger):
        current_viewer()
        with db() as session:
            periods = analysis_options(session).periods
        return options({p: p for p in reversed(periods)}, all_label)


def resolve_period(
    session, _viewer, chosen: dict[str, object], *, latest: bool = True
) -> dict[str, object]:
    """URL values with ``period`` as the charts read it: when none, or an unknown one, is
    chosen, the latest period (so a shared link keeps showing the same one), or nothing
    (all periods) when ``latest`` is off."""
    periods = analysis_options(session).periods
    period = choice(value_or_none(chosen.get("period")), periods)
    if period is None and latest and periods:
        period = periods[-1]
    return {**chosen, "period": period}


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
