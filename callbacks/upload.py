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

from callbacks.common import current_viewer, db, guarded, services
from data.errors import DomainError, IngestError
from data.ingest import CheckResult, check_files, import_files, load_catalogue, oversize_report
from data.ingest.pending import PendingUploads
from data.ingest.periods import period_start
from data.ingest.template import CSV_NAME, XLSX_NAME, build_csv_zip, build_xlsx, template_spec
from data.pages.admin import record_product_change
from data.pages.upload_history import submission_info
from data.privacy.access import ADMIN, may_upload_for, require_admin
from data.store.models import Authority, Product

P = "upload"
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
    return html.Dl(body, className="row mb-0", id=f"{P}-summary-list")


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
                html.Ul([html.Li(w) for w in warnings[:50]], id=f"{P}-warnings"),
            ],
            "warning",
        )
    return alert("The file passed every check. Check what will be stored, then confirm.", "success")


def _report_outputs(session, viewer, result: CheckResult, names: str) -> tuple:
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
    return (
        _outcome(session, viewer, result, names),
        _summary(session, viewer, result),
        PROBLEM_COLUMNS,
        problems,
        not problems,
        intro,
        REDACTION_COLUMNS,
        redactions,
        not redactions,
        not offer,
        offer_text,
        not can_store,
        not can_store,
        None,
    )


def _report_error(message: str) -> tuple:
    return (
        no_update,
        alert(message, "danger"),
        None,
        PROBLEM_COLUMNS,
        [],
        True,
        "",
        REDACTION_COLUMNS,
        [],
        True,
        True,
        "",
        True,
        True,
        None,
    )


def _check(session, viewer, files) -> CheckResult:
    return check_files(
        session,
        files,
        allowed_authorities=may_upload_for(viewer),
        max_bytes=services().max_upload_bytes,
    )


def _register_template(app) -> None:
    @app.callback(
        Output(f"{P}-template-download", "data"),
        Input(f"{P}-template-xlsx", "n_clicks"),
        Input(f"{P}-template-csv", "n_clicks"),
        prevent_initial_call=True,
    )
    @guarded(lambda _msg: no_update)
    def _template(_xlsx, _csv):
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
        if ctx.triggered_id == f"{P}-template-csv":
            return dcc.send_bytes(build_csv_zip(spec), CSV_NAME)
        return dcc.send_bytes(build_xlsx(spec), XLSX_NAME)


def _register_check(app) -> None:
    @app.callback(
        Output(f"{P}-token", "data"),
        Output(f"{P}-outcome", "children"),
        Output(f"{P}-summary", "children"),
        Output(f"{P}-problems", "columnDefs"),
        Output(f"{P}-problems", "rowData"),
        Output(f"{P}-problems-section", "hidden"),
        Output(f"{P}-problems-intro", "children"),
        Output(f"{P}-redactions", "columnDefs"),
        Output(f"{P}-redactions", "rowData"),
        Output(f"{P}-redactions-section", "hidden"),
        Output(f"{P}-offer-section", "hidden"),
        Output(f"{P}-offer-text", "children"),
        Output(f"{P}-actions", "hidden"),
        Output(f"{P}-confirm", "disabled"),
        Output(f"{P}-result", "children"),
        Input(f"{P}-files", "contents"),
        Input(f"{P}-record-change", "n_clicks"),
        State(f"{P}-files", "filename"),
        State(f"{P}-token", "data"),
        running=[(Output(f"{P}-progress", "hidden"), False, True)],
        prevent_initial_call=True,
    )
    @guarded(_report_error)
    def _check_upload(contents, _record, filenames, token):
        viewer = current_viewer()
        may_upload_for(viewer)
        store = pending()
        if ctx.triggered_id == f"{P}-record-change":
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
                return _report_error("No file was received; please choose the file again.")
            decoded = decode_upload(contents, filenames, services().max_upload_bytes)
            if isinstance(decoded, CheckResult):  # too big to keep
                with db() as session:
                    return (None, *_report_outputs(session, viewer, decoded, "the upload"))
            files = decoded
            if token:
                store.discard(token, viewer.user_id)
            token = store.put(viewer.user_id, files)
        names = ", ".join(f"'{n}'" for n, _ in files)
        with db() as session:
            result = _check(session, viewer, files)
            return (token, *_report_outputs(session, viewer, result, names))

    @app.callback(
        Output(f"{P}-problems-download", "data"),
        Input(f"{P}-problems-download-button", "n_clicks"),
        State(f"{P}-token", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda _msg: no_update)
    def _problems_csv(_n, token):
        viewer = current_viewer()
        files = pending().get(token, viewer.user_id)
        with db() as session:
            result = _check(session, viewer, files)
        return dcc.send_string(result.report.to_csv(), "upload-problems.csv")


def _register_confirm(app) -> None:
    @app.callback(
        Output(f"{P}-result", "children", allow_duplicate=True),
        Output(f"{P}-actions", "hidden", allow_duplicate=True),
        Output(f"{P}-token", "data", allow_duplicate=True),
        Output(f"{P}-history-refresh", "data", allow_duplicate=True),
        Input(f"{P}-confirm", "n_clicks"),
        Input(f"{P}-cancel", "n_clicks"),
        State(f"{P}-token", "data"),
        State(f"{P}-history-refresh", "data"),
        running=[(Output(f"{P}-confirm", "disabled"), True, True)],
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg, "danger"), no_update, no_update, no_update))
    def _confirm(_confirm, _cancel, token, refresh):
        viewer = current_viewer()
        allowed = may_upload_for(viewer)
        store = pending()
        if ctx.triggered_id == f"{P}-cancel":
            if token:
                store.discard(token, viewer.user_id)
            return alert("Cancelled: nothing was stored.", "secondary"), True, None, no_update
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
            return alert(body, "danger"), no_update, no_update, (refresh or 0) + 1
        store.discard(token, viewer.user_id)
        if stored.duplicate:
            text = f"This file was already stored: {info.describe()}. Nothing new was stored."
        else:
            text = f"Stored: {info.describe()}."
            if stored.superseded_id:
                text += f" It supersedes submission {stored.superseded_id}, kept in the history."
        return alert(text, "success"), True, None, (refresh or 0) + 1


def register(app) -> None:
    _register_template(app)
    _register_check(app)
    _register_confirm(app)
