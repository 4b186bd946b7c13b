"""Dash's app-wide on_error (callbacks.common.on_callback_error) and the generic registrars,
on a tiny Dash app posting to the callback endpoint as the browser does: domain errors
become their messages, anything else a generic message and a log entry, never a traceback."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from dash import Dash, Input, Output, State, html

from callbacks import common, registrars
from callbacks.common import clearing, on_callback_error
from callbacks.registrars import Done, next_change, register_action, register_entity_grid
from data.errors import DomainError, PermissionDenied
from data.privacy.access import Viewer

VIEWER = Viewer(1, "admin", None, None)
IDS = ("go", "msg", "rows", "note", "store", "field", "grid", "count")


def app_with(*register) -> Dash:
    app = Dash(__name__, on_error=on_callback_error, suppress_callback_exceptions=True)
    app.layout = html.Div([html.Div(id=i) for i in IDS])
    for add in register:
        add(app)
    return app


def post(app, inputs: dict, state: dict | None = None):
    """Call the app's only callback; inputs/state as {"id.prop": value}."""
    [(key, spec)] = app.callback_map.items()
    outs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]

    def listed(values):
        return [
            {"id": k.rsplit(".", 1)[0], "property": k.rsplit(".", 1)[1], "value": v}
            for k, v in (values or {}).items()
        ]

    body = {
        "output": key,
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in outs]
        if isinstance(spec["output"], list)
        else {"id": outs[0].component_id, "property": outs[0].component_property},
        "inputs": listed(inputs),
        "state": listed(state),
        "changedPropIds": list(inputs)[:1],
    }
    response = app.server.test_client().post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, text[:300]
    return {
        f"{ident}.{prop}": value
        for ident, props in response.get_json()["response"].items()
        for prop, value in props.items()
    }


def alert_text(value) -> str:
    return value["props"]["children"]


def raising(exc: Exception):
    def fn(_clicks):
        raise exc

    return fn


def dict_callback(exc, **kwargs):
    def add(app):
        app.callback(
            output={"message": Output("msg", "children"), "rows": Output("rows", "children")},
            inputs=Input("go", "n_clicks"),
            **kwargs,
        )(raising(exc))

    return add


def test_a_domain_error_becomes_its_message_in_the_message_output(caplog):
    app = app_with(dict_callback(PermissionDenied("Only an administrator can do this.")))
    with caplog.at_level(logging.ERROR):
        out = post(app, {"go.n_clicks": 1})
    assert alert_text(out["msg.children"]) == "Not allowed: Only an administrator can do this."
    assert out["msg.children"]["props"]["color"] == "danger"
    assert "rows.children" not in out  # the other outputs are left as they were
    assert not caplog.records  # a refusal is not a fault


def test_an_unexpected_error_shows_a_generic_message_and_is_logged(caplog):
    app = app_with(dict_callback(ZeroDivisionError("secret detail")))
    with caplog.at_level(logging.ERROR, logger=common.log.name):
        out = post(app, {"go.n_clicks": 1})
    shown = alert_text(out["msg.children"])
    assert shown == "Something went wrong on our side; the problem has been logged."
    assert "secret" not in json.dumps(out)
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_clearing_resets_outputs_and_can_show_the_message_as_text():
    blank = clearing(rows=[])
    app = app_with(dict_callback(DomainError("Choose from the list."), on_error=blank))
    out = post(app, {"go.n_clicks": 1})
    assert alert_text(out["msg.children"]) == "Choose from the list."
    assert out["rows.children"] == []
    as_text = clearing(text_in="rows")
    app = app_with(dict_callback(DomainError("Choose from the list."), on_error=as_text))
    out = post(app, {"go.n_clicks": 1})
    assert out == {"rows.children": "Choose from the list."}


@pytest.mark.parametrize("outputs", [1, 2])
def test_a_callback_with_positional_outputs_changes_nothing_on_error(outputs):
    """One Output (which Dash also describes as a dict) or several, none named."""

    def add(app):
        targets = [Output("msg", "children"), Output("rows", "children")][:outputs]
        app.callback(*targets, Input("go", "n_clicks"))(raising(RuntimeError("boom")))

    assert post(app_with(add), {"go.n_clicks": 1}) == {}


@pytest.fixture
def as_admin(monkeypatch):
    """Registrars' who= and db() without a Flask login or a database."""

    class NoSession:
        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(registrars, "db", NoSession)
    return lambda: VIEWER


def test_register_action_shows_the_outcome_and_moves_the_counter_on(as_admin):
    seen = {}

    def run(viewer, trigger, *, field):
        seen.update(viewer=viewer, trigger=trigger, field=field)
        if field == "refuse":
            raise PermissionDenied("No.")
        return None if field == "nothing" else Done(f"Saved {field}.", select=7)

    def add(app):
        register_action(
            app, run, triggers=[Input("go", "n_clicks")], message="msg", counter="store",
            states={"field": State("field", "children")}, step=next_change, who=as_admin,
        )  # fmt: skip

    app = app_with(add)
    out = post(app, {"go.n_clicks": 1}, {"field.children": "x", "store.data": {"n": 2}})
    assert seen == {"viewer": VIEWER, "trigger": "go", "field": "x"}
    assert alert_text(out["msg.children"]) == "Saved x."
    assert out["store.data"] == {"n": 3, "select": 7}
    refused = post(app, {"go.n_clicks": 1}, {"field.children": "refuse", "store.data": None})
    assert alert_text(refused["msg.children"]) == "Not allowed: No."
    assert "store.data" not in refused
    assert post(app, {"go.n_clicks": 1}, {"field.children": "nothing", "store.data": 0}) == {}
    assert post(app, {"go.n_clicks": None}, {"field.children": "x", "store.data": 0}) == {}


