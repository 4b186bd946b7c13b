"""The protected source of score cells (Compare, Overview): the same atoms as the findings
cube (data.privacy.cube), one partition per period and measure, over supplier group x
respondent role x region x LA type, with respondents and score sums as the measures of
size (no ``min_las - 1`` authorities may hold 2/3 of either, so a hidden cell's
respondents and score sum both keep a +-50% interval).

A score cell (mean, interval, respondent and authority counts of a group, role, region or
LA type selection, or England) is published only if it is a union of whole atoms; its
figures are sums over the atoms (n, sum, sum of squares), so no combination of published
means and counts says anything finer than an atom. Every viewer gets the same cells; the
viewer's own figures are on My authority, whose comparators (any set of authorities, less
the viewer's own) are published only where they are whole atoms (:func:`protected_sets`).

Compare's spread inside a group is one more dimension of the same partition: ``band``,
each authority's place among its group's authorities by its own mean in that period and
measure (the lowest half, third ... fifth, see :func:`score_bands`). The atoms split on it
right after the group, so a band is published only as a union of whole atoms (at least
``min_las + 1`` authorities, safe after removing any one, no dominance), by the same
figures (pooled n, mean, interval) as every other cell, and every other view's cells are
unions of the same atoms: a band minus a region cell is never one authority."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from data.privacy.cube import FINDINGS, REASON_ATOM, RESPONDENTS, FindingsCube, build_cube
from data.privacy.disclosure import DisclosureRules, blank
from data.privacy.narrowing import ENGLAND
from data.scores.stats import summary_arrays

# score dimension -> the findings cube dimension that carries it
AS_CUBE = {"group": "group", "band": "category", "role": "theme", "region": "region",
           "la_type": "la_type"}  # fmt: skip
# groups first (Compare is by group), then role, then the spread bands inside each group
ORDERS = (("group", "theme", "category", "la_type", "region"),)
MAX_BANDS = 2
NO_BANDS = "all"  # the band of every authority of a group too small to split
VALUE_COLS = ("n", "n_las", "mean", "sd", "ci_low", "ci_high")
_CACHE: OrderedDict[tuple, tuple[FindingsCube, np.ndarray]] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 512
# one partition's answer to one query (dimensions, filters, totals), on the same key: a
# request then only slices, hashes and concatenates (the theme heatmap reads twelve)
_RESULTS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_RESULTS_SIZE = 2048


def _fingerprint(part: pd.DataFrame) -> str:
    """The partition's content: authorities, respondents, sums and sums of squares (the
    memoised answers carry sd and intervals), and every attribute the atoms split on (an
    administrator may move an authority to another region)."""
    h = hashlib.blake2b(digest_size=16)
    for col in ("authority_id", "n", "sum", "sumsq"):
        h.update(np.ascontiguousarray(part[col].to_numpy(dtype=float)).tobytes())
    for col in ("role", "group", "region", "la_type"):
        h.update("\x1f".join(map(str, part[col].tolist())).encode() + b"\x1e")
    return h.hexdigest()


def score_bands(part: pd.DataFrame, rules: DisclosureRules) -> pd.Series:
    """Each row's spread band inside its group ("1 of 3" is the lowest third): the group's
    authorities sorted by their own pooled mean (ties by id) and cut into ``k`` nearly
    equal runs, ``k`` as many as give runs of ``min_las + 2`` authorities (an atom must
    keep ``min_las`` after removing one, with no two holding 2/3: four nearly equal
    authorities fail that), at most :data:`MAX_BANDS`; :data:`NO_BANDS` where the group has
    too few for two. Depends on the rows only (never on the viewer), so it is part of the
    partition like a region."""
    per = pd.DataFrame(
        {
            "group": part["group"].astype(str).to_numpy(),
            "la": part["authority_id"].to_numpy(),
            "n": part["n"].to_numpy(dtype=float),
            "sum": part["sum"].to_numpy(dtype=float),
        }
    )
    las = per.groupby(["group", "la"], sort=False, as_index=False)[["n", "sum"]].sum()
    las["mean"] = las["sum"] / las["n"].where(las["n"] > 0)
    las = las.sort_values(["group", "mean", "la"], na_position="first", kind="stable")
    size = las.groupby("group")["la"].transform("size").to_numpy()
    rank = las.groupby("group").cumcount().to_numpy()
    k = np.minimum(MAX_BANDS, size // (rules.min_las + 2))
    text = (rank * k // np.maximum(size, 1) + 1).astype(str)
    las["band"] = np.where(k >= 2, np.char.add(np.char.add(text, " of "), k.astype(str)), NO_BANDS)
    band = per[["group", "la"]].merge(las[["group", "la", "band"]], on=["group", "la"], how="left")
    return pd.Series(band["band"].to_numpy(), index=part.index, name="band")


def _remember(memo: OrderedDict, key: tuple, value, size: int):
    with _LOCK:
        memo[key] = value
        while len(memo) > size:
            memo.popitem(last=False)
    return value


def _recall(memo: OrderedDict, key: tuple):
    with _LOCK:
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
    return None


def _mapped(part: pd.DataFrame, key: tuple, rules: DisclosureRules) -> pd.DataFrame:
    """The partition's rows as finding-cube rows (one dimension per score dimension)."""
    return pd.DataFrame(
        {
            "period": "|".join(map(str, key)),
            "group": part["group"].astype(str).to_numpy(),
            "theme": part["role"].astype(str).to_numpy(),
            "category": score_bands(part, rules).to_numpy(),
            "workflow_area": "-",
            "severity": "-",
            "region": part["region"].astype(str).to_numpy(),
            "la_type": part["la_type"].astype(str).to_numpy(),
            "authority_id": part["authority_id"].to_numpy(),
            FINDINGS: part["sum"].to_numpy(),  # dominance is checked on score sums too
            RESPONDENTS: part["n"].to_numpy(),
        }
    )


