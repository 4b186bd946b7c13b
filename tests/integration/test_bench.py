"""Small runs of the benchmark scripts so they cannot rot (figures are not asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))


@pytest.fixture(scope="module")
def national_db(tmp_path_factory):
    import national

    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'national.db'}"
    result = national.main(
        [
            "--database-url",
            url,
            "--authorities",
            "6",
            "--periods",
            "2",
            "--respondents",
            "20",
            "--findings",
            "6",
            "--json",
        ]
    )
    assert result["submissions"] >= 10 and result["ratings"] > 0
    assert result["ratings_per_s"] > 0 and result["one_more_submission_s"] > 0
    return url


def test_bench_pages_runs(national_db):
    import pages

    result = pages.main(
        ["--database-url", national_db, "--repeat", "1", "--baseline-repeat", "1", "--json"]
    )
    called = {row["callback"] for row in result["rows"]}
    assert any(name.startswith("overview-sus-graph") for name in called)
    assert result["extra"]["naive_baseline_p50_ms"] > 0


def test_bench_load_runs(national_db):
    import load

    rows = load.main(
        [
            "--database-url",
            national_db,
            "--workers",
            "2",
            "--users",
            "3",
            "--seconds",
            "3",
            "--json",
        ]
    )
    assert rows[0]["requests"] > 0 and rows[0]["errors"] == 0


def test_bench_first_load_runs(national_db):
    # In its own process: the browser tests may already hold a Playwright loop in this one.
    import json
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            str(BENCH / "first_load.py"),
            "--database-url",
            national_db,
            "--users",
            "bench-la",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    rows = json.loads(out.strip().splitlines()[-1])["rows"]
    assert {r["page"] for r in rows} >= {"/", "/compare", "/themes"}
    assert all(r["load_ms"] > 0 for r in rows)
