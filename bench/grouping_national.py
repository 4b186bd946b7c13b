"""Grouping at national scale: full regroup time and peak memory, and one 50-finding upload
grouped at once (upload-time assignment), on a database of ~150,000 findings.

    python bench/grouping_national.py                       # 150,000 findings, SQLite
    python bench/grouping_national.py --findings 20000      # quicker
    python bench/grouping_national.py --database-url postgresql://postgres@127.0.0.1:5432/test

Findings are written straight into the finding table (3,000 submissions of 50 findings from the
demo's problem bank, rendered in each LA's writing style by data.demo.findings_text), without
ratings: grouping reads only findings. Their sentence vectors go into the embedding cache, as a
running system would have them after each upload. Embedding 150,000 texts with the real model
is a one-off that takes this 2-core machine tens of minutes, so the cached vectors are made
from the real model's vectors of the bank's phrasings with noise added for each rendering
(cosine ~0.9 to the phrasing); the model's real throughput is measured and printed, and the
50-finding upload is embedded by the real model. Each measured step runs in a fresh process
so that its peak RSS is its own.

Figures (2026-12-07, 150,000 findings, 17,033 distinct texts, SQLite, quiet 2-core machine, the
merged code: regroup by meaning and words, recomputing every group): full regroup from nothing
23.0 s wall / 23.0 s CPU / 745 MB; periodic regroup (50 just uploaded, 9 findings moved) 21.2 s /
21.3 s / 782 MB; 50-finding upload 0.58 s (model load 0.7 s, once per process); embedding
160 texts/s. Before the scale work (busy machine, load 8-13): 413 s wall / 63.4 s CPU /
1,006 MB from nothing, 4.45 s per upload. The README states them with the targets.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import date

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np
from _common import emit, peak_rss_mb
from sqlalchemy import delete, func, insert, select

from data.demo.findings_text import PROBLEMS, make_style, pick, problems_for, render
from data.reference.codes import FINDING_COLUMNS
from data.requirements.grouping import embeddings as emb
from data.store.db import make_engine, make_sessionmaker, session_scope
from data.store.migrate import upgrade
from data.store.models import (
    Authority,
    ClusterSummary,
    Finding,
    FindingCluster,
    FindingEmbedding,
    Product,
    ProductUse,
    Submission,
)

PER_SUBMISSION = 50
PRODUCTS = ("CareFirst", "frameworki", "PROTOCOL ICS", "Paris ICS")


def _periods(n: int) -> list[str]:
    return [f"{2006 + k // 4}-Q{k % 4 + 1}" for k in range(n)]


def _url(args) -> str:
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgresql"):
        sys.path.insert(0, os.path.dirname(__file__))
        from national import reset_postgres_schema

        if args.step == "build":
            return reset_postgres_schema(url, "bench_grouping")
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}options=-csearch_path%3Dbench_grouping"
    return url


def _vectors_for(texts: list[str], base: dict[str, np.ndarray], pids: list[str], rng) -> list:
    noise = rng.normal(size=(len(texts), emb.DIM)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    out = []
    for k, pid in enumerate(pids):
        v = base[pid] + 0.48 * noise[k]  # cosine ~0.9 to the problem's phrasing vector
        out.append((v / np.linalg.norm(v)).astype(np.float32))
    return out


def build(url: str, n: int, seed: int) -> dict:
    """Schema, reference rows, n findings and their cached vectors."""
    from data.reference.seed import load_authorities, load_code_lists

    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = np.random.default_rng(seed)
    submissions = max(1, n // PER_SUBMISSION)
    las = 153
    periods = _periods(-(-submissions // las))
    with session_scope(sessions) as s:
        load_code_lists(s)
        rows = ["code,name,region,la_type,size_band"] + [
            f"E0{9000000 + k},Authority {k},London,london_borough,medium" for k in range(las)
        ]
        load_authorities(s, "\n".join(rows), rng=random.Random(seed))
        products = {p.name: p for p in s.scalars(select(Product))}
        auths = s.scalars(select(Authority).order_by(Authority.id)).all()
        for k, a in enumerate(auths):
            s.add(
                ProductUse(
                    authority_id=a.id,
                    product_id=products[PRODUCTS[k % 4]].id,
                    start_date=date(2005, 1, 1),
                )
            )
        s.flush()
        started = time.perf_counter()
        # The real model's vector of each problem's first phrasing (and suggestion).
        base_texts = {p.pid: emb.model_input(p.phrasings[0], p.suggestions[0]) for p in PROBLEMS}
        vecs = emb.embed(list(base_texts.values()))
        if vecs is None:
            raise SystemExit(f"the sentence model is needed: {emb.status().reason}")
        base = dict(zip(base_texts, vecs, strict=True))
        embed_s = time.perf_counter() - started
        styles = [make_style(rng) for _ in auths]
        sub_rows, finding_rows, cache = [], [], {}
        for k in range(submissions):
            a = auths[k % las]
            product = products[PRODUCTS[(k % las) % 4]]
            sub_rows.append(
                {
                    "id": k + 1,
                    "authority_id": a.id,
                    "product_id": product.id,
                    "supplier_id": product.supplier_id,
                    "period": periods[k // las],
                    "instrument_version": 1,
                    "file_hash": f"bench-{k}",
                    "status": "current",
                    "n_findings": PER_SUBMISSION,
                }
            )
            problems = problems_for(product.name)
            texts, pids = [], []
            for j in range(PER_SUBMISSION):
                p = pick(rng, problems)
                desc = render(rng, pick(rng, p.phrasings), styles[k % las])
                sugg = pick(rng, p.suggestions)
                finding_rows.append(
                    {
                        "submission_id": k + 1,
                        "finding_ref": f"F{j + 1}",
                        "theme_code": p.themes[0],
                        "category_code": p.categories[0],
                        "workflow_area_code": p.areas[0],
                        "severity": p.severity,
                        "respondents_raising": 3,
                        "description": desc,
                        "suggested_change": sugg,
                    }
                )
                texts.append(emb.model_input(desc, sugg))
                pids.append(p.pid)
            keys = [emb.text_key(t) for t in texts]
            for key, vec in zip(keys, _vectors_for(texts, base, pids, rng), strict=True):
                cache.setdefault(key, vec)
        for start in range(0, len(sub_rows), 5000):
            s.execute(insert(Submission), sub_rows[start : start + 5000])
        for start in range(0, len(finding_rows), 20000):
            s.execute(insert(Finding), finding_rows[start : start + 20000])
        items = list(cache.items())
        for start in range(0, len(items), 20000):
            s.execute(
                insert(FindingEmbedding),
                [{"text_hash": k, "vector": v.tobytes()} for k, v in items[start : start + 20000]],
            )
    engine.dispose()
    return {
        "findings": len(finding_rows),
        "distinct_texts": len(cache),
        "base_embed_s": round(embed_s, 2),
    }


def regroup_step(url: str, scratch: bool) -> dict:
    from data.requirements import clusters

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    if scratch:
        with session_scope(sessions) as s:
            s.execute(delete(FindingCluster))
            s.execute(delete(ClusterSummary))
    started, cpu = time.perf_counter(), time.process_time()
    with session_scope(sessions) as s:
        result = clusters.regroup(s)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return {
        "regroup_s": round(seconds, 1),
        "regroup_cpu_s": round(cpu, 1),
        "findings": result.findings,
        "candidates": result.candidates,
        "moved": result.moved,
        "model": result.model,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _upload_files(rng, code: str, product: str, period: str) -> list[tuple[str, bytes]]:
    from data.reference.codes import instrument

    def as_csv(rows):
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        return buf.getvalue().encode()

    codes = [i.code for i in instrument(1)]
    about = as_csv(
        [
            ["field", "value"],
            ["authority_code", code],
            ["product", product],
            ["period", period],
            ["instrument_version", 1],
            ["survey_closed", "2015-03-31"],
        ]
    )
    header = ["respondent_ref", "role", "service_area", "years_experience_band", *codes, "comment"]
    responses = [header] + [
        [f"R{i:03d}", "social_worker", "assessment", "3-5", *rng.integers(1, 6, len(codes)), ""]
        for i in range(20)
    ]
    style = make_style(rng)
    findings = [list(FINDING_COLUMNS)]
    for j in range(PER_SUBMISSION):
        p = pick(rng, problems_for(product))
        findings.append(
            [
                f"N{j + 1}",
                p.themes[0],
                p.categories[0],
                p.areas[0],
                p.severity,
                2,
                # "(new N)": text never seen before, so the model embeds it during the upload
                render(rng, pick(rng, p.phrasings), style) + f" (new {j + 1})",
                pick(rng, p.suggestions),
            ]
        )
    return [
        ("about.csv", about),
        ("responses.csv", as_csv(responses)),
        ("findings.csv", as_csv(findings)),
    ]


def upload_step(url: str, seed: int) -> dict:
    """One new 50-finding submission, as the web upload stores it; grouped by the after-store
    hook in the same transaction. The model is loaded first, as in a warm web worker."""
    import data.requirements.clusters  # noqa: F401  (registers upload-time grouping)
    from data.ingest import import_files

    started = time.perf_counter()
    import data.requirements.grouping.clustering  # noqa: F401  (warm, as a web worker is)

    emb.encoder()
    load_s = time.perf_counter() - started
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        code = s.scalar(select(Authority.code).order_by(Authority.id))
    rng = np.random.default_rng(seed + 99)
    files = _upload_files(rng, code, "CareFirst", "2015-Q1")
    started, cpu = time.perf_counter(), time.process_time()
    with session_scope(sessions) as s:
        stored = import_files(s, files, allowed_authorities=None, uploaded_by_id=None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    with session_scope(sessions) as s:  # visible to a new reader
        ids = s.scalars(select(Finding.id).where(Finding.submission_id == stored.submission_id))
        ids = list(ids)
        grouped = s.scalar(
            select(func.count())
            .select_from(FindingCluster)
            .where(FindingCluster.finding_id.in_(ids))
        )
        joined = s.scalar(
            select(func.count(func.distinct(FindingCluster.cluster_id))).where(
                FindingCluster.finding_id.in_(ids)
            )
        )
    engine.dispose()
    return {
        "upload_and_group_s": round(seconds, 2),
        "upload_cpu_s": round(cpu, 2),
        "model_load_s": round(load_s, 2),
        "new_findings": len(ids),
        "grouped": grouped,
        "groups_used": joined,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def throughput_step() -> dict:
    """Real model throughput on 512 demo-style texts (texts per second)."""
    rng = np.random.default_rng(5)
    style = make_style(rng)
    texts = []
    for _ in range(512):
        p = pick(rng, PROBLEMS)
        texts.append(
            emb.model_input(render(rng, pick(rng, p.phrasings), style), pick(rng, p.suggestions))
        )
    emb.encoder()
    started = time.perf_counter()
    emb.encoder().encode(texts)
    seconds = time.perf_counter() - started
    return {"embed_texts_per_s": round(len(texts) / seconds, 1)}


def _child(args, step: str, extra: list[str] = ()) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--step",
        step,
        "--database-url",
        args.database_url,
        "--findings",
        str(args.findings),
        "--seed",
        str(args.seed),
        "--json",
        *extra,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if out.returncode:
        raise SystemExit(f"step {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:///bench/out/grouping_national.db")
    parser.add_argument("--findings", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument(
        "--step",
        default="all",
        choices=["all", "build", "scratch", "periodic", "upload", "throughput"],
    )
    parser.add_argument("--json", action="store_true", help="JSON only")
    args = parser.parse_args(argv)
    url = _url(args)
    if args.step != "all":
        fn = {
            "build": lambda: build(url, args.findings, args.seed),
            "scratch": lambda: regroup_step(url, scratch=True),
            "periodic": lambda: regroup_step(url, scratch=False),
            "upload": lambda: upload_step(url, args.seed),
            "throughput": throughput_step,
        }[args.step]
        print(json.dumps(fn()))
        return {}
    result = {"database": url.split(":", 1)[0]}
    result.update({f"build_{k}": v for k, v in _child(args, "build").items()})
    result.update({f"scratch_{k}": v for k, v in _child(args, "scratch").items()})
    result.update({f"upload_{k}": v for k, v in _child(args, "upload").items()})
    result.update({f"periodic_{k}": v for k, v in _child(args, "periodic").items()})
    result.update(_child(args, "throughput"))
    emit("Grouping at national scale", [result], as_json=args.json)
    return result


if __name__ == "__main__":
    main()
