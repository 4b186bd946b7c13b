"""The icsdash command line: init-db, create-user, import with a user's rights, run's refusals."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import cli
from data.store.db import session_scope
from data.store.models import Submission, User
from tests.factories import submission_files

CREATE_ANN = [
    "create-user",
    "ann",
    "--role",
    "la_user",
    "--authority",
    "E09000901",
    "--password",
    "secret-1",
]


def _write(tmp_path: Path, files) -> list[str]:
    paths = []
    for name, content in files:
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(str(path))
    return paths


def test_create_user_and_import_as_that_user(cli_db, tmp_path, capsys):
    assert cli.main(CREATE_ANN) == 0
    with session_scope(cli_db) as s:
        assert s.scalar(select(User.role).where(User.username == "ann")) == "la_user"
    paths = _write(tmp_path, submission_files("E09000901"))
    assert cli.main(["import", *paths, "--as", "ann"]) == 0
    assert "stored as submission" in capsys.readouterr().out
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 1


def test_import_refused_for_another_authority(cli_db, tmp_path, capsys):
    cli.main(CREATE_ANN)
    paths = _write(tmp_path, submission_files("E10000901", "PROTOCOL ICS"))
    assert cli.main(["import", *paths, "--as", "ann"]) == 1
    err = capsys.readouterr().err
    assert "only upload results for your own authority, not E10000901" in err
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0


def test_create_user_needs_authority_for_la_user(cli_db, capsys):
    assert cli.main(["create-user", "bob", "--role", "la_user", "--password", "secret-1"]) == 1
    assert "must belong to an authority" in capsys.readouterr().err


@pytest.mark.parametrize(
    "key, why",
    [
        (cli.DEFAULT_SECRET, "well-known placeholder"),
        ("changeme", "well-known placeholder"),
        ("", "not set"),
        ("a-real-secret-value", "too short or too simple"),
        ("0123456789abcdef" * 4, "too short or too simple"),  # long but a pattern
        ("ab" * 40, "too short or too simple"),
    ],
)
def test_run_refuses_weak_secret(monkeypatch, capsys, key, why):
    monkeypatch.setattr(cli.Config, "SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///unused.db")
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Refusing to start: SECRET_KEY" in err and why in err


def test_run_refuses_without_database_url(monkeypatch, capsys):
    monkeypatch.setattr(cli.Config, "SECRET_KEY", secrets.token_hex(32))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["run"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_non_demo_database_has_no_demo_users(cli_db):
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
