"""Every way a real-world upload can be wrong gives a plain-English report with the exact
message below, and stores nothing; every way it can be awkward but right is accepted.

One generated file per case (tests/unit/test_validation_files.py builds them from a valid
submission by changing one thing)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from data.errors import IngestError
from data.ingest import check_files, import_files
from data.reference.codes import instrument
from data.store.db import session_scope
from data.store.models import (
    AuditEvent,
    DataVersion,
    Finding,
    ProductUse,
    Rating,
    Respondent,
    ScoreSummary,
    Submission,
)
from tests.unit.test_validation_files import (
    TODAY,
    base_tables,
    copy,
    csv_bytes,
    patch_zip,
    set_about,
    set_cell,
    sheet_part,
    to_csv,
    to_xlsx,
    to_zip,
)

ITEMS = [i.code for i in instrument(1)]
WIDTH = 4 + len(ITEMS) + 1  # fixed columns, items, comment
MB = 1024 * 1024
RESAVE = "open it in Excel and save it again as an Excel Workbook (.xlsx)"
TESTBURY, MARLOWSHIRE = 1, 3  # authority ids from tests.factories


def snapshot(sessions) -> dict:
    models = (Submission, Respondent, Rating, Finding, ScoreSummary, AuditEvent, ProductUse)
    with session_scope(sessions) as s:
        counts = {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in models}
        counts["version"] = s.scalar(select(func.max(DataVersion.version)))
    return counts


def refused(sessions, files, *, allowed=None, max_bytes=10 * MB) -> list[str]:
    """Import must fail with a report and leave the database exactly as it was."""
    before = snapshot(sessions)
    with pytest.raises(IngestError) as err, session_scope(sessions) as s:
        import_files(
            s,
            files,
            allowed_authorities=allowed,
            uploaded_by_id=None,
            today=TODAY,
            max_bytes=max_bytes,
        )
    assert snapshot(sessions) == before
    return err.value.report.messages()


def accepted(sessions, files, **kwargs):
    with session_scope(sessions) as s:
        result = check_files(s, files, allowed_authorities=None, today=TODAY, **kwargs)
    assert result.report.messages() == []
    return result.valid


T = base_tables()


def csv_with(**changes) -> list[tuple[str, bytes]]:
    return to_csv(changes.get("tables", T))


def responses(row: int, column: str, value) -> list[tuple[str, bytes]]:
    return to_csv(set_cell(T, "Responses", row, column, value))


def findings(row: int, column: str, value) -> list[tuple[str, bytes]]:
    return to_csv(set_cell(T, "Findings", row, column, value))


def about(field: str, value) -> list[tuple[str, bytes]]:
    return to_csv(set_about(T, field, value))


def without_column(sheet: str, column: str) -> list[tuple[str, bytes]]:
    t = copy(T)
    i = t[sheet][0].index(column)
    t[sheet] = [r[:i] + r[i + 1 :] for r in t[sheet]]
    return to_csv(t)


def with_column(sheet: str, heading: str, value="x") -> list[tuple[str, bytes]]:
    t = copy(T)
    t[sheet] = [r + [heading if n == 0 else value] for n, r in enumerate(t[sheet])]
    return to_csv(t)


def xlsx_patched(sheet: str, transform) -> list[tuple[str, bytes]]:
    content = to_xlsx(T)
    return [("results.xlsx", patch_zip(content, {sheet_part(content, sheet): transform}))]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _prepend_dtd(dtd: bytes):
    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return dtd + body.replace(b"<v>", b"<v>&lol3;", 1) if b"lol" in dtd else dtd + body

    return change


def _bomb() -> list[tuple[str, bytes]]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * MB))
    return [("results.xlsx", buf.getvalue())]


def _tight() -> list[tuple[str, bytes]]:
    content = to_xlsx(T)
    return [("results.xlsx", patch_zip(content, {"docProps/app.xml": b" " * (3 * MB)}))]


def _formula_without_value() -> list[tuple[str, bytes]]:
    def edit(wb):
        wb["Responses"]["P2"] = "=1+1"  # column P is NAV02

    return [("results.xlsx", to_xlsx(T, edit))]


def _long_rows(n: int) -> list[tuple[str, bytes]]:
    t = copy(T)
    t["Responses"] = t["Responses"] + [t["Responses"][1]] * n
    return to_csv(t)


def _value_beyond_heading() -> list[tuple[str, bytes]]:
    t = copy(T)
    t["Responses"][2] = t["Responses"][2] + ["stray"]
    return to_csv(t)


def _value_without_heading() -> list[tuple[str, bytes]]:
    t = copy(T)
    t["Responses"] = [r[:4] + [""] + r[4:] for r in t["Responses"]]
    t["Responses"][3][4] = "oops"
    return to_csv(t)


def _empty_responses() -> list[tuple[str, bytes]]:
    t = copy(T)
    t["Responses"] = t["Responses"][:1]
    return to_csv(t)


NAME_ENDS = "a CSV file name must end in about.csv, responses.csv or findings.csv"
THEMES = "ACC, ASM, DUP, GEN, HRM, INT, MIR, NAR, NAV, OUT, PLR, SPD, TRN"
AREAS = (
    "case_closure, child_in_need, child_protection, contact, core_assessment, general, "
    "initial_assessment, leaving_care, looked_after, referral"
)
ROLES = "business_support, other, senior_practitioner, social_worker, team_manager"
BANDS = "0-2, 11+, 3-5, 6-10"
BAND_DATE = (
    f"Responses row 5, column years_experience_band: '2011-05-03' is not an experience band "
    f"(expected one of {BANDS}); Excel may have turned the band into a date: format the "
    "column as Text"
)

# (case id, files, keyword arguments, the exact report)
CASES = [
    ("no file", lambda: [], {}, ["File: no file was uploaded"]),
    (
        "empty file",
        lambda: [("results.xlsx", b"")],
        {},
        [
            "File: 'results.xlsx' is empty (0 bytes): choose the saved file and upload it again",
        ],
    ),
    (
        "over the size limit",
        lambda: [("results.xlsx", b"PK" + b"x" * (2 * MB))],
        {"max_bytes": MB},
        ["File: the upload is larger than the 1 MB limit"],
    ),
    (
        "xlsx that is text",
        lambda: [("results.xlsx", b"field,value\nperiod,2010-Q1\n")],
        {},
        ["File: 'results.xlsx' is called .xlsx but is not an Excel workbook"],
    ),
    (
        "xlsx that is an old .xls",
        lambda: [("results.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)],
        {},
        [
            "File: 'results.xlsx' is an older Excel 97-2003 workbook or is password-protected; "
            "remove any password and save it as an Excel Workbook (.xlsx)"
        ],
    ),
    (
        "xlsx that is a plain zip",
        lambda: [("results.xlsx", to_zip(to_csv(T)))],
        {},
        ["File: 'results.xlsx' is a zip archive, not an Excel workbook"],
    ),
    (
        "csv that is a workbook",
        lambda: [*to_csv(T)[:2], ("findings.csv", to_xlsx(T))],
        {},
        ["File: 'findings.csv' is called .csv but is an Excel workbook or zip archive"],
    ),
    (
        "csv that is binary",
        lambda: [*to_csv(T)[:2], ("findings.csv", b"finding_ref\n\0\0\0\x01")],
        {},
        ["File: 'findings.csv' is called .csv but is not a text file"],
    ),
    (
        "an .xls file",
        lambda: [("results.xls", b"\xd0\xcf\x11\xe0")],
        {},
        [
            "File: 'results.xls' is an Excel 97-2003 workbook, which cannot be read; save it as "
            "an Excel Workbook (.xlsx)"
        ],
    ),
    (
        "a pdf",
        lambda: [("results.pdf", b"%PDF-1.4")],
        {},
        [
            "File: 'results.pdf' is not a file the service reads: upload one .xlsx workbook, or "
            "the three CSV files (…about.csv, …responses.csv, …findings.csv)"
        ],
    ),
    (
        "workbook and csv together",
        lambda: [("results.xlsx", to_xlsx(T)), to_csv(T)[0]],
        {},
        ["File: upload either one Excel workbook or the three CSV files, not both"],
    ),
    (
        "truncated workbook",
        lambda: [("results.xlsx", to_xlsx(T)[:3000])],
        {},
        ["File: 'results.xlsx' is damaged and cannot be opened as an Excel workbook"],
    ),
    (
        "broken sheet xml",
        lambda: xlsx_patched("Responses", lambda x: x[: len(x) // 2]),
        {},
        [f"File: 'results.xlsx' is damaged and cannot be read; {RESAVE}"],
    ),
    (
        "zip bomb",
        _bomb,
        {"max_bytes": 10 * MB},
        ["File: 'results.xlsx' would expand to more than 50 MB (a 'zip bomb'); refused"],
    ),
    (
        "tightly packed part",
        _tight,
        {},
        ["File: 'results.xlsx' is compressed suspiciously tightly (a 'zip bomb'); refused"],
    ),
    (
        "billion laughs",
        lambda: xlsx_patched("Responses", _prepend_dtd(BILLION_LAUGHS)),
        {},
        [
            "File: 'results.xlsx' contains XML entity declarations, which are not allowed (they "
            "can be used to attack the service); refused"
        ],
    ),
    (
        "external entity",
        lambda: xlsx_patched("About", _prepend_dtd(XXE)),
        {},
        [
            "File: 'results.xlsx' contains XML entity declarations, which are not allowed (they "
            "can be used to attack the service); refused"
        ],
    ),
    (
        "utf-16 xml part",
        lambda: xlsx_patched("Findings", lambda x: x.decode().encode("utf-16")),
        {},
        [f"File: 'results.xlsx' uses an XML text encoding other than UTF-8; {RESAVE}"],
    ),
    (
        "utf-7 declared",
        lambda: xlsx_patched(
            "Findings", lambda x: b'<?xml version="1.0" encoding="UTF-7"?>' + x.split(b"?>", 1)[-1]
        ),
        {},
        [f"File: 'results.xlsx' uses an XML text encoding other than UTF-8; {RESAVE}"],
    ),
    (
        "formula with no saved value",
        _formula_without_value,
        {},
        [
            "Responses, row 2, column NAV02: the cell holds a formula (=1+1) with no saved "
            "result; formulas are never worked out here, so type the value in, or open the file "
            "in Excel and save it again",
        ],
    ),
    (
        "missing sheet",
        lambda: [("results.xlsx", to_xlsx({k: v for k, v in T.items() if k != "Findings"}))],
        {},
        ["Findings: the workbook has no sheet called 'Findings' (it has: About, Responses)"],
    ),
    (
        "missing csv",
        lambda: to_csv(T)[:2],
        {},
        ["Findings: no Findings file was uploaded (a CSV file whose name ends in findings.csv)"],
    ),
    (
        "csv named wrongly",
        lambda: [*to_csv(T)[:2], ("problems.csv", to_csv(T)[2][1])],
        {},
        [f"File: 'problems.csv': {NAME_ENDS}"],
    ),
    (
        "two responses files",
        lambda: [*to_csv(T), ("more_responses.csv", to_csv(T)[1][1])],
        {},
        ["File: two files were given for the Responses table"],
    ),
    (
        "csv field too large",
        lambda: [*to_csv(T)[:2], ("findings.csv", b'a\n"' + b"x" * 200_000 + b'"\n')],
        {},
        [
            "File: 'findings.csv' is not a well-formed CSV file (field larger than field limit "
            "(131072))"
        ],
    ),
    (
        "too many rows",
        lambda: _long_rows(20_000),
        {},
        ["File: 'responses.csv' has more than 20,000 rows; refused"],
    ),
    (
        "too many columns",
        lambda: to_csv({**T, "Responses": [r + ["z"] * 150 for r in T["Responses"]]}),
        {},
        ["File: 'responses.csv' has more than 150 columns; refused"],
    ),
    (
        "unknown column",
        lambda: with_column("Responses", "colour"),
        {},
        [
            "Responses, row 1, column colour: unknown column 'colour' (expected respondent_ref, "
            "role, service_area, years_experience_band, comment and the item codes)",
        ],
    ),
    (
        "unknown item code",
        lambda: with_column("Responses", "NAV99", "3"),
        {},
        [
            "Responses, row 1, column NAV99: unknown column 'NAV99' (it is not an item code of "
            "this instrument version)",
        ],
    ),
    (
        "missing column",
        lambda: without_column("Responses", "role"),
        {},
        [
            "Responses, row 1, Role: this required column is missing (heading 'role')",
        ],
    ),
    (
        "missing item column",
        lambda: without_column("Responses", "NAV02"),
        {},
        [
            "Responses, row 1, column NAV02: this required column is missing (heading 'NAV02')",
        ],
    ),
    (
        "duplicated column",
        lambda: with_column("Responses", "nav01", "2"),
        {},
        [
            "Responses, row 1, column nav01: column 'nav01' appears more than once",
        ],
    ),
    (
        "unknown findings column",
        lambda: with_column("Findings", "owner"),
        {},
        [
            "Findings, row 1, column owner: unknown column 'owner' (expected finding_ref, theme, "
            "category, workflow_area, severity, respondents_raising, description, "
            "suggested_change)",
        ],
    ),
    (
        "value beyond the last heading",
        _value_beyond_heading,
        {},
        [
            "Responses, row 3, column AQ: there is a value beyond the last column heading (give "
            "the column a heading, or remove the value)",
        ],
    ),
    (
        "values without a heading",
        _value_without_heading,
        {},
        [
            "Responses, row 1, column E: this column has values but no heading",
        ],
    ),
    (
        "unknown theme",
        lambda: findings(2, "theme", "XYZ"),
        {},
        [
            "Findings, row 2, Theme: 'XYZ' is not a theme — choose one of: Navigation and "
            "workflow, Speed and reliability, Duplication and copying, Recording assessments, "
            "Child and family narrative, Outputs and documents, Plans and reviews, Significant "
            "harm and protection, Management information, Training and support, Access and "
            "infrastructure, Interoperability and sharing, Overall usability",
        ],
    ),
    (
        "unknown category",
        lambda: findings(3, "category", "training"),
        {},
        [
            "Findings, row 3, Category: 'training' is not a category — choose one of: Practice, "
            "Technical, Supplier",
        ],
    ),
    (
        "unknown workflow area",
        lambda: findings(2, "workflow_area", "finance"),
        {},
        [
            "Findings, row 2, Workflow area: 'finance' is not a workflow area — choose one of: "
            "Contact, Referral, Initial assessment, Core assessment, Child protection (section 47"
            " and conferences), Child in need plans and reviews, Looked after children and care "
            "plans, Leaving care and pathway plans, Case closure and transfer, Whole system",
        ],
    ),
    (
        "unknown severity",
        lambda: findings(2, "severity", "urgent"),
        {},
        [
            "Findings, row 2, Severity: 'urgent' is not a severity — choose one of: low, medium, "
            "high, critical",
        ],
    ),
    (
        "unknown role",
        lambda: responses(3, "role", "wizard"),
        {},
        [
            "Responses, row 3, Role: 'wizard' is not a role — choose one of: Social worker, "
            "Senior practitioner, Team manager, Business support, Other",
        ],
    ),
    (
        "unknown experience band",
        lambda: responses(4, "years_experience_band", "20+"),
        {},
        [
            "Responses, row 4, Years of experience: '20+' is not a years-of-experience band — "
            "choose one of: 0-2, 3-5, 6-10, 11+",
        ],
    ),
    (
        "experience band turned into a date",
        lambda: responses(5, "years_experience_band", "2011-05-03"),
        {},
        [
            "Responses, row 5, Years of experience: '2011-05-03' is not a years-of-experience "
            "band — choose one of: 0-2, 3-5, 6-10, 11+; Excel may have turned the band into a "
            "date: format the column as Text",
        ],
    ),
    (
        "rating out of range",
        lambda: responses(14, "NAV02", "7"),
        {},
        [
            "Responses, row 14, column NAV02: 7 is not a rating (allowed 1–5, or blank)",
        ],
    ),
    (
        "rating of zero",
        lambda: responses(2, "SUS01", "0"),
        {},
        [
            "Responses, row 2, column SUS01: 0 is not a rating (allowed 1–5, or blank)",
        ],
    ),
    (
        "rating not whole",
        lambda: responses(2, "SUS03", "3.5"),
        {},
        [
            "Responses, row 2, column SUS03: 3.5 is not a rating (allowed 1–5, or blank)",
        ],
    ),
    (
        "rating not a number",
        lambda: responses(6, "INT02", "good"),
        {},
        [
            "Responses, row 6, column INT02: 'good' is not a number: a rating is a whole number "
            "1–5, or blank",
        ],
    ),
    (
        "duplicated respondent ref",
        lambda: responses(3, "respondent_ref", "R001"),
        {},
        [
            "Responses, row 2, Respondent reference: 'R001' is used on more than one row; each "
            "needs its own",
            "Responses, row 3, Respondent reference: 'R001' is used on more than one row; each "
            "needs its own",
        ],
    ),
    (
        "blank respondent ref",
        lambda: responses(4, "respondent_ref", ""),
        {},
        [
            "Responses, row 4, Respondent reference: blank — give every row its own reference",
        ],
    ),
    (
        "respondent ref too long",
        lambda: responses(4, "respondent_ref", "R" * 65),
        {},
        [
            "Responses, row 4, Respondent reference: longer than 64 characters",
        ],
    ),
    (
        "comment too long",
        lambda: responses(2, "comment", "slow " * 2000),
        {},
        [
            "Responses, row 2, Comment: 9,999 characters, more than the 8,000 allowed",
        ],
    ),
    (
        "service area too long",
        lambda: responses(2, "service_area", "a" * 81),
        {},
        [
            "Responses, row 2, Service area: 81 characters, more than the 80 allowed",
        ],
    ),
    (
        "duplicated finding ref",
        lambda: findings(3, "finding_ref", "F1"),
        {},
        [
            "Findings, row 2, Finding reference: 'F1' is used on more than one row; each needs "
            "its own",
            "Findings, row 3, Finding reference: 'F1' is used on more than one row; each needs "
            "its own",
        ],
    ),
    (
        "respondents raising not a number",
        lambda: findings(2, "respondents_raising", "many"),
        {},
        [
            "Findings, row 2, Respondents raising: 'many' is not a whole number of respondents",
        ],
    ),
    (
        "respondents raising negative",
        lambda: findings(2, "respondents_raising", "-2"),
        {},
        [
            "Findings, row 2, Respondents raising: '-2' is not a whole number of respondents",
        ],
    ),
    (
        "respondents raising blank",
        lambda: findings(3, "respondents_raising", ""),
        {},
        [
            "Findings, row 3, Respondents raising: blank — write how many respondents raised it "
            "(0 if not known)",
        ],
    ),
    (
        "description blank",
        lambda: findings(3, "description", ""),
        {},
        [
            "Findings, row 3, Description: blank — describe the problem found",
        ],
    ),
    (
        "unknown authority",
        lambda: about("authority_code", "E09999999"),
        {},
        [
            "About, Authority code: E09999999 is not the code of an authority known to the service",
        ],
    ),
    (
        "another authority",
        lambda: to_csv(
            set_about(set_about(T, "authority_code", "E10000901"), "product", "PROTOCOL ICS")
        ),
        {"allowed": frozenset({TESTBURY})},
        [
            "About, Authority code: you can only upload results for your own authority, not "
            "E10000901",
        ],
    ),
    (
        "unknown product",
        lambda: about("product", "CaseMagic"),
        {},
        [
            "About, Product: 'CaseMagic' is not a product known to the service",
        ],
    ),
    (
        "product not used in the period",
        lambda: about("product", "frameworki"),
        {},
        [
            "About, Product: Testbury did not use frameworki in 2010-Q1 according to the "
            "service's records (it used CareFirst); an administrator can record the change of "
            "supplier",
        ],
    ),
    (
        "period in the wrong format",
        lambda: about("period", "2010-13"),
        {},
        [
            "About, Period: '2010-13' is not a quarter: write it like 2010-Q1",
        ],
    ),
    (
        "period quarter five",
        lambda: about("period", "2010-Q5"),
        {},
        [
            "About, Period: '2010-Q5' is not a quarter: write it like 2010-Q1",
        ],
    ),
    (
        "period in the future",
        lambda: about("period", "2030-Q1"),
        {},
        [
            "About, Period: 2030-Q1 has not started yet (it starts on 1 January 2030): results "
            "can only be reported for a quarter that has started",
        ],
    ),
    (
        "period before 2000",
        lambda: about("period", "1999-Q4"),
        {},
        [
            "About, Period: 1999-Q4 is before 2000: check the year",
        ],
    ),
    (
        "unknown instrument version",
        lambda: about("instrument_version", "7"),
        {},
        [
            "About, Questionnaire version: '7' is not a questionnaire version the service knows "
            "(known: 1)",
        ],
    ),
    (
        "survey closed not a date",
        lambda: about("survey_closed", "end of March"),
        {},
        [
            "About, Survey closed: 'end of March' is not a date: write it like 2010-03-31",
        ],
    ),
    (
        "survey closed in the future",
        lambda: about("survey_closed", "2031-01-01"),
        {},
        [
            "About, Survey closed: 1 January 2031 is in the future",
        ],
    ),
    (
        "about field missing",
        lambda: to_csv({**T, "About": [r for r in T["About"] if r[0] != "period"]}),
        {},
        [
            "About, Period: missing — write the quarter the results are for, like 2010-Q1",
        ],
    ),
    ("no respondents", _empty_responses, {}, ["Responses: there are no respondents"]),
    (
        "empty responses sheet",
        lambda: [("results.xlsx", to_xlsx({**T, "Responses": []}))],
        {},
        ["Responses: the Responses sheet is empty"],
    ),
]


@pytest.mark.parametrize(
    "build, kwargs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_file_gives_exact_report_and_stores_nothing(ref, build, kwargs, expected):
    assert refused(ref, build(), **kwargs) == expected


def test_product_mismatch_offers_to_record_the_change(ref):
    with session_scope(ref) as s:
        result = check_files(
            s, about("product", "frameworki"), allowed_authorities=None, today=TODAY
        )
    change = result.report.product_change
    assert (change.authority_name, change.product_name, change.period) == (
        "Testbury",
        "frameworki",
        "2010-Q1",
    )


def test_report_lists_every_problem_at_once(ref):
    t = set_cell(T, "Responses", 14, "NAV02", "7")
    t = set_cell(t, "Findings", 2, "theme", "XYZ")
    t = set_about(t, "period", "2030-Q1")
    messages = refused(ref, to_csv(t))
    assert len(messages) == 3
    assert "Responses, row 14, column NAV02: 7 is not a rating (allowed 1–5, or blank)" in messages


def test_report_csv_has_a_row_per_problem(ref):
    with session_scope(ref) as s:
        result = check_files(s, responses(14, "NAV02", "7"), allowed_authorities=None, today=TODAY)
    assert result.report.to_csv().splitlines() == [
        "sheet,row,column,value,problem",
        'Responses,14,NAV02,7,"7 is not a rating (allowed 1–5, or blank)"',
    ]


# --- awkward but valid files --------------------------------------------------------------


def test_csv_utf8_with_bom(ref):
    valid = accepted(ref, to_csv(T, encoding="utf-8-sig"))
    assert valid.authority_name == "Testbury" and len(valid.respondents) == 14


def test_csv_windows_1252_from_excel(ref):
    t = set_cell(T, "Responses", 2, "comment", "Costs £5 – café’s login fails")
    valid = accepted(ref, to_csv(t, encoding="cp1252"))
    assert valid.respondents["comment"][0] == "Costs £5 – café’s login fails"


def test_csv_utf16_semicolons_and_tabs(ref):
    assert accepted(ref, to_csv(T, encoding="utf-16")).period == "2010-Q1"
    assert accepted(ref, to_csv(T, delimiter=";")).period == "2010-Q1"
    assert accepted(ref, to_csv(T, delimiter="\t")).period == "2010-Q1"


def test_whitespace_letter_case_names_and_blank_rows(ref):
    t = copy(T)
    t["About"] = [[f"  {f.upper()} ", f" {v} "] for f, v in t["About"]]
    t["About"][3][1] = " 2010 q1 "
    t["Responses"][0] = [f" {h.lower()} " for h in t["Responses"][0]]
    t["Responses"][1][1] = " Social Worker "
    t["Responses"][2][3] = " 3 - 5 "
    t["Responses"].insert(3, [""] * WIDTH)
    t["Findings"][1][1:6] = [" nar ", "SUPPLIER", "Core Assessment", "HIGH", " 5 "]
    t["Findings"][2][1] = "Speed and reliability"  # a theme's name instead of its code
    t["Findings"].insert(2, [])
    valid = accepted(ref, to_csv(t))
    assert valid.period == "2010-Q1" and len(valid.respondents) == 14
    assert list(valid.findings["theme"]) == ["NAR", "SPD"]
    assert valid.findings.iloc[0][["category", "workflow_area", "severity"]].tolist() == [
        "supplier",
        "core_assessment",
        "high",
    ]
    assert valid.respondents["experience_band"][1] == "3-5"


def test_zip_of_the_three_csvs_is_the_same_upload_as_the_csvs(ref):
    files = to_csv(T, prefix="E09000901_")
    zipped = accepted(ref, [("results.zip", to_zip(files))])
    assert zipped.file_hash == accepted(ref, files).file_hash


def test_workbook_with_excel_dates_and_cached_formulas(ref):
    def edit(wb):
        wb["About"]["B6"] = date(2010, 3, 31)

    content = to_xlsx(T, edit)
    # A formula Excel saved with its result: the result is used, the formula never run.
    part = "xl/worksheets/sheet2.xml"
    content = patch_zip(
        content,
        {part: lambda x: x.replace(b'<c r="M2" t="n"><v>', b'<c r="M2"><f>SUM(1,1)</f><v>', 1)},
    )
    assert b"<f>SUM(1,1)</f>" in zipfile.ZipFile(io.BytesIO(content)).read(part)
    valid = accepted(ref, [("results.xlsx", content)])
    assert valid.survey_closed == date(2010, 3, 31)
    assert valid.ratings["SUS09"][0] == float(T["Responses"][1][12])


def test_findings_sheet_left_empty_means_no_findings(ref):
    valid = accepted(ref, [("results.xlsx", to_xlsx({**T, "Findings": []}))])
    assert valid.findings.empty


def test_accepted_file_stores_exactly_once(ref):
    files = to_csv(base_tables(seed=77, code="E10000901", product="PROTOCOL ICS"))
    with session_scope(ref) as s:
        stored = import_files(s, files, allowed_authorities=None, uploaded_by_id=None, today=TODAY)
    with session_scope(ref) as s:
        sub = s.get(Submission, stored.submission_id)
        assert (sub.authority_id, sub.n_respondents, sub.status) == (MARLOWSHIRE, 14, "current")


def test_csv_bytes_helper_round_trips():
    assert csv_bytes([["a", "b"]]) == b"a,b\r\n"
