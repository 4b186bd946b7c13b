"""A supplier user through the Flask test client: crafted requests to every other page and
callback are refused by the central guard; its own page works; its answer reaches the NLAR
representative's requirement page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dashboard.factory import create_app
from dashboard.users import create_user
from data.privacy.access import SUPPLIER_COMPONENT_PREFIXES, Viewer
from data.requirements import specifications
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Finding, Requirement, RequirementEvidence, Supplier, User
from layouts import PAGES
from tests.conftest import fresh_database
from tests.integration.conftest import (
    PASSWORD,
    DashClient,
    callback_key,
    make_config,
    seed_small,
)

STATEMENT = "Let practitioners filter the chronology by event type"


def seed_loop(url: str) -> dict[str, int]:
    """seed_small plus supplier users (OLM, Civica) and an OLM specification with one
    requirement backed by the OLM LA's findings."""
    seed_small(url)
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        create_user(s, "sup", PASSWORD, "supplier", supplier_name="OLM")
        create_user(s, "sup-civica", PASSWORD, "supplier", supplier_name="Civica")
        olm = s.scalar(select(Supplier.id).where(Supplier.name == "OLM"))
        coord = s.scalar(select(User).where(User.username == "coord"))
        req = Requirement(supplier_id=olm, statement=STATEMENT, theme_code="NAR", priority="must")
        s.add(req)
        s.flush()
        for fid in s.scalars(select(Finding.id).where(Finding.theme_code == "NAR")):
            s.add(RequirementEvidence(requirement_id=req.id, finding_id=fid))
        viewer = Viewer(coord.id, "coordinator")
        spec = specifications.create_specification(s, viewer, "OLM specification", olm)
        specifications.new_version(s, viewer, spec.id, [req.id])
        return {"requirement": req.id, "spec": spec.id}


@pytest.fixture(scope="module")
def loop_db(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("loop"), "loop")
    return url, seed_loop(url)


@pytest.fixture(scope="module")
def loop_app(loop_db):
    return create_app(make_config(loop_db[0]))


def login(app, username: str) -> DashClient:
    c = DashClient(app.server.test_client())
    assert c.login(username).status_code == 302
    return c


def _id(text: str):
    return json.loads(text) if text.startswith("{") else text


def crafted(c: DashClient, key: str, spec: dict, pathname: str | None = None):
    """A callback request shaped like the browser's, for a callback_map entry."""
    parts = key.strip(".").split("...")
    outputs = [{"id": _id(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in parts]
    inputs = [
        {"id": _id(i["id"]), "property": i["property"], "value": pathname}
        for i in spec.get("inputs", [])
    ]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [{"id": _id(i["id"]), "property": i["property"]} for i in spec.get("state", [])],
        "changedPropIds": [],
    }
    return c.http.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": c.csrf()},
    )


def _owned(key: str) -> bool:
    ids = [p.rsplit(".", 1)[0] for p in key.strip(".").split("...")]
    return all(i.startswith(SUPPLIER_COMPONENT_PREFIXES) for i in ids)


@pytest.mark.parametrize(
    "path", [p for _, p, _, _ in PAGES if p not in ("/", "/supplier", "/inbox")]
)
def test_supplier_refused_other_pages(loop_app, path):
    c = login(loop_app, "sup")
    assert c.http.get(path).status_code == 403


def test_supplier_home_is_its_page(loop_app):
    c = login(loop_app, "sup")
    response = c.http.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/supplier")
    for path in ("/supplier", "/_dash-layout", "/_dash-dependencies"):
        assert c.http.get(path).status_code == 200, path
    for path in ("/download/anything.csv", "/no-such-page", "/admin?x=1"):
        assert c.http.get(path).status_code == 403, path


def test_supplier_refused_every_other_callback(loop_app):
    c = login(loop_app, "sup")
    keys = [k for k in loop_app.callback_map if not _owned(k)]
    assert len(keys) > 40  # every page's callbacks are in the map
    served = []
    for key in keys:
        spec = loop_app.callback_map[key]
        if "_pages_content" in key:
            for other in ("/", "/compare", "/admin", "/requirements"):
                assert crafted(c, key, spec, other).status_code == 403, (key, other)
            continue
        response = crafted(c, key, spec)
        if response.status_code != 403:
            served.append((key, response.status_code))
    assert served == []


def test_supplier_pages_router_draws_its_page(loop_app):
    c = login(loop_app, "sup")
    key = next(k for k in loop_app.callback_map if "_pages_content" in k)
    response = crafted(c, key, loop_app.callback_map[key], "/supplier")
    assert response.status_code == 200
    assert "supplier-spec-body" in response.get_data(as_text=True)


