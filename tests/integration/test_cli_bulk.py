"""`icsdash import --bulk`: many files in one transaction, all or nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import cli
from data.store.db import session_scope
from data.store.models import AuditEvent, Submission, User
from tests.factories import submission_files


def _zip(tmp_path: Path, name: str, files) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for member, content in files:
            z.writestr(member, content)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return str(path)


def _zips(tmp_path: Path) -> list[str]:
    return [
        _zip(tmp_path, "a.zip", submission_files(seed=1)),
        _zip(tmp_path, "b.zip", submission_files("E06000901", "frameworki", "2010-Q2", seed=2)),
        _zip(tmp_path, "c.zip", submission_files(seed=3)),  # supersedes a.zip
    ]


def _count(sessions, model) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bulk_import_stores_every_file(cli_db, tmp_path, capsys, jobs):
    assert cli.main(["import", "--bulk", "--jobs", jobs, *_zips(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "a.zip: stored as submission 1"
    assert out[2] == "c.zip: stored as submission 3, superseding submission 1"
    assert out[3] == "3 new submission(s) stored in one transaction"
    assert _count(cli_db, Submission) == 3
    assert _count(cli_db, AuditEvent) == 3


def test_bulk_import_with_a_refused_file_stores_nothing(cli_db, tmp_path, capsys):
    bad = _zip(tmp_path, "bad.zip", submission_files("E10000901", "CareFirst", "2010-Q3"))
    paths = _zips(tmp_path)
    assert cli.main(["import", "--bulk", paths[0], bad, paths[1]]) == 1
    err = capsys.readouterr().err
    assert "Refused: bad.zip: 1 problem(s) found; nothing from this load was stored" in err
    assert "did not use CareFirst" in err
    assert _count(cli_db, Submission) == 0
    assert _count(cli_db, AuditEvent) == 0


def test_bulk_import_applies_the_users_rights(cli_db, tmp_path, capsys):
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
    args = ["create-user", "ann", "--role", "la_user", "--authority", "E09000901"]
    assert cli.main([*args, "--password", "secret-1"]) == 0
    paths = _zips(tmp_path)
    assert cli.main(["import", "--bulk", "--as", "ann", *paths]) == 1
    assert "only upload results for your own authority" in capsys.readouterr().err
    assert _count(cli_db, Submission) == 0
    assert cli.main(["import", "--bulk", "--as", "ann", paths[0], paths[2]]) == 0
    assert _count(cli_db, Submission) == 2
