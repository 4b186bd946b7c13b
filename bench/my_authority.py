"""My authority's comparators from the protected score source, on the demo dataset.

    python bench/my_authority.py                 # 150 LAs, 4 periods, default neighbours
    python bench/my_authority.py --las 153 --audit 3 --json

Scores the demo's responses as ingest does (no database), folds small groups per period as
the pages' rows are, then for every authority builds its profile (SUS and every theme, one
period) and its SUS trend (every period), as data.pages.my_authority does, with neighbours
of the same LA type and size band. Prints the time per profile and trend (p50/p95; the
first call of a period also builds that period's atoms), the share of comparators shown
per kind (with the stand-in shown where the neighbours are c, and how many LAs get the
neighbours or the stand-in, per LA type), and the time the auditor takes to check
``--audit`` authorities' comparators (and a county's, if none is drawn) together with
every Compare / Overview SUS cell of the period (every role, region and LA type filter)."""

from __future__ import annotations

import argparse
import time

import _common  # noqa: F401  (puts the project on sys.path)
import numpy as np
import pandas as pd
from _common import emit, summary_ms

from data.demo import build_demo
from data.demo.frames import score_frame
from data.pages.my_authority import (
    COMPARATORS,
    COVER,
    NEIGHBOURS,
    YOU,
    Neighbours,
    _comparator_table,
    stand_in_sets,
)
from data.privacy.auditor import audit
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import fold_period
from data.privacy.views import (
    authority_targets,
    compare_figures,
    score_contributions,
    set_figures,
)


def default_neighbours(rows: pd.DataFrame) -> dict[int, frozenset]:
    """Authorities of the same LA type and size band (the page's default)."""
    las = rows.drop_duplicates("authority_id")
    out = {}
    for _key, part in las.groupby(["la_type", "size_band"]):
        ids = frozenset(part["authority_id"])
        out.update({a: ids - {a} for a in ids})
    return out


INSTEAD = "Instead of neighbours (any stand-in)"
PART = "  of which: other LAs of its type, as far as shown apart"
COVER_KIND = "  of which: its type with authorities combined with them"


def _shares(shown: pd.DataFrame, la_type: pd.Series) -> list[dict]:
    """Comparators shown of those asked for, per kind (every stand-in as one kind, then
    each of the two stand-ins), and how many of the LAs' profile rows (LA x measure) show
    the neighbours or their stand-in, in all and per LA type."""
    kind = shown["comparator"].where(shown["comparator"].isin(COMPARATORS), INSTEAD)
    share = shown.groupby(kind)["suppressed"].agg(lambda s: f"{(~s).sum()}/{len(s)}")
    names = [*COMPARATORS[1:3], INSTEAD, COMPARATORS[3]]
    out = [{"comparator": c, "shown": share.get(c, "0/0")} for c in names]
    instead = shown.loc[(kind == INSTEAD) & ~shown["suppressed"].astype(bool), "comparator"]
    cover = instead.str.contains(COVER).sum()
    out[3:3] = [{"comparator": PART, "shown": str(len(instead) - cover)},
                {"comparator": COVER_KIND, "shown": str(cover)}]  # fmt: skip
    hood = shown.loc[(kind == NEIGHBOURS) | (kind == INSTEAD)]
    per = hood.groupby(["authority", "measure"])["suppressed"].agg(lambda s: (~s).any())
    las = per.groupby(level="authority").all()
    out.append({"comparator": "Neighbours or stand-in (LA x measure)",
                "shown": f"{int(per.sum())}/{len(per)}; every measure for {int(las.sum())}"
                         f"/{len(las)} LAs"})  # fmt: skip
    types = per.index.get_level_values("authority").map(la_type)
    for t, sub in per.groupby(types.to_numpy()):
        every = sub.groupby(level="authority").all()
        out.append({"comparator": f"  {t} (LA x measure)",
                    "shown": f"{int(sub.sum())}/{len(sub)}; every measure for "
                             f"{int(every.sum())}/{len(every)} LAs"})  # fmt: skip
    return out


def run(args) -> dict:
    rules = DisclosureRules()
    start = time.perf_counter()
    rows = fold_period(score_frame(build_demo(n_authorities=args.las)), rules)
    rows = rows.loc[rows["measure"] != "GEN"].reset_index(drop=True)
    generated = time.perf_counter() - start
    period = sorted(rows["period"].unique())[-1]
    now = rows.loc[rows["period"] == period].reset_index(drop=True)
    sus = rows.loc[rows["measure"] == "SUS"].reset_index(drop=True)
    hoods = default_neighbours(rows)
    profile_ms, trend_ms, tables = [], [], []
    for me in sorted(now["authority_id"].unique()):
        hood = Neighbours(hoods.get(me, frozenset()), "default")
        t0 = time.perf_counter()
        tables.append(_comparator_table(now, me, hood, rules).assign(authority=me))
        profile_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        _comparator_table(sus.loc[sus["authority_id"].isin([me]).groupby(sus["period"])
                                  .transform("any")], me, hood, rules)  # fmt: skip
        trend_ms.append((time.perf_counter() - t0) * 1000)
    shown = pd.concat(tables, ignore_index=True)
    shown = shown.loc[shown["comparator"] != YOU]
    la_type = now.drop_duplicates("authority_id").set_index("authority_id")["la_type"]
    out_rows = _shares(shown, la_type.astype(str))
    audits = []
    part = now.loc[now["measure"] == "SUS"].reset_index(drop=True)
    t0 = time.perf_counter()
    compare = compare_figures(part, rules)
    compare_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    audited = [int(a) for a in rng.choice(sorted(part["authority_id"].unique()), args.audit,
                                          replace=False)]  # fmt: skip
    counties = sorted(la_type.index[la_type == "county"])
    if args.audit and counties and not set(audited) & set(counties):
        audited.append(int(counties[0]))  # the type whose stand-in is the wider cover
    for me in audited:
        hood = Neighbours(hoods.get(me, frozenset()), "default")
        t0 = time.perf_counter()
        table = _comparator_table(part, me, hood, rules)
        la = part["authority_id"].to_numpy()
        own_supplier = part.loc[la == me, "supplier_id"].iloc[0]
        sets = {
            COMPARATORS[1]: (part["supplier_id"].to_numpy() == own_supplier) & (la != me),
            COMPARATORS[2]: np.isin(la, list(hood.ids)) & (la != me),
            COMPARATORS[3]: la != me,
            **{k: v & (la != me) for k, v in stand_in_sets(part, me, rules).items()},
        }
        figs = [*compare, *set_figures(table, part, sets, {me}, "my authority")]
        report = audit(figs, score_contributions(part), rules, own={me},
                       targets=authority_targets(part), exhaustive=False)  # fmt: skip
        audits.append({"authority": me, "figures": len(figs), "checked": report.checked,
                       "exposures": len(report.exposures),
                       "seconds": round(time.perf_counter() - t0, 1)})  # fmt: skip
    extra = {
        "authorities": int(now["authority_id"].nunique()),
        "period": period,
        "generate_s": round(generated, 1),
        "profile": summary_ms(profile_ms),
        "trend_sus": summary_ms(trend_ms),
        "compare_figures_s": round(compare_s, 1),
        "audits": audits,
    }
    return {"rows": out_rows, "extra": extra}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--las", type=int, default=150)
    p.add_argument("--audit", type=int, default=2, help="authorities audited with Compare")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    emit("My authority: comparators from the protected score source", out["rows"],
         out["extra"], as_json=args.json)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
