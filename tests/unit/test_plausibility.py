"""Plausibility checks: impossible values are errors, implausible ones warnings the uploader
must confirm, personal data in respondent references is redacted and listed; a refused
file gets its own banner. Each documented in docs/FILE-FORMAT.md."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from data.errors import IngestError
from data.ingest import check_files, check_summary, import_files
from data.store.db import session_scope
from data.store.models import Respondent, Submission
from tests.unit.test_validation import MB, T, copy, ref, refused, set_about, set_cell, to_csv
from tests.unit.test_validation_files import TODAY, to_xlsx

__all__ = ["ref"]  # the module-scoped database fixture, shared with test_validation


def check(sessions, files):
    with session_scope(sessions) as s:
        return check_files(s, files, allowed_authorities=None, today=TODAY)


def test_survey_closed_before_the_period_began_is_an_error(ref):
    t = set_about(T, "survey_closed", "2009-12-15")
    assert refused(ref, to_csv(t)) == [
        "About, Survey closed: the survey closed on 15 December 2009, before 2010-Q1 began "
        "(1 January 2010), so it cannot report on 2010-Q1: check the period and the closing date"
    ]


def test_survey_closing_within_or_after_the_period_is_fine(ref):
    for closed in ("2010-01-01", "2010-02-20", "2011-01-31"):
        assert check(ref, to_csv(set_about(T, "survey_closed", closed))).ok


@pytest.mark.parametrize("period", ["2999-Q1", "2012-Q1", "9999 Q4"])
def test_a_period_in_the_future_is_an_error(ref, period):
    (message,) = refused(ref, to_csv(set_about(T, "period", period)))
    assert message.startswith("About, Period: ")
    assert "has not started yet" in message and "results can only be reported" in message


def test_more_respondents_raising_a_finding_than_answered_is_an_error(ref):
    n = len(T["Responses"]) - 1
    t = set_cell(T, "Findings", 2, "respondents_raising", n + 1)
    assert refused(ref, to_csv(t)) == [
        f"Findings, row 2, Respondents raising: {n + 1} respondents raised it, but the file has "
        f"only {n} respondents: a finding cannot be raised by more people than answered"
    ]
    assert check(ref, to_csv(set_cell(T, "Findings", 2, "respondents_raising", n))).ok


@pytest.mark.parametrize(
    "reference, kind",
    [
        ("jo.smith@testbury.gov.uk", "email"),
        ("John Smith", "name"),
        ("Dr Mary-Jane O'Neil", "name"),
        ("Smith, John", "name"),
        ("jo.bloggs", "name"),
    ],
)
def test_a_respondent_reference_that_names_someone_is_redacted_and_listed(ref, reference, kind):
    result = check(ref, to_csv(set_cell(T, "Responses", 3, "respondent_ref", reference)))
    assert result.ok and not result.report.warnings
    stored = list(result.valid.respondents["respondent_ref"])
    assert reference not in stored and stored[1] == "respondent-3"
    (red,) = [r for r in result.valid.redactions if r.column == "respondent_ref"]
    assert (red.sheet, red.row, red.before, red.after, red.kinds) == (
        "Responses",
        3,
        reference,
        "respondent-3",
        (kind,),
    )
    redacted = dict(check_summary(result))["Redacted"]
    assert ("e-mail address in 1" if kind == "email" else "person's name in 1") in redacted


@pytest.mark.parametrize("reference", ["R099", "resp-12", "2010-Q1-07", "A7", "ISS003", "Team A"])
def test_opaque_references_are_left_alone(ref, reference):
    result = check(ref, to_csv(set_cell(T, "Responses", 3, "respondent_ref", reference)))
    assert result.ok and reference in list(result.valid.respondents["respondent_ref"])
    assert not [r for r in result.valid.redactions if r.column == "respondent_ref"]


def test_redacted_reference_never_collides_with_a_real_one(ref):
    t = set_cell(T, "Responses", 3, "respondent_ref", "John Smith")
    t = set_cell(t, "Responses", 4, "respondent_ref", "respondent-3")
    refs = list(check(ref, to_csv(t)).valid.respondents["respondent_ref"])
    assert len(set(refs)) == len(refs) and "respondent-3-2" in refs


def _duplicate_finding():
    t = copy(T)
    first = t["Findings"][1]
    t["Findings"].append(["F9", *first[1:6], "  " + first[6].upper() + " ", ""])
    return t, len(t["Findings"])


def test_duplicate_findings_are_a_warning_to_confirm(ref):
    t, row = _duplicate_finding()
    files = to_csv(t)
    result = check(ref, files)
    assert result.ok
    assert result.report.warning_messages() == [
        f"Findings, row {row}, Description: repeats the finding in row 2 (same theme, category, "
        "workflow area and description): remove one, or confirm they are separate findings"
    ]
    with pytest.raises(IngestError, match="1 warning"), session_scope(ref) as s:
        import_files(s, files, allowed_authorities=None, uploaded_by_id=None, today=TODAY)
    with session_scope(ref) as s:
        assert s.scalar(select(Submission.id)) is None  # nothing stored unconfirmed
        stored = import_files(
            s,
            files,
            allowed_authorities=None,
            uploaded_by_id=None,
            today=TODAY,
            warnings_confirmed=True,
        )
    with session_scope(ref) as s:
        assert s.get(Submission, stored.submission_id).n_findings == row - 1
        s.query(Respondent).delete()
        s.delete(s.get(Submission, stored.submission_id))


def _bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * MB))
    return [("results.xlsx", buf.getvalue())]


@pytest.mark.parametrize(
    "files, banner",
    [
        ([("results.xlsx", b"")], "'results.xlsx' is empty (0 bytes)"),
        (_bomb(), "'results.xlsx' would expand to more than 50 MB"),
        ([("notes.txt", b"hello")], "'notes.txt' is not a file the service reads"),
        ([], "No file was uploaded"),
    ],
)
def test_a_refused_file_gets_its_own_banner(ref, files, banner):
    report = check(ref, files).report
    assert report.banner.startswith(banner[:1].upper() + banner[1:])
    assert report.banner.endswith("Nothing has been stored.")


def test_row_level_problems_get_no_banner(ref):
    assert check(ref, to_csv(set_cell(T, "Responses", 4, "NAV02", "-3"))).report.banner is None
    messages = refused(ref, to_csv(set_cell(T, "Responses", 4, "NAV02", "-3")))
    assert messages == [
        "Responses, row 4, column NAV02: -3 is not a rating (allowed 1–5, or blank)"
    ]


def test_workbook_messages_name_the_theme_choices(ref):
    t = set_cell(T, "Findings", 2, "theme", "")
    (message,) = refused(ref, [("results.xlsx", to_xlsx(t))])
    assert message.startswith("Findings, row 2, Theme: blank — choose one of: Navigation and ")
    assert "NAV" not in message.split(":", 1)[1]  # names, not codes
