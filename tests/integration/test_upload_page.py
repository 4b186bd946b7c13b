"""The Upload page through Dash's callback endpoint, as the browser calls it, including
crafted requests that try to reach another authority's data."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dashboard.factory import create_app
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import ProductUse, Submission
from tests.factories import submission_files
from tests.integration.conftest import DashClient, make_config


class Page:
    """Call a page's callbacks by trigger, the way dash-renderer does."""

    def __init__(self, client: DashClient):
        self.client = client
        self.deps = client.http.get("/_dash-dependencies").get_json()

    def dep(self, trigger: str, output: str = "") -> dict:
        found = [
            d
            for d in self.deps
            if any(f"{i['id']}.{i['property']}" == trigger for i in d["inputs"])
            and output in d["output"]
            and d.get("clientside_function") is None  # runs in the browser, not here
        ]
        assert len(found) == 1, (trigger, output, [d["output"] for d in found])
        return found[0]

    def call(self, trigger: str, values: dict, output: str = "", raw: bool = False):
        dep = self.dep(trigger, output)

        def listed(items):
            return [
                {
                    "id": i["id"],
                    "property": i["property"],
                    "value": values.get(f"{i['id']}.{i['property']}"),
                }
                for i in items
            ]

        response = self.client.callback(
            dep["output"], listed(dep["inputs"]), listed(dep["state"]), changed=[trigger]
        )
        if raw:
            return response
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        flat = {}
        for ident, props in response.get_json()["response"].items():
            for prop, value in props.items():
                flat[f"{ident}.{prop}"] = value
        return flat


