"""An app on a small database (three LAs, a few submissions) and signed-in clients."""

from __future__ import annotations

import json
import re

import pytest

from dashboard import cli
from dashboard.config import Config
from dashboard.factory import create_app
from dashboard.users import create_user
from data.ingest import import_files
from data.store.db import make_engine, make_sessionmaker, session_scope
from tests.conftest import fresh_database
from tests.factories import load_reference, submission_files

PASSWORD = "pass-1234"
USERS = {
    "la": ("la_user", "E09000901", None),
    "la2": ("la_user", "E10000901", None),
    "nlar": ("nlar_rep", "E09000901", "OLM"),
    "coord": ("coordinator", None, None),
    "admin": ("admin", None, None),
}


SMALL_SUBMISSIONS = [  # (authority, product, period, seed): Testbury twice, the others once
    ("E09000901", "CareFirst", "2009-Q4", 1),
    ("E09000901", "CareFirst", "2010-Q1", 2),
    ("E06000901", "frameworki", "2010-Q1", 3),
    ("E10000901", "PROTOCOL ICS", "2010-Q1", 4),
]


def import_small_submissions(sessions) -> None:
    """Upload SMALL_SUBMISSIONS (12 respondents each) into a database holding the
    reference data of tests.factories, one transaction per upload."""
    for code, product, period, seed in SMALL_SUBMISSIONS:
        with session_scope(sessions) as s:
            import_files(
                s,
                submission_files(code, product, period, seed=seed, respondents=12),
                allowed_authorities=None,
                uploaded_by_id=None,
            )


def seed_small(url: str) -> None:
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        load_reference(s)
        for username, (role, code, supplier) in USERS.items():
            create_user(s, username, PASSWORD, role, authority_code=code, supplier_name=supplier)
    import_small_submissions(sessions)


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """Sessions on a database the CLI made (`icsdash init-db`) and the CLI is pointed at,
    holding the reference data of tests.factories."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setattr(cli.Config, "DATABASE_URL", url)
    assert cli.main(["init-db"]) == 0
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        load_reference(s)
    return sessions


def make_config(url: str, **extra) -> type[Config]:
    attrs = {
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "DEMO": False,
        "RATELIMIT_ENABLED": False,
        **extra,
    }
    return type("TestConfig", (Config,), attrs)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> str:
    url = fresh_database("sqlite", tmp_path_factory.mktemp("small"), "small")
    seed_small(url)
    return url


@pytest.fixture(scope="module")
def app(small_db):
    return create_app(make_config(small_db))


class DashClient:
    """A Flask test client that signs in and calls Dash callbacks like the browser does."""

    def __init__(self, flask_client):
        self.http = flask_client

    def csrf(self) -> str:
        cookie = self.http.get_cookie("_csrf_token")
        if cookie is None:
            self.http.get("/login")
            cookie = self.http.get_cookie("_csrf_token")
        return cookie.value

    def login(self, username: str, password: str = PASSWORD):
        page = self.http.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.http.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def post(self, body: dict):
        """POST a callback request body to /_dash-update-component with the CSRF header."""
        return self.http.post(
            "/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRFToken": self.csrf()},
        )

    def callback(
        self,
        output: str,
        inputs: list[dict],
        state: list[dict] | None = None,
        outputs: list[dict] | None = None,
        changed: list[str] | None = None,
    ):
        """Call one callback as dash-renderer does. `output` is Dash's output id string
        (see :func:`output_id`); `changed` the triggering "id.property"s (default: every input)."""
        body = {
            "output": output,
            "outputs": outputs or _outputs(output),
            "inputs": inputs,
            "state": state or [],
            "changedPropIds": (
                changed if changed is not None else [f"{i['id']}.{i['property']}" for i in inputs]
            ),
        }
        return self.post(body)


def callback_key(app, first_output: str) -> str:
    """The app's callback id whose first output is `first_output` ("id.property"): dict
    outputs and allow_duplicate outputs make ids like "..a.b...c.d@hash.."."""
    found = [k for k in app.callback_map if k.lstrip(".").startswith(first_output)]
    assert len(found) == 1, (first_output, found)
    return found[0]


def output_id(outputs: list[str]) -> str:
    """Dash's output id string for "id.property" outputs: "a.b" or "..a.b...c.d.."."""
    return outputs[0] if len(outputs) == 1 else ".." + "...".join(outputs) + ".."


def _outputs(output: str):
    parts = output.strip(".").split("...")
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        outs.append({"id": ident, "property": prop})
    return outs if output.startswith("..") else outs[0]  # "..a.b..": dict outputs, even one


@pytest.fixture
def client(app):
    return DashClient(app.server.test_client())


@pytest.fixture
def signed_in(app):
    """signed_in('la') -> a DashClient logged in as that test user."""

    def make(username: str) -> DashClient:
        c = DashClient(app.server.test_client())
        response = c.login(username)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return c

    return make
