"""Shared filter plumbing for the analysis pages: options that come from the database, and
raw control values (from a browser, so untrusted) parsed once by the page's filter spec
(data.queries.filters)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from dash import Input, Output, State

from callbacks.common import current_viewer, db, services
from data.queries.filter_options import FilterOptions, analysis_options
from data.queries.filters import FilterSpec, Selection
from layouts.components import SUPPRESSION_FOOTNOTE
from layouts.filters import options


def parse(
    session, spec: FilterSpec, fields: Iterable[str], values
) -> tuple[FilterOptions, Selection]:
    """The page's filter selection from its controls' ``values`` (in ``fields`` order),
    with the options it was checked against (for labels)."""
    opts = analysis_options(session)
    return opts, spec.parse(dict(zip(fields, values, strict=True)), opts)


def footnote(extra: str = "") -> str:
    r = services().rules
    text = SUPPRESSION_FOOTNOTE.format(min_las=r.min_las, min_respondents=r.min_respondents)
    return f"{text} {extra}".strip()


def period_options(all_label: str | None, _trigger=None) -> list[dict]:
    """A period select's options: the periods that have results, newest first (with an
    "all" choice labelled `all_label`, if given)."""
    current_viewer()
    with db() as session:
        periods = analysis_options(session).periods
    return options({p: p for p in reversed(periods)}, all_label)


def register_period_options(
    app, control_id: str, trigger_id: str, *, all_label: str | None = None
) -> None:
    """Fill a period select with :func:`period_options` (left as it is if that fails).

    Only the options: the select starts on the URL's period or on its placeholder ("" =
    the latest period, or "all" where the select has an all choice), which the charts read
    as that, so they are requested with the page instead of one round trip after it.
    :func:`period_resolver` names the period in the page's URL."""
    app.callback(Output(control_id, "options"), Input(trigger_id, "data"))(
        functools.partial(period_options, all_label)
    )


def period_resolver(spec: FilterSpec):
    """``resolve`` for callbacks.url_state.register_url_state: URL values with ``period``
    as the charts read it (the spec's fallback when none, or an unknown one, is chosen: the
    latest period on Compare, so a shared link keeps showing the same one; all periods on
    Themes)."""

    def resolve(session, _viewer, chosen: dict[str, object]) -> dict[str, object]:
        return {**chosen, "period": spec.parse(chosen, analysis_options(session)).period}

    return resolve


def group_options(_trigger, _value) -> list[dict]:
    """A supplier-group select's options: the groups that have results."""
    current_viewer()
    with db() as session:
        groups = analysis_options(session).groups
    return options(groups, "All supplier groups")


def register_group_options(app, control_id: str, trigger_id: str) -> None:
    """Fill a supplier-group select with :func:`group_options` (left as it is if that fails)."""
    app.callback(
        Output(control_id, "options"),
        Input(trigger_id, "data"),
        State(control_id, "value"),
    )(group_options)