def _cube(
    part: pd.DataFrame, rules: DisclosureRules, key: tuple, full: tuple | None = None
) -> FindingsCube:
    """The atoms of one period and measure (memoised on the rows' content; ``full``: the
    memo key if the caller has it, from :func:`_partition_key`)."""
    return _cube_rows(part, rules, key, full)[0]


def _cube_rows(
    part: pd.DataFrame, rules: DisclosureRules, key: tuple, full: tuple | None = None
) -> tuple[FindingsCube, np.ndarray]:
    """:func:`_cube` and the cube row of each of ``part``'s rows (memoised together: the
    fingerprint covers the rows' order)."""
    full = full or _partition_key(part, rules, key)
    found = _recall(_CACHE, full)
    if found is not None:
        return found
    mapped = _mapped(part, key, rules)
    cube = build_cube(mapped, rules, orders=ORDERS)
    return _remember(_CACHE, full, (cube, cube.row_of(mapped)), _CACHE_SIZE)


def _partition_key(part: pd.DataFrame, rules: DisclosureRules, key: tuple) -> tuple:
    return (*key, rules, _fingerprint(part))


def protected_scores(
    rows: pd.DataFrame,
    by: Sequence[str],
    narrowing: Mapping[str, object],
    rules: DisclosureRules,
    own: Collection[int] = frozenset(),
    *,
    totals: Mapping[str, object] | None = None,
    keep_sums: bool = False,
) -> pd.DataFrame:
    """Pooled scores per ``by`` cell for the rows matching ``narrowing`` (role, region,
    LA type), as ``data.privacy.narrowing.guarded_scores`` returns them (``by`` + n, n_las,
    mean, sd, ci_low, ci_high, suppressed, reason; values NA where suppressed), read from
    the protected atoms. ``by`` may hold ``period`` and the measure column (``measure`` or
    ``theme``): each period and measure is its own partition. ``own`` is accepted for the
    callers' symmetry: every viewer gets the same cells."""
    by, totals = list(by), dict(totals or {})
    measure_col = "theme" if "theme" in rows.columns else "measure"
    keys = ["period", measure_col]
    inner = [d for d in by if d not in keys]
    unknown = [d for d in [*inner, *narrowing] if d not in AS_CUBE]
    if unknown:
        raise ValueError(f"unknown score dimension {unknown[0]!r}")
    filters = {AS_CUBE[d]: v for d, v in narrowing.items() if v is not None}
    query = (tuple(inner), tuple(sorted(filters.items(), key=str)),
             tuple(sorted(totals.items(), key=str)))  # fmt: skip
    out = []
    for key, part in _partitions(rows, keys):
        full = _partition_key(part, rules, key)
        done = _recall(_RESULTS, (full, keys[1], query))
        if done is None:
            done = _remember(
                _RESULTS,
                (full, keys[1], query),
                _partition_table(
                    _cube(part, rules, key, full),
                    part,
                    inner,
                    narrowing,
                    totals,
                    dict(zip(keys, key, strict=True)),
                    rules,
                ),  # fmt: skip
                _RESULTS_SIZE,
            )
        out.append(done)
    cols = [*by, "n", "n_las", "sum", "sumsq", "mean", "sd", "ci_low", "ci_high",
            "suppressed", "reason", "n_las_suppressed"]  # fmt: skip
    if not out:
        return pd.DataFrame(columns=cols if keep_sums else [c for c in cols if "sum" not in c])
    table = pd.concat(out, ignore_index=True)[cols]
    table = blank(table, (*VALUE_COLS, "sum", "sumsq"))
    return table if keep_sums else table.drop(columns=["sum", "sumsq"])