def test_register_entity_grid_fills_and_on_failure_empties_the_grid(as_admin):
    frames = {
        "ok": pd.DataFrame({"id": [3], "name": ["Ann"], "when": [pd.Timestamp("2010-01-02 03:04")]})
    }

    def load(_session, viewer, which):
        assert viewer == VIEWER
        if which not in frames:
            raise PermissionDenied("Only an administrator can do this.")
        return frames[which]

    def add(app):
        register_entity_grid(
            app, "grid", load, params=[Input("field", "children")],
            reload=[Input("store", "data")], count_in="count", who=as_admin,
        )  # fmt: skip

    app = app_with(add)
    out = post(app, {"field.children": "ok", "store.data": 0})
    assert [c["field"] for c in out["grid.columnDefs"]] == ["name", "when"]
    assert out["grid.rowData"] == [{"id": 3, "name": "Ann", "when": "2010-01-02 03:04", "key": "3"}]
    assert out["count.children"] == "1 entries shown."
    refused = post(app, {"field.children": "other", "store.data": 0})
    assert refused["grid.columnDefs"] == [] and refused["grid.rowData"] == []
    assert alert_text(refused["count.children"]).startswith("Not allowed")


def test_the_app_shows_unexpected_errors_as_a_generic_message(signed_in, monkeypatch, caplog):
    """The real app is wired with the handler: a fault in a callback with no on_error of its
    own (the specification download) reaches the page as the generic message."""
    from callbacks import specifications
    from tests.integration.test_upload_page import Page, text_of

    def broken(*_args):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(specifications, "spec_id", broken)
    page = Page(signed_in("la"))
    values = {"spec-download-docx.n_clicks": 1, "spec-pick.value": "1", "spec-version.value": "1"}
    with caplog.at_level(logging.ERROR, logger=common.log.name):
        out = page.call("spec-download-docx.n_clicks", values)
    assert set(out) == {"spec-download-msg.children"}  # no file
    assert text_of(out["spec-download-msg.children"]) == (
        "Something went wrong on our side; the problem has been logged."
    )
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


GENERIC = "Something went wrong on our side; the problem has been logged."


def test_the_analysis_pages_show_a_fault_as_they_did(signed_in, monkeypatch, caplog):
    """Each analysis callback's own on_error: the message where the page says it, the rest
    blanked as before (the tiles, the findings list, the breakdown card kept hidden)."""
    from callbacks import compare, overview, themes
    from tests.integration.test_upload_page import Page

    def broken(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(overview, "coverage", broken)
    monkeypatch.setattr(themes, "findings_list", broken)
    monkeypatch.setattr(compare.compare, "may_see_la_breakdown", broken)
    page = Page(signed_in("coord"))
    with caplog.at_level(logging.ERROR, logger=common.log.name):
        tiles = page.call("overview-load.data", {"overview-load.data": {}}, "overview-las")
        listing = page.call("themes-period.value", {}, "themes-list.rowData")
        card = page.call("compare-query.data", {"compare-query.data": {}}, "breakdown-wrap")
    assert tiles == {
        "overview-las.children": GENERIC,
        **{f"overview-{t}.children": "" for t in ("groups", "respondents", "period")},
    }
    assert listing == {"themes-list.columnDefs": [], "themes-list.rowData": [],
                       "themes-list-note.children": GENERIC}  # fmt: skip
    assert card == {"compare-breakdown-wrap.hidden": True}
    assert "database on fire" not in json.dumps([tiles, listing, card])
    assert sum(r.exc_info is not None for r in caplog.records) == 3


def test_my_authority_refuses_other_users_where_each_part_says_so(signed_in):
    from tests.integration.test_upload_page import Page, text_of

    refused = "Not allowed: This page is for users of a local authority."
    page = Page(signed_in("coord"))
    values = {"my-authority-period.value": "2010-Q1", "my-authority-measure.value": "SUS",
              "my-authority-query.data": {}, "my-authority-refresh.data": 0}  # fmt: skip
    note = page.call("my-authority-query.data", values, "neighbours-note")
    assert note == {
        "my-authority-period.options": [],
        "my-authority-neighbours-note.children": refused,
    }
    for part in ("improved", "requests"):
        shown = page.call("my-authority-refresh.data", values, f"my-authority-{part}.")
        [(key, paragraph)] = shown.items()
        assert key == f"my-authority-{part}.children" and paragraph["type"] == "P"
        assert text_of(paragraph) == refused
    chart = page.call("my-authority-measure.value", values, "my-authority-trend-graph")
    assert chart["my-authority-trend-summary.children"] == refused
    [note_on_figure] = chart["my-authority-trend-graph.figure"]["layout"]["annotations"]
    assert note_on_figure["text"] == refused
    assert chart["my-authority-trend-table-data.data"] == {"columns": [], "rows": []}
    assert chart["my-authority-trend-footnote.children"] == ""