def data_url(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def upload_values(files) -> dict:
    return {
        "upload-files.contents": [data_url(c) for _, c in files],
        "upload-files.filename": [n for n, _ in files],
    }


def text_of(component) -> str:
    """All text inside a serialised Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return " ".join(text_of(c) for c in component)
    return text_of(component.get("props", {}).get("children"))


NOT_YOURS = "Not allowed: You can only see and change your own authority's submissions."
EXPIRED = "This upload has expired or was not found; please upload the file again."


@pytest.fixture(scope="module")
def app(small_db, tmp_path_factory):
    """The small app, with checked uploads kept in a folder of this module's own."""
    pending = tmp_path_factory.mktemp("pending")
    return create_app(make_config(small_db, UPLOAD_DIR=str(pending)))


@pytest.fixture(scope="module")
def db(small_db):
    engine = make_engine(small_db)
    yield make_sessionmaker(engine)
    engine.dispose()


def submissions(db) -> dict[int, str]:
    with session_scope(db) as s:
        return dict(s.execute(select(Submission.id, Submission.status)).all())


def submission_id(db, code: str, period: str, status: str = "current") -> int:
    with session_scope(db) as s:
        return s.scalar(
            select(Submission.id)
            .join(Submission.authority)
            .where(Submission.period == period, Submission.status == status)
            .where(Submission.authority.property.mapper.class_.code == code)
        )


def check(page: Page, files) -> dict:
    return page.call("upload-files.contents", upload_values(files))


def confirm(page: Page, token) -> dict:
    return page.call(
        "upload-confirm.n_clicks", {"upload-confirm.n_clicks": 1, "upload-token.data": token}
    )


def history_of(page: Page, authority) -> dict:
    return page.call(
        "upload-history-authority.value", {"upload-history-authority.value": authority}
    )


def test_check_shows_report_stores_nothing_then_confirm_stores(signed_in, db):
    page = Page(signed_in("la"))
    before = submissions(db)
    files = submission_files(period="2010-Q2", seed=21, comment="Email a.b@example.org")
    out = check(page, files)
    assert text_of(out["upload-outcome.children"]) == (
        "The file passed every check. Check what will be stored, then confirm."
    )
    summary = text_of(out["upload-summary.children"])
    assert "Authority Testbury Period 2010-Q2 Product CareFirst (supplier: OLM)" in summary
    assert "Respondents 12 Findings 2 Free-text cells with redactions 1" in summary
    assert "Supersedes nothing: this is the first submission for this period" in summary
    assert out["upload-redactions.rowData"] == [
        {
            "where": "Responses row 2, comment",
            "kinds": "email",
            "before": "Email a.b@example.org",
            "after": "Email [redacted: email]",
        }
    ]
    assert out["upload-actions.hidden"] is False and out["upload-confirm.disabled"] is False
    assert out["upload-problems-section.hidden"] is True
    assert submissions(db) == before  # nothing stored by checking
    token = out["upload-token.data"]
    assert isinstance(token, str) and len(token) == 43

    done = confirm(page, token)
    assert text_of(done["upload-result.children"]).startswith("Stored: Testbury 2010-Q2, uploaded")
    assert done["upload-token.data"] is None
    new = submission_id(db, "E09000901", "2010-Q2")
    assert set(submissions(db)) == set(before) | {new}

    rows = history_of(page, "1")["upload-history.rowData"]
    assert [(r["id"], r["period"], r["status"], r["uploader"]) for r in rows][0] == (
        new,
        "2010-Q2",
        "current",
        "la",
    )
    # the token is spent: confirming again stores nothing more
    again = confirm(page, token)
    assert text_of(again["upload-result.children"]) == EXPIRED
    assert set(submissions(db)) == set(before) | {new}


def test_problems_are_listed_and_downloadable(signed_in, db):
    page = Page(signed_in("la"))
    before = submissions(db)
    files = submission_files(period="2010-Q3", seed=22)
    bad = files[1][1].decode().replace("\nR002,social_worker", "\nR002,wizard", 1).encode()
    out = check(page, [files[0], ("responses.csv", bad), files[2]])
    assert text_of(out["upload-outcome.children"]) == (
        "We found 1 problem in 'about.csv', 'responses.csv', 'findings.csv'. Nothing has been "
        "stored. Fix them and upload the file again."
    )
    assert out["upload-problems.rowData"] == [
        {
            "sheet": "Responses",
            "row": 3,
            "column": "Role",
            "value": "wizard",
            "problem": "'wizard' is not a role — choose one of: Social worker, Senior "
            "practitioner, Team manager, Business support, Other",
        }
    ]
    assert out["upload-problems-section.hidden"] is False
    assert out["upload-actions.hidden"] is True and out["upload-confirm.disabled"] is True
    download = page.call(
        "upload-problems-download-button.n_clicks",
        {
            "upload-problems-download-button.n_clicks": 1,
            "upload-token.data": out["upload-token.data"],
        },
    )["upload-problems-download.data"]
    assert download["filename"] == "upload-problems.csv"
    assert download["content"].splitlines()[1].startswith("Responses,3,Role,wizard,")
    # a crafted confirm of the refused file stores nothing
    refused = confirm(page, out["upload-token.data"])
    assert "Nothing was stored" in text_of(refused["upload-result.children"])
    assert submissions(db) == before


def test_la_user_cannot_upload_for_another_authority(signed_in, db):
    page = Page(signed_in("la"))
    before = submissions(db)
    out = check(page, submission_files("E10000901", "PROTOCOL ICS", "2010-Q2", seed=23))
    assert [r["problem"] for r in out["upload-problems.rowData"]] == [
        "you can only upload results for your own authority, not E10000901"
    ]
    refused = confirm(page, out["upload-token.data"])
    assert "you can only upload results for your own authority, not E10000901" in text_of(
        refused["upload-result.children"]
    )
    assert submissions(db) == before


def test_confirm_only_uses_the_uploaders_own_checked_file(signed_in, db):
    la2 = Page(signed_in("la2"))
    token = check(la2, submission_files("E10000901", "PROTOCOL ICS", "2010-Q2", seed=24))[
        "upload-token.data"
    ]
    before = submissions(db)
    la = Page(signed_in("la"))
    for forged in (token, "A" * 43, "../../etc/passwd", {"files": "payload"}, None):
        out = confirm(la, forged)
        assert text_of(out["upload-result.children"]) == EXPIRED
    assert submissions(db) == before
    assert "Stored:" in text_of(confirm(la2, token)["upload-result.children"])


def test_la_user_cannot_read_or_change_another_authoritys_history(signed_in, db):
    page = Page(signed_in("la"))
    out = history_of(page, "3")  # Marlowshire, crafted
    assert out["upload-history.rowData"] == []
    assert text_of(out["upload-history-note.children"]) == NOT_YOURS
    others = submission_id(db, "E10000901", "2010-Q1")
    before = submissions(db)
    restore = page.call(
        "upload-restore.n_clicks",
        {"upload-restore.n_clicks": 1, "upload-history.selectedRows": [{"id": others}]},
    )
    assert text_of(restore["upload-history-message.children"]) == NOT_YOURS
    download = page.call(
        "upload-history-download-button.n_clicks",
        {
            "upload-history-download-button.n_clicks": 1,
            "upload-history.selectedRows": [{"id": others}],
        },
    )
    assert "upload-history-download.data" not in download
    assert text_of(download["upload-history-message.children"]) == NOT_YOURS
    assert submissions(db) == before
    options = page.call("upload-load.data", {"upload-load.data": {}}, output="upload-limit")
    assert options["upload-history-authority.options"] == [{"label": "Testbury", "value": "1"}]


def test_restore_and_download_own_versions(signed_in, db):
    page = Page(signed_in("la"))
    old = submission_id(db, "E09000901", "2009-Q4")
    newer = check(page, submission_files(period="2009-Q4", seed=25))
    confirm(page, newer["upload-token.data"])
    assert submissions(db)[old] == "superseded"
    out = page.call(
        "upload-restore.n_clicks",
        {"upload-restore.n_clicks": 1, "upload-history.selectedRows": [{"id": old}]},
    )
    assert text_of(out["upload-history-message.children"]).startswith(
        "Made current again: Testbury 2009-Q4"
    )
    assert submissions(db)[old] == "current"
    download = page.call(
        "upload-history-download-button.n_clicks",
        {
            "upload-history-download-button.n_clicks": 1,
            "upload-history.selectedRows": [{"id": old}],
        },
    )["upload-history-download.data"]
    names = zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))).namelist()
    assert f"E09000901_2009-Q4_submission-{old}_responses.csv" in names
    nothing = page.call(
        "upload-restore.n_clicks",
        {"upload-restore.n_clicks": 2, "upload-history.selectedRows": []},
    )
    assert text_of(nothing["upload-history-message.children"]) == (
        "Select a version in the table first."
    )


