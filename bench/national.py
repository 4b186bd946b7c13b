"""Generate a national-scale dataset through the real ingest code and report throughput.

    python bench/national.py --database-url sqlite:///bench/out/national.db
    python bench/national.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/national.py --database-url ... --bulk --jobs 2   # one-transaction bulk load

Defaults: 153 LAs, 100 respondents per submission, the full instrument (37 items), 20 periods
(about 11 million ratings) and about 50 findings per submission (150,000+ findings).
Prints ingest throughput (ratings per second), the time to ingest one more 100-respondent
submission including summary refresh, database size and peak memory."""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import os
import random
import re
import time
from dataclasses import astuple

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np
from _common import emit, peak_rss_mb
from sqlalchemy import func, select, text

from data.demo.findings_text import make_style, pick, problems_for, render
from data.demo.generate import build_demo
from data.ingest import import_files, load_catalogue
from data.ingest.bulk import BulkLoad
from data.reference.codes import FINDING_COLUMNS
from data.reference.seed import load_authorities, load_code_lists, load_product_use
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.migrate import upgrade
from data.store.models import Rating
from data.store.versioning import bump_data_version, current_data_version


def quarters(n: int, last: str = "2010-Q4") -> list[str]:
    year, q = int(last[:4]), int(last[-1])
    out = []
    for _ in range(n):
        out.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def submission_files(sub, instrument, findings_per_submission: int, rng) -> list:
    """The three CSV files of one generated submission, padded to the wanted findings."""
    labels = np.array(["", "1", "2", "3", "4", "5"])
    t = sub.responses
    header = [
        "respondent_ref",
        "role",
        "service_area",
        "years_experience_band",
        *instrument.codes,
        "comment",
    ]
    cells = labels[t.ratings].tolist()
    responses = [
        [r, ro, a, b, *c, m]
        for r, ro, a, b, c, m in zip(
            t.refs, t.roles, t.areas, t.bands, cells, t.comments, strict=True
        )
    ]
    findings = [list(astuple(f)[:-1]) for f in sub.findings]
    problems = problems_for(sub.product)
    style = make_style(rng)

    # The same theme, category, area and description twice is a warning the uploader must
    # confirm (ingest refuses it otherwise), so padding never repeats a finding.
    def key(theme, category, area, text) -> tuple:
        return theme, category, area, " ".join(str(text).lower().split())

    seen = {key(f[1], f[2], f[3], f[6]) for f in findings}
    while len(findings) < findings_per_submission:
        p = pick(rng, problems)
        text = render(rng, pick(rng, p.phrasings), style)
        k = key(p.themes[0], p.categories[0], p.areas[0], text)
        if k in seen:
            continue
        seen.add(k)
        findings.append(
            [
                f"X{len(findings):03d}",
                p.themes[0],
                p.categories[0],
                p.areas[0],
                p.severity,
                int(rng.integers(1, 20)),
                text,
                pick(rng, p.suggestions),
            ]
        )
    about = _csv(
        ["field", "value"],
        [
            ("authority_code", sub.authority.code),
            ("product", sub.product),
            ("period", sub.period),
            ("instrument_version", 1),
            ("survey_closed", sub.survey_closed.isoformat()),
        ],
    )
    return [
        ("about.csv", about),
        ("responses.csv", _csv(header, responses)),
        ("findings.csv", _csv(FINDING_COLUMNS, findings)),
    ]


def create_bench_users(session, authority_code: str) -> None:
    """Users for bench/pages.py and bench/load.py (password bench-password)."""
    from dashboard.users import create_user

    create_user(session, "bench-coordinator", "bench-password", "coordinator")
    create_user(session, "bench-la", "bench-password", "la_user", authority_code=authority_code)


def _ingest(sessions, catalogue, subs, instrument, findings, rng) -> float:
    """Import each submission in its own transaction, exactly as an upload is stored;
    return the seconds spent importing (building the CSV bytes is not counted)."""
    seconds = 0.0
    for sub in subs:
        files = submission_files(sub, instrument, findings, rng)
        start = time.perf_counter()
        with session_scope(sessions) as s:
            import_files(
                s, files, allowed_authorities=None, uploaded_by_id=None, catalogue=catalogue
            )
        seconds += time.perf_counter() - start
    return seconds


def _bulk_ingest(sessions, catalogue, subs, instrument, findings, rng, jobs: int) -> float:
    """--bulk: every submission in ONE transaction through data.ingest.bulk.BulkLoad (the
    same checks and store code, checks in `jobs` worker processes); return the wall-clock
    seconds of the load, commit included (building the CSV bytes is not counted)."""
    chunk = 64
    start = time.perf_counter()
    with BulkLoad(sessions, catalogue=catalogue, jobs=jobs) as load:
        seconds = time.perf_counter() - start
        for i in range(0, len(subs), chunk):
            files = [submission_files(s, instrument, findings, rng) for s in subs[i : i + chunk]]
            start = time.perf_counter()
            load.add(files)
            seconds += time.perf_counter() - start
        start = time.perf_counter()
        load.commit()
        seconds += time.perf_counter() - start
    return seconds


