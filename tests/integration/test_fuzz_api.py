"""The supplier API under attack, property-based against its own OpenAPI document: every
documented path, with random path ids, query strings and answer bodies, sent with no token,
a garbage token, a revoked token, the token of another supplier and the right one. Every
answer is a documented status with a problem document for errors, never a 500 or a
traceback; another supplier's specification never shows; refused answers change nothing.
Also the open prefixes (/api/v1/, /feeds/, /login...) never serve the app without sign-in."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from data.privacy.access import Viewer
from data.requirements import tokens
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import ApiToken, User
from tests.integration.test_api import _token, api, check  # noqa: F401  (the api fixture)

SERVER_ERROR = re.compile(r"Traceback|Internal Server Error|sqlalchemy\.|psycopg", re.I)
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
IDS = st.one_of(
    st.integers(min_value=-5, max_value=2**70).map(str),
    st.sampled_from(["abc", "1.5", "%00", "..%2f..", "1;drop", "0x10", " 1", "１"]),
)
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "<b>x</b>", "'; DROP TABLE x;--", "a" * 3000, "2011-04-01"]),
)
BODIES = st.one_of(
    st.dictionaries(
        st.sampled_from(["status", "text", "release", "expected_on", "extra"]),
        st.one_of(st.none(), st.integers(), TEXT, st.sampled_from(["planned", "declined"])),
        max_size=5,
    ),
    st.lists(st.integers(), max_size=2),
    st.none(),
    TEXT,
)
WHO = ["olm", "civica", "revoked", "garbage", None]


@pytest.fixture(scope="module")
def attack(api):  # noqa: F811
    """The api fixture plus a revoked token of the OLM supplier user."""
    url = api["url"]
    revoked = _token(url, "sup")
    with session_scope(make_sessionmaker(make_engine(url))) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        token_id = s.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
        tokens.revoke_token(s, Viewer(admin.id, "admin"), token_id)
    return {**api, "revoked": revoked, "garbage": "x" * 500}


def headers(attack, who: str | None) -> dict:
    return {"Authorization": f"Bearer {attack[who]}"} if who else {}


def _documented(attack, response, template: str, method: str) -> dict:
    body = response.get_data(as_text=True)
    assert response.status_code < 500 and not SERVER_ERROR.search(body), body[:300]
    if template in attack["doc"]["paths"]:
        return check(attack, response, template, method)
    assert response.mimetype == "application/problem+json", body[:200]
    return response.get_json()


@FUZZ
@given(who=st.sampled_from(WHO), spec_id=IDS, status=st.one_of(st.none(), TEXT))
def test_reads_answer_documented_statuses_only(attack, who, spec_id, status):
    client = attack["client"]
    detail = client.get(f"/api/v1/specifications/{spec_id}", headers=headers(attack, who))
    template = "/specifications/{spec_id}" if re.fullmatch(r"\d+", spec_id) else "unknown"
    body = _documented(attack, detail, template, "get")
    if who != "olm":
        assert "OLM specification" not in json.dumps(body)
    query = {} if status is None else {"status": status}
    listed = client.get("/api/v1/requirements", query_string=query, headers=headers(attack, who))
    _documented(attack, listed, "/requirements", "get")
    if who in ("revoked", "garbage", None):
        assert listed.status_code == detail.status_code == 401


@FUZZ
@given(who=st.sampled_from(WHO), target=IDS, body=BODIES)
def test_answers_refused_or_stored_never_a_server_error(attack, who, target, body):
    client = attack["client"]
    before = _answers(attack["url"])
    response = client.post(
        f"/api/v1/requirements/{target}/answers",
        headers=headers(attack, who),
        data=json.dumps(body),
        content_type="application/json",
    )
    template = "/requirements/{requirement_id}/answers"
    _documented(attack, response, template if re.fullmatch(r"\d+", target) else "x", "post")
    if who != "olm":  # no other token may answer anything
        assert response.status_code in (400, 401, 404, 405, 413, 415, 422), response.status_code
        assert _answers(attack["url"]) == before


def _answers(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(text("select count(*) from supplier_answer"))
    engine.dispose()
    return n


@pytest.mark.parametrize("bad", ["\x00", "a\x07b", "\x1b[31m"])
def test_answers_with_control_characters_are_refused(attack, bad):
    rid = attack["ids"]["requirement"]
    before = _answers(attack["url"])
    response = attack["client"].post(
        f"/api/v1/requirements/{rid}/answers",
        headers=headers(attack, "olm"),
        json={"status": "declined", "text": f"no {bad}"},
    )
    body = check(attack, response, "/requirements/{requirement_id}/answers", "post")
    assert response.status_code == 422 and "control characters" in body["detail"]
    assert _answers(attack["url"]) == before


@pytest.mark.parametrize("who", ["olm", None])
def test_the_api_root_is_a_problem_document_not_the_app(attack, who):
    response = attack["client"].get("/api/v1/", headers=headers(attack, who))
    assert response.status_code == (404 if who else 401)
    assert response.mimetype == "application/problem+json"
    assert "<html" not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    "path", ["/feeds/", "/feeds/x", "/feeds/a/b.atom", "/loginx", "/login/admin", "/healthzz"]
)
def test_open_prefixes_do_not_serve_the_app_without_sign_in(attack, path):
    response = attack["app"].server.test_client().get(path)
    body = response.get_data(as_text=True)
    assert response.status_code in (302, 404), (path, response.status_code)
    assert "_dash-config" not in body and "_dash-renderer" not in body
