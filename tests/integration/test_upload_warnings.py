"""The upload page shows warnings the uploader confirms, and a banner of its own for a
refused file (not the generic "we found N problems")."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from data.store.db import session_scope
from data.store.models import Submission
from tests.factories import submission_files
from tests.integration.test_upload_page import Page, app, check, confirm, db, text_of

__all__ = ["app", "db"]  # the upload page's module fixtures


def _with_duplicate_finding(files):
    name, content = files[2]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    rows.append(["F9", *rows[1][1:]])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return [files[0], files[1], (name, buf.getvalue().encode("utf-8"))], len(rows)


def test_warnings_are_shown_and_confirming_stores(signed_in, db):
    page = Page(signed_in("la"))
    files, row = _with_duplicate_finding(submission_files(period="2011-Q3", seed=81))
    out = check(page, files)
    shown = text_of(out["upload-outcome.children"])
    assert "passed every check, with 1 warning" in shown
    assert f"Findings, row {row}, Description: repeats the finding in row 2" in shown
    assert out["upload-confirm.disabled"] is False
    stored = confirm(page, out["upload-token.data"])
    assert text_of(stored["upload-result.children"]).startswith("Stored:")
    with session_scope(db) as s:
        assert s.scalar(select(Submission.id).where(Submission.period == "2011-Q3"))


def test_empty_file_gets_its_own_banner(signed_in):
    out = check(Page(signed_in("la")), [("results.xlsx", b"")])
    assert text_of(out["upload-outcome.children"]) == (
        "'results.xlsx' is empty (0 bytes): choose the saved file and upload it again. "
        "Nothing has been stored."
    )


def test_oversized_archive_gets_its_own_banner(signed_in):
    from tests.unit.test_validation import _bomb

    shown = text_of(check(Page(signed_in("la")), _bomb())["upload-outcome.children"])
    assert shown.startswith("'results.xlsx' would expand to more than 50 MB")
    assert "Fix them" not in shown
