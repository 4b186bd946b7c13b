"""`icsdash requirements ...` (dashboard/cli_requirements.py): wiring, the CSV clustering
command (once data.requirements.grouping.csv_io exists) and regrouping a database."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from dashboard import cli_requirements
from dashboard.users import create_user
from data.errors import DomainError
from data.requirements import clusters
from data.store.db import make_engine, make_sessionmaker, session_scope
from tests.conftest import fresh_database
from tests.unit.test_requirements_support import seed_authorities, standard_findings

DEVSET = Path(__file__).resolve().parents[1] / "fixtures" / "findings_devset.csv"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="icsdash")
    cli_requirements.add_parser(p.add_subparsers(dest="command", required=True))
    return p


def test_parser_wires_both_commands():
    args = parser().parse_args(["requirements", "cluster", "in.csv", "--output", "out.csv"])
    assert (args.input, args.output, args.func) == (
        "in.csv",
        "out.csv",
        cli_requirements.cmd_cluster,
    )
    args = parser().parse_args(["requirements", "regroup"])
    assert args.func is cli_requirements.cmd_regroup and args.threshold is None
    with pytest.raises(SystemExit):
        parser().parse_args(["requirements", "cluster", "in.csv"])  # --output is required


def test_cluster_csv_keeps_columns_and_adds_cluster_id(tmp_path, capsys):
    out = tmp_path / "out.csv"
    args = parser().parse_args(["requirements", "cluster", str(DEVSET), "--output", str(out)])
    assert args.func(args, None) == 0
    assert "candidate groups written to" in capsys.readouterr().out
    with (
        DEVSET.open(newline="", encoding="utf-8") as a,
        out.open(newline="", encoding="utf-8") as b,
    ):
        src, got = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert len(got) == len(src) and set(src[0]) | {"cluster_id"} <= set(got[0])
    assert all(row["cluster_id"] for row in got)
    bad = tmp_path / "bad.csv"
    bad.write_text("finding_id,description\nA,text\n", encoding="utf-8")
    args = parser().parse_args(["requirements", "cluster", str(bad), "--output", str(out)])
    with pytest.raises(DomainError, match="cannot cluster"):
        args.func(args, None)


def test_cluster_names_a_file_that_is_no_csv_table_and_an_output_it_cannot_write(tmp_path):
    out = tmp_path / "out.csv"
    text = tmp_path / "notes.csv"
    text.write_text("root:x:0:0\nbin:x:1:1\ndaemon:x:2:2\na,b,c,d\n", encoding="utf-8")
    args = parser().parse_args(["requirements", "cluster", str(text), "--output", str(out)])
    with pytest.raises(DomainError, match="not a CSV table of findings.*finding_id"):
        args.func(args, None)
    assert not out.exists()
    # /proc takes no new files: the write fails after the grouping, and says which file
    args = parser().parse_args(["requirements", "cluster", str(DEVSET), "--output", "/proc/x.csv"])
    with pytest.raises(DomainError, match=r"cannot write /proc/x\.csv: No such file"):
        args.func(args, None)


def test_regroup_command_stores_candidates(tmp_path, capsys):
    url = fresh_database("sqlite", tmp_path, "cli")
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        seed_authorities(s)
        standard_findings(s)
    config = type("Cfg", (), {"DATABASE_URL": url})
    args = parser().parse_args(["requirements", "regroup"])
    assert args.func(args, config) == 0
    assert "Grouped 10 findings" in capsys.readouterr().out
    with session_scope(sessions) as s:
        assert clusters.ungrouped_count(s) == 0


def test_cluster_explain_adds_typical_finding_and_shared_phrases(tmp_path, capsys):
    out = tmp_path / "out.csv"
    args = parser().parse_args(
        ["requirements", "cluster", str(DEVSET), "--output", str(out), "--explain"]
    )
    assert args.explain and args.func(args, None) == 0
    with (
        DEVSET.open(newline="", encoding="utf-8") as a,
        out.open(newline="", encoding="utf-8") as b,
    ):
        src, got = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert list(got[0])[: len(src[0]) + 1] == [*src[0], "cluster_id"]
    assert list(got[0])[-2:] == ["typical_finding", "shared_phrases"]
    ids = {row["finding_id"] for row in got}
    for row in got:
        assert row["typical_finding"] in ids
        mates = [r for r in got if r["cluster_id"] == row["cluster_id"]]
        assert row["typical_finding"] in {r["finding_id"] for r in mates}
        assert len({r["shared_phrases"] for r in mates}) == 1
    assert any(row["shared_phrases"] for row in got)
    plain = tmp_path / "plain.csv"
    args = parser().parse_args(["requirements", "cluster", str(DEVSET), "--output", str(plain)])
    args.func(args, None)
    with plain.open(newline="", encoding="utf-8") as b:
        assert "typical_finding" not in next(csv.reader(b)), "same columns without --explain"


def test_relate_command_marks_and_unmarks_two_groups(tmp_path, capsys):
    url = fresh_database("sqlite", tmp_path, "relate")
    sessions = make_sessionmaker(make_engine(url))
    with session_scope(sessions) as s:
        seed_authorities(s)
        standard_findings(s)
        clusters.regroup(s)
        a, b = sorted(set(clusters.stored_assignments(s).values()))[:2]
        create_user(s, "coord", "pass-1234", "coordinator")
    config = type("Cfg", (), {"DATABASE_URL": url})
    args = parser().parse_args(["requirements", "relate", a, b, "--as", "coord"])
    assert args.func(args, config) == 0 and "marked related" in capsys.readouterr().out
    with session_scope(sessions) as s:
        assert clusters.related_groups(s, a) == [b]
    args = parser().parse_args(["requirements", "unrelate", b, a, "--as", "coord"])
    assert args.func(args, config) == 0 and "no longer marked" in capsys.readouterr().out
    with pytest.raises(DomainError, match="No candidate group C-none"):
        args = parser().parse_args(["requirements", "relate", a, "C-none", "--as", "coord"])
        args.func(args, config)
