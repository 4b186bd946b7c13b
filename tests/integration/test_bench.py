"""Small runs of the benchmark scripts so they cannot rot (figures are not asserted)."""

from __future__ import annotations

import os
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
            "1",
            "--users",
            "3",
            "--seconds",
            "2",
            "--think",
            "0",
            "0.2",
            "--json",
        ]
    )
    assert rows[0]["requests"] > 0 and rows[0]["errors"] == 0


def test_bench_first_load_runs(national_db):
    # In its own process: the browser tests may already hold a Playwright loop in this one.
    import json
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "first_load.py"),
            "--database-url",
            national_db,
            "--users",
            "bench-la",
            "--workers",
            "1",
            # the three pages asserted below (the script's other pages work the same way)
            "--pages",
            "/",
            "/compare",
            "/themes",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout.strip().splitlines()[-1])["rows"]
    assert {r["page"] for r in rows} >= {"/", "/compare", "/themes"}
    assert all(r["load_ms"] > 0 for r in rows)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_bench_national_bulk_runs(backend, tmp_path):
    """--bulk --jobs 2: one transaction, checks in two processes; then one more upload."""
    import national
    from sqlalchemy import text

    from data.store.db import make_engine
    from tests.conftest import PG_URL, REQUIRE_PG

    schema = f"t_bench_bulk_{os.getpid()}"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'bulk.db'}"
    else:
        try:
            make_engine(PG_URL).connect().close()
        except Exception as exc:
            if REQUIRE_PG:
                raise
            pytest.skip(f"PostgreSQL not reachable: {exc}")
        url = PG_URL
    args = ["--authorities", "4", "--periods", "2", "--respondents", "15", "--findings", "4"]
    try:
        result = national.main(
            ["--database-url", url, "--schema", schema, *args, "--bulk", "--jobs", "2", "--json"]
        )
    finally:
        if backend == "postgresql":
            engine = make_engine(PG_URL)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            engine.dispose()
    assert result["bulk"] and result["submissions"] >= 6 and result["ratings"] > 0
    assert result["ratings_per_s"] > 0 and result["one_more_submission_s"] > 0


def test_bench_national_pads_findings_without_repeating_one(tmp_path):
    """Padding a submission to many findings drew the same problem and wording twice, which
    ingest refuses until confirmed: the default national run stopped at its first period."""
    import national

    result = national.main(
        ["--database-url", f"sqlite:///{tmp_path / 'n.db'}", "--authorities", "3",
         "--periods", "1", "--respondents", "20", "--findings", "150", "--json"]
    )  # fmt: skip
    assert result["submissions"] >= 3 and result["findings"] >= 3 * 150


def test_cluster_eval_ceiling_is_the_best_of_its_grid(monkeypatch):
    """The ceiling takes the best ARI over its grid on the set itself, so it is never
    below the ARI of any one setting of that grid (here a small grid and three groups)."""
    from bench import cluster_eval as ce

    monkeypatch.setattr(ce, "GRID", (0.1, 0.2, 0.3))
    monkeypatch.setattr(ce, "RELATIVE_GRID", (0.0, 0.6))
    monkeypatch.setattr(ce, "CEILING_MEANINGS", (None,))  # TF-IDF only: no model needed
    df = ce.load_devset()
    part = df.loc[df["true_group"].isin(df["true_group"].unique()[:3])].reset_index(drop=True)
    got = ce.ceiling({"small": part})["small"]
    each = [ce.evaluate(part, t)["ari"] for t in ce.GRID]
    assert got["ari"] == pytest.approx(max(each), abs=1e-4)
    assert got["threshold"] == ce.GRID[each.index(max(each))]
