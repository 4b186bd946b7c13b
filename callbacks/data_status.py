"""The 'results shared, by period' panel (numbers of LAs, groups, respondents, findings)."""

from __future__ import annotations

from dash import Input, Output, html

from callbacks.common import current_viewer, db, guarded
from data.privacy.access import require_admin
from data.queries.coverage import coverage_by_period

PAGES: tuple[str, ...] = ("admin",)  # the admin page shows what has been shared, by period


def _table(frame):
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(v) for v in row]) for row in frame.to_numpy().tolist()])
    return html.Table(
        [html.Caption("Results shared, by period"), head, body], className="table table-sm"
    )


def register(app) -> None:
    for prefix in PAGES:

        @app.callback(Output(f"{prefix}-status", "children"), Input(f"{prefix}-load", "data"))
        @guarded(lambda msg: html.P(msg, className="text-danger"))
        def _status(_query, prefix=prefix):
            require_admin(current_viewer())
            with db() as session:
                frame = coverage_by_period(session)
            if frame.empty:
                return html.P("No results have been shared yet.")
            return _table(frame)
