"""`icsdash requirements ...` (dashboard/cli_requirements.py): wiring, the CSV clustering
command (once data.requirements.grouping.csv_io exists) and regrouping a database."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from dashboard import cli_requirements
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
