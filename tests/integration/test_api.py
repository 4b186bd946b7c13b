"""The supplier API: contract tests against its own OpenAPI document (every response body is
validated with jsonschema against the schema the document declares for that status), scope,
answers through POST, and bad input getting the right 4xx problem document."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from dashboard.factory import create_app
from data.privacy.access import Viewer
from data.requirements import tokens
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import AuditEvent, Requirement, User
from tests.conftest import fresh_database
from tests.integration.conftest import callback_key, make_config
from tests.integration.test_supplier_access import STATEMENT, seed_loop


def _token(url: str, username: str) -> str:
    with session_scope(make_sessionmaker(make_engine(url))) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        user = s.scalar(select(User).where(User.username == username))
        token, _ = tokens.create_token(s, Viewer(admin.id, "admin"), user.id, "test")
        return token


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("api"), "api")
    ids = seed_loop(url)
    app = create_app(make_config(url))
    client = app.server.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    return {
        "url": url,
        "ids": ids,
        "app": app,
        "client": client,
        "doc": doc,
        "olm": _token(url, "sup"),
        "civica": _token(url, "sup-civica"),
    }


def check(api, response, path: str, method: str = "get"):
    """Validate a response against the OpenAPI document; returns its JSON."""
    op = api["doc"]["paths"][path][method]
    declared = op["responses"].get(str(response.status_code))
    assert declared is not None, f"{method} {path}: {response.status_code} is not documented"
    media = next(iter(declared["content"]))
    assert response.mimetype == media
    schema = {**declared["content"][media]["schema"], "components": api["doc"]["components"]}
    body = response.get_json()
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)
    return body


def get(api, url: str, who: str = "olm"):
    return api["client"].get(url, headers={"Authorization": f"Bearer {api[who]}"})


def post(api, rid: int, body, who: str = "olm", **kwargs):
    return api["client"].post(
        f"/api/v1/requirements/{rid}/answers",
        headers={"Authorization": f"Bearer {api[who]}"},
        json=body,
        **kwargs,
    )


def test_openapi_document_is_served_and_valid(api):
    from jsonschema.validators import validator_for

    doc = api["doc"]
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) >= {"/specifications", "/specifications/{spec_id}", "/requirements"}
    for schema in doc["components"]["schemas"].values():
        validator_for(schema).check_schema(schema)


def test_specifications_contract(api):
    body = check(api, get(api, "/api/v1/specifications"), "/specifications")
    assert [s["id"] for s in body["specifications"]] == [api["ids"]["spec"]]
    assert body["data_version"] >= 1
    spec_id = api["ids"]["spec"]
    detail = check(api, get(api, f"/api/v1/specifications/{spec_id}"), "/specifications/{spec_id}")
    req = detail["requirements"][0]
    assert req["id"] == api["ids"]["requirement"] and req["statement"] == STATEMENT
    assert req["ref"] == f"R-{req['id']}"
    text = str(detail)
    for name in ("Testbury", "Fenwick", "Marlowshire"):
        assert name not in text
    other = check(api, get(api, "/api/v1/specifications", "civica"), "/specifications")
    assert other["specifications"] == []


def test_requirements_filter_contract(api):
    body = check(api, get(api, "/api/v1/requirements"), "/requirements")
    assert [r["id"] for r in body["requirements"]] == [api["ids"]["requirement"]]
    assert body["requirements"][0]["specifications"] == [api["ids"]["spec"]]
    none = check(api, get(api, "/api/v1/requirements?status=declined"), "/requirements")
    assert none["requirements"] == []


def test_post_answer_contract_and_audit(api):
    rid = api["ids"]["requirement"]
    path = "/requirements/{requirement_id}/answers"
    body = check(
        api,
        post(api, rid, {"status": "planned", "release": "12.0", "expected_on": "2011-04-01"}),
        path,
        "post",
    )
    assert body["answer"]["status"] == "planned" and body["answer"]["release"] == "12.0"
    listed = check(api, get(api, "/api/v1/requirements?status=planned"), "/requirements")
    assert listed["requirements"][0]["answer"]["expected_on"] == "2011-04-01"
    with session_scope(make_sessionmaker(make_engine(api["url"]))) as s:
        assert s.get(Requirement, rid).status == "planned"
        calls = s.scalars(select(AuditEvent.target).where(AuditEvent.action == "api_call")).all()
        assert any(c.startswith("POST /api/v1/requirements/") for c in calls)
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "supplier_answer"))


@pytest.mark.parametrize(
    ("url", "who", "status", "path"),
    [
        ("/api/v1/specifications/999999", "olm", 404, "/specifications/{spec_id}"),
        ("/api/v1/specifications/{spec}", "civica", 404, "/specifications/{spec_id}"),
        ("/api/v1/requirements?status=shipped", "olm", 400, "/requirements"),
        ("/api/v1/requirements?colour=red", "olm", 400, "/requirements"),
    ],
)
def test_bad_reads_get_problem_documents(api, url, who, status, path):
    response = get(api, url.format(spec=api["ids"]["spec"]), who)
    assert response.status_code == status
    body = check(api, response, path)
    assert body["status"] == status and body["detail"]


@pytest.mark.parametrize(
    ("body", "kwargs", "status"),
    [
        ({"status": "maybe"}, {}, 422),
        ({"status": "declined"}, {}, 422),  # needs a reason
        ({"status": "delivered", "release": "nope"}, {}, 422),  # unknown release
        ({"status": "acknowledged", "colour": "red"}, {}, 422),
        ({"status": 5}, {}, 422),
        ({"status": "acknowledged", "text": "x" * 20000}, {}, 413),
    ],
)
def test_bad_answers_get_problem_documents(api, body, kwargs, status):
    response = post(api, api["ids"]["requirement"], body, **kwargs)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    check(api, response, "/requirements/{requirement_id}/answers", "post")


def test_not_json_and_broken_json(api):
    client, headers = api["client"], {"Authorization": f"Bearer {api['olm']}"}
    url = f"/api/v1/requirements/{api['ids']['requirement']}/answers"
    r = client.post(url, headers=headers, data="status=acknowledged")
    assert r.status_code == 415 and r.mimetype == "application/problem+json"
    r = client.post(url, headers=headers, data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["status"] == 400


def test_other_suppliers_requirement_is_not_found(api):
    response = post(api, api["ids"]["requirement"], {"status": "acknowledged"}, who="civica")
    assert response.status_code == 404
    check(api, response, "/requirements/{requirement_id}/answers", "post")
    assert post(api, 999999, {"status": "acknowledged"}).status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer icsd_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500],
)
def test_bad_tokens_get_401(api, header):
    headers = {"Authorization": header} if header else {}
    response = api["client"].get("/api/v1/specifications", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    check(api, response, "/specifications")


def test_revoked_token_and_non_supplier_token(api):
    with session_scope(make_sessionmaker(make_engine(api["url"]))) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        rep = s.scalar(select(User).where(User.username == "nlar"))
        sup = s.scalar(select(User).where(User.username == "sup"))
        with pytest.raises(Exception, match="supplier accounts only"):
            tokens.create_token(s, Viewer(admin.id, "admin"), rep.id)
        with pytest.raises(Exception, match="administrator"):
            tokens.create_token(s, Viewer(sup.id, "supplier", None, sup.supplier_id), sup.id)
        token, row = tokens.create_token(s, Viewer(admin.id, "admin"), sup.id)
        row_id = row.id
    headers = {"Authorization": f"Bearer {token}"}
    assert api["client"].get("/api/v1/specifications", headers=headers).status_code == 200
    with session_scope(make_sessionmaker(make_engine(api["url"]))) as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        tokens.revoke_token(s, Viewer(admin.id, "admin"), row_id)
    assert api["client"].get("/api/v1/specifications", headers=headers).status_code == 401


def test_unknown_endpoint_and_method(api):
    r = get(api, "/api/v1/nothing-here")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    r = api["client"].delete(
        "/api/v1/specifications", headers={"Authorization": f"Bearer {api['olm']}"}
    )
    assert r.status_code == 405 and r.get_json()["status"] == 405


def test_session_cookie_is_not_enough(api):
    """A signed-in browser session without a token gets nothing from the API."""
    from tests.integration.test_supplier_access import login

    c = login(api["app"], "sup")
    assert c.http.get("/api/v1/specifications").status_code == 401


def test_rate_limited_per_token(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("apirl"), "apirl")
    seed_loop(url)
    app = create_app(make_config(url, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute"))
    token = _token(url, "sup")
    client = app.server.test_client()
    codes = [
        client.get("/api/v1/specifications", headers={"Authorization": f"Bearer {token}"})
        for _ in range(4)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert codes[-1].mimetype == "application/problem+json"
    assert codes[-1].get_json()["status"] == 429


def test_admin_page_creates_and_revokes_tokens(api):
    from tests.integration.test_supplier_access import login

    admin = login(api["app"], "admin")
    with session_scope(make_sessionmaker(make_engine(api["url"]))) as s:
        sup = s.scalar(select(User.id).where(User.username == "sup"))
    made = admin.callback(
        callback_key(api["app"], "admin-tokens-msg.children"),
        [{"id": "admin-tokens-create", "property": "n_clicks", "value": 1}],
        [
            {"id": "admin-tokens-user", "property": "value", "value": str(sup)},
            {"id": "admin-tokens-label", "property": "value", "value": "CI"},
            {"id": "admin-tokens-changed", "property": "data", "value": 0},
        ],
    ).get_data(as_text=True)
    import re

    token = re.search(r"icsd_[A-Za-z0-9_-]+", made).group(0)
    headers = {"Authorization": f"Bearer {token}"}
    assert api["client"].get("/api/v1/specifications", headers=headers).status_code == 200
    with session_scope(make_sessionmaker(make_engine(api["url"]))) as s:
        from data.store.models import ApiToken

        row = s.scalar(select(ApiToken).where(ApiToken.label == "CI"))
        assert token not in (row.token_hash, row.prefix)  # only a hash is kept
        row_id = row.id
    la = login(api["app"], "la")
    refused = la.callback(
        callback_key(api["app"], "admin-tokens-revoke-msg.children"),
        [{"id": "admin-tokens-revoke", "property": "n_clicks", "value": 1}],
        [
            {"id": "admin-tokens-revoke-id", "property": "value", "value": str(row_id)},
            {"id": "admin-tokens-changed", "property": "data", "value": 0},
        ],
    ).get_data(as_text=True)
    assert "Not allowed" in refused
    listed = la.callback(
        "..admin-tokens-list.children...admin-tokens-user.options...admin-tokens-revoke-id.options..",
        [{"id": "admin-tokens-changed", "property": "data", "value": 0}],
    )
    shown = listed.get_json()["response"]  # the refusal where the list would be, no choices
    assert "Not allowed" in str(shown["admin-tokens-list"]["children"])
    assert shown["admin-tokens-user"]["options"] == shown["admin-tokens-revoke-id"]["options"] == []
    done = admin.callback(
        callback_key(api["app"], "admin-tokens-revoke-msg.children"),
        [{"id": "admin-tokens-revoke", "property": "n_clicks", "value": 1}],
        [
            {"id": "admin-tokens-revoke-id", "property": "value", "value": str(row_id)},
            {"id": "admin-tokens-changed", "property": "data", "value": 0},
        ],
    ).get_data(as_text=True)
    assert "revoked" in done
    assert api["client"].get("/api/v1/specifications", headers=headers).status_code == 401
