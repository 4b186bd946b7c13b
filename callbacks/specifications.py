"""Joint specifications page: thin wiring over data.requirements.specifications / evidence /
export. The viewer always comes from the server session; the data functions check rights."""

from __future__ import annotations

import re

from dash import Input, Output, State, ctx, dcc, html

from callbacks.chart_card import rules
from callbacks.common import as_int, clearing, current_viewer, db, mapping
from callbacks.registrars import Done, next_change, register_action
from callbacks.requirements import NONE, SHOWN, group_id, requirement_id, rows
from data.errors import DomainError
from data.privacy.access import COORDINATOR, NLAR_REP, may_curate
from data.queries.filters import ALL
from data.queries.summaries import current_periods, supplier_names
from data.requirements import evidence, export, specifications
from data.requirements.curation import ref
from layouts.ids import SPECIFICATIONS as S
from layouts.requirements import HIDDEN

NO_VERSION = "No version saved yet: pick requirements below and save version 1."
NO_SPEC = (
    "No specification yet. A group's NLAR representative or a coordinator can start one below."
)


CHOOSE_VERSION = "Choose a version of the specification."


def spec_id(value) -> int:
    return as_int(value, "Choose a specification.")


def _filename(title: str, number: int, ext: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "specification"
    return f"{slug}-v{number}.{ext}"


def init(query, created) -> dict:
    """The specifications to pick from (the one just created, the URL's, or the newest) and,
    for a curator, the groups they may start one for."""
    viewer = current_viewer()
    with db() as session:
        names = supplier_names(session)
        specs = [
            (s.id, s.title, names.get(s.supplier_id, specifications.ALL_GROUPS))
            for s in specifications.list_specifications(session)
        ]
    options = [{"label": f"{t} ({g})", "value": str(i)} for i, t, g in specs]
    ids = {i for i, _, _ in specs}
    wanted = mapping(created).get("select") or mapping(query).get("spec")
    try:
        value = int(wanted) if wanted is not None and int(wanted) in ids else None
    except (TypeError, ValueError):
        value = None
    if value is None and specs:
        value = specs[-1][0]
    value = str(value) if value is not None else None
    if viewer.role == COORDINATOR:
        groups = [{"label": "All supplier groups", "value": ALL}] + [
            {"label": n, "value": str(i)} for i, n in sorted(names.items(), key=lambda x: x[1])
        ]
        group_value = ALL
    elif viewer.role == NLAR_REP:
        groups = [{"label": names.get(viewer.supplier_id, ""), "value": str(viewer.supplier_id)}]
        group_value = str(viewer.supplier_id)
    else:
        groups, group_value = [], None
    curator = viewer.role in (COORDINATOR, NLAR_REP)
    return {
        "options": options,
        "value": value,
        "group_options": groups,
        "group": group_value,
        "create_style": SHOWN if curator else HIDDEN,
    }


def versions(picked, saved, query) -> dict:
    """The picked specification's versions; the one just saved, the URL's, or the newest."""
    current_viewer()
    if picked is None:
        return {"options": [], "value": None}
    with db() as session:
        spec = specifications.get_specification(session, spec_id(picked))
        numbers = [v.number for v in spec.versions]
    options = [{"label": f"Version {n}", "value": str(n)} for n in reversed(numbers)]
    wanted = mapping(saved).get("select")
    if wanted is None and str(mapping(query).get("spec")) == str(picked):
        wanted = mapping(query).get("version")
    try:
        value = int(wanted) if wanted is not None and int(wanted) in numbers else None
    except (TypeError, ValueError):
        value = None
    value = value if value is not None else (numbers[-1] if numbers else None)
    return {"options": options, "value": None if value is None else str(value)}


# The view with no version to show (and after a failure, with the message in "message").
EMPTY_VIEW = {
    "message": "",
    "items": [],
    "footnote": "",
    "build_options": [],
    "build_value": [],
    "periods": [NONE],
    "build_style": HIDDEN,
    "status_style": HIDDEN,
    "status_options": [NONE],
}


def view(picked, number, _status) -> dict:
    """The chosen version with its evidence, and the forms a curator may use."""
    viewer = current_viewer()
    if picked is None:
        return {**EMPTY_VIEW, "message": NO_SPEC}
    with db() as session:
        spec = specifications.get_specification(session, spec_id(picked))
        curator = may_curate(viewer, spec.supplier_id)
        eligible = specifications.eligible_requirements(session, spec.supplier_id)
        periods = current_periods(session)
        doc = (
            evidence.build_document(
                session, rules(), spec.id, as_int(number, CHOOSE_VERSION), viewer=viewer
            )
            if number is not None
            else None
        )
    req_options = [{"label": f"{ref(r.id)}: {r.statement[:90]}", "value": r.id} for r in eligible]
    forms = {
        "build_options": req_options,
        "periods": [{"label": "Latest period with data", "value": ""}]
        + [{"label": p, "value": p} for p in reversed(periods)],
        "build_style": SHOWN if curator else HIDDEN,
        "status_style": SHOWN if curator else HIDDEN,
    }
    if doc is None:
        status = [NONE] + [{**o, "value": str(o["value"])} for o in req_options]
        return {**EMPTY_VIEW, **forms, "message": NO_VERSION, "status_options": status}
    table = evidence.items_table(doc)
    in_version = [requirement_id(r) for r in table["requirement"]]
    meta = [
        f"{doc.title}: version {doc.version} for {doc.group}, saved {doc.saved_at:%d %B %Y}.",
        f"Built with: {doc.filters}",
        f"Evidence as at data version {doc.data_version} (version saved at data version "
        f"{doc.saved_data_version}).",
    ] + ([f"Note: {doc.note}"] if doc.note else [])
    eligible_ids = {o["value"] for o in req_options}
    labels = table["requirement"] + ": " + table["statement"].str[:90]
    status = [
        {"label": label, "value": str(rid)} for rid, label in zip(in_version, labels, strict=True)
    ]
    return {
        **forms,
        "message": html.Div([html.P(line) for line in meta]),
        "items": rows(table, "requirement"),
        "footnote": doc.suppression,
        "build_value": [r for r in in_version if r in eligible_ids],
        "status_options": [NONE, *status],
    }


def create(viewer, _trigger, *, title, group) -> Done:
    with db() as session:
        spec = specifications.create_specification(session, viewer, title, group_id(group))
        sid, name = spec.id, spec.title
    return Done(f"Specification “{name}” created.", select=sid)


def save_version(viewer, _trigger, *, picked, reqs, period, note) -> Done:
    with db() as session:
        version = specifications.new_version(
            session,
            viewer,
            spec_id(picked),
            [requirement_id(r) for r in reqs or []],
            note=note or "",
            period=period or None,
        )
        number = version.number
    return Done(f"Version {number} saved.", select=number)


def set_status(viewer, _trigger, *, req, status, release) -> Done:
    """The supplier's answer to a requirement (planned, delivered, declined ...)."""
    if not req:
        raise DomainError("Choose a requirement.")
    with db() as session:
        r = specifications.set_status(session, viewer, requirement_id(req), status, release)
        text = f"{ref(r.id)}: {evidence.status_text(r)}."
    return Done(text)


def download(_docx, _csv, picked, number) -> dict:
    """The chosen version as a Word document or CSV, its evidence as of now."""
    viewer = current_viewer()
    if picked is None or number is None:
        raise DomainError("Choose a specification with a saved version first.")
    with db() as session:
        doc = evidence.build_document(
            session, rules(), spec_id(picked), as_int(number, CHOOSE_VERSION), viewer=viewer
        )
    if ctx.triggered_id == S("download-csv"):
        file = dcc.send_string(export.to_csv(doc), _filename(doc.title, doc.version, "csv"))
    else:
        file = dcc.send_bytes(export.to_docx(doc), _filename(doc.title, doc.version, "docx"))
    return {"file": file, "message": ""}


def action(app, run, button: str, message: str, store: str, **states: State) -> None:
    register_action(
        app,
        run,
        triggers=[Input(S(button), "n_clicks")],
        states=states,
        message=S(message),
        counter=S(f"changed-{store}"),
        step=next_change,
    )


def register(app) -> None:
    app.callback(
        output={
            "options": Output(S("pick"), "options"),
            "value": Output(S("pick"), "value"),
            "group_options": Output(S("new-group"), "options"),
            "group": Output(S("new-group"), "value"),
            "create_style": Output(S("create-area"), "style"),
        },
        inputs=[Input(S("query"), "data"), Input(S("changed-create"), "data")],
        on_error=clearing(
            options=[], value=None, group_options=[], group=None, create_style=HIDDEN
        ),
    )(init)
    app.callback(
        output={"options": Output(S("version"), "options"), "value": Output(S("version"), "value")},
        inputs=[Input(S("pick"), "value"), Input(S("changed-version"), "data")],
        state=State(S("query"), "data"),
        on_error=clearing(options=[], value=None),
    )(versions)
    app.callback(
        output={
            "message": Output(S("meta"), "children"),
            "items": Output(S("items"), "rowData"),
            "footnote": Output(S("footnote"), "children"),
            "build_options": Output(S("build-reqs"), "options"),
            "build_value": Output(S("build-reqs"), "value"),
            "periods": Output(S("build-period"), "options"),
            "build_style": Output(S("build-area"), "style"),
            "status_style": Output(S("status-area"), "style"),
            "status_options": Output(S("status-req"), "options"),
        },
        inputs=[
            Input(S("pick"), "value"),
            Input(S("version"), "value"),
            Input(S("changed-status"), "data"),
        ],
        on_error=clearing(**EMPTY_VIEW),
    )(view)
    action(
        app,
        create,
        "create",
        "create-msg",
        "create",
        title=State(S("new-title"), "value"),
        group=State(S("new-group"), "value"),
    )
    action(
        app,
        save_version,
        "save-version",
        "save-msg",
        "version",
        picked=State(S("pick"), "value"),
        reqs=State(S("build-reqs"), "value"),
        period=State(S("build-period"), "value"),
        note=State(S("build-note"), "value"),
    )
    action(
        app,
        set_status,
        "status-save",
        "status-msg",
        "status",
        req=State(S("status-req"), "value"),
        status=State(S("status-value"), "value"),
        release=State(S("status-release"), "value"),
    )
    app.callback(
        output={
            "file": Output(S("download"), "data"),
            "message": Output(S("download-msg"), "children"),
        },
        inputs=[Input(S("download-docx"), "n_clicks"), Input(S("download-csv"), "n_clicks")],
        state=[State(S("pick"), "value"), State(S("version"), "value")],
        prevent_initial_call=True,
    )(download)
