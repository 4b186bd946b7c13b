"""Property: whatever bytes arrive, checking them returns a report or a valid submission,
never an exception; and a submission that passes is stored whole and correct."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data.ingest import check_files
from data.ingest.store import store_submission
from data.store.models import Rating, Respondent, Submission
from tests.unit.test_validation_files import (
    SHEETS,
    TODAY,
    base_tables,
    copy,
    to_csv,
    to_xlsx,
    to_zip,
)

BASE = base_tables(respondents=6)
BASE_XLSX = to_xlsx(BASE)
NAMES = ["results.xlsx", "about.csv", "responses.csv", "findings.csv", "data.zip", "x.txt"]
CELL_VALUES = st.one_of(
    st.sampled_from(["", " ", "0", "6", "3.5", "-1", "1e9", "nan", "NAR", "R001", "2010-Q9",
                     "=1+1", "social_worker", "critical", "\u0000", "é", "£", "\ufeff"]),
    st.text(max_size=30),
    st.integers(-10, 10).map(str),
)  # fmt: skip
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@st.composite
def mutated_tables(draw):
    tables = copy(BASE)
    for _ in range(draw(st.integers(0, 4))):
        sheet = draw(st.sampled_from(SHEETS))
        rows = tables[sheet]
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop_row", "dup_row", "header"]))
        if not rows:
            continue
        r = draw(st.integers(0, len(rows) - 1))
        if action == "cell" and rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(CELL_VALUES)
        elif action == "drop_row":
            del rows[r]
        elif action == "dup_row":
            rows.insert(r, list(rows[r]))
        elif action == "header" and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][c] = draw(CELL_VALUES)
    return tables


@st.composite
def mutated_files(draw):
    tables = draw(mutated_tables())
    form = draw(st.sampled_from(["csv", "xlsx", "zip"]))
    if form == "xlsx":
        return [("results.xlsx", to_xlsx(tables))]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    try:
        files = to_csv(tables, encoding=encoding, delimiter=draw(st.sampled_from([",", ";"])))
    except UnicodeEncodeError:
        files = to_csv(tables)
    return [("results.zip", to_zip(files))] if form == "zip" else files


@st.composite
def damaged_workbooks(draw):
    content = bytearray(BASE_XLSX)
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(content) - 1))
        content[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))]
    return [("results.xlsx", bytes(content))]


random_files = st.lists(
    st.tuples(st.sampled_from(NAMES), st.binary(max_size=2000)), min_size=0, max_size=3
)


def _check_or_store(sessions, files) -> None:
    session = sessions()
    try:
        result = check_files(session, files, allowed_authorities=None, today=TODAY)
        if result.valid is None:
            assert result.report.problems, "refused without saying why"
            # The catch-all messages mean a reader or validator bug was hit
            text = " ".join(result.report.messages())
            assert "could not be read: it may be damaged" not in text
            assert "could not be checked" not in text
            return
        assert result.report.ok
        valid = result.valid
        assert valid.ratings.isin([1.0, 2.0, 3.0, 4.0, 5.0]).sum().sum() == int(
            valid.ratings.notna().sum().sum()
        )
        stored = store_submission(session, valid, uploaded_by_id=None)
        if stored.duplicate:
            return
        sub = session.get(Submission, stored.submission_id)
        assert sub.status == "current" and sub.n_respondents == len(valid.respondents)
        n_ratings = session.scalar(
            select(func.count())
            .select_from(Rating)
            .join(Respondent, Respondent.id == Rating.respondent_id)
            .where(Respondent.submission_id == sub.id)
        )
        assert n_ratings == int(valid.ratings.notna().sum().sum())
    finally:
        session.rollback()  # each example starts from the same database
        session.close()


@SETTINGS
@given(files=mutated_files())
def test_mutated_submissions_give_a_report_or_a_valid_submission(ref, files):
    _check_or_store(ref, files)


@SETTINGS
@given(files=damaged_workbooks())
def test_damaged_workbooks_give_a_report_or_a_valid_submission(ref, files):
    _check_or_store(ref, files)


@SETTINGS
@given(files=random_files)
def test_random_bytes_give_a_report(ref, files):
    _check_or_store(ref, files)


def test_the_unmutated_base_is_valid(ref):
    _check_or_store(ref, to_csv(BASE))
