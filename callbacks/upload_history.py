"""Upload page callbacks for an authority's history: list, restore, download.

The authority comes from the page, so every data function checks it against the viewer
(require_manage): a crafted request for another authority gets "Not allowed"."""

from __future__ import annotations

from dash import Input, Output, State, dcc, no_update

from callbacks.common import current_viewer, db, guarded, services
from callbacks.upload import P, alert
from data.errors import DomainError
from data.pages.upload_history import (
    export_submission,
    history,
    manageable_authorities,
    restore,
    submission_info,
)

HISTORY_COLUMNS = [
    {"field": "period", "headerName": "Period", "width": 110},
    {"field": "status", "headerName": "Status", "width": 120},
    {"field": "uploaded", "headerName": "Uploaded (UTC)", "width": 170},
    {"field": "uploader", "headerName": "Uploaded by", "width": 180},
    {"field": "respondents", "headerName": "Respondents", "width": 135},
    {"field": "findings", "headerName": "Findings", "width": 115},
    {"field": "redactions", "headerName": "Redactions", "width": 125},
    {
        "field": "file",
        "headerName": "File",
        "flex": 1,
        "minWidth": 280,
        "wrapText": False,
        "autoHeight": False,
        "tooltipField": "file",
    },
]


def _history_rows(rows) -> list[dict]:
    return [
        {
            "key": str(r.id),
            "id": r.id,
            "period": r.period,
            "uploaded": f"{r.uploaded_at:%Y-%m-%d %H:%M}",
            "uploader": r.uploader,
            "respondents": r.n_respondents,
            "findings": r.n_findings,
            "redactions": r.n_redactions,
            "status": r.status,
            "file": r.source_name,
        }
        for r in rows
    ]


def _selected_id(selected) -> int:
    if not selected or not isinstance(selected, list) or not isinstance(selected[0], dict):
        raise DomainError("Select a version in the table first.")
    try:
        return int(selected[0].get("id"))
    except (TypeError, ValueError) as exc:
        raise DomainError("Select a version in the table first.") from exc


def register(app) -> None:
    @app.callback(
        Output(f"{P}-history-authority", "options"),
        Output(f"{P}-history-authority", "value"),
        Output(f"{P}-limit", "children"),
        Input(f"{P}-load", "data"),
    )
    @guarded(lambda msg: ([], None, msg))
    def _authorities(_load):
        viewer = current_viewer()
        with db() as session:
            options = manageable_authorities(session, viewer)
        limit = f"Files up to {services().max_upload_bytes / (1024 * 1024):g} MB."
        if not options:
            return [], None, limit
        chosen = viewer.authority_id if viewer.authority_id is not None else options[0][0]
        return [{"label": n, "value": str(i)} for i, n in options], str(chosen), limit

    @app.callback(
        Output(f"{P}-history", "columnDefs"),
        Output(f"{P}-history", "rowData"),
        Output(f"{P}-history-note", "children"),
        Input(f"{P}-history-authority", "value"),
        Input(f"{P}-history-refresh", "data"),
    )
    @guarded(lambda msg: (HISTORY_COLUMNS, [], alert(msg, "danger")))
    def _history(authority, _refresh):
        viewer = current_viewer()
        if authority in (None, ""):
            return HISTORY_COLUMNS, [], "No authority chosen."
        try:
            authority_id = int(authority)
        except (TypeError, ValueError) as exc:
            raise DomainError("Choose an authority from the list.") from exc
        with db() as session:
            rows = history(session, viewer, authority_id)
        note = "" if rows else "No submissions have been stored for this authority yet."
        return HISTORY_COLUMNS, _history_rows(rows), note

    @app.callback(
        Output(f"{P}-history-message", "children", allow_duplicate=True),
        Output(f"{P}-history-refresh", "data", allow_duplicate=True),
        Input(f"{P}-restore", "n_clicks"),
        State(f"{P}-history", "selectedRows"),
        State(f"{P}-history-refresh", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg, "danger"), no_update))
    def _restore(_n, selected, refresh):
        viewer = current_viewer()
        submission_id = _selected_id(selected)
        with db() as session:
            result = restore(session, viewer, submission_id)
            info = submission_info(session, viewer, result.restored_id)
        text = f"Made current again: {info.describe()}."
        if result.superseded_id:
            text += f" Submission {result.superseded_id} is now superseded (kept)."
        return alert(text, "success"), (refresh or 0) + 1

    @app.callback(
        Output(f"{P}-history-download", "data"),
        Output(f"{P}-history-message", "children", allow_duplicate=True),
        Input(f"{P}-history-download-button", "n_clicks"),
        State(f"{P}-history", "selectedRows"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (no_update, alert(msg, "danger")))
    def _download(_n, selected):
        viewer = current_viewer()
        submission_id = _selected_id(selected)
        with db() as session:
            name, content = export_submission(session, viewer, submission_id)
        return dcc.send_bytes(content, name), ""
