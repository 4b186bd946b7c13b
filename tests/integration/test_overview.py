"""Overview callbacks through the Flask test client: figures, suppression, refusals."""

from __future__ import annotations

import json

OUTPUTS = [
    {"id": "overview-sus-graph", "property": "figure"},
    {"id": "overview-sus-summary", "property": "children"},
    {"id": "overview-sus-table-data", "property": "data"},
    {"id": "overview-sus-footnote", "property": "children"},
]
OUTPUT_ID = (
    "..overview-sus-graph.figure...overview-sus-summary.children...overview-sus-table-data."
    "data...overview-sus-footnote.children.."
)
LOAD = [{"id": "overview-load", "property": "data", "value": {}}]


def _call(client):
    response = client.callback(OUTPUT_ID, LOAD, outputs=OUTPUTS)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.loads(response.get_data(as_text=True))["response"]


def test_single_la_groups_are_folded_and_three_las_are_too_few_for_any_viewer(signed_in):
    # Each of the three LAs in 2010-Q1 is alone in its supplier group: no group may appear on
    # its own; together they form "Other suppliers" (3 LAs). The protected source publishes
    # only what is safe for every viewer, and an LA user among three would learn the other
    # two's pooled figure, so every figure is c, for the coordinator too.
    out = _call(signed_in("coord"))
    rows = out["overview-sus-table-data"]["data"]["rows"]
    groups = {r["Supplier group"] for r in rows}
    assert groups == {"Other suppliers", "All groups (England)"}
    assert not {"OLM", "Corelogic", "Liquidlogic"} & groups
    assert rows and all(r["Authorities"] == "c" and r["Mean"] == "c" for r in rows)


def test_figures_contain_no_authority_names(signed_in):
    text = json.dumps(_call(signed_in("la")))
    for name in ("Testbury", "Fenwick", "Marlowshire", "E09000901", "R001"):
        assert name not in text


def test_stricter_threshold_suppresses_everything(small_db):
    from dashboard.factory import create_app
    from tests.integration.conftest import DashClient, make_config

    app = create_app(make_config(small_db, MIN_LAS=4))
    c = DashClient(app.server.test_client())
    c.login("coord")
    rows = _call(c)["overview-sus-table-data"]["data"]["rows"]
    assert rows and all(r["Mean"] == "c" and r["Respondents"] == "c" for r in rows)


def test_anonymous_callback_gets_401(client):
    response = client.callback(OUTPUT_ID, LOAD, outputs=OUTPUTS)
    assert response.status_code == 401