def _spec_body(c: DashClient, spec_id: int):
    return c.callback(
        "..supplier-spec-body.children...supplier-answer-req.options..."
        "supplier-answer-req.value...supplier-reply-req.options..",
        [
            {"id": "supplier-spec", "property": "value", "value": str(spec_id)},
            {"id": "supplier-changed", "property": "data", "value": {"n": 0}},
        ],
        [
            {"id": "supplier-answer-req", "property": "value", "value": None},
            {"id": "supplier-query", "property": "data", "value": {}},
        ],
    )


def test_supplier_sees_its_spec_without_la_names(loop_app, loop_db):
    c = login(loop_app, "sup")
    response = _spec_body(c, loop_db[1]["spec"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert STATEMENT in text
    for name in ("Testbury", "Fenwick", "Marlowshire"):
        assert name not in text
    other = login(loop_app, "sup-civica")
    refused = _spec_body(other, loop_db[1]["spec"]).get_data(as_text=True)
    assert "There is no specification" in refused and STATEMENT not in refused


def _answer_key(app) -> str:
    return callback_key(app, "supplier-answer-msg.children")


def answer(app, c: DashClient, rid: int, status: str, text: str = "") -> str:
    """Send an answer through the supplier page's callback; returns the response text."""
    return c.callback(
        _answer_key(app),
        [{"id": "supplier-answer-save", "property": "n_clicks", "value": 1}],
        [
            {"id": "supplier-answer-req", "property": "value", "value": str(rid)},
            {"id": "supplier-answer-status", "property": "value", "value": status},
            {"id": "supplier-answer-text", "property": "value", "value": text},
            {"id": "supplier-answer-release", "property": "value", "value": ""},
            {"id": "supplier-answer-date", "property": "value", "value": ""},
            {"id": "supplier-changed", "property": "data", "value": {"n": 0}},
        ],
    ).get_data(as_text=True)


def test_answer_reaches_the_nlar_rep(loop_app, loop_db):
    rid = loop_db[1]["requirement"]
    sup = login(loop_app, "sup")
    assert "is recorded" in answer(loop_app, sup, rid, "clarification", "Which event types?")
    rep = login(loop_app, "nlar")
    shown = rep.callback(
        "..req-answers.children...req-answers-reply-area.style..",
        [{"id": "req-selected", "property": "data", "value": rid}],
    )
    body = shown.get_data(as_text=True)
    assert "Needs clarification" in body and "Which event types?" in body
    assert '"display": "none"' not in body.split("req-answers-reply-area")[-1]
    # the rep replies in the thread; the supplier sees it on its page
    replied = rep.callback(
        callback_key(loop_app, "req-answers-reply-msg.children"),
        [{"id": "req-answers-reply", "property": "n_clicks", "value": 1}],
        [
            {"id": "req-selected", "property": "data", "value": rid},
            {"id": "req-answers-reply-text", "property": "value", "value": "Visits and meetings."},
        ],
    )
    assert "Reply sent" in replied.get_data(as_text=True)
    page = _spec_body(sup, loop_db[1]["spec"]).get_data(as_text=True)
    assert "Visits and meetings." in page


def test_other_roles_cannot_answer(loop_app, loop_db):
    rid = loop_db[1]["requirement"]
    for user in ("nlar", "la", "admin"):
        response = answer(loop_app, login(loop_app, user), rid, "declined", "no")
        assert "Not allowed" in response, user


def test_specification_page_shows_answers_to_the_group(loop_app, loop_db):
    ids = loop_db[1]
    sup = login(loop_app, "sup")
    assert "is recorded" in answer(
        loop_app, sup, ids["requirement"], "declined", "National guidance."
    )

    def spec_answers(user: str) -> str:
        return (
            login(loop_app, user)
            .callback(
                callback_key(loop_app, "spec-answers.children"),
                [
                    {"id": "spec-pick", "property": "value", "value": str(ids["spec"])},
                    {"id": "spec-version", "property": "value", "value": "1"},
                ],
            )
            .get_data(as_text=True)
        )

    for user in ("nlar", "la", "coord"):  # the LA uses CareFirst (OLM)
        assert "Declined: National guidance." in spec_answers(user), user
    assert "National guidance" not in spec_answers("la2")  # a PROTOCOL ICS authority


def test_supplier_cannot_disguise_another_callback(loop_app):
    c = login(loop_app, "sup")
    key = next(k for k in loop_app.callback_map if k.startswith("..req-detail-title"))
    body = {
        "output": key,
        "outputs": [{"id": "supplier-spec-body", "property": "children"}],
        "inputs": [{"id": "req-selected", "property": "data", "value": 1}],
        "state": [],
        "changedPropIds": ["req-selected.data"],
    }
    response = c.http.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": c.csrf()},
    )
    assert response.status_code == 403
