"""Upload page callbacks for an authority's history: list, restore, download.

The authority comes from the page, so every data function checks it against the viewer
(require_manage): a crafted request for another authority gets "Not allowed"."""

from __future__ import annotations

from dash import Input, Output, State, dcc

from callbacks.common import as_int, clearing, current_viewer, db, services
from callbacks.registrars import Done, register_action
from callbacks.upload import alert, failed
from data.errors import DomainError
from data.pages.upload_history import (
    export_submission,
    history,
    manageable_authorities,
    restore,
    submission_info,
)
from layouts.ids import UPLOAD as U

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
    return as_int(selected[0].get("id"), "Select a version in the table first.")


def authorities(_load) -> dict:
    """The authorities whose history the viewer may manage, the viewer's own first chosen."""
    viewer = current_viewer()
    with db() as session:
        options = manageable_authorities(session, viewer)
    limit = f"Files up to {services().max_upload_bytes / (1024 * 1024):g} MB."
    if not options:
        return {"options": [], "value": None, "limit": limit}
    chosen = viewer.authority_id if viewer.authority_id is not None else options[0][0]
    return {
        "options": [{"label": n, "value": str(i)} for i, n in options],
        "value": str(chosen),
        "limit": limit,
    }


def show_history(authority, _refresh) -> dict:
    viewer = current_viewer()
    if authority in (None, ""):
        return {"columns": HISTORY_COLUMNS, "rows": [], "message": "No authority chosen."}
    authority_id = as_int(authority, "Choose an authority from the list.")
    with db() as session:
        rows = history(session, viewer, authority_id)
    note = "" if rows else "No submissions have been stored for this authority yet."
    return {"columns": HISTORY_COLUMNS, "rows": _history_rows(rows), "message": note}


def make_current(viewer, _trigger, *, selected) -> Done:
    """Make the selected version current again (the one it replaces is kept)."""
    with db() as session:
        result = restore(session, viewer, _selected_id(selected))
        info = submission_info(session, viewer, result.restored_id)
    text = f"Made current again: {info.describe()}."
    if result.superseded_id:
        text += f" Submission {result.superseded_id} is now superseded (kept)."
    return Done(text)


def download(_n, selected) -> dict:
    viewer = current_viewer()
    submission_id = _selected_id(selected)
    with db() as session:
        name, content = export_submission(session, viewer, submission_id)
    return {"download": dcc.send_bytes(content, name), "message": ""}


def register(app) -> None:
    app.callback(
        output={
            "options": Output(U("history-authority"), "options"),
            "value": Output(U("history-authority"), "value"),
            "limit": Output(U("limit"), "children"),
        },
        inputs=Input(U("load"), "data"),
        on_error=clearing(text_in="limit", options=[], value=None),
    )(authorities)
    app.callback(
        output={
            "columns": Output(U("history"), "columnDefs"),
            "rows": Output(U("history"), "rowData"),
            "message": Output(U("history-note"), "children"),
        },
        inputs=[Input(U("history-authority"), "value"), Input(U("history-refresh"), "data")],
        on_error=clearing(render=failed, columns=HISTORY_COLUMNS, rows=[]),
    )(show_history)
    register_action(
        app,
        make_current,
        triggers=[Input(U("restore"), "n_clicks")],
        states={"selected": State(U("history"), "selectedRows")},
        message=U("history-message"),
        counter=U("history-refresh"),
        allow_duplicate=True,
        show=alert,
    )
    app.callback(
        output={
            "download": Output(U("history-download"), "data"),
            "message": Output(U("history-message"), "children", allow_duplicate=True),
        },
        inputs=Input(U("history-download-button"), "n_clicks"),
        state=State(U("history"), "selectedRows"),
        prevent_initial_call=True,
        on_error=clearing(render=failed),
    )(download)
