"""data.ingest.bulk.BulkLoad: the same rows as importing one by one, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from data.errors import IngestError
from data.ingest import import_files
from data.ingest.bulk import KEYED_TABLES, BulkLoad
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import DataVersion, Rating, Submission
from data.store.versioning import current_data_version
from tests.conftest import fresh_database
from tests.factories import load_reference, submission_files

# Table -> columns compared (ids included: both databases start empty and allocate alike).
TABLES = {
    "submission": "id, authority_id, product_id, supplier_id, period, status, file_hash, "
    "n_respondents, n_findings, n_redactions",
    "respondent": "id, submission_id, respondent_ref, role, service_area, experience_band, comment",
    "rating": "respondent_id, item_id, value",
    "score_summary": "submission_id, role, measure_type, measure_code, n, total, total_sq, "
    "h1, h2, h3, h4, h5",
    "finding": "id, submission_id, finding_ref, theme_code, category_code, workflow_area_code, "
    "severity, respondents_raising, description, suggested_change",
    "audit_event": "user_id, action, target, detail",
}


def _file_sets() -> list[list[tuple[str, bytes]]]:
    """Three LAs and periods, a resubmission that supersedes, the same file again, and
    free text that needs escaping in a PostgreSQL COPY (tab, newline, backslash)."""
    return [
        submission_files(seed=1, comment="Slow\tat month end\nsince C:\\upgrade"),
        submission_files("E06000901", "frameworki", "2010-Q2", seed=2, respondents=30),
        submission_files("E10000901", "PROTOCOL ICS", "2010-Q1", seed=3),
        submission_files(seed=4, finding_text="Search\tfails\\often\nat night"),  # supersedes
        submission_files(seed=4, finding_text="Search\tfails\\often\nat night"),  # duplicate
        submission_files("E09000901", "CareFirst", "2010-Q2", seed=5, respondents=1),
    ]


def _backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _reference(url: str):
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        load_reference(s)
    return engine, sessions


def _contents(sessions) -> dict[str, list[tuple]]:
    with session_scope(sessions) as s:
        return {
            table: sorted(s.execute(text(f"SELECT {cols} FROM {table}")).all())
            for table, cols in TABLES.items()
        }


def _foreign_keys(sessions) -> list[tuple]:
    with session_scope(sessions) as s:
        if s.get_bind().dialect.name != "postgresql":
            return []
        return s.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid), "
                "convalidated FROM pg_constraint c JOIN pg_namespace n ON n.oid = connamespace "
                "WHERE contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2"
            )
        ).all()


@pytest.fixture
def loaded(db_url):
    engine, sessions = _reference(db_url)
    yield sessions
    engine.dispose()


@pytest.mark.parametrize("jobs", [1, 2])
def test_bulk_load_stores_exactly_what_one_by_one_imports_store(db_url, loaded, tmp_path, jobs):
    other = fresh_database(_backend(db_url), tmp_path, "one_by_one")
    engine, one_by_one = _reference(other)
    expected_results = []
    for files in _file_sets():
        with session_scope(one_by_one) as s:
            expected_results.append(
                import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
            )
    keys_before = _foreign_keys(loaded)
    with BulkLoad(loaded, jobs=jobs) as load:
        results = load.add(_file_sets()[:2])
        results += load.add(_file_sets()[2:])
        load.commit()
    assert results == expected_results
    assert [r.duplicate for r in results] == [False] * 4 + [True, False]
    assert load.stored == 5
    assert _contents(loaded) == _contents(one_by_one)
    assert _foreign_keys(loaded) == keys_before  # re-created as they were, and validated
    with session_scope(loaded) as s, session_scope(one_by_one) as t:
        assert current_data_version(s) == current_data_version(t) == 5
    engine.dispose()


def test_a_refused_file_rolls_back_the_whole_load(loaded):
    with session_scope(loaded) as s:
        import_files(s, submission_files(seed=9), allowed_authorities=None, uploaded_by_id=None)
    before, keys_before = _contents(loaded), _foreign_keys(loaded)
    bad = submission_files("E10000901", "CareFirst", "2010-Q3", seed=3)  # LA never used it
    with pytest.raises(IngestError) as raised, BulkLoad(loaded) as load:
        load.add(_file_sets()[1:3])
        load.add([bad, _file_sets()[5]])
    assert "nothing from this load was stored" in str(raised.value)
    assert any("did not use CareFirst" in m for m in raised.value.report.messages())
    assert _contents(loaded) == before
    assert _foreign_keys(loaded) == keys_before
    with session_scope(loaded) as s:
        assert current_data_version(s) == 1


def test_a_swallowed_error_still_rolls_back(loaded):
    bad = [("about.csv", b"field,value\n")]
    with BulkLoad(loaded) as load:
        load.add(_file_sets()[:1])
        with pytest.raises(IngestError):
            load.add([bad])
        with pytest.raises(RuntimeError):
            load.add(_file_sets()[1:2])
        with pytest.raises(RuntimeError):
            load.commit()
    with session_scope(loaded) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0
        version = s.get(DataVersion, 1)
        assert version is None or version.version == 0  # never bumped


def test_nothing_is_stored_without_commit(loaded):
    keys_before = _foreign_keys(loaded)
    with BulkLoad(loaded, jobs=2) as load:
        load.add(_file_sets())
    with session_scope(loaded) as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == 0
    assert _foreign_keys(loaded) == keys_before


def test_a_row_breaking_a_foreign_key_fails_the_load(db_url, loaded):
    """On PostgreSQL the keys are set aside and only checked when re-created at commit; on
    SQLite they stay on and refuse the row at once. Either way nothing is stored."""
    keys_before = _foreign_keys(loaded)
    on_postgres = _backend(db_url) == "postgresql"
    if on_postgres:
        assert {k[0] for k in keys_before} >= set(KEYED_TABLES)
    with BulkLoad(loaded) as load:
        (stored,) = load.add(_file_sets()[:1])
        respondent = load._session.scalar(
            text("SELECT MIN(id) FROM respondent WHERE submission_id = :s"),
            {"s": stored.submission_id},
        )
        bad_row = text("INSERT INTO rating (respondent_id, item_id, value) VALUES (:r, -1, 3)")
        if on_postgres:
            load._session.execute(bad_row, {"r": respondent})
            with pytest.raises(Exception, match="fk_rating_item_id_item"):
                load.commit()
        else:
            with pytest.raises(Exception, match="FOREIGN KEY"):
                load._session.execute(bad_row, {"r": respondent})
    assert _contents(loaded)["submission"] == []
    assert _foreign_keys(loaded) == keys_before


def test_allocated_ids_are_the_next_ones_and_never_reused(loaded):
    from data.store.bulk import allocate_ids, insert_rows

    with session_scope(loaded) as s:
        stored = import_files(
            s, submission_files(respondents=3), allowed_authorities=None, uploaded_by_id=None
        )
        highest = s.scalar(text("SELECT MAX(id) FROM respondent"))
        ids = allocate_ids(s, "respondent", 4)
        assert ids == sorted(set(ids)) and len(ids) == 4 and ids[0] > highest
        insert_rows(
            s,
            "respondent",
            ("id", "submission_id", "respondent_ref", "role", "service_area", "experience_band"),
            [(i, stored.submission_id, f"X{i}", "social_worker", "", "3-5") for i in ids],
        )
        later = s.scalar(  # an ordinary insert afterwards gets a fresh id
            text(
                "INSERT INTO respondent (submission_id, respondent_ref, role, service_area, "
                "experience_band) VALUES (:s, 'Y', 'social_worker', '', '3-5') RETURNING id"
            ),
            {"s": stored.submission_id},
        )
        assert later > max(ids)
        assert allocate_ids(s, "respondent", 0) == []