def _ingest_slice(url: str, args, k: int) -> float:
    """Worker k of --jobs: rebuild the (deterministic) data and import every jobs-th one."""
    data = build_demo(
        seed=args.seed,
        n_authorities=args.authorities,
        periods=quarters(args.periods),
        respondents=(args.respondents, args.respondents),
    )
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        catalogue = load_catalogue(s)
    bulk = data.submissions[:-1][k :: args.jobs]
    seconds = _ingest(
        sessions,
        catalogue,
        bulk,
        data.instrument,
        args.findings,
        np.random.default_rng([args.seed, k]),
    )
    engine.dispose()
    return seconds


def database_size_mb(engine) -> float:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 2**20
    with engine.connect() as conn:
        size = conn.execute(
            text(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ).scalar()
    return size / 2**20


def reset_postgres_schema(url: str, schema: str = "bench_national") -> str:
    """Use a dedicated schema so the benchmark never touches other data."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise SystemExit(f"--schema {schema!r}: use lower-case letters, digits and _")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def normalise(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def run(args) -> dict:
    url = normalise(args.database_url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    elif url.startswith("postgresql"):
        url = reset_postgres_schema(url, args.schema)
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    periods = quarters(args.periods)
    t0 = time.perf_counter()
    data = build_demo(
        seed=args.seed,
        n_authorities=args.authorities,
        periods=periods,
        respondents=(args.respondents, args.respondents),
    )
    generated = time.perf_counter() - t0
    with session_scope(sessions) as s:
        load_code_lists(s)
        rows = [
            {
                "code": a.code,
                "name": a.name,
                "region": a.region,
                "la_type": a.la_type,
                "size_band": a.size_band,
            }
            for a in data.authorities
        ]
        load_authorities(
            s,
            _csv(list(rows[0]), [list(r.values()) for r in rows]).decode(),
            rng=random.Random(args.seed),
        )
        uses = [(u.authority_code, u.product, u.start, u.end or "") for u in data.product_uses]
        load_product_use(
            s, _csv(["authority_code", "product", "start_date", "end_date"], uses).decode()
        )
        catalogue = load_catalogue(s)
    rng = np.random.default_rng(args.seed)
    *bulk, last = data.submissions
    if args.bulk:
        ingest_seconds = _bulk_ingest(
            sessions, catalogue, bulk, data.instrument, args.findings, rng, args.jobs
        )
    elif args.jobs > 1:
        with session_scope(sessions) as s:
            bump_data_version(s)  # create the version row first: parallel loaders would race
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            # The workers import concurrently: the slowest one's import time is the wall time.
            ingest_seconds = max(
                pool.starmap(_ingest_slice, [(url, args, k) for k in range(args.jobs)])
            )
    else:
        ingest_seconds = _ingest(sessions, catalogue, bulk, data.instrument, args.findings, rng)
    with session_scope(sessions) as s:
        ratings_bulk = s.scalar(select(func.count()).select_from(Rating))
        version_before = current_data_version(s)
    files = submission_files(last, data.instrument, args.findings, rng)
    start = time.perf_counter()
    with session_scope(sessions) as s:
        import_files(s, files, allowed_authorities=None, uploaded_by_id=None, catalogue=catalogue)
    with session_scope(sessions) as s:  # visible: a new reader sees the new data version
        assert current_data_version(s) == version_before + 1
        findings_total = s.execute(text("SELECT COUNT(*) FROM finding")).scalar()
        ratings_total = s.scalar(select(func.count()).select_from(Rating))
    one_more = time.perf_counter() - start
    with session_scope(sessions) as s:
        create_bench_users(s, last.authority.code)
    result = {
        "database": engine.url.get_backend_name(),
        "database_url": url,  # pass this to bench/pages.py and bench/load.py
        "authorities": args.authorities,
        "periods": args.periods,
        "jobs": args.jobs,
        "bulk": args.bulk,
        "submissions": len(data.submissions),
        "ratings": ratings_total,
        "findings": findings_total,
        "generate_s": round(generated, 1),
        "bulk_ingest_s": round(ingest_seconds, 1),
        "ratings_per_s": round(ratings_bulk / ingest_seconds) if ingest_seconds else None,
        "one_more_submission_s": round(one_more, 3),
        "database_mb": round(database_size_mb(engine), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    engine.dispose()
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.db")
    parser.add_argument("--authorities", type=int, default=153)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--findings", type=int, default=50, help="findings per submission")
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="parallel ingest processes (one transaction per submission each); with --bulk, "
        "processes checking files while one connection stores them",
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="load all but the last submission in one transaction (data.ingest.bulk.BulkLoad, "
        "as an initial national load would)",
    )
    parser.add_argument(
        "--schema",
        default="bench_national",
        help="PostgreSQL schema to (re)create for the dataset (dropped first if it exists)",
    )
    parser.add_argument("--json", action="store_true", help="JSON only")
    args = parser.parse_args(argv)
    result = run(args)
    emit("National-scale ingest", [result], as_json=args.json)
    return result


if __name__ == "__main__":
    main()
