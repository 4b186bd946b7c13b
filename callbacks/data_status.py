"""The 'results shared, by period' panel (numbers of LAs, groups, respondents, findings)."""

from __future__ import annotations

from dash import Input, Output, html

from callbacks.common import clearing, current_viewer, db
from data.privacy.access import require_admin
from data.queries.coverage import coverage_by_period
from layouts.ids import ADMIN

PAGES: tuple[str, ...] = (ADMIN.prefix,)  # the admin page shows what has been shared, by period


def _table(frame):
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(v) for v in row]) for row in frame.to_numpy().tolist()])
    return html.Table(
        [html.Caption("Results shared, by period"), head, body], className="table table-sm"
    )


def _error_text(message: str) -> html.P:
    return html.P(message, className="text-danger")


def status(_load) -> dict:
    """The panel's table (administrators only)."""
    require_admin(current_viewer())
    with db() as session:
        frame = coverage_by_period(session)
    if frame.empty:
        return {"message": html.P("No results have been shared yet.")}
    return {"message": _table(frame)}


def register(app) -> None:
    for prefix in PAGES:
        app.callback(
            output={"message": Output(f"{prefix}-status", "children")},
            inputs=Input(f"{prefix}-load", "data"),
            on_error=clearing(render=_error_text),
        )(status)
