"""Versioned submissions on SQLite and PostgreSQL: supersede, restore, the same file twice,
two uploads for one period at the same moment, and who may see or change the history."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from sqlalchemy import event, func, select

from data.errors import DomainError, IngestError, PermissionDenied
from data.ingest import CONCURRENT, check_files, import_files
from data.pages.admin import add_user
from data.pages.upload_history import export_submission, history, restore
from data.privacy.access import Viewer
from data.store.db import session_scope
from data.store.models import AuditEvent, Submission
from data.store.versioning import current_data_version
from tests.factories import load_reference, submission_files
from tests.unit.test_validation_files import base_tables, set_cell, to_csv

TESTBURY, FENWICK = 1, 2


@pytest.fixture
def ref(sessions):
    with session_scope(sessions) as s:
        load_reference(s)
        users = {
            name: add_user(
                s, username=name, password_hash="-", role=role, authority_id=la, supplier_id=sup
            ).id
            for name, role, la, sup in [
                ("la", "la_user", TESTBURY, None),
                ("other", "la_user", FENWICK, None),
                ("coord", "coordinator", None, None),
                ("admin", "admin", None, None),
            ]
        }
    sessions.viewers = {
        "la": Viewer(users["la"], "la_user", TESTBURY),
        "other": Viewer(users["other"], "la_user", FENWICK),
        "coord": Viewer(users["coord"], "coordinator"),
        "admin": Viewer(users["admin"], "admin"),
    }
    return sessions


def _import(sessions, files, viewer=None) -> int:
    with session_scope(sessions) as s:
        result = import_files(
            s,
            files,
            allowed_authorities=frozenset({TESTBURY}) if viewer else None,
            uploaded_by_id=viewer.user_id if viewer else None,
        )
    return result.submission_id


def _statuses(sessions) -> dict[int, str]:
    with session_scope(sessions) as s:
        return dict(s.execute(select(Submission.id, Submission.status)).all())


def test_supersede_then_restore_both_ways(ref):
    la = ref.viewers["la"]
    first = _import(ref, submission_files(seed=1), la)
    second = _import(ref, submission_files(seed=2), la)
    assert _statuses(ref) == {first: "superseded", second: "current"}
    with session_scope(ref) as s:
        before = current_data_version(s)
        result = restore(s, la, first)
    assert (result.restored_id, result.superseded_id) == (first, second)
    assert result.data_version == before + 1
    assert _statuses(ref) == {first: "current", second: "superseded"}
    with session_scope(ref) as s:
        rows = history(s, la, TESTBURY)
        audit = s.execute(
            select(AuditEvent.action, AuditEvent.target).where(AuditEvent.action == "restore")
        ).all()
    assert [(r.id, r.status, r.uploader) for r in rows] == [
        (second, "superseded", "la"),
        (first, "current", "la"),
    ]
    assert audit == [("restore", f"submission {first}")]
    with session_scope(ref) as s:
        restore(s, ref.viewers["admin"], second)  # an admin may restore too
    assert _statuses(ref) == {first: "superseded", second: "current"}
    with pytest.raises(DomainError, match="already the current one"), session_scope(ref) as s:
        restore(s, la, second)


def test_same_file_again_is_recognised_and_not_stored_twice(ref):
    files = submission_files(seed=1)
    first = _import(ref, files)
    assert _import(ref, files) == first
    second = _import(ref, submission_files(seed=2))
    with session_scope(ref) as s:
        check = check_files(s, files, allowed_authorities=None)
        assert (check.duplicate_of, check.supersedes) == (first, None)
        again = import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
        assert again.duplicate and again.submission_id == first
    assert _statuses(ref) == {first: "superseded", second: "current"}
    # CSV files given in another order are the same upload
    assert _import(ref, list(reversed(files))) == first


DEADLINE_S = 30  # a bound on each wait below, never a duration anything relies on


def _race(sessions, files_a, files_b) -> tuple[object, object]:
    """Store A without committing; let B check the period and start writing (so B has seen
    no current submission from A); only then commit A; return both outcomes.

    B's first INSERT/UPDATE is observed with a SQLAlchemy event on B's thread: its checks
    are done by then, and its write either waits on A's locks or runs after A's commit,
    so the outcome does not depend on timing."""
    a_flushed, b_writing = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}
    b_thread: list[int] = []
    engine = sessions.kw["bind"]

    def on_execute(_conn, _cursor, statement, *_args):
        if threading.get_ident() in b_thread and statement.lstrip()[:6].upper() in (
            "INSERT",
            "UPDATE",
        ):
            b_writing.set()

    def upload_a():
        try:
            with session_scope(sessions) as s:
                outcome["a"] = import_files(
                    s, files_a, allowed_authorities=None, uploaded_by_id=None
                ).submission_id
                a_flushed.set()
                if not b_writing.wait(DEADLINE_S):
                    raise TimeoutError("upload B never started writing")
        except Exception as exc:  # pragma: no cover - reported below
            outcome["a"] = exc
            a_flushed.set()

    def upload_b():
        b_thread.append(threading.get_ident())
        a_flushed.wait(DEADLINE_S)
        try:
            with session_scope(sessions) as s:
                outcome["b"] = import_files(
                    s, files_b, allowed_authorities=None, uploaded_by_id=None
                ).submission_id
        except Exception as exc:
            outcome["b"] = exc
        finally:
            b_writing.set()  # B stopped before writing: A need not wait out the deadline

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        threads = [threading.Thread(target=upload_a), threading.Thread(target=upload_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(2 * DEADLINE_S)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return outcome["a"], outcome["b"]


@pytest.mark.parametrize("existing", [False, True], ids=["first-upload", "superseding"])
def test_two_uploads_at_the_same_moment_cannot_both_become_current(ref, existing):
    old = _import(ref, submission_files(seed=9)) if existing else None
    a, b = _race(ref, submission_files(seed=10), submission_files(seed=11))
    assert isinstance(a, int), a
    assert isinstance(b, IngestError), b
    assert b.report.messages() == [f"File: {CONCURRENT}"]
    assert str(b) == (
        "another upload for this period was stored at the same moment; check the history"
    )
    expected = {a: "current"} | ({old: "superseded"} if existing else {})
    assert _statuses(ref) == expected
    with session_scope(ref) as s:
        current = s.scalar(
            select(func.count()).select_from(Submission).where(Submission.status == "current")
        )
    assert current == 1


def test_only_own_authority_or_admin_sees_and_changes_history(ref):
    la, other, coord = ref.viewers["la"], ref.viewers["other"], ref.viewers["coord"]
    first = _import(ref, submission_files(seed=1), la)
    _import(ref, submission_files(seed=2), la)
    for viewer in (other, coord):
        with pytest.raises(PermissionDenied), session_scope(ref) as s:
            history(s, viewer, TESTBURY)
        with pytest.raises(PermissionDenied), session_scope(ref) as s:
            restore(s, viewer, first)
        with pytest.raises(PermissionDenied), session_scope(ref) as s:
            export_submission(s, viewer, first)
    assert _statuses(ref)[first] == "superseded"


def _zip_tables(content: bytes) -> dict[str, str]:
    zf = zipfile.ZipFile(io.BytesIO(content))
    return {n.rsplit("_", 1)[-1]: zf.read(n).decode("utf-8-sig") for n in zf.namelist()}


def test_download_of_stored_data_keeps_refs_inside_the_authority(ref):
    files = submission_files(seed=3, comment="Ring Mrs Jones on 0161 496 0000")
    sub = _import(ref, files, ref.viewers["la"])
    with session_scope(ref) as s:
        own_name, own = export_submission(s, ref.viewers["la"], sub)
        _name, admins = export_submission(s, ref.viewers["admin"], sub)
    assert own_name == f"E09000901_2010-Q1_submission-{sub}.zip"
    own_tables, admin_tables = _zip_tables(own), _zip_tables(admins)
    assert own_tables["responses.csv"].startswith("respondent_ref,role,")
    assert "R001" in own_tables["responses.csv"]
    assert admin_tables["responses.csv"].startswith("role,service_area,")
    assert "R001" not in admin_tables["responses.csv"]
    assert "Mrs [redacted: name]" in own_tables["responses.csv"]
    assert "Jones" not in own_tables["responses.csv"]
    # The LA's own download is in the upload format: it checks clean as the same data
    downloaded = [(n, c.encode()) for n, c in own_tables.items() if n.endswith(".csv")]
    with session_scope(ref) as s:
        check = check_files(s, downloaded, allowed_authorities=None)
    assert check.report.messages() == []
    assert len(check.valid.respondents) == 12


def test_awkward_but_valid_text_stores_on_every_backend(ref):
    """Limits are checked before storing, so nothing reaches the database it cannot hold."""
    t = base_tables(seed=40)
    t = set_cell(t, "Responses", 2, "comment", "Ça marche 😀 " + "x" * 7900)
    t = set_cell(t, "Responses", 2, "service_area", "case ref 123456 " + "a" * 60)
    t = set_cell(t, "Responses", 3, "respondent_ref", "R" * 64)
    t = set_cell(t, "Findings", 2, "finding_ref", "F" * 64)
    t = set_cell(t, "Findings", 2, "respondents_raising", "14")  # at most every respondent
    sub = _import(ref, to_csv(t, encoding="utf-16"))
    with session_scope(ref) as s:
        stored = s.get(Submission, sub)
        assert (stored.n_respondents, stored.status) == (14, "current")
