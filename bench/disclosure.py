"""Disclosure control at national scale: the protected cube and the auditor.

    python bench/disclosure.py                      # 153 LAs, 50 findings each, 2 periods
    python bench/disclosure.py --periods 4 --findings 50 --views 8 --json

Findings are generated in memory from the demo dataset's authorities, supplier groups and
code distributions (each authority's findings padded to ``--findings`` per period by drawing
from its own group's findings), so no database is needed. Prints, per period: the cube
build time (both split orders tried), the share of published cells in the headline views,
then Themes chart query times (p50/p95 over random filter sets) and the time the auditor
takes to check ``--views`` random selections (three charts each) together."""

from __future__ import annotations

import argparse
import time

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np
import pandas as pd
from _common import emit, summary_ms

from data.demo import build_demo
from data.demo.frames import finding_frame
from data.privacy.auditor import audit, contributions_of
from data.privacy.cube import DIMS, FINDING_DIMS, HEADLINE_VIEWS, build_cube
from data.privacy.disclosure import DisclosureRules
from data.privacy.views import CHARTS, chart_figures

M = ("findings", "respondents_raising")


def national_frame(n_las: int, periods: int, per_la: int, seed: int) -> pd.DataFrame:
    """``per_la`` findings per authority and period, drawn within each supplier group."""
    demo = build_demo(n_authorities=n_las, periods=_periods(periods))
    base = finding_frame(demo)
    rng = np.random.default_rng(seed)
    parts = []
    for (_period, _la), own in base.groupby(["period", "authority_id"], sort=False):
        pool = base.loc[base["group"] == own["group"].iloc[0]]
        extra = pool.sample(max(per_la - len(own), 0), replace=True, random_state=rng)
        keep = ["period", "authority_id", "authority", "group", "region", "la_type"]
        extra = extra.assign(**{c: own[c].iloc[0] for c in keep})
        parts.append(pd.concat([own, extra]).head(per_la))
    return pd.concat(parts, ignore_index=True)


def _periods(n: int) -> list[str]:
    out, year, q = [], 2010, 4
    for _ in range(n):
        out.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def run(args) -> dict:
    rules = DisclosureRules()
    t0 = time.perf_counter()
    frame = national_frame(args.las, args.periods, args.findings, args.seed)
    generated = time.perf_counter() - t0
    rows, cubes = [], {}
    for period, part in frame.groupby("period", sort=True):
        start = time.perf_counter()
        cube = build_cube(part, rules)
        build_s = time.perf_counter() - start
        cubes[period] = (part.reset_index(drop=True), cube)
        shown = total = 0
        for by in HEADLINE_VIEWS:
            t = cube.table(list(by), {"period": period})
            shown += int((~t["suppressed"]).sum())
            total += len(t)
        rows.append({"period": period, "findings": len(part), "atoms": cube.n_atoms,
                     "build_s": round(build_s, 2),
                     "headline_published": f"{shown}/{total}"})  # fmt: skip
    period, (part, cube) = next(reversed(cubes.items()))
    rng = np.random.default_rng(args.seed)
    values = {d: sorted(part[d].unique()) for d in ("group", "region", "la_type", *FINDING_DIMS)}

    def selection() -> dict:
        sel = {"period": period}
        for d, vals in values.items():
            if rng.random() < 0.3:
                sel[d] = vals[rng.integers(len(vals))]
        return sel

    selections = [{"period": period}, *[selection() for _ in range(args.views - 1)]]
    samples = []
    for sel in selections * 3:
        for by, totals in CHARTS:
            start = time.perf_counter()
            cube.table(by, sel, totals=totals)
            samples.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    figs = [f for sel in selections for f in chart_figures(cube, part, sel)]
    contrib = contributions_of(part, ("period", *DIMS), M, respondents="respondents_raising")
    report = audit(figs, contrib, rules, exhaustive=False)
    audit_s = time.perf_counter() - start
    extra = {
        "authorities": args.las,
        "findings_per_la_period": args.findings,
        "generate_s": round(generated, 1),
        "chart_query": summary_ms(samples),
        "audit": {
            "selections": len(selections),
            "figures": len(figs),
            "sensitive_checked": report.checked,
            "exposures": len(report.exposures),
            "seconds": round(audit_s, 1),
        },  # fmt: skip
    }
    return {"rows": rows, "extra": extra}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--las", type=int, default=153)
    p.add_argument("--periods", type=int, default=2)
    p.add_argument("--findings", type=int, default=50, help="findings per LA and period")
    p.add_argument("--views", type=int, default=6, help="random selections audited together")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    emit("Disclosure: protected cube and auditor", out["rows"], out["extra"], as_json=args.json)
    return out


if __name__ == "__main__":
    main()