def _partition_table(cube, part, inner, narrowing, totals, key_values, rules) -> pd.DataFrame:
    """One partition's published cells with their figures."""
    if "band" in inner or narrowing.get("band") is not None:
        part = part.assign(band=score_bands(part, rules))
    filters = {AS_CUBE[d]: v for d, v in narrowing.items() if v is not None}
    table = cube.table([AS_CUBE[d] for d in inner], filters,
                       totals={AS_CUBE[d]: v for d, v in totals.items()})  # fmt: skip
    back = {v: k for k, v in AS_CUBE.items()}
    table.columns = [back.get(c, c) for c in table.columns]
    return _with_stats(table, part, inner, narrowing, totals, key_values)


def _partitions(rows: pd.DataFrame, keys: list[str]):
    """(key, rows with respondents) of each period and measure."""
    for key, part in rows.groupby(keys, sort=True, observed=True):
        part = part.loc[part["n"].to_numpy() > 0]
        if len(part):
            yield key, part


def warm_partitions(rows: pd.DataFrame, rules: DisclosureRules) -> int:
    """Build (memoise) the atoms of every period and measure of ``rows`` (summary rows with
    a ``measure`` column) before anyone asks: a first request would otherwise build one
    partition per measure (the theme heatmap: twelve). Also answers every partition's
    default queries (by group, with England, no filters: the groups chart, heatmap, trend and
    Overview; the spread bands). Returns how many partitions there are."""
    parts = list(_partitions(rows, ["period", "measure"]))
    for key, part in parts:
        _cube(part, rules, key)
    england = {"group": ENGLAND}
    protected_scores(rows, ["period", "measure", "group"], {}, rules, totals=england)
    spread_bands(rows, rules)
    themes = rows.loc[(rows["measure_type"] == "theme").to_numpy(dtype=bool)]
    themes = themes.rename(columns={"measure": "theme"})
    protected_scores(themes, ["period", "theme", "group"], {}, rules, totals=england)
    return len(parts)


def _with_stats(table, part, inner, narrowing, totals, key_values) -> pd.DataFrame:
    """Add n, sum, sumsq and the summary of each cell, from the partition's rows."""
    base = np.ones(len(part), dtype=bool)
    for dim, value in narrowing.items():
        if value is not None:
            base &= (part[dim].astype(str) == str(value)).to_numpy(dtype=bool)
    text = {d: part[d].astype(str).to_numpy() for d in inner}
    n, total, sumsq = (part[c].to_numpy(dtype=float) for c in ("n", "sum", "sumsq"))
    sums = np.zeros((len(table), 3))
    for i, values in enumerate(table[inner].itertuples(index=False, name=None)):
        mask = base.copy()
        for dim, value in zip(inner, values, strict=True):
            if not (dim in totals and value == totals[dim]):
                mask &= text[dim] == str(value)
        sums[i] = n[mask].sum(), total[mask].sum(), sumsq[mask].sum()
    stats = summary_arrays(sums[:, 0], sums[:, 1], sums[:, 2])
    return table.assign(
        **key_values,
        n=pd.array(sums[:, 0].round().astype(np.int64), "Int64"),
        n_las=table["n_las"].astype("Int64"),
        sum=sums[:, 1],
        sumsq=sums[:, 2],
        **stats,
    )


