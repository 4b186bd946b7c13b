"""The LA-count auditor (data.privacy.la_counts) on the whole demo, one coordinator period.

    python bench/la_counts.py                       # demo (150 LAs), latest period
    python bench/la_counts.py --period 2009-Q3 --exact --json

A coordinator can request every Themes chart under every filter combination; chart 1 (by
theme, with its "All themes" total) alone reaches every subcube of the seven dimensions
(each one value or all). So the figures are every cell of ``cube.table(by)`` for each of
the 128 subsets ``by`` of :data:`data.privacy.cube.DIMS` in the period, deduplicated by
cells (same cells, same values: the cube decides on the data alone). A shown figure carries
its findings and, where the cube publishes it, its LA count. Each authority's region and LA
type are public (``possible``). Prints figures, targets (suppressed figures of 1 ..
MIN_LAS-1 authorities), exposures, wall time and peak RSS; ``--exact`` also runs the plain
MILP on every target (``fast=False``) and says whether the answers agree; ``--every n``
keeps every n-th suppressed figure (the shown ones, which make the model, all stay). CPU
seconds are printed next to wall time: the machine is shared."""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import time

import _common  # noqa: F401  (puts the project on sys.path)
import pandas as pd
from _common import emit, peak_rss_mb

from data.demo import build_demo
from data.demo.frames import finding_frame
from data.privacy.auditor import Figure, cell_keys, contributions_of
from data.privacy.cube import DIMS, build_cube
from data.privacy.disclosure import DisclosureRules
from data.privacy.la_counts import la_count_audit

M = ("findings", "respondents_raising")
CELL = ("period", *DIMS)


def coordinator_figures(cube, part: pd.DataFrame, period: str) -> list[Figure]:
    """Every subcube of ``period`` as a figure (see the module docstring)."""
    part = part.assign(**{d: part[d].astype(str) for d in DIMS})
    keys = cell_keys(part, CELL).to_numpy()
    seen: dict[frozenset, Figure] = {}
    for k in range(len(DIMS) + 1):
        for by in itertools.combinations(DIMS, k):
            table = cube.table(list(by), {"period": period})
            groups = part.groupby(list(by), sort=False).indices if by else {(): range(len(part))}
            for rec in table.to_dict("records"):
                value = tuple(str(rec[d]) for d in by)
                idx = groups.get(value if len(by) != 1 else value[0])
                if idx is None:
                    continue
                cells = frozenset(keys[list(idx)])
                if cells in seen:
                    continue
                values = None
                if not rec["suppressed"]:
                    values = {m: float(rec[m]) for m in M}
                    if not pd.isna(rec["n_las"]):
                        values["n_las"] = float(rec["n_las"])
                seen[cells] = Figure(f"{by} {value}", cells, values)
    return list(seen.values())


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(args) -> dict:
    rules = DisclosureRules()
    frame = finding_frame(build_demo(n_authorities=args.las))
    period = args.period or sorted(frame["period"].unique())[-1]
    part = frame.loc[frame["period"] == period].reset_index(drop=True)
    cube = build_cube(part, rules)
    t0 = time.perf_counter()
    figs = coordinator_figures(cube, part, period)
    hidden = [f for f in figs if not f.shown]
    figs = [f for f in figs if f.shown] + hidden[:: args.every]
    build_s = time.perf_counter() - t0
    contrib = contributions_of(part, CELL, M, respondents=M[1])
    region = part.groupby("authority_id")[["region", "la_type"]].first()
    where = {la: (str(r.region), str(r.la_type)) for la, r in region.iterrows()}
    ri, ti = CELL.index("region"), CELL.index("la_type")

    def possible(la, cell) -> bool:
        return where[la] == (cell[ri], cell[ti])

    gi = CELL.index("group")

    def one_group(cell):  # an authority uses one supplier group in the period
        return ("group", cell[gi])

    out = {"period": period, "authorities": part["authority_id"].nunique(),
           "figures": len(figs), "every": args.every, "regions_known": not args.no_regions,
           "one_group_known": args.one_group,
           "shown": sum(f.shown for f in figs),
           "with_n_las": sum(f.shown and "n_las" in f.values for f in figs),
           "figures_s": round(build_s, 1)}  # fmt: skip
    rows = []
    for mode in ["fast", *(["exact"] if args.exact else [])]:
        start, cpu = time.perf_counter(), _cpu()
        audit = la_count_audit(figs, contrib, rules, time_limit=args.time_limit,
                               possible=None if args.no_regions else possible,
                               profile=one_group if args.one_group else None,
                               fast=mode == "fast")  # fmt: skip
        report = audit.report
        rows.append({"mode": mode, "targets": report.checked, "moved": audit.moved,
                     "reused": audit.reused, "searched": audit.searched,
                     "maximised": audit.maximised,
                     "small_by_reference": audit.small_by_reference,
                     "exposures": len(report.exposures),
                     "kinds": ",".join(sorted(report.kinds())) or "-",
                     "seconds": round(time.perf_counter() - start, 1),
                     "cpu_s": round(_cpu() - cpu, 1),
                     "peak_rss_mb": round(peak_rss_mb())})  # fmt: skip
        out[f"{mode}_exposed"] = sorted((sorted(e.cells), e.kind, e.high)
                                        for e in report.exposures)  # fmt: skip
    if args.exact:
        out["agree"] = out.pop("fast_exposed") == out.pop("exact_exposed")
    else:
        out.pop("fast_exposed")
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return {"rows": rows, "extra": out}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--las", type=int, default=150)
    p.add_argument("--period", default=None, help="default: the latest")
    p.add_argument("--time-limit", type=float, default=10.0, help="per MILP, seconds")
    p.add_argument("--exact", action="store_true", help="also run the plain MILP per target")
    p.add_argument(
        "--every",
        type=int,
        default=1,
        help="keep every n-th suppressed figure as a target (all shown ones stay)",
    )
    p.add_argument(
        "--no-regions",
        action="store_true",
        help="the viewer does not know authorities' regions and LA types",
    )
    p.add_argument(
        "--one-group",
        action="store_true",
        help="the viewer also knows each authority uses one supplier group",
    )
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    emit("LA-count auditor, whole demo, one coordinator period", out["rows"], out["extra"],
         as_json=args.json)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
