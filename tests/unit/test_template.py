"""The template: built from the current instrument, with drop-down lists and instructions;
downloaded, filled in and uploaded it just works, as a workbook and as CSV files."""

from __future__ import annotations

import csv
import io
import random
import zipfile

import pytest
from openpyxl import load_workbook

from dashboard import cli
from data.ingest import check_files, import_files
from data.ingest.template import build_csv_zip, build_xlsx, template_spec
from data.reference.codes import FINDING_COLUMNS, instrument
from data.store.db import session_scope
from tests.unit.test_validation_files import TODAY

ITEMS = [i.code for i in instrument(1)]


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    return build_xlsx(template_spec(authority_code="E09000901", product="CareFirst"))


def test_workbook_has_the_sheets_and_headings(workbook_bytes):
    wb = load_workbook(io.BytesIO(workbook_bytes))
    assert wb.sheetnames == ["Instructions", "About", "Responses", "Findings", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    about = [[c.value for c in row] for row in wb["About"].iter_rows(max_col=2)]
    assert about == [
        ["field", "value"],
        ["authority_code", "E09000901"],
        ["product", "CareFirst"],
        ["period", None],
        ["instrument_version", "1"],
        ["survey_closed", None],
    ]
    responses = [c.value for c in wb["Responses"][1]]
    assert responses == [
        "respondent_ref",
        "role",
        "service_area",
        "years_experience_band",
        *ITEMS,
        "comment",
    ]
    assert wb["Responses"]["E1"].comment.text == instrument(1)[0].statement
    assert [c.value for c in wb["Findings"][1]] == list(FINDING_COLUMNS)
    text = "\n".join(str(r[0].value) for r in wb["Instructions"].iter_rows() if r[0].value)
    assert "NAV02: " + next(i.statement for i in instrument(1) if i.code == "NAV02") in text
    assert "Do not rename the sheets" in text


def test_workbook_offers_the_allowed_codes_as_drop_downs(workbook_bytes):
    wb = load_workbook(io.BytesIO(workbook_bytes))
    lists = wb["Lists"]
    columns = {c.value: c.column_letter for c in lists[1]}

    def listed(name):
        letter = columns[name]
        return [c.value for c in lists[letter][1:] if c.value is not None]

    assert listed("severity") == ["low", "medium", "high", "critical"]
    assert listed("category") == ["practice", "technical", "supplier"]
    assert "NAR" in listed("theme") and "core_assessment" in listed("workflow_area")
    assert listed("years_experience_band") == ["0-2", "3-5", "6-10", "11+"]

    def rules(sheet):
        return {
            str(dv.sqref): (dv.type, dv.formula1, dv.formula2)
            for dv in wb[sheet].data_validations.dataValidation
        }

    last = f"{wb['Responses'].cell(row=1, column=4 + len(ITEMS)).column_letter}1001"
    responses = rules("Responses")
    assert responses[f"E2:{last}"] == ("whole", "1", "5")
    assert responses["B2:B1001"] == (
        "list",
        f"Lists!${columns['role']}$2:${columns['role']}$6",
        None,
    )
    assert rules("Findings")["E2:E501"][0:2] == ("list", "Lists!$F$2:$F$5")
    assert rules("About")["B3"][0] == "list"
    # The experience band and About values stay text, so Excel cannot turn 3-5 into a date
    assert wb["Responses"].column_dimensions["D"].number_format == "@"


def _fill_workbook(content: bytes, respondents: int = 12) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    wb["About"]["B4"] = "2010-Q2"
    wb["About"]["B6"] = "2010-06-30"
    rng = random.Random(3)
    for i in range(respondents):
        wb["Responses"].append(
            [f"A{i}", "social_worker", "assessment", "3-5", *[rng.randint(1, 5) for _ in ITEMS]]
            + (["Mr Smith said it is slow"] if i == 0 else [])
        )
    wb["Findings"].append(
        ["F1", "NAV", "supplier", "general", "medium", 4, "Too many clicks to save", ""]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_filled_workbook_uploads(ref, workbook_bytes):
    files = [("ics-usability-template.xlsx", _fill_workbook(workbook_bytes))]
    with session_scope(ref) as s:
        result = check_files(s, files, allowed_authorities=frozenset({1}), today=TODAY)
        assert result.report.messages() == []
        stored = import_files(
            s, files, allowed_authorities=frozenset({1}), uploaded_by_id=None, today=TODAY
        )
    assert not stored.duplicate
    valid = result.valid
    assert (valid.authority_name, valid.period, valid.product_name) == (
        "Testbury",
        "2010-Q2",
        "CareFirst",
    )
    assert len(valid.respondents) == 12 and len(valid.findings) == 1
    assert valid.respondents["comment"][0] == "Mr [redacted: name] said it is slow"


def test_empty_template_reports_what_to_fill_in(ref, workbook_bytes):
    with session_scope(ref) as s:
        result = check_files(s, [("t.xlsx", workbook_bytes)], allowed_authorities=None)
    assert result.report.messages() == [
        "About, Period: missing — write the quarter the results are for, like 2010-Q1",
        "About, Survey closed: missing — write the date the survey closed, like 2010-03-31",
        "Responses: there are no respondents",
    ]


def _fill_csv(content: bytes) -> dict[str, bytes]:
    zf = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(zf.namelist()) == ["README.txt", "about.csv", "findings.csv", "responses.csv"]
    out = {}
    for name in ("about.csv", "responses.csv", "findings.csv"):
        text = zf.read(name).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if name == "about.csv":
            rows = [
                [f, {"period": "2010-Q3", "survey_closed": "30/09/2010"}.get(f, v)] for f, v in rows
            ]
        elif name == "responses.csv":
            rows += [
                [f"C{i}", "team_manager", "cin", "11+", *["4"] * len(ITEMS), ""] for i in range(11)
            ]
        else:
            rows.append(["F9", "SPD", "technical", "general", "low", "2", "Slow at night", ""])
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        out[name] = buf.getvalue().encode("utf-8-sig")
    return out


def test_filled_csv_template_uploads_as_files_and_as_zip(ref):
    content = build_csv_zip(template_spec(authority_code="E09000901", product="CareFirst"))
    filled = _fill_csv(content)
    files = list(filled.items())
    with session_scope(ref) as s:
        as_files = check_files(s, files, allowed_authorities=None, today=TODAY)
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as zf:
            for name, data in files:
                zf.writestr(name, data)
        as_zip = check_files(
            s, [("template.zip", zipped.getvalue())], allowed_authorities=None, today=TODAY
        )
    for result in (as_files, as_zip):
        assert result.report.messages() == []
        assert (result.valid.period, len(result.valid.respondents)) == ("2010-Q3", 11)


def test_cli_writes_both_templates(tmp_path, capsys):
    assert cli.main(["template", str(tmp_path / "t.xlsx"), "--authority", "e09000901"]) == 0
    assert "written to" in capsys.readouterr().out
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb["About"]["B2"].value == "E09000901"
    assert cli.main(["template", str(tmp_path / "t.zip")]) == 0
    assert "about.csv" in zipfile.ZipFile(tmp_path / "t.zip").namelist()
    assert cli.main(["template", str(tmp_path / "t.pdf")]) == 1
    assert "name the template file .xlsx" in capsys.readouterr().err


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|'/c calc'!A0"],
)
def test_workbook_never_turns_names_into_formulas(payload):
    from openpyxl import load_workbook

    content = build_xlsx(template_spec(products=["CareFirst", payload], product=payload))
    wb = load_workbook(io.BytesIO(content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == payload]
    assert len(cells) == 2  # the About value and the product list entry, as typed
    assert all(c.data_type == "s" for c in cells)
