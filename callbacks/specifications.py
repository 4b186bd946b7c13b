"""Joint specifications page: thin wiring over data.requirements.specifications / evidence /
export. The viewer always comes from the server session; the data functions check rights."""

from __future__ import annotations

import re

from dash import Input, Output, State, ctx, dcc, html, no_update

from callbacks.chart_card import rules
from callbacks.common import current_viewer, db, guarded
from callbacks.requirements import ALL, NONE, SHOWN, group_id, requirement_id, rows
from data.errors import DomainError
from data.privacy.access import COORDINATOR, NLAR_REP, may_curate
from data.queries.summaries import current_periods, supplier_names
from data.requirements import evidence, export, specifications
from data.requirements.curation import ref
from layouts.components import alert
from layouts.requirements import HIDDEN
from layouts.specifications import P

NO_VERSION = "No version saved yet: pick requirements below and save version 1."
NO_SPEC = (
    "No specification yet. A group's NLAR representative or a coordinator can start one below."
)


def spec_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError("Choose a specification.") from exc


def _changed(counter, **extra) -> dict:
    n = counter.get("n", 0) if isinstance(counter, dict) else 0
    return {"n": n + 1, **extra}


def _filename(title: str, number: int, ext: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "specification"
    return f"{slug}-v{number}.{ext}"


def register(app) -> None:
    @app.callback(
        Output(f"{P}-pick", "options"),
        Output(f"{P}-pick", "value"),
        Output(f"{P}-new-group", "options"),
        Output(f"{P}-new-group", "value"),
        Output(f"{P}-create-area", "style"),
        Input(f"{P}-query", "data"),
        Input(f"{P}-changed-create", "data"),
    )
    @guarded(lambda msg: ([], None, [], None, HIDDEN))
    def _init(query, created):
        viewer = current_viewer()
        with db() as session:
            names = supplier_names(session)
            specs = [
                (s.id, s.title, names.get(s.supplier_id, specifications.ALL_GROUPS))
                for s in specifications.list_specifications(session)
            ]
        options = [{"label": f"{t} ({g})", "value": str(i)} for i, t, g in specs]
        ids = {i for i, _, _ in specs}
        wanted = (created or {}).get("select") or (query or {}).get("spec")
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
            groups = [
                {"label": names.get(viewer.supplier_id, ""), "value": str(viewer.supplier_id)}
            ]
            group_value = str(viewer.supplier_id)
        else:
            groups, group_value = [], None
        curator = viewer.role in (COORDINATOR, NLAR_REP)
        return options, value, groups, group_value, SHOWN if curator else HIDDEN

    @app.callback(
        Output(f"{P}-version", "options"),
        Output(f"{P}-version", "value"),
        Input(f"{P}-pick", "value"),
        Input(f"{P}-changed-version", "data"),
        State(f"{P}-query", "data"),
    )
    @guarded(lambda msg: ([], None))
    def _versions(picked, saved, query):
        current_viewer()
        if picked is None:
            return [], None
        with db() as session:
            spec = specifications.get_specification(session, spec_id(picked))
            numbers = [v.number for v in spec.versions]
        options = [{"label": f"Version {n}", "value": str(n)} for n in reversed(numbers)]
        wanted = (saved or {}).get("select")
        if wanted is None and str((query or {}).get("spec")) == str(picked):
            wanted = (query or {}).get("version")
        try:
            value = int(wanted) if wanted is not None and int(wanted) in numbers else None
        except (TypeError, ValueError):
            value = None
        value = value if value is not None else (numbers[-1] if numbers else None)
        return options, None if value is None else str(value)

    @app.callback(
        Output(f"{P}-meta", "children"),
        Output(f"{P}-items", "rowData"),
        Output(f"{P}-footnote", "children"),
        Output(f"{P}-build-reqs", "options"),
        Output(f"{P}-build-reqs", "value"),
        Output(f"{P}-build-period", "options"),
        Output(f"{P}-build-area", "style"),
        Output(f"{P}-status-area", "style"),
        Output(f"{P}-status-req", "options"),
        Input(f"{P}-pick", "value"),
        Input(f"{P}-version", "value"),
        Input(f"{P}-changed-status", "data"),
    )
    @guarded(lambda msg: (alert(msg), [], "", [], [], [NONE], HIDDEN, HIDDEN, [NONE]))
    def _view(picked, number, _status):
        viewer = current_viewer()
        if picked is None:
            return NO_SPEC, [], "", [], [], [NONE], HIDDEN, HIDDEN, [NONE]
        with db() as session:
            spec = specifications.get_specification(session, spec_id(picked))
            curator = may_curate(viewer, spec.supplier_id)
            eligible = specifications.eligible_requirements(session, spec.supplier_id)
            periods = current_periods(session)
            doc = (
                evidence.build_document(session, rules(), spec.id, int(number))
                if number is not None
                else None
            )
        req_options = [
            {"label": f"{ref(r.id)}: {r.statement[:90]}", "value": r.id} for r in eligible
        ]
        period_options = [{"label": "Latest period with data", "value": ""}] + [
            {"label": p, "value": p} for p in reversed(periods)
        ]
        areas = (SHOWN if curator else HIDDEN, SHOWN if curator else HIDDEN)
        if doc is None:
            status = [NONE] + [{**o, "value": str(o["value"])} for o in req_options]
            return (NO_VERSION, [], "", req_options, [], period_options, *areas, status)
        table = evidence.items_table(doc)
        in_version = [requirement_id(r) for r in table["requirement"]]
        meta = [
            f"{doc.title}: version {doc.version} for {doc.group}, saved {doc.saved_at:%d %B %Y}.",
            f"Built with: {doc.filters}",
            f"Evidence as at data version {doc.data_version} (version saved at data version "
            f"{doc.saved_data_version}).",
        ] + ([f"Note: {doc.note}"] if doc.note else [])
        eligible_ids = {o["value"] for o in req_options}
        status = [NONE] + [
            {"label": label, "value": str(rid)}
            for rid, label in zip(
                in_version, table["requirement"] + ": " + table["statement"].str[:90], strict=True
            )
        ]
        return (
            html.Div([html.P(line) for line in meta]),
            rows(table, "requirement"),
            doc.suppression,
            req_options,
            [r for r in in_version if r in eligible_ids],
            period_options,
            *areas,
            status,
        )

    @app.callback(
        Output(f"{P}-create-msg", "children"),
        Output(f"{P}-changed-create", "data"),
        Input(f"{P}-create", "n_clicks"),
        State(f"{P}-new-title", "value"),
        State(f"{P}-new-group", "value"),
        State(f"{P}-changed-create", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _create(n_clicks, title, group, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        with db() as session:
            spec = specifications.create_specification(session, viewer, title, group_id(group))
            sid, name = spec.id, spec.title
        return alert(f"Specification “{name}” created.", "success"), _changed(counter, select=sid)

    @app.callback(
        Output(f"{P}-save-msg", "children"),
        Output(f"{P}-changed-version", "data"),
        Input(f"{P}-save-version", "n_clicks"),
        State(f"{P}-pick", "value"),
        State(f"{P}-build-reqs", "value"),
        State(f"{P}-build-period", "value"),
        State(f"{P}-build-note", "value"),
        State(f"{P}-changed-version", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _save(n_clicks, picked, reqs, period, note, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
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
        return alert(f"Version {number} saved.", "success"), _changed(counter, select=number)

    @app.callback(
        Output(f"{P}-status-msg", "children"),
        Output(f"{P}-changed-status", "data"),
        Input(f"{P}-status-save", "n_clicks"),
        State(f"{P}-status-req", "value"),
        State(f"{P}-status-value", "value"),
        State(f"{P}-status-release", "value"),
        State(f"{P}-changed-status", "data"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (alert(msg), no_update))
    def _status(n_clicks, req, status, release, counter):
        viewer = current_viewer()
        if not n_clicks:
            return no_update, no_update
        if not req:
            raise DomainError("Choose a requirement.")
        with db() as session:
            r = specifications.set_status(session, viewer, requirement_id(req), status, release)
            text = f"{ref(r.id)}: {evidence.status_text(r)}."
        return alert(text, "success"), _changed(counter)

    @app.callback(
        Output(f"{P}-download", "data"),
        Output(f"{P}-download-msg", "children"),
        Input(f"{P}-download-docx", "n_clicks"),
        Input(f"{P}-download-csv", "n_clicks"),
        State(f"{P}-pick", "value"),
        State(f"{P}-version", "value"),
        prevent_initial_call=True,
    )
    @guarded(lambda msg: (no_update, alert(msg)))
    def _download(_docx, _csv, picked, number):
        current_viewer()
        if picked is None or number is None:
            raise DomainError("Choose a specification with a saved version first.")
        with db() as session:
            doc = evidence.build_document(session, rules(), spec_id(picked), int(number))
        if ctx.triggered_id == f"{P}-download-csv":
            return dcc.send_string(export.to_csv(doc), _filename(doc.title, doc.version, "csv")), ""
        data = export.to_docx(doc)
        return dcc.send_bytes(data, _filename(doc.title, doc.version, "docx")), ""