def test_duplicate_file_is_recognised_in_the_report(signed_in):
    page = Page(signed_in("la"))
    out = check(page, submission_files("E09000901", "CareFirst", "2010-Q1", seed=2))
    assert text_of(out["upload-outcome.children"]).startswith(
        "This file has already been stored: Testbury 2010-Q1, uploaded"
    )
    assert out["upload-confirm.disabled"] is True


def test_coordinator_cannot_upload(signed_in, db):
    page = Page(signed_in("coord"))
    before = submissions(db)
    out = check(page, submission_files(period="2010-Q2", seed=26))
    assert text_of(out["upload-outcome.children"]) == (
        "Not allowed: Only an authority's own users or an administrator can upload results."
    )
    assert submissions(db) == before


def test_admin_can_record_the_change_of_supplier_from_the_report(signed_in, db):
    files = submission_files("E06000901", "CareFirst", "2010-Q3", seed=27)
    la = Page(signed_in("la"))
    assert check(la, files)["upload-offer-section.hidden"] is True
    crafted = la.call(
        "upload-record-change.n_clicks",
        {"upload-record-change.n_clicks": 1, "upload-token.data": "A" * 43},
    )
    assert (
        text_of(crafted["upload-outcome.children"])
        == "Not allowed: Only an administrator can do this."
    )

    admin = Page(signed_in("admin"))
    out = check(admin, files)
    assert [r["problem"] for r in out["upload-problems.rowData"]] == [
        "Fenwick did not use CareFirst in 2010-Q3 according to the service's records (it used "
        "frameworki); an administrator can record the change of supplier"
    ]
    assert out["upload-offer-section.hidden"] is False
    assert text_of(out["upload-offer-text.children"]) == (
        "As an administrator you can record that Fenwick uses CareFirst from 01 July 2010 (the "
        "start of 2010-Q3), then check the file again."
    )
    again = admin.call(
        "upload-record-change.n_clicks",
        {"upload-record-change.n_clicks": 1, "upload-token.data": out["upload-token.data"]},
    )
    assert again["upload-problems.rowData"] == []
    assert again["upload-confirm.disabled"] is False
    with session_scope(db) as s:
        uses = s.execute(
            select(ProductUse.product_id, ProductUse.start_date, ProductUse.end_date)
            .where(ProductUse.authority_id == 2)
            .order_by(ProductUse.start_date)
        ).all()
    assert [(str(u[1]), str(u[2])) for u in uses][-2:] == [
        ("2010-01-01", "2010-06-30"),
        ("2010-07-01", "None"),
    ]


def test_upload_over_the_size_limit_is_refused_before_reading(signed_in, db):
    page = Page(signed_in("la"))
    before = submissions(db)
    out = check(page, [("big.xlsx", b"PK" + b"0" * (10 * 1024 * 1024 + 10))])
    assert [r["problem"] for r in out["upload-problems.rowData"]] == [
        "the upload is larger than the 10 MB limit"
    ]
    assert out["upload-token.data"] is None
    assert submissions(db) == before


def test_template_download_is_prefilled_for_the_authority(signed_in):
    page = Page(signed_in("la"))
    xlsx = page.call("upload-template-xlsx.n_clicks", {"upload-template-xlsx.n_clicks": 1})[
        "upload-template-download.data"
    ]
    assert xlsx["filename"] == "ics-usability-template.xlsx"
    wb = load_workbook(io.BytesIO(base64.b64decode(xlsx["content"])))
    assert (wb["About"]["B2"].value, wb["About"]["B3"].value) == ("E09000901", "CareFirst")
    zipped = page.call(
        "upload-template-csv.n_clicks",
        {"upload-template-csv.n_clicks": 1},
    )["upload-template-download.data"]
    assert zipped["filename"] == "ics-usability-template-csv.zip"


def test_signed_out_requests_are_refused(client):
    response = client.http.post("/_dash-update-component", json={})
    assert response.status_code == 401
