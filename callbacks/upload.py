"""Upload page callbacks: template, check -> report, confirm (history: upload_history.py).

The checked files stay in the database (data.ingest.pending) under a random token bound to
the uploader; confirm reads them back from there and checks them again with the signed-in
user's rights. Authority ids from the page are only ever used after require_manage."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from pathlib import PurePath

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update

from callbacks.common import clearing, current_viewer, db, services
from callbacks.registrars import next_number
from data.errors import DomainError, IngestError
from data.ingest import CheckResult, check_files, import_files, load_catalogue, oversize_report
from data.ingest.pending import PendingUploads
from data.ingest.periods import period_start
from data.ingest.template import CSV_NAME, XLSX_NAME, build_csv_zip, build_xlsx, template_spec
from data.pages.admin import record_product_change
from data.pages.upload_history import submission_info
from data.privacy.access import ADMIN, may_upload_for, require_admin
from data.store.models import Authority, Product
from layouts.ids import UPLOAD as U

PROBLEM_COLUMNS = [
    {"field": "sheet", "headerName": "Sheet", "maxWidth": 130},
    {"field": "row", "headerName": "Row", "maxWidth": 90},
    {"field": "column", "headerName": "Column", "maxWidth": 180},
    {"field": "value", "headerName": "Value found", "maxWidth": 200},
    {"field": "problem", "headerName": "Problem", "flex": 1, "minWidth": 300},
]
REDACTION_COLUMNS = [
    {"field": "where", "headerName": "Where", "maxWidth": 220},
    {"field": "kinds", "headerName": "Removed", "maxWidth": 200},
    {"field": "before", "headerName": "Before", "flex": 1, "minWidth": 220},
    {"field": "after", "headerName": "After (stored)", "flex": 1, "minWidth": 220},
]


def pending() -> PendingUploads:
    """Checked uploads awaiting confirmation, in the database every app host shares."""
    return PendingUploads(services().sessions)


def decode_upload(contents, filenames, max_bytes: int) -> list[tuple[str, bytes]] | CheckResult:
    """Files from dcc.Upload's data URLs; an oversize upload is refused before decoding."""
    contents = contents if isinstance(contents, list) else [contents]
    filenames = filenames if isinstance(filenames, list) else [filenames]
    encoded = sum(len(c or "") for c in contents)
    if encoded * 3 // 4 > max_bytes + 1024:
        return CheckResult(oversize_report(encoded * 3 // 4, max_bytes), None)
    files = []
    for content, name in zip(contents, filenames, strict=False):
        safe = PurePath(str(name or "upload").replace("\\", "/")).name[:120] or "upload"
        _header, _, data = str(content or "").partition(",")
        try:
            files.append((safe, base64.b64decode(data, validate=False)))
        except (binascii.Error, ValueError) as exc:
            raise DomainError(f"'{safe}' could not be received; please try again.") from exc
    total = sum(len(content) for _, content in files)
    if total > max_bytes:
        return CheckResult(oversize_report(total, max_bytes), None)
    return files


def alert(text, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, className="mb-3")


def _summary(session, viewer, result: CheckResult) -> html.Dl | None:
    valid = result.valid
    if valid is None:
        return None
    product = session.get(Product, valid.product_id)
    if result.supersedes:
        replaces = submission_info(session, viewer, result.supersedes).describe()
    else:
        replaces = "nothing: this is the first submission for this period"
    items = [
        ("Authority", valid.authority_name),
        ("Period", valid.period),
        ("Product", f"{product.name} (supplier: {product.supplier.name})"),
        ("Respondents", f"{len(valid.respondents):,}"),
        ("Findings", f"{len(valid.findings):,}"),
        ("Free-text cells with redactions", f"{len(valid.redactions):,}"),
        ("Supersedes", replaces),
    ]
    body = []
    for term, value in items:
        body += [html.Dt(term, className="col-sm-4"), html.Dd(value, className="col-sm-8")]
    return html.Dl(body, className="row mb-0", id=U("summary-list"))


def _outcome(session, viewer, result: CheckResult, names: str):
    if not result.ok and result.report.banner:  # the whole file refused: say why, plainly
        return alert(result.report.banner, "danger")
    if not result.ok:
        n = len(result.report.problems) + result.report.dropped
        return alert(
            f"We found {n} problem{'s' if n != 1 else ''} in {names}. Nothing has been stored. "
            "Fix them and upload the file again.",
            "danger",
        )
    if result.duplicate_of:
        info = submission_info(session, viewer, result.duplicate_of)
        extra = (
            " To use it again, make it current in the history below."
            if info.status != "current"
            else ""
        )
        return alert(
            f"This file has already been stored: {info.describe()}. Nothing new will be "
            f"stored.{extra}",
            "info",
        )
    warnings = result.report.warning_messages()
    if warnings:
        n = len(warnings)
        return alert(
            [
                html.P(
                    f"The file passed every check, with {n} warning{'s' if n != 1 else ''}: "
                    "values that look wrong but could be right. Check them; confirm only if "
                    "they are right, otherwise fix the file and upload it again."
                ),
                html.Ul([html.Li(w) for w in warnings[:50]], id=U("warnings")),
            ],
            "warning",
        )
    return alert("The file passed every check. Check what will be stored, then confirm.", "success")


# The report as it stands before a file is checked, and after a check that failed.
BLANK_REPORT = {
    "summary": None,
    "problem_columns": PROBLEM_COLUMNS,
    "problems": [],
    "problems_hidden": True,
    "problems_intro": "",
    "redaction_columns": REDACTION_COLUMNS,
    "redactions": [],
    "redactions_hidden": True,
    "offer_hidden": True,
    "offer_text": "",
    "actions_hidden": True,
    "confirm_disabled": True,
    "result": None,
}


def _report(session, viewer, result: CheckResult, names: str) -> dict:
    """The report outputs (all but the token) for a checked upload."""
    problems = [
        {
            "sheet": p.sheet,
            "row": "" if p.row is None else p.row,
            "column": p.column,
            "value": p.value,
            "problem": p.message,
        }
        for p in result.report.problems
    ]
    intro = (
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''}, by sheet, row and "
        "column. Download them to work through them in a spreadsheet."
    )
    if result.report.dropped:
        intro += f" Only the first {len(problems)} are listed; fix these and check again."
    redactions = []
    if result.valid is not None:
        redactions = [
            {
                "where": f"{r.sheet} row {r.row}, {r.column}",
                "kinds": ", ".join(k.replace("_", " ") for k in r.kinds),
                "before": r.before,
                "after": r.after,
            }
            for r in result.valid.redactions
        ]
    change = result.report.product_change
    offer = bool(change and viewer.role == ADMIN)
    offer_text = (
        f"As an administrator you can record that {change.authority_name} uses "
        f"{change.product_name} from {period_start(change.period):%d %B %Y} (the start of "
        f"{change.period}), then check the file again."
        if offer
        else ""
    )
    can_store = result.ok and not result.duplicate_of
    return {
        "message": _outcome(session, viewer, result, names),
        "summary": _summary(session, viewer, result),
        "problem_columns": PROBLEM_COLUMNS,
        "problems": problems,
        "problems_hidden": not problems,
        "problems_intro": intro,
        "redaction_columns": REDACTION_COLUMNS,
        "redactions": redactions,
        "redactions_hidden": not redactions,
        "offer_hidden": not offer,
        "offer_text": offer_text,
        "actions_hidden": not can_store,
        "confirm_disabled": not can_store,
        "result": None,
    }


def failed(message: str) -> dbc.Alert:
    return alert(message, "danger")


def _check(session, viewer, files) -> CheckResult:
    return check_files(
        session,
        files,
        allowed_authorities=may_upload_for(viewer),
        max_bytes=services().max_upload_bytes,
    )


def download_template(_xlsx, _csv):
    """The submission template (Excel or zipped CSV), pre-filled for the viewer's authority."""
    viewer = current_viewer()
    with db() as session:
        cat = load_catalogue(session)
        code = product = ""
        if viewer.authority_id is not None:
            authority = session.get(Authority, viewer.authority_id)
            code = authority.code if authority else ""
            in_use = cat.product_in_use(viewer.authority_id, date.today())
            product = cat.product_name(in_use) if in_use else ""
        products = [p.name for p in cat.products.values()]
    spec = template_spec(products=products, authority_code=code, product=product)
    if ctx.triggered_id == U("template-csv"):
        return dcc.send_bytes(build_csv_zip(spec), CSV_NAME)
    return dcc.send_bytes(build_xlsx(spec), XLSX_NAME)


def check_upload(contents, _record, filenames, token) -> dict:
    """Check an uploaded file (kept on the server under a new token) and report on it; or,
    for an administrator, record the change of supplier it revealed and check it again."""
    viewer = current_viewer()
    may_upload_for(viewer)
    store = pending()
    if ctx.triggered_id == U("record-change"):
        require_admin(viewer)
        files = store.get(token, viewer.user_id)
        with db() as session:
            change = _check(session, viewer, files).report.product_change
            if change is None:
                raise DomainError("There is no change of supplier to record for this file.")
            record_product_change(
                session,
                viewer,
                change.authority_id,
                change.product_id,
                period_start(change.period),
            )
    else:
        if not contents:
            raise DomainError("No file was received; please choose the file again.")
        decoded = decode_upload(contents, filenames, services().max_upload_bytes)
        if isinstance(decoded, CheckResult):  # too big to keep
            with db() as session:
                return {"token": None, **_report(session, viewer, decoded, "the upload")}
        files = decoded
        if token:
            store.discard(token, viewer.user_id)
        token = store.put(viewer.user_id, files)
    names = ", ".join(f"'{n}'" for n, _ in files)
    with db() as session:
        result = _check(session, viewer, files)
        return {"token": token, **_report(session, viewer, result, names)}


def problems_csv(_n, token):
    viewer = current_viewer()
    files = pending().get(token, viewer.user_id)
    with db() as session:
        result = _check(session, viewer, files)
    return dcc.send_string(result.report.to_csv(), "upload-problems.csv")


def confirm(_confirm, _cancel, token, refresh) -> dict:
    """Store the checked files (checked again, with the uploader's rights), or cancel."""
    viewer = current_viewer()
    allowed = may_upload_for(viewer)
    store = pending()
    if ctx.triggered_id == U("cancel"):
        if token:
            store.discard(token, viewer.user_id)
        return {
            "message": alert("Cancelled: nothing was stored.", "secondary"),
            "actions_hidden": True,
            "token": None,
            "refresh": no_update,
        }
    files = store.get(token, viewer.user_id)  # only the uploader's own, unexpired files
    try:
        with db() as session:
            stored = import_files(
                session,
                files,
                allowed_authorities=allowed,
                uploaded_by_id=viewer.user_id,
                max_bytes=services().max_upload_bytes,
                warnings_confirmed=True,  # shown with the report the user confirms
            )
            info = submission_info(session, viewer, stored.submission_id)
    except IngestError as exc:
        lines = exc.report.messages() if exc.report is not None else [str(exc)]
        body = [html.P("Nothing was stored:"), html.Ul([html.Li(x) for x in lines[:20]])]
        return {
            "message": alert(body, "danger"),
            "actions_hidden": no_update,
            "token": no_update,
            "refresh": next_number(refresh),
        }
    store.discard(token, viewer.user_id)
    if stored.duplicate:
        text = f"This file was already stored: {info.describe()}. Nothing new was stored."
    else:
        text = f"Stored: {info.describe()}."
        if stored.superseded_id:
            text += f" It supersedes submission {stored.superseded_id}, kept in the history."
    return {
        "message": alert(text, "success"),
        "actions_hidden": True,
        "token": None,
        "refresh": next_number(refresh),
    }


def register(app) -> None:
    app.callback(
        Output(U("template-download"), "data"),
        Input(U("template-xlsx"), "n_clicks"),
        Input(U("template-csv"), "n_clicks"),
        prevent_initial_call=True,
    )(download_template)
    app.callback(
        output={
            "token": Output(U("token"), "data"),
            "message": Output(U("outcome"), "children"),
            "summary": Output(U("summary"), "children"),
            "problem_columns": Output(U("problems"), "columnDefs"),
            "problems": Output(U("problems"), "rowData"),
            "problems_hidden": Output(U("problems-section"), "hidden"),
            "problems_intro": Output(U("problems-intro"), "children"),
            "redaction_columns": Output(U("redactions"), "columnDefs"),
            "redactions": Output(U("redactions"), "rowData"),
            "redactions_hidden": Output(U("redactions-section"), "hidden"),
            "offer_hidden": Output(U("offer-section"), "hidden"),
            "offer_text": Output(U("offer-text"), "children"),
            "actions_hidden": Output(U("actions"), "hidden"),
            "confirm_disabled": Output(U("confirm"), "disabled"),
            "result": Output(U("result"), "children"),
        },
        inputs=[Input(U("files"), "contents"), Input(U("record-change"), "n_clicks")],
        state=[State(U("files"), "filename"), State(U("token"), "data")],
        running=[(Output(U("progress"), "hidden"), False, True)],
        prevent_initial_call=True,
        on_error=clearing(render=failed, **BLANK_REPORT),
    )(check_upload)
    app.callback(
        Output(U("problems-download"), "data"),
        Input(U("problems-download-button"), "n_clicks"),
        State(U("token"), "data"),
        prevent_initial_call=True,
    )(problems_csv)
    app.callback(
        output={
            "message": Output(U("result"), "children", allow_duplicate=True),
            "actions_hidden": Output(U("actions"), "hidden", allow_duplicate=True),
            "token": Output(U("token"), "data", allow_duplicate=True),
            "refresh": Output(U("history-refresh"), "data", allow_duplicate=True),
        },
        inputs=[Input(U("confirm"), "n_clicks"), Input(U("cancel"), "n_clicks")],
        state=[State(U("token"), "data"), State(U("history-refresh"), "data")],
        running=[(Output(U("confirm"), "disabled"), True, True)],
        prevent_initial_call=True,
        on_error=clearing(render=failed),
    )(confirm)
