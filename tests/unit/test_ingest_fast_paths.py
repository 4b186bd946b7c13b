"""The shortcuts taken for ingest speed give exactly what the general code gives."""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import check_content, load_catalogue
from data.ingest.read import read_submission
from data.ingest.report import Report
from data.ingest.tables import cell_text, control_free, table_from_rows
from data.reference.codes import instrument
from data.scores.scoring import SUMMARY_COLUMNS, summarise, summary_rows
from data.store.db import session_scope
from tests.factories import submission_files


@pytest.fixture(scope="module")
def catalogue(ref):
    with session_scope(ref) as s:
        return load_catalogue(s)


def test_plain_text_rows_give_the_table_cell_text_gives():
    rows = [
        ["", " ", ""],
        ["respondent_ref ", " role", "NAV01"],
        [" R001", "social_worker ", " 3 "],
        ["", "", ""],
        ["R002\u00a0", "\tteam_manager", "5"],
    ]
    assert all(control_free(v) for row in rows for v in row)
    plain = table_from_rows(rows, "Responses", Report(), plain_text=True)
    general = table_from_rows(rows, "Responses", Report())
    pd.testing.assert_frame_equal(plain, general)
    assert plain.attrs == general.attrs
    assert plain.loc[5].tolist() == [cell_text(v) for v in rows[4]]


def test_control_characters_in_a_csv_are_still_removed():
    files = submission_files(finding_text="Search\x07 is slow")
    files[1] = (files[1][0], files[1][1].replace(b"R001", b"R\x0b001"))
    assert not control_free(files[1][1].decode())
    raw = read_submission(files, Report())
    assert raw.responses.loc[2, "respondent_ref"] == "R001"
    assert raw.findings.loc[2, "description"] == "Search is slow"


def test_a_repeated_text_is_redacted_on_every_row(catalogue):
    files = submission_files(respondents=6)
    area = b"assessment jo.bloggs@example.org"
    files[1] = (files[1][0], files[1][1].replace(b",assessment,", b"," + area + b","))
    report, valid = check_content(files, catalogue, allowed_authorities=None)
    assert report.ok and valid is not None
    found = [r for r in valid.redactions if r.column == "service_area"]
    assert [r.row for r in found] == [2, 3, 4, 5, 6, 7]
    assert {r.kinds for r in found} == {("email",)}
    assert set(valid.respondents["service_area"]) == {"assessment [redacted: email]"}


def test_a_bad_rating_among_good_ones_is_reported_as_before(catalogue):
    files = submission_files(respondents=3)
    lines = files[1][1].decode().splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("NAV02")] = "6"
    cells[header.index("NAV03")] = "x"
    lines[2] = ",".join(cells)
    files[1] = (files[1][0], "\n".join(lines).encode())
    report, valid = check_content(files, catalogue, allowed_authorities=None)
    assert valid is None
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "NAV02", "6"),
        (3, "NAV03", "x"),
    ]


def test_summary_rows_are_the_rows_of_summarise():
    items = instrument(1)
    codes = [i.code for i in items]
    ratings = pd.DataFrame(
        [{c: (k + j) % 5 + 1 for j, c in enumerate(codes)} for k in range(7)], dtype="float64"
    )
    ratings.iloc[2, :5] = float("nan")
    roles = pd.Series(["social_worker", "team_manager", "social_worker"] * 2 + ["team_manager"])
    rows = summary_rows(ratings, roles, items)
    frame = summarise(ratings, roles, items)
    assert list(frame.columns) == list(SUMMARY_COLUMNS)
    assert [tuple(r) for r in frame.itertuples(index=False)] == rows
    assert all(type(v) in (str, int, float) for row in rows for v in row)
