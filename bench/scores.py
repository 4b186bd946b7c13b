"""Compare's score cells at national scale: the protected scores cube's build and query time.

    python bench/scores.py                 # 153 LAs x 5 roles x 13 measures, 2 periods
    python bench/scores.py --json

Score rows (one per authority, role, period and measure: n, sum, sumsq) are drawn in memory
for the demo's authorities and supplier groups, so no database is needed. Prints, per view,
the first request of a period (atoms built) and the warm p50/p95 (memoised), with and
without :func:`data.pages.compare.warm_scores` run first (what the app's warmer does), and
the share of published cells in Compare's views (groups, by role, region, LA type, bands)."""

from __future__ import annotations

import argparse
import time

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np
import pandas as pd
from _common import emit, summary_ms

from data.demo.authorities import assign_products, make_authorities
from data.privacy import scores_cube
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND, fold_period
from data.privacy.scores_cube import protected_scores, spread_bands, warm_partitions

ROLES = ("social_worker", "team_manager", "admin", "senior_manager", "other")
THEMES = ("NAV", "SPD", "REC", "SRC", "RPT", "ACC", "INT", "MOB", "PRT", "ALR", "DOC", "HLP")


def national_rows(n_las: int, periods: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    las = make_authorities(rng, n_las)
    uses = assign_products(rng, las, periods)
    group = {u.authority_code: u.product for u in uses}
    out = []
    for i, a in enumerate(las):
        level = rng.normal(65, 8)
        for period in periods:
            for role in ROLES:
                n = int(rng.poisson(6)) + 1
                for measure in ("SUS", *THEMES):
                    mean = float(np.clip(level + rng.normal(0, 6), 5, 95))
                    out.append((i + 1, group[a.code], a.region, a.la_type, role, period,
                                "sus" if measure == "SUS" else "theme", measure, n, n * mean,
                                n * (mean * mean + 225)))  # fmt: skip
    cols = ["authority_id", "group", "region", "la_type", "role", "period", "measure_type",
            "measure", "n", "sum", "sumsq"]  # fmt: skip
    rows = pd.DataFrame(out, columns=cols)
    rows["supplier"] = rows["group"]
    return rows


def _themes(rows, rules, narrowing=None):
    part = rows.loc[rows["measure_type"] == "theme"].rename(columns={"measure": "theme"})
    return protected_scores(part, ["group", "theme"], narrowing or {}, rules,
                            totals={"group": ENGLAND})  # fmt: skip


def _groups(rows, rules, narrowing=None):
    part = rows.loc[rows["measure"] == "SUS"]
    return protected_scores(part, ["group"], narrowing or {}, rules, totals={"group": ENGLAND})


def _timed(fn, repeat: int) -> tuple[float, dict]:
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return first, summary_ms(samples)


def run(args) -> dict:
    rules = DisclosureRules()
    periods = [f"2010-Q{q}" for q in range(1, args.periods + 1)]
    rows = fold_period(national_rows(args.las, periods, args.seed), rules)
    last = rows.loc[rows["period"] == periods[-1]]
    out = []
    for warmed in (False, True):
        scores_cube._CACHE.clear()
        scores_cube._RESULTS.clear()
        warm_s = 0.0
        if warmed:
            start = time.perf_counter()
            warm_partitions(rows, rules)
            warm_s = time.perf_counter() - start
        for name, fn in (("groups (SUS)", lambda: _groups(last, rules)),
                         ("themes (12 measures)", lambda: _themes(last, rules)),
                         ("spread bands (SUS)", lambda: spread_bands(
                             last.loc[last["measure"] == "SUS"], rules))):  # fmt: skip
            first, warm = _timed(fn, args.repeat)
            out.append({"view": name, "warmed_first": warmed, "warm_s": round(warm_s, 2),
                        "first_ms": round(first, 1), **warm})  # fmt: skip
    sus = last.loc[last["measure"] == "SUS"]
    share = {}
    for dim in ("role", "region", "la_type"):
        shown = total = 0
        for v in sorted(sus[dim].unique()):
            t = protected_scores(sus, ["group"], {dim: v}, rules)
            shown += int((~t["suppressed"]).sum())
            total += len(t)
        share[f"groups by {dim}"] = f"{shown}/{total}"
    t = _groups(last, rules)
    share["groups"] = f"{int((~t['suppressed']).sum())}/{len(t)}"
    b = spread_bands(sus, rules)
    share["bands"] = f"{int((~b['suppressed']).sum())}/{len(b)}" if len(b) else "0/0"
    return {"rows": out, "extra": {"authorities": args.las, "periods": args.periods,
                                   "published": share}}  # fmt: skip


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--las", type=int, default=153)
    p.add_argument("--periods", type=int, default=2)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    emit("Compare score cells: protected scores cube", out["rows"], out["extra"],
         as_json=args.json)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