NO_OTHERS = "no other authority in it has results"


def protected_sets(
    rows: pd.DataFrame,
    sets: Mapping[str, np.ndarray],
    rules: DisclosureRules,
    own: Collection[int],
    *,
    own_label: str | None = None,
) -> pd.DataFrame:
    """Pooled scores of named sets of authorities (My authority's comparators: a supplier
    group, statistical neighbours, England), per period and measure, each *without the
    viewer's own authority* ``own``.

    ``sets``: name -> boolean array over ``rows`` (positional), whether the row is in the
    set. A set's figure is published only if its rows of the period and measure, with or
    without ``own``'s rows, are a union of whole atoms (:meth:`FindingsCube.is_union`): the
    same atoms Compare and Overview publish from, so a group's comparator is shown exactly
    when that group's cell is, and a set no page shows (neighbours) only when it adds
    nothing finer than atom totals. The viewer, who knows its own figures, then learns
    from it only a sum of atom totals, each safe after removing any one authority (the
    n-1 rule of the cubes). With ``own_label``, a set of that name holds the viewer's own
    figures, never suppressed for it. Columns: period, measure, set, n, n_las, sum, sumsq,
    mean, sd, ci_low, ci_high, suppressed, reason (values NA where suppressed)."""
    own = list(own)
    measure_col = "theme" if "theme" in rows.columns else "measure"
    live = rows["n"].to_numpy() > 0
    mine_all = rows["authority_id"].isin(own).to_numpy(dtype=bool)
    flags = {name: np.asarray(mask, dtype=bool) for name, mask in sets.items()}
    hidden = REASON_ATOM.format(las=rules.min_las, resp=rules.min_respondents)
    out = []
    groups = rows.groupby(["period", measure_col], sort=True, observed=True).indices
    atom_rows = rows[_ATOM_COLS]
    for key, pos in groups.items():
        pos = pos[live[pos]]
        if not len(pos):
            continue
        part = atom_rows.iloc[pos]
        cube, at = _cube_rows(part, rules, key)
        mine = mine_all[pos]
        la = part["authority_id"].to_numpy()
        n, total, sumsq = (part[c].to_numpy(dtype=float) for c in ("n", "sum", "sumsq"))
        if own_label is not None and mine.any():
            out.append({"period": key[0], "measure": key[1], "set": own_label,
                        "n": n[mine].sum(), "n_las": len(np.unique(la[mine])),
                        "sum": total[mine].sum(), "sumsq": sumsq[mine].sum(),
                        "suppressed": False, "reason": "", "n_las_suppressed": False})  # fmt: skip
        for name, flag in flags.items():
            member = flag[pos]
            others = member & ~mine
            whole = at[member] if cube.is_union(at[member]) else at[member | mine]
            ok = bool(others.any()) and cube.is_union(whole)
            reason = "" if ok else hidden if others.any() else NO_OTHERS
            # the count of others is the union's count less the viewer's own authority:
            # shown exactly where the same union's count is (data.privacy.count_rule)
            count_ok = ok and cube.count_published(whole)
            out.append(
                {"period": key[0], "measure": key[1], "set": name,
                 "n": n[others].sum(),
                 "n_las": len(np.unique(la[others])) if count_ok else pd.NA,
                 "sum": total[others].sum(), "sumsq": sumsq[others].sum(),
                 "suppressed": not ok, "reason": reason, "n_las_suppressed": not count_ok}
            )  # fmt: skip
    cols = ["period", "measure", "set", "n", "n_las", "sum", "sumsq", "mean", "sd", "ci_low",
            "ci_high", "suppressed", "reason", "n_las_suppressed"]  # fmt: skip
    if not out:
        return pd.DataFrame(columns=cols)
    table = pd.DataFrame(out)
    table = table.assign(
        n=table["n"].round().astype("Int64"),
        n_las=table["n_las"].astype("Int64"),
        **summary_arrays(table["n"], table["sum"], table["sumsq"]),
    )[cols]
    return blank(table, (*VALUE_COLS, "sum", "sumsq"))


