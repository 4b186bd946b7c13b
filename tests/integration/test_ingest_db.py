"""The ingest path on SQLite and PostgreSQL: stores exactly what the file holds, once."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from data.errors import IngestError
from data.ingest import import_files
from data.store.db import session_scope
from data.store.models import Finding, Rating, Respondent, ScoreSummary, Submission
from tests.factories import load_reference, submission_files


@pytest.fixture
def ref(sessions):
    with session_scope(sessions) as s:
        load_reference(s)
    return sessions


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_import_stores_exactly_what_the_file_holds(ref):
    files = submission_files(respondents=15)
    responses = list(csv.DictReader(io.StringIO(files[1][1].decode())))
    answered = sum(1 for r in responses for k, v in r.items() if k[:3].isupper() and v)
    with session_scope(ref) as s:
        result = import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
    with session_scope(ref) as s:
        sub = s.get(Submission, result.submission_id)
        assert (sub.period, sub.status, sub.n_respondents, sub.n_findings) == (
            "2010-Q1",
            "current",
            15,
            2,
        )
        assert _count(s, Respondent) == 15
        assert _count(s, Rating) == answered
        assert _count(s, Finding) == 2
        # summaries agree with the raw ratings: item NAV01 count over all roles
        nav01 = [int(r["NAV01"]) for r in responses if r["NAV01"]]
        n, total = s.execute(
            select(func.sum(ScoreSummary.n), func.sum(ScoreSummary.total)).where(
                ScoreSummary.measure_code == "NAV01"
            )
        ).one()
        assert n == len(nav01)
        assert total == pytest.approx(sum((v - 1) * 25 for v in nav01))


def test_same_file_twice_is_stored_once(ref):
    files = submission_files()
    with session_scope(ref) as s:
        first = import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
    with session_scope(ref) as s:
        second = import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
        assert second.duplicate and second.submission_id == first.submission_id
        assert _count(s, Submission) == 1


def test_new_file_for_same_period_supersedes(ref):
    with session_scope(ref) as s:
        first = import_files(
            s, submission_files(seed=1), allowed_authorities=None, uploaded_by_id=None
        )
    with session_scope(ref) as s:
        second = import_files(
            s, submission_files(seed=2), allowed_authorities=None, uploaded_by_id=None
        )
    assert second.superseded_id == first.submission_id
    with session_scope(ref) as s:
        statuses = dict(s.execute(select(Submission.id, Submission.status)).all())
    assert statuses == {first.submission_id: "superseded", second.submission_id: "current"}


def test_malformed_file_stores_nothing(ref):
    files = submission_files()
    bad = files[1][1].decode().replace("\nR002,social_worker", "\nR002,wizard", 1).encode()
    with pytest.raises(IngestError) as err, session_scope(ref) as s:
        import_files(
            s,
            [files[0], ("responses.csv", bad), files[2]],
            allowed_authorities=None,
            uploaded_by_id=None,
        )
    assert "Responses, row 3, Role: 'wizard' is not a role" in err.value.report.messages()[0]
    with session_scope(ref) as s:
        assert _count(s, Submission) == 0 and _count(s, Respondent) == 0


def test_product_must_match_product_use(ref):
    files = submission_files(code="E06000901", product="CareFirst", period="2010-Q2")
    with pytest.raises(IngestError) as err, session_scope(ref) as s:
        import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
    assert "did not use CareFirst in 2010-Q2" in err.value.report.messages()[0]
    assert "(it used frameworki)" in err.value.report.messages()[0]


def test_uploader_limited_to_own_authority(ref):
    with session_scope(ref) as s:
        own = s.scalar(select(Submission.id))  # none yet
        assert own is None
    with pytest.raises(IngestError) as err, session_scope(ref) as s:
        import_files(
            s, submission_files(), allowed_authorities=frozenset({999}), uploaded_by_id=None
        )
    assert "only upload results for your own authority" in err.value.report.messages()[0]
