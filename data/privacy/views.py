"""What the pages publish, as the auditor's figures: the Themes page's three charts (with
their totals) and its findings list, read from the protected findings cube; the score cells
of Compare and Overview (groups under every filter combination, spread bands, the NLAR
breakdown), read from the protected score source; and My authority's comparators, as the
viewer who knows its own figures sees them. Used by the tests and the benchmark to hand every
view of a viewer to data.privacy.auditor."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from data.privacy.auditor import (
    Contributions,
    Figure,
    cell_keys,
    contributions_of,
    list_figures,
    table_figures,
)
from data.privacy.cube import DIMS, FINDING_DIMS, FindingsCube, findings_listing
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND
from data.privacy.scores_cube import protected_scores

CHARTS = (
    (["theme"], {"theme": "All themes"}),
    (["group", "theme"], {"group": ENGLAND}),
    (["workflow_area", "severity"], {"severity": "All severities"}),
)
CELL = ("period", *DIMS)
MEASURES = ("findings", "respondents_raising")


def chart_figures(
    cube: FindingsCube,
    frame: pd.DataFrame,
    selection: Mapping[str, object],
    *,
    cell: Sequence[str] = CELL,
    measures: Sequence[str] = MEASURES,
) -> list[Figure]:
    """Every cell and total of the three Themes charts for ``selection`` (``cell``: the
    finest-cell columns of ``frame``, finer than the cube's when other views split further,
    e.g. by candidate; ``measures`` may add ``n_las``)."""
    figs = []
    for by, totals in CHARTS:
        t = cube.table(by, selection, totals=totals)
        figs += table_figures(t, frame, cell, by, selection, measures, f"{by} {selection}",
                              totals=totals)  # fmt: skip
    return figs


def evidence_figures(
    findings: pd.DataFrame,
    key: str,
    published: Mapping[Hashable, Mapping[str, float] | None],
    cell: Sequence[str],
    view: str,
) -> list[Figure]:
    """The counts the requirements pages publish per candidate or requirement (``key``:
    the column of ``findings`` naming it; ``published``: its shown values, e.g. ``n_las``
    and respondents, or None where ``c``), as figures over the finest cells ``cell`` (which
    must include ``key`` when its sets split the cube's cells)."""
    out = []
    for value, values in published.items():
        part = findings.loc[(findings[key] == value).to_numpy(dtype=bool)]
        if part.empty:
            continue
        cells = frozenset(cell_keys(part, cell))
        out.append(Figure(f"{view} {value}", cells, None if values is None else dict(values)))
    return out


def themes_figures(
    cube: FindingsCube,
    frame: pd.DataFrame,
    selection: Mapping[str, object],
    own: Collection[int] = frozenset(),
) -> list[Figure]:
    """The charts' figures and what counting the findings list's rows gives: per atom
    label (period, group as shown, finding attributes), the rows of listed atoms (the
    viewer's own among them). ``frame``: one row per finding (cube columns + text)."""
    figs = chart_figures(cube, frame, selection)
    listing = findings_listing(cube, frame, selection, own=own)
    atoms = cube.atom_of(listing.source)
    src = listing.source.loc[np.isin(atoms, cube.listable(selection)[0])]
    shown = src.assign(supplier_group=[cube.atom_label(a, "group", "") for a in cube.atom_of(src)])
    revealed = ["period", "supplier_group", *FINDING_DIMS]
    return figs + list_figures(shown, frame, CELL, revealed, MEASURES, f"list {selection}")


# score rows: the finest cell is one authority's respondents of one role (so a figure over
# any set of authorities, e.g. statistical neighbours, is a sum of cells)
SCORE_CELL = ("period", "measure", "group", "role", "region", "la_type", "authority_id")
SCORE_MEASURES = ("n", "sum")
SCORE_FILTERS = ("role", "region", "la_type")
SCORE_BY = ["period", "measure", "group"]


def score_contributions(rows: pd.DataFrame) -> Contributions:
    """Respondents and score sums per :data:`SCORE_CELL` (summary rows of any periods and
    measures)."""
    return contributions_of(rows.loc[rows["n"] > 0], SCORE_CELL, SCORE_MEASURES, respondents="n")


def narrowings(rows: pd.DataFrame) -> Iterator[dict[str, object]]:
    """Every combination of Compare's role, region and LA type filters over ``rows``."""
    values = [[None, *sorted(map(str, rows[d].unique()))] for d in SCORE_FILTERS]
    for combo in itertools.product(*values):
        yield {d: v for d, v in zip(SCORE_FILTERS, combo, strict=True) if v is not None}


def _score_figure(view: str, keys: np.ndarray, mask, r) -> Figure | None:
    cells = frozenset(keys[np.asarray(mask, dtype=bool)])
    if not cells:
        return None
    shown = None if r.suppressed else {"n": float(r.n), "sum": float(r.mean) * float(r.n)}
    return Figure(view, cells, shown)


def compare_figures(
    rows: pd.DataFrame,
    rules: DisclosureRules,
    selections: Iterable[Mapping[str, object]] | None = None,
    *,
    breakdown: tuple[str, object] | None = None,
    own: Collection[int] = frozenset(),
) -> list[Figure]:
    """Every score cell Compare (groups, themes, trend, spread) and Overview can show for
    ``rows``: per period and measure, each group and England under each narrowing (role,
    region, LA type; all combinations by default), the spread bands, and (``breakdown`` =
    (column, value) of an NLAR representative's supplier) that group authority by
    authority. Overview's cells are Compare's unfiltered ones."""
    figs = []
    for narrowing in narrowings(rows) if selections is None else selections:
        table = protected_scores(rows, SCORE_BY, narrowing, rules, totals={"group": ENGLAND},
                                 keep_sums=True)  # fmt: skip
        figs += table_figures(table, rows, SCORE_CELL, SCORE_BY, narrowing, SCORE_MEASURES,
                              f"compare {narrowing}", totals={"group": ENGLAND})  # fmt: skip
    live = rows.loc[rows["n"].to_numpy() > 0].reset_index(drop=True)
    keys = cell_keys(live, SCORE_CELL).to_numpy()
    for idx in live.groupby(["period", "measure"], observed=True).indices.values():
        part = live.iloc[idx].reset_index(drop=True)
        figs += _spread_figures(part, rules, keys[idx], breakdown, own)
    return figs


def _spread_figures(
    part: pd.DataFrame,
    rules: DisclosureRules,
    keys: np.ndarray,
    breakdown: tuple[str, object] | None,
    own: Collection[int],
) -> list[Figure]:
    """Compare's spread bands and the NLAR breakdown of one period and measure."""
    from data.privacy.breakdown import breakdown_table
    from data.privacy.scores_cube import score_bands, spread_bands

    label = f"[{part['period'].iloc[0]}, {part['measure'].iloc[0]}]"
    group = part["group"].astype(str).to_numpy()
    band = score_bands(part, rules).astype(str).to_numpy()
    figs: list[Figure] = []
    for r in spread_bands(part, rules).itertuples(index=False):
        if r.position < 0:
            continue
        fig = _score_figure(f"spread {label} [{r.group}, {r.band}]", keys,
                            (group == r.group) & (band == r.band), r)  # fmt: skip
        figs += [fig] if fig else []
    if breakdown is not None:
        column, value = breakdown
        ids = part["authority_id"].to_numpy()
        for r in breakdown_table(part, column, value, rules, own).itertuples(index=False):
            fig = _score_figure(f"breakdown {label} [{r.authority_id}]", keys,
                                ids == r.authority_id, r)  # fmt: skip
            figs += [fig] if fig else []
    return figs


def set_figures(
    table: pd.DataFrame,
    rows: pd.DataFrame,
    sets: Mapping[str, np.ndarray],
    own: Collection[int],
    view: str,
    *,
    set_col: str = "comparator",
) -> list[Figure]:
    """What a table of named sets of authorities, each figure leaving the viewer's own
    authority out (My authority's comparators, data.privacy.scores_cube.protected_sets:
    period, measure, ``set_col``, n, mean, suppressed), tells that viewer: each row is a
    figure over the set's cells *and* the viewer's own cells of that period and measure,
    with the viewer's own values added back (what the viewer can do, knowing them). Rows
    of sets not in ``sets`` (the viewer's own figures) are skipped: they tell it nothing.
    ``sets``: name -> boolean array over ``rows``, as the page built the table from."""
    keys = cell_keys(rows, SCORE_CELL).to_numpy()
    live = rows["n"].to_numpy() > 0
    mine = rows["authority_id"].isin(list(own)).to_numpy(dtype=bool)
    period = rows["period"].astype(str).to_numpy()
    measure = rows["measure"].astype(str).to_numpy()
    n, total = rows["n"].to_numpy(dtype=float), rows["sum"].to_numpy(dtype=float)
    out = []
    for r in table.itertuples(index=False):
        name = getattr(r, set_col)
        if name not in sets:
            continue
        part = live & (period == str(r.period)) & (measure == str(r.measure))
        cells = frozenset(keys[part & (np.asarray(sets[name], dtype=bool) | mine)])
        if not cells:
            continue
        known = part & mine
        values = None
        if not r.suppressed:
            values = {"n": float(r.n) + n[known].sum(),
                      "sum": float(r.mean) * float(r.n) + total[known].sum()}  # fmt: skip
        out.append(Figure(f"{view} [{r.period}, {r.measure}, {name}]", cells, values))
    return out


def authority_targets(rows: pd.DataFrame) -> Iterator[Figure]:
    """Each authority's figure per period and measure (all its roles), for the auditor to
    protect though no view shows it: none may be pinned within +-50%."""
    live = rows.loc[rows["n"] > 0]
    keys = cell_keys(live, SCORE_CELL)
    for (p, m, a), part in live.groupby(["period", "measure", "authority_id"], observed=True):
        yield Figure(f"authority {a} [{p}, {m}]", frozenset(keys[part.index]))
