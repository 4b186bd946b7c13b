"""Releases on the Admin page and an LA's release per period on My authority, through the
Flask test client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.factory import create_app
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Product
from tests.conftest import fresh_database
from tests.integration.conftest import make_config
from tests.integration.test_supplier_access import login, seed_loop


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = fresh_database("sqlite", tmp_path_factory.mktemp("rel"), "rel")
    seed_loop(url)
    with session_scope(make_sessionmaker(make_engine(url))) as s:
        carefirst = s.scalar(select(Product.id).where(Product.name == "CareFirst"))
    application = create_app(make_config(url))
    application.carefirst = carefirst
    return application


def _record(c, product, name, when):
    return c.callback(
        "..admin-releases-msg.children...admin-releases-changed.data..",
        [{"id": "admin-releases-save", "property": "n_clicks", "value": 1}],
        [
            {"id": "admin-releases-product", "property": "value", "value": str(product)},
            {"id": "admin-releases-name", "property": "value", "value": name},
            {"id": "admin-releases-date", "property": "value", "value": when},
            {"id": "admin-releases-changed", "property": "data", "value": 0},
        ],
    ).get_data(as_text=True)


def _run(c, period, name):
    return c.callback(
        "..my-authority-release-msg.children...my-authority-release-changed.data..",
        [{"id": "my-authority-release-save", "property": "n_clicks", "value": 1}],
        [
            {"id": "my-authority-release-period", "property": "value", "value": period},
            {"id": "my-authority-release-name", "property": "value", "value": name},
            {"id": "my-authority-release-changed", "property": "data", "value": 0},
        ],
    ).get_data(as_text=True)


def test_admin_records_release_and_la_runs_it(app):
    admin = login(app, "admin")
    assert "recorded (15 February 2010)" in _record(admin, app.carefirst, "11.2", "2010-02-15")
    assert "already has a release" in _record(admin, app.carefirst, "11.2", "2010-03-01")
    listed = admin.callback(
        "..admin-releases-list.children...admin-releases-product.options..",
        [{"id": "admin-releases-changed", "property": "data", "value": 1}],
    ).get_data(as_text=True)
    assert "11.2" in listed and "CareFirst" in listed
    for who in ("la", "nlar", "coord"):
        assert "Not allowed" in _record(login(app, who), app.carefirst, "12.0", "2010-05-01")
    la = login(app, "la")  # Testbury uses CareFirst
    assert "Known releases: 11.2" in _run(la, "2010-Q1", "99.9")
    assert "not a period" in _run(la, "spring", "11.2")
    assert "Saved: 2010-Q1 ran 11.2" in _run(la, "2010-Q1", "11.2")
    shown = la.callback(
        "..my-authority-release-list.children...my-authority-release-known.children..",
        [{"id": "my-authority-release-changed", "property": "data", "value": 1}],
    ).get_data(as_text=True)
    assert "2010-Q1" in shown and "Known releases: CareFirst 11.2" in shown
    coord = login(app, "coord")
    assert "Only an authority's own users" in _run(coord, "2010-Q1", "11.2")
