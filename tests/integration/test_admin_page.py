"""The Admin page through Dash's callback endpoint: every action works for an admin and is
refused, changing nothing, for anyone else even when the request is crafted by hand."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from sqlalchemy import func, select

from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import (
    AuditEvent,
    Authority,
    Product,
    ProductUse,
    StatisticalNeighbour,
    Supplier,
    User,
)
from data.store.versioning import current_data_version
from tests.integration.conftest import PASSWORD, DashClient
from tests.integration.test_upload_page import Page, text_of

REFUSED = "Not allowed: Only an administrator can do this."


@pytest.fixture(scope="module")
def db(small_db):
    engine = make_engine(small_db)
    yield make_sessionmaker(engine)
    engine.dispose()


def snapshot(db) -> dict:
    models = (User, Authority, Supplier, Product, ProductUse, StatisticalNeighbour)
    with session_scope(db) as s:
        counts = {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in models}
        counts["users"] = s.execute(
            select(User.username, User.role, User.active, User.password_hash).order_by(User.id)
        ).all()
        counts["authorities"] = s.execute(
            select(Authority.code, Authority.name, Authority.pseudonym, Authority.consent_named)
        ).all()
        counts["changes"] = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "sign_in")
        )
    return counts


def user_id(db, username: str) -> int:
    with session_scope(db) as s:
        return s.scalar(select(User.id).where(User.username == username))


def csv_upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


# (trigger, message output, values) for every action callback on the page
ACTIONS = [
    (
        "admin-user-add.n_clicks",
        "admin-user-add-msg.children",
        {
            "admin-new-username.value": "mallory",
            "admin-new-role.value": "admin",
            "admin-new-password.value": "a-long-password",
        },
    ),
    (
        "admin-user-save.n_clicks",
        "admin-user-edit-msg.children",
        {
            "admin-users.selectedRows": [{"id": 1}],
            "admin-edit-role.value": "admin",
            "admin-edit-active.value": True,
        },
    ),
    (
        "admin-user-password.n_clicks",
        "admin-user-edit-msg.children",
        {"admin-users.selectedRows": [{"id": 5}], "admin-edit-password.value": "new-password-1"},
    ),
    (
        "admin-la-add.n_clicks",
        "admin-la-msg.children",
        {
            "admin-la-code.value": "E06000999",
            "admin-la-name.value": "Newtown",
            "admin-la-region.value": "London",
            "admin-la-type.value": "unitary",
            "admin-la-size.value": "small",
        },
    ),
    (
        "admin-la-save.n_clicks",
        "admin-la-msg.children",
        {
            "admin-authorities.selectedRows": [{"id": 1}],
            "admin-la-code.value": "E09000901",
            "admin-la-name.value": "Renamed",
            "admin-la-region.value": "London",
            "admin-la-type.value": "london_borough",
            "admin-la-size.value": "small",
            "admin-la-consent.value": True,
        },
    ),
    (
        "admin-la-pseudonym.n_clicks",
        "admin-la-msg.children",
        {"admin-authorities.selectedRows": [{"id": 1}]},
    ),
    (
        "admin-supplier-add.n_clicks",
        "admin-products-msg.children",
        {"admin-supplier-name.value": "X"},
    ),
    (
        "admin-product-add.n_clicks",
        "admin-products-msg.children",
        {"admin-product-supplier.value": "1", "admin-product-name.value": "Y"},
    ),
    (
        "admin-use-add.n_clicks",
        "admin-use-msg.children",
        {
            "admin-use-authority.value": "1",
            "admin-use-product.value": "2",
            "admin-use-start.value": "2011-01-01",
        },
    ),
    (
        "admin-use-delete.n_clicks",
        "admin-use-msg.children",
        {"admin-use.selectedRows": [{"id": 1}]},
    ),
    (
        "admin-neighbours-file.contents",
        "admin-neighbours-msg.children",
        {"admin-neighbours-file.contents": csv_upload("authority_code,neighbour_code,rank\n")},
    ),
]
READS = [
    ("admin-load.data", "admin-users", "admin-users.rowData"),
    ("admin-load.data", "admin-authorities", "admin-authorities.rowData"),
    ("admin-load.data", "admin-products", "admin-products.rowData"),
    ("admin-load.data", "admin-neighbours", "admin-neighbours.rowData"),
    ("admin-use-filter.value", "admin-use", "admin-use.rowData"),
    ("admin-audit-user.value", "admin-audit", "admin-audit.rowData"),
    ("admin-load.data", "admin-new-authority", "admin-new-authority.options"),
]


@pytest.mark.parametrize("username", ["la", "nlar", "coord"])
def test_non_admins_are_refused_every_action_even_when_crafted(signed_in, db, username):
    page = Page(signed_in(username))
    before = snapshot(db)
    for trigger, output, values in ACTIONS:
        out = page.call(trigger, {trigger: 1, **values})
        assert text_of(out[output]) == REFUSED, trigger
    for trigger, output, prop in READS:
        out = page.call(trigger, {trigger: ""}, output=output)
        assert out[prop] == [], prop
    assert snapshot(db) == before


def test_admin_manages_users(signed_in, db, app):
    page = Page(signed_in("admin"))
    out = page.call(
        "admin-user-add.n_clicks",
        {
            "admin-user-add.n_clicks": 1,
            "admin-new-username.value": "newla",
            "admin-new-name.value": "New LA user",
            "admin-new-role.value": "la_user",
            "admin-new-authority.value": "2",
            "admin-new-supplier.value": "",
            "admin-new-password.value": "first-password",
        },
    )
    assert text_of(out["admin-user-add-msg.children"]) == "Added newla (la_user)."
    assert DashClient(app.server.test_client()).login("newla", "first-password").status_code == 302
    rows = page.call("admin-load.data", {"admin-load.data": {}}, output="admin-users")
    assert "newla" in [r["username"] for r in rows["admin-users.rowData"]]

    short = page.call(
        "admin-user-add.n_clicks",
        {
            "admin-user-add.n_clicks": 2,
            "admin-new-username.value": "x2",
            "admin-new-password.value": "short",
        },
    )
    assert (
        text_of(short["admin-user-add-msg.children"]) == "A password needs at least 8 characters."
    )
    dup = page.call(
        "admin-user-add.n_clicks",
        {
            "admin-user-add.n_clicks": 3,
            "admin-new-username.value": "NEWLA",
            "admin-new-role.value": "coordinator",
            "admin-new-password.value": "first-password",
        },
    )
    assert text_of(dup["admin-user-add-msg.children"]) == "user 'NEWLA' already exists"

    newla = user_id(db, "newla")
    picked = page.call(
        "admin-users.selectedRows",
        {"admin-users.selectedRows": [{"id": newla, "username": "newla", "role": "la_user",
                                       "authority_id": 2.0, "supplier_id": "", "active": True}]},
    )  # fmt: skip
    assert picked["admin-edit-authority.value"] == "2"
    password = page.call(
        "admin-user-password.n_clicks",
        {
            "admin-user-password.n_clicks": 1,
            "admin-users.selectedRows": [{"id": newla}],
            "admin-edit-password.value": "second-password",
        },
    )
    assert "The new password is set" in text_of(password["admin-user-edit-msg.children"])
    assert DashClient(app.server.test_client()).login("newla", "first-password").status_code == 401
    assert DashClient(app.server.test_client()).login("newla", "second-password").status_code == 302

    disabled = page.call(
        "admin-user-save.n_clicks",
        {
            "admin-user-save.n_clicks": 1,
            "admin-users.selectedRows": [{"id": newla}],
            "admin-edit-role.value": "nlar_rep",
            "admin-edit-authority.value": "2",
            "admin-edit-supplier.value": "1",
            "admin-edit-active.value": False,
        },
    )
    assert text_of(disabled["admin-user-edit-msg.children"]) == (
        "Saved newla: nlar_rep, account disabled."
    )
    assert DashClient(app.server.test_client()).login("newla", "second-password").status_code == 401

    itself = page.call(
        "admin-user-save.n_clicks",
        {
            "admin-user-save.n_clicks": 2,
            "admin-users.selectedRows": [{"id": user_id(db, "admin")}],
            "admin-edit-role.value": "la_user",
            "admin-edit-authority.value": "1",
            "admin-edit-active.value": True,
        },
    )
    assert text_of(itself["admin-user-edit-msg.children"]) == (
        "You cannot remove your own administrator rights or disable yourself."
    )


def version(db) -> int:
    with session_scope(db) as s:
        return current_data_version(s)


def test_admin_manages_authorities(signed_in, db):
    page = Page(signed_in("admin"))
    versions = [version(db)]
    base = {
        "admin-la-code.value": "e06000950",
        "admin-la-name.value": "  New   Town ",
        "admin-la-region.value": "South East",
        "admin-la-type.value": "unitary",
        "admin-la-size.value": "small",
        "admin-la-consent.value": False,
    }
    added = page.call("admin-la-add.n_clicks", {"admin-la-add.n_clicks": 1, **base})
    assert text_of(added["admin-la-msg.children"]).startswith(
        "Added New Town (E06000950), shown to others as LA-"
    )
    versions.append(version(db))
    with session_scope(db) as s:
        town = s.scalar(select(Authority).where(Authority.code == "E06000950"))
    bad = page.call(
        "admin-la-add.n_clicks",
        {"admin-la-add.n_clicks": 2, **base, "admin-la-code.value": "Newtown"},
    )
    assert text_of(bad["admin-la-msg.children"]) == (
        "The code must be a GSS code: a letter and eight digits, e.g. E09000019."
    )
    versions.append(version(db))
    saved = page.call(
        "admin-la-save.n_clicks",
        {
            "admin-la-save.n_clicks": 1,
            "admin-authorities.selectedRows": [{"id": town.id}],
            **base,
            "admin-la-consent.value": True,
        },
    )
    assert text_of(saved["admin-la-msg.children"]) == (
        "Saved New Town (E06000950), shown to others as New Town."
    )
    versions.append(version(db))
    fresh = page.call(
        "admin-la-pseudonym.n_clicks",
        {"admin-la-pseudonym.n_clicks": 1, "admin-authorities.selectedRows": [{"id": town.id}]},
    )
    with session_scope(db) as s:
        after = s.get(Authority, town.id)
        assert after.consent_named is True and after.pseudonym != town.pseudonym
    assert text_of(fresh["admin-la-msg.children"]) == f"The new pseudonym is {after.pseudonym}."
    versions.append(version(db))
    # every change to what authorities are called or where they are moves the data version,
    # so no memo or cached chart or list shows the old region, name or pseudonym; a refused
    # change does not
    a, b, c, d, e = versions
    assert a < b == c < d < e


def test_admin_manages_suppliers_products_and_product_use(signed_in, db):
    page = Page(signed_in("admin"))
    out = page.call(
        "admin-supplier-add.n_clicks",
        {"admin-supplier-add.n_clicks": 1, "admin-supplier-name.value": "Mosaic Ltd"},
    )
    assert text_of(out["admin-products-msg.children"]) == "Added the supplier Mosaic Ltd."
    with session_scope(db) as s:
        supplier = s.scalar(select(Supplier.id).where(Supplier.name == "Mosaic Ltd"))
    out = page.call(
        "admin-product-add.n_clicks",
        {
            "admin-product-add.n_clicks": 1,
            "admin-product-supplier.value": str(supplier),
            "admin-product-name.value": "Mosaic",
        },
    )
    assert text_of(out["admin-products-msg.children"]) == "Added the product Mosaic."
    with session_scope(db) as s:
        product = s.scalar(select(Product.id).where(Product.name == "Mosaic"))
    change = {
        "admin-use-add.n_clicks": 1,
        "admin-use-authority.value": "3",
        "admin-use-product.value": str(product),
        "admin-use-start.value": "2011-04-01",
    }
    out = page.call("admin-use-add.n_clicks", change)
    assert text_of(out["admin-use-msg.children"]) == (
        "Recorded: Marlowshire uses Mosaic from 2011-04-01."
    )
    with session_scope(db) as s:
        uses = s.execute(
            select(ProductUse.id, ProductUse.product_id, ProductUse.start_date, ProductUse.end_date)
            .where(ProductUse.authority_id == 3)
            .order_by(ProductUse.start_date)
        ).all()
    assert [(u[2], u[3]) for u in uses][-2:] == [
        (date(2005, 1, 1), date(2011, 3, 31)),
        (date(2011, 4, 1), None),
    ]
    earlier = page.call("admin-use-add.n_clicks", {**change, "admin-use-start.value": "2011-02-01"})
    assert "a change must start after that" in text_of(earlier["admin-use-msg.children"])
    listed = page.call("admin-use-filter.value", {"admin-use-filter.value": "3"})
    assert [r["product"] for r in listed["admin-use.rowData"]] == ["PROTOCOL ICS", "Mosaic"]
    every_use = page.call("admin-use-filter.value", {"admin-use-filter.value": "all"})
    assert len(every_use["admin-use.rowData"]) > 2
    for forged in ("999999", "none", ["3"]):  # unknown or forged: every authority's records
        shown = page.call("admin-use-filter.value", {"admin-use-filter.value": forged})
        assert shown["admin-use.rowData"] == every_use["admin-use.rowData"], forged
    out = page.call(
        "admin-use-delete.n_clicks",
        {"admin-use-delete.n_clicks": 1, "admin-use.selectedRows": [{"id": uses[-1][0]}]},
    )
    assert text_of(out["admin-use-msg.children"]) == "The record was deleted."


def test_admin_loads_statistical_neighbours(signed_in, db):
    page = Page(signed_in("admin"))
    bad = page.call(
        "admin-neighbours-file.contents",
        {
            "admin-neighbours-file.contents": csv_upload(
                "authority_code,neighbour_code,rank\n"
                "E09000901,E06000901,1\n"
                "E09000901,E09000901,2\n"
                "E09000901,E99999999,x\n"
            )
        },
    )
    assert text_of(bad["admin-neighbours-msg.children"]) == (
        "Nothing was loaded. Problems found: "
        "Neighbours, row 3, column neighbour_code: an authority cannot be its own neighbour "
        "Neighbours, row 4, column neighbour_code: E99999999 is not a known authority "
        "Neighbours, row 4, column rank: 'x' is not a whole number from 1"
    )
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(StatisticalNeighbour)) == 0
    before = version(db)
    good = page.call(
        "admin-neighbours-file.contents",
        {
            "admin-neighbours-file.contents": csv_upload(
                "Authority_Code,Neighbour_Code,Rank\r\n"
                "E09000901,E06000901,1\r\n"
                "E09000901,E10000901,2\r\n"
                "E06000901,E09000901,1\r\n"
            )
        },
    )
    assert text_of(good["admin-neighbours-msg.children"]) == "Loaded 3 neighbour rows."
    assert version(db) > before  # My authority's cached comparisons use the neighbours
    counts = page.call("admin-load.data", {"admin-load.data": {}}, output="admin-neighbours")
    assert [(r["code"], r["neighbours"]) for r in counts["admin-neighbours.rowData"]] == [
        ("E06000901", 1),
        ("E09000901", 2),
    ]


def test_admin_reads_the_audit_log_with_filters(signed_in, db):
    page = Page(signed_in("admin"))
    page.call(
        "admin-supplier-add.n_clicks",
        {"admin-supplier-add.n_clicks": 1, "admin-supplier-name.value": "Audit Co"},
    )
    admin = str(user_id(db, "admin"))
    values = {
        "admin-audit-user.value": admin,
        "admin-audit-action.value": "supplier_added",
        "admin-audit-from.value": "",
        "admin-audit-to.value": "",
    }
    rows = page.call("admin-audit-user.value", values)["admin-audit.rowData"]
    assert rows and {(r["user"], r["action"]) for r in rows} == {("admin", "supplier_added")}
    assert rows[0]["target"] == "Audit Co"
    today = date.today().isoformat()
    dated = page.call(
        "admin-audit-user.value",
        {**values, "admin-audit-from.value": today, "admin-audit-to.value": today},
    )
    assert dated["admin-audit.rowData"] == rows
    before = page.call("admin-audit-user.value", {**values, "admin-audit-to.value": "2001-01-01"})
    assert before["admin-audit.rowData"] == []
    signins = page.call(
        "admin-audit-user.value", {**values, "admin-audit-action.value": "sign_in"}
    )["admin-audit.rowData"]
    assert signins and all(r["action"] == "sign_in" for r in signins)
    # an unknown or forged user or action means every one, never an emptier log
    everyone = {**values, "admin-audit-user.value": "all", "admin-audit-action.value": "all"}
    every_row = page.call("admin-audit-user.value", everyone)["admin-audit.rowData"]
    assert len(every_row) > len(rows)
    for key, forged in (
        ("admin-audit-user.value", "999999"),
        ("admin-audit-user.value", ["1", "2"]),
        ("admin-audit-action.value", "no_such_action"),
    ):  # (an object is no control's value: refused before the callback, test_fuzz_callbacks)
        shown = page.call("admin-audit-user.value", {**everyone, key: forged})
        assert shown["admin-audit.rowData"] == every_row, forged
    wrong = page.call("admin-audit-user.value", {**values, "admin-audit-from.value": "yesterday"})
    assert text_of(wrong["admin-audit-msg.children"]) == "Write the date like 2010-03-31."


def test_admin_sees_every_authority_on_the_upload_page(signed_in):
    page = Page(signed_in("admin"))
    out = page.call("upload-load.data", {"upload-load.data": {}}, output="upload-limit")
    assert len(out["upload-history-authority.options"]) >= 3
    rows = page.call("upload-history-authority.value", {"upload-history-authority.value": "3"})[
        "upload-history.rowData"
    ]
    assert [r["period"] for r in rows] == ["2010-Q1"]


def test_password_is_never_sent_back(signed_in):
    page = Page(signed_in("admin"))
    rows = page.call("admin-load.data", {"admin-load.data": {}}, output="admin-users")
    assert all("password" not in key for row in rows["admin-users.rowData"] for key in row)
    assert PASSWORD not in str(rows)
