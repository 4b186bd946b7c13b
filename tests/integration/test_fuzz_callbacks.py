"""Forged Dash callback requests (POST /_dash-update-component) from every role.

Property-based: every server callback of the app, called by each role with random values
(unknown ids, wrong types, lists, None, huge and unicode text, SQL- and formula-like text,
huge numbers) in every input and state, answers 200, 204 or a clean 4xx, never a 500 or a
traceback, never an unexpected error, and never shows another authority's name or code to
a role that may not see it. Malformed request shapes get a 400 with one clear line."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dashboard.factory import create_app
from tests.conftest import fresh_database
from tests.integration.conftest import make_config
from tests.integration.test_bad_input_corpus import fingerprint
from tests.integration.test_supplier_access import login, seed_loop

SERVER_ERROR = re.compile(
    r"Traceback|Internal Server Error|sqlalchemy\.|psycopg|Something went wrong", re.I
)
ROLES = ["coord", "la", "nlar", "sup", "admin"]
# Names and GSS codes each role must never be shown (no authority consented to be named).
HIDDEN = {
    "la": ["Fenwick", "Marlowshire", "E06000901", "E10000901"],
    "nlar": ["Fenwick", "Marlowshire", "E06000901", "E10000901"],
    "coord": ["Testbury", "Fenwick", "Marlowshire"],
    "sup": ["Testbury", "Fenwick", "Marlowshire", "E09000901", "E06000901", "E10000901"],
    "admin": [],
}
HOSTILE = [
    "",
    " ",
    "2010-Q1",
    "2009-Q4",
    "9999-Q9",
    "OLM",
    "Civica",
    "NAR",
    "SUS",
    "all",
    "'; DROP TABLE user_account;--",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "x" * 20_000,
    "\u202e\u0000\ufeff",
    "?period=2010-Q1&group=OLM&measure=SUS",
    "?x=%ZZ&&=",
    "1e309",
    "NaN",
    2**63,
    10**20,
    -1,
    0,
    1.5,
    [{"id": 1}],
    [{"id": "x"}],
    [{}],
    {"n": "x"},
    {"n": 10**20},
]
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=40),
        st.sampled_from(HOSTILE),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
FUZZ = settings(
    max_examples=300,  # about 10 s; derandomized, so every run tries the same requests
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("fuzz"), "fuzz")
    seed_loop(url)
    app = create_app(make_config(url))
    return url, app, {role: login(app, role) for role in ROLES}


def _id(ident: str):
    return json.loads(ident) if ident.startswith("{") else ident


def _dep(dep: dict, value) -> dict | list:
    ident = _id(dep["id"])
    if isinstance(ident, dict):  # a wildcard input: a list of matching components
        concrete = {k: (1 if isinstance(v, list) else v) for k, v in ident.items()}
        return [{"id": concrete, "property": dep["property"], "value": value}]
    return {"id": ident, "property": dep["property"], "value": value}


def body_for(key: str, spec: dict, values: list) -> dict:
    """A well-formed request for callback `key` carrying `values` (inputs, then state)."""
    deps = [*spec.get("inputs", []), *spec.get("state", [])]
    filled = [_dep(d, values[i % len(values)] if values else None) for i, d in enumerate(deps)]
    n_in = len(spec.get("inputs", []))
    parts = key.strip(".").split("...")
    outputs = [{"id": _id(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in parts]
    first = spec["inputs"][0] if spec.get("inputs") else None
    changed = (
        []
        if first is None or first["id"].startswith("{")
        else [f"{first['id']}.{first['property']}"]
    )
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": filled[:n_in],
        "state": filled[n_in:],
        "changedPropIds": changed,
    }


def send(client, body) -> tuple[int, str]:
    response = client.http.post(
        "/_dash-update-component",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": client.csrf()},
    )
    return response.status_code, response.get_data(as_text=True)


def _server_callbacks(app) -> list[str]:
    return sorted(k for k, spec in app.callback_map.items() if "callback" in spec)


def check_answer(role: str, key: str, status: int, body: str) -> None:
    assert status in (200, 204) or 400 <= status < 500, (role, key, status, body[:300])
    assert not SERVER_ERROR.search(body), (role, key, body[:500])
    for hidden in HIDDEN[role]:
        assert hidden not in body, (role, key, hidden)


def unexpected_failures(caplog) -> list[str]:
    """Callbacks that failed with an unexpected exception (logged with its traceback by
    callbacks.common, whatever the page then shows)."""
    return [r.getMessage() for r in caplog.records if r.name == "callbacks.common"]


@FUZZ
@given(data=st.data())
def test_every_callback_survives_random_values_from_every_role(loop, caplog, data):
    _url, app, clients = loop
    caplog.clear()
    role = data.draw(st.sampled_from(ROLES), label="role")
    key = data.draw(st.sampled_from(_server_callbacks(app)), label="callback")
    values = data.draw(st.lists(VALUES, min_size=1, max_size=4), label="values")
    status, body = send(clients[role], body_for(key, app.callback_map[key], values))
    check_answer(role, key, status, body)
    assert not unexpected_failures(caplog), (role, key, values)


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:30])
def test_each_hostile_value_in_every_filter_of_the_analysis_pages(loop, value):
    """Each hostile value in every input of every analysis page's callbacks, LA user and
    supplier (who must be refused with a 403)."""
    _url, app, clients = loop
    pages = ("compare-", "themes-", "overview-", "my-authority-", "req-", "spec-")
    keys = [k for k in _server_callbacks(app) if k.strip(".").startswith(pages)]
    for role in ("la", "sup"):
        for key in keys:
            status, body = send(clients[role], body_for(key, app.callback_map[key], [value]))
            check_answer(role, key, status, body)
            if role == "sup":
                assert status == 403, key


MALFORMED = {
    "not an object": [],
    "no output": {"inputs": []},
    "unknown callback": {
        "output": "nope.children",
        "outputs": {"id": "nope", "property": "children"},
    },
    "client-side callback": {
        "output": "overview-url-written.data",
        "outputs": {"id": "overview-url-written", "property": "data"},
        "inputs": [{"id": "overview-search", "property": "data", "value": None}],
    },
}


def _overview_counts(**changes) -> dict:
    key = (
        ".."
        + "...".join(f"overview-{n}.children" for n in ("las", "groups", "respondents", "period"))
        + ".."
    )
    body = body_for(key, {"inputs": [{"id": "overview-load", "property": "data"}]}, [1])
    return {**body, **changes}


MALFORMED |= {
    "inputs missing": _overview_counts(inputs=None),
    "too many inputs": _overview_counts(inputs=[{"id": "overview-load", "property": "data"}] * 3),
    "input of another component": _overview_counts(
        inputs=[{"id": "admin-load", "property": "data", "value": 1}]
    ),
    "input not an object": _overview_counts(inputs=[5]),
    "outputs of the wrong count": _overview_counts(
        outputs=[{"id": "overview-las", "property": "children"}]
    ),
    "outputs not objects": _overview_counts(outputs=[1, 2, 3, 4]),
    "state not a list": _overview_counts(state="x"),
    "changedPropIds not strings": _overview_counts(changedPropIds=[{}]),
    "changedPropIds a broken id": _overview_counts(changedPropIds=["{bad.n_clicks"]),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_requests_get_a_400_with_one_clear_line(loop, name):
    _url, _app, clients = loop
    status, body = send(clients["la"], MALFORMED[name])
    assert status == 400, body[:300]
    message = json.loads(body)["error"]
    assert message.startswith("Malformed callback request: ") and "\n" not in message
    assert send(clients["sup"], MALFORMED[name])[0] in (400, 403)  # the fence may answer first


def test_a_well_formed_request_still_works(loop):
    _url, _app, clients = loop
    status, body = send(clients["la"], _overview_counts())
    assert status == 200 and '"overview-las"' in body


@pytest.mark.parametrize("counter", ["x", [1], {"n": "x"}, 2**40, -3, True])
def test_a_forged_change_counter_neither_fails_nor_hides_the_outcome(loop, counter):
    """The action runs, its message is shown and the counter restarts at 1 (a forged
    counter used to fail the reply after the change was stored)."""
    url, app, clients = loop
    key = next(k for k in _server_callbacks(app) if k.startswith("..admin-products-msg"))
    spec = app.callback_map[key]
    body = body_for(key, spec, [None])
    name = f"Fuzz Supplier {abs(hash(repr(counter))) % 10_000}"
    values = {
        "admin-supplier-add.n_clicks": 1,
        "admin-supplier-name.value": name,
        "admin-refresh.data": counter,
    }
    for dep in [*body["inputs"], *body["state"]]:
        dep["value"] = values.get(f"{dep['id']}.{dep['property']}")
    status, text_ = send(clients["admin"], body)
    assert status == 200, text_[:300]
    reply = json.loads(text_)["response"]
    assert reply["admin-refresh"]["data"] == 1
    assert "Added the supplier" in json.dumps(reply["admin-products-msg"])
    from data.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("select count(*) from supplier where name = :n"), {"n": name}) == 1
    engine.dispose()


def test_fuzzing_as_a_reader_changes_nothing(loop):
    """Random values from the roles that only read (LA user, supplier) change no row."""
    url, app, clients = loop
    reads = [
        k
        for k in _server_callbacks(app)
        if ".n_clicks" not in json.dumps(app.callback_map[k]["inputs"])
    ]
    before = fingerprint(url)
    for key in reads:
        for role in ("la", "sup"):
            status, body = send(clients[role], body_for(key, app.callback_map[key], HOSTILE[10:14]))
            check_answer(role, key, status, body)
    assert fingerprint(url) == before


REFUSED = [
    # (role, the callback's first output, values by "id.property", the message shown)
    ("coord", "spec-answers", {"spec-pick.value": "NAR", "spec-version.value": 1}, "Choose a"),
    (
        "admin",
        "admin-releases-msg",
        {"admin-releases-save.n_clicks": 1, "admin-releases-product.value": "?x=%ZZ"},
        "Choose a product.",
    ),
    (
        "admin",
        "admin-tokens-msg",
        {"admin-tokens-create.n_clicks": 1, "admin-tokens-user.value": "ALL"},
        "Choose a supplier account.",
    ),
    (
        "admin",
        "admin-tokens-revoke-msg",
        {"admin-tokens-revoke.n_clicks": 1, "admin-tokens-revoke-id.value": "x"},
        "Choose a token to revoke.",
    ),
    ("coord", "req-candidates", {"req-min-las.value": "'; DROP"}, "whole number"),
    ("coord", "req-group", {"req-query.data": "?x=%ZZ"}, "All supplier groups"),
    ("coord", "req-selected", {"req-list.selectedRows": [{"id": "x"}]}, ""),
    (
        "admin",
        "inbox-email-msg",
        {"inbox-email-save.n_clicks": 1, "inbox-email.value": "", "inbox-email-on.value": 1},
        "Saved.",
    ),
    (
        "coord",
        "overview-version-notice",
        {"overview-loaded-version.data": 0, "overview-search.data": [{"id": 1}]},
        "newer data is available",
    ),
    (
        "la",
        "spec-download",
        {"spec-download-csv.n_clicks": 1, "spec-pick.value": "1", "spec-version.value": "x"},
        "Choose a version",
    ),
    (
        "la",
        "overview-version-notice",
        {"overview-loaded-version.data": "x", "overview-query.data": {"v": "²"}},
        "",  # positional output: nothing changes (and nothing is logged as a failure)
    ),
]


@pytest.mark.parametrize("role, first, values, expected", REFUSED, ids=lambda v: str(v)[:20])
def test_forged_ids_get_a_clear_message_not_a_generic_error(
    loop, caplog, role, first, values, expected
):
    _url, app, clients = loop
    key = next(k for k in _server_callbacks(app) if k.strip(".").startswith(f"{first}."))
    body = body_for(key, app.callback_map[key], [None])
    for dep in [*body["inputs"], *body["state"]]:
        dep["value"] = values.get(f"{dep['id']}.{dep['property']}")
    first_input = body["inputs"][0]
    body["changedPropIds"] = [f"{first_input['id']}.{first_input['property']}"]
    status, text_ = send(clients[role], body)
    check_answer(role, key, status, text_)
    assert expected in text_, text_[:400]
    assert not unexpected_failures(caplog)
