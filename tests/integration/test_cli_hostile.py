"""Hostile arguments to every `icsdash` subcommand that reads files or the database: missing
databases, folders, binary and wrongly encoded files, outputs over the input or in missing
folders, thresholds that are not numbers. Each ends in one clear line on stderr and a
non-zero exit, with no traceback, no database file made by accident, and no file written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard import cli, cli_supplier
from data.store.db import session_scope
from data.store.models import Notification
from tests.integration.test_bad_input_corpus import fingerprint

DEVSET_HEADER = (
    "finding_id,authority,supplier,theme,workflow_area,category,severity,"
    "respondents_raising,description,suggested_change\n"
)
NEEDS_DATABASE = [
    ["requirements", "relate", "C-1", "C-2", "--as", "nlar"],
    ["requirements", "unrelate", "C-1", "C-2", "--as", "nlar"],
    ["requirements", "regroup"],
    ["supplier", "api-token", "someone"],
    ["supplier", "notify-period", "2010-Q1", "--opening"],
    ["create-user", "x", "--role", "coordinator", "--password", "long-pass-1"],
    ["import", "README.md"],
]


@pytest.fixture
def empty_dir(tmp_path, monkeypatch):
    """A folder with no database, DATABASE_URL unset (icsdash.db here is the default)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(cli.Config, "DATABASE_URL", "sqlite:///./icsdash.db")
    (tmp_path / "README.md").write_text("not a submission")
    return tmp_path


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("args", NEEDS_DATABASE, ids=lambda a: " ".join(a[:2]))
def test_no_database_is_one_line_and_creates_no_file(empty_dir, capsys, args):
    assert cli.main(args) == 1
    assert "No database at" in one_line(capsys)
    assert sorted(p.name for p in empty_dir.iterdir()) == ["README.md"]


def _csv(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "No columns to parse"),
        (b"a,b\n1,2\n", "missing required column(s)"),
        (b"\x91\x00\xff" * 1000, "not UTF-8 text"),
        (DEVSET_HEADER.encode("utf-16"), "not UTF-8 text"),
    ],
    ids=["empty", "wrong columns", "binary", "utf-16"],
)
def test_cluster_refuses_bad_input_files(empty_dir, capsys, content, expected):
    source = _csv(empty_dir, "in.csv", content)
    code = cli.main(["requirements", "cluster", source, "-o", str(empty_dir / "out.csv")])
    assert code == 1
    assert expected in one_line(capsys)
    assert not (empty_dir / "out.csv").exists()


def test_cluster_refuses_folders_missing_files_and_bad_outputs(empty_dir, capsys):
    good = _csv(empty_dir, "good.csv", DEVSET_HEADER.encode())
    (empty_dir / "adir").mkdir()
    before = sorted(p.name for p in empty_dir.iterdir())
    cases = [
        ([str(empty_dir / "adir"), "-o", "out.csv"], "is a folder, not a file"),
        (["missing.csv", "-o", "out.csv"], "No file at missing.csv"),
        ([good, "-o", str(empty_dir / "adir")], "is a folder: name the output file"),
        ([good, "-o", "nowhere/out.csv"], "the folder nowhere does not exist"),
        ([good, "-o", "../" * 40 + "nowhere/out.csv"], "does not exist"),
        ([good, "-o", good], "is the input file"),
    ]
    for args, expected in cases:
        assert cli.main(["requirements", "cluster", *args]) == 1, args
        assert expected in one_line(capsys), args
    assert sorted(p.name for p in empty_dir.iterdir()) == before
    assert (empty_dir / "good.csv").read_text() == DEVSET_HEADER  # the input is untouched


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "0", "1", "1e309", "abc", ""])
@pytest.mark.parametrize("command", ["cluster", "regroup"])
def test_threshold_outside_0_1_is_a_usage_error(empty_dir, capsys, value, command):
    good = _csv(empty_dir, "good.csv", DEVSET_HEADER.encode())
    args = ["requirements", command, f"--threshold={value}"]
    if command == "cluster":
        args += [good, "-o", "out.csv"]
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "between 0 and 1" in err and "Traceback" not in err
    assert not (empty_dir / "out.csv").exists() and not (empty_dir / "icsdash.db").exists()


def test_regroup_with_a_bad_threshold_leaves_the_database_alone(cli_db, capsys):
    url = str(cli_db.kw["bind"].url)
    before = fingerprint(url)
    with pytest.raises(SystemExit):
        cli.main(["requirements", "regroup", "--threshold", "-5"])
    assert fingerprint(url) == before


def test_unknown_options_are_usage_errors(empty_dir, capsys):
    for args in (["import", "--nope", "x"], ["requirements", "cluster"], ["supplier"], ["nope"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(args)
        assert stop.value.code == 2, args
        err = capsys.readouterr().err
        assert "Traceback" not in err and "error:" in err
    assert sorted(p.name for p in empty_dir.iterdir()) == ["README.md"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["import", "a.xlsx", "--bulk", "--jobs", "100000"], "number of processes from 1"),
        (["import", "a.xlsx", "--bulk", "--jobs", "0"], "number of processes from 1"),
        (["load-demo", "--authorities", "-5"], "number of authorities from 1 to 5000"),
        (["load-demo", "--authorities", "10000000"], "number of authorities from 1 to 5000"),
    ],
)
def test_counts_out_of_range_are_usage_errors(empty_dir, capsys, args, expected):
    """A huge --jobs used to start that many processes; a negative --authorities failed with
    an unexpected error after creating the database."""
    with pytest.raises(SystemExit) as stop:
        cli.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert sorted(p.name for p in empty_dir.iterdir()) == ["README.md"]


@pytest.mark.parametrize("code", ["x", "E0900001", "E090000199", "../E09000019", "e09000019x"])
def test_template_refuses_what_is_not_a_gss_code(tmp_path, capsys, code):
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", str(out), "--authority", code]) == 1
    assert "is not a GSS code" in one_line(capsys)
    assert not out.exists()


def test_template_takes_a_gss_code_in_any_case(tmp_path):
    assert cli.main(["template", str(tmp_path / "t.xlsx"), "--authority", " e09000019 "]) == 0


@pytest.mark.parametrize("until", ["next week", "2010-13-01", "x" * 5000, "31/03/2010"])
def test_notify_period_refuses_a_closing_date_that_is_not_a_date(cli_db, capsys, until):
    args = ["supplier", "notify-period", "2010-Q1", "--opening", "--until", until]
    assert cli.main(args) == 1
    assert "is not a date: write the closing date as YYYY-MM-DD" in one_line(capsys)
    with session_scope(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Notification)) == 0


def test_notify_period_writes_the_closing_date_for_people(cli_db, capsys):
    args = ["supplier", "notify-period", "2010-Q1", "--opening", "--until", "2010-03-31"]
    assert cli.main(args) == 0
    assert "opens" in capsys.readouterr().out
    assert cli_supplier._closing_date(" 2010-03-31 ") == "31 March 2010"
