"""The command line's error boundary, tried as a new administrator would: every mistake gives
one line saying what is wrong and what to do, exit status 1 (2 for usage), no traceback
without --debug, no database created by accident, no file left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from dashboard import cli
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.models import Submission
from tests.conftest import _pg_url, fresh_database
from tests.factories import load_reference, submission_files

ROOT = Path(__file__).resolve().parents[2]


def icsdash(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `icsdash` in `cwd` with a clean environment (no DATABASE_URL unless given)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ICSDASH_DEBUG")}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_refusal(proc: subprocess.CompletedProcess, expect: str, code: int = 1) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, proc.stderr
    assert expect in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def workdir(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "survey.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return folder


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_database_url_unset_and_no_default_file(workdir):
    before = _listing(workdir)
    proc = icsdash(workdir, "import", "survey.xlsx")
    line = one_line_refusal(proc, f"No database at {workdir / 'icsdash.db'}")
    assert "DATABASE_URL is not set" in line and "icsdash init-db" in line
    assert _listing(workdir) == before  # no empty icsdash.db created


def test_missing_sqlite_file(workdir):
    missing = workdir / "nowhere.db"
    proc = icsdash(workdir, "create-user", "ann", "--role", "admin", "--password", "x" * 8,
                   env={"DATABASE_URL": f"sqlite:///{missing}"})  # fmt: skip
    one_line_refusal(proc, f"No database at {missing}: run `icsdash init-db`")
    assert not missing.exists()


def test_unreachable_postgresql(workdir):
    url = "postgresql://someone:hunter2@127.0.0.1:1/icsdash"
    line = one_line_refusal(
        icsdash(workdir, "import", "survey.xlsx", env={"DATABASE_URL": url}),
        "Cannot connect to the database at postgresql://someone:***@127.0.0.1:1/icsdash",
    )
    assert "hunter2" not in line and "server is running" in line


def test_malformed_url(workdir):
    line = one_line_refusal(
        icsdash(workdir, "requirements", "regroup", env={"DATABASE_URL": "localhost/icsdash"}),
        "DATABASE_URL 'localhost/icsdash' is not a database URL",
    )
    assert "postgresql://" in line
    one_line_refusal(
        icsdash(workdir, "init-db", env={"DATABASE_URL": "mysql://a@b/c"}),
        "DATABASE_URL uses 'mysql', which icsdash does not support",
    )
    assert _listing(workdir) == ["survey.xlsx"]


def test_missing_input_file_and_a_folder(workdir, tmp_path):
    url = fresh_database("sqlite", tmp_path, "ok")
    env = {"DATABASE_URL": url}
    one_line_refusal(
        icsdash(workdir, "import", "absent.xlsx", env=env), "No file at absent.xlsx: check the path"
    )
    one_line_refusal(
        icsdash(workdir, "import", str(tmp_path), env=env),
        f"{tmp_path} is a folder, not a file: name the file(s) inside it",
    )


def test_debug_shows_the_traceback(workdir):
    proc = icsdash(workdir, "--debug", "import", "survey.xlsx")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "CliError" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("No database at")


def test_usage_error_exits_2(workdir):
    proc = icsdash(workdir, "import")
    assert proc.returncode == 2 and "usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_not_a_database_file(workdir):
    (workdir / "notes.db").write_text("hello")
    one_line_refusal(
        icsdash(workdir, "init-db", env={"DATABASE_URL": f"sqlite:///{workdir / 'notes.db'}"}),
        "is not an icsdash (SQLite) database",
    )


# -- in process (faster): schema checks, file clean-up, the import report -------------------


@pytest.fixture
def use_url(monkeypatch):
    def use(url: str) -> None:
        monkeypatch.setattr(cli.Config, "DATABASE_URL", url)

    return use


def test_missing_schema_on_postgresql(use_url, capsys):
    url = _pg_url("noschema")  # an empty schema: connects, but no tables
    use_url(url)
    assert cli.main(["requirements", "regroup"]) == 1
    err = capsys.readouterr().err.strip()
    assert "has no icsdash schema: run `icsdash init-db`" in err and "\n" not in err
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "select count(*) from information_schema.tables "
                "where table_schema = current_schema()"
            )
        ).scalar()
    engine.dispose()
    assert tables == 0  # regroup created nothing


def test_schema_behind_asks_for_init_db(tmp_path, use_url, capsys):
    url = fresh_database("sqlite", tmp_path, "old")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '0000'"))
    engine.dispose()
    use_url(url)
    assert cli.main(["template", str(tmp_path / "t.xlsx")]) == 0  # needs no database
    assert cli.main(["create-user", "x", "--role", "admin", "--password", "abcdefgh"]) == 1
    assert "has schema version 0000" in capsys.readouterr().err


def test_failed_init_db_leaves_no_file(tmp_path, use_url, monkeypatch, capsys):
    target = tmp_path / "new.db"
    use_url(f"sqlite:///{target}")

    def broken(_url):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cli, "upgrade", broken)
    assert cli.main(["init-db"]) == 1
    assert "Unexpected error (RuntimeError: disk full)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_template_to_a_missing_folder(tmp_path, capsys):
    assert cli.main(["template", str(tmp_path / "no" / "t.xlsx")]) == 1
    assert "the folder" in capsys.readouterr().err
    assert cli.main(["template", str(tmp_path / "t.txt")]) == 1


@pytest.fixture
def cli_db(tmp_path, use_url):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    use_url(url)
    assert cli.main(["init-db"]) == 0
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        load_reference(s)
    return sessions


def _write(folder: Path, files) -> list[str]:
    for name, content in files:
        (folder / name).write_bytes(content)
    return [str(folder / name) for name, _ in files]


def test_import_prints_the_upload_pages_report(cli_db, tmp_path, capsys):
    first = _write(tmp_path, submission_files("E09000901", period="2010-Q1", seed=1))
    assert cli.main(["import", *first]) == 0
    out = capsys.readouterr().out
    assert "passed every check" in out
    assert "Rows checked: " in out and "respondents" in out and "findings" in out
    assert "Redacted: " in out and "Supersedes: nothing" in out
    assert "stored as submission 1" in out
    second = _write(tmp_path, submission_files("E09000901", period="2010-Q1", seed=2))
    assert cli.main(["import", *second]) == 0
    out = capsys.readouterr().out
    assert "Supersedes: submission 1 (kept in the history)" in out
    assert "stored as submission 2, superseding submission 1" in out
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 2


def test_import_refusal_is_a_report_not_a_traceback(cli_db, tmp_path, capsys):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert cli.main(["import", str(empty)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "'empty.xlsx' is empty" in err