# the columns the atoms and their memo key read (:func:`_fingerprint`, :func:`_mapped`,
# :func:`score_bands`): taking only these of a partition's rows is what makes a lookup cheap
_ATOM_COLS = ["authority_id", "n", "sum", "sumsq", "role", "group", "region", "la_type"]


def whole_part_and_cover(
    rows: pd.DataFrame, mask: np.ndarray, rules: DisclosureRules
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`whole_part` and :func:`whole_cover` of the same selection in one pass over the
    periods and measures (My authority asks for both on every profile)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (len(rows),):
        raise ValueError(
            f"whole_part_and_cover: mask has {mask.shape} entries for {len(rows)} rows"
        )
    measure_col = "theme" if "theme" in rows.columns else "measure"
    live = rows["n"].to_numpy() > 0
    part_of, cover = np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool)
    atom_rows = rows[_ATOM_COLS]
    for key, pos in rows.groupby(["period", measure_col], sort=True, observed=True).indices.items():
        pos = pos[live[pos]]
        chosen = mask[pos]
        if not chosen.any():
            continue
        cube, at = _cube_rows(atom_rows.iloc[pos], rules, key)
        part_of[pos[chosen]] = cube.inside(at[chosen])
        cover[pos] = cube.closure(at, chosen)
    return part_of, cover


def whole_part(rows: pd.DataFrame, mask: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Which of ``rows`` (positional) are in the largest publishable part of the selection
    ``mask``: per period and measure, the selection's rows whose atoms lie wholly inside it.
    Where the selection's own cell is published (a union of whole atoms) that is all of it;
    otherwise the part Compare would publish if it could split the selection off, the same
    for every viewer (My authority's stand-in for statistical neighbours)."""
    return whole_part_and_cover(rows, mask, rules)[0]


def whole_cover(rows: pd.DataFrame, mask: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Which of ``rows`` (positional) are in the smallest publishable set that holds all of
    the selection ``mask``: per period and measure, every row of each atom that holds a
    selected row (:meth:`FindingsCube.closure`). The counterpart of :func:`whole_part`
    where that part is empty (My authority's stand-in for neighbours when the LA's type is
    never an atom of its own: counties, on the demo): a union of whole atoms, so as safe as
    any Compare cell, holding the whole selection and as little else as the atoms allow.
    Rows with no respondents are never in it (they are in no atom)."""
    return whole_part_and_cover(rows, mask, rules)[1]


def spread_bands(rows: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """Compare's spread: per supplier group and band (:func:`score_bands`) of one measure,
    the band's pooled figures as :func:`protected_scores` gives them (``c`` unless the band
    is a union of whole atoms), with ``position`` (0 = lowest) and ``bands`` (how many the
    group has). A group too small for two bands has one row, band :data:`NO_BANDS`,
    position -1 and no figures (its figures are the group's own, on the groups chart)."""
    table = protected_scores(rows, ["period", "group", "band"], {}, rules)
    if table.empty:
        return table.assign(position=pd.Series(dtype=int), bands=pd.Series(dtype=int))
    parts = table["band"].astype(str).str.extract(r"^(\d+) of (\d+)$")
    whole = table["band"].eq(NO_BANDS).to_numpy()
    table = table.assign(
        position=np.where(whole, -1, pd.to_numeric(parts[0]).fillna(0).astype(int) - 1),
        bands=pd.to_numeric(parts[1]).fillna(0).astype(int).to_numpy(),
    )
    for col in VALUE_COLS:
        table[col] = table[col].mask(whole)
    return table.sort_values(["period", "group", "position"], kind="stable").reset_index(drop=True)
