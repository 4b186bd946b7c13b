"""What the Themes and Compare pages publish, as the auditor's figures: Themes' three
charts (with their totals) and its findings list, all read from the protected cube; Compare's
groups (every filter combination), spread bands and NLAR breakdown, read from the protected
scores cube. Used by the tests and the benchmark to hand every view of a viewer to
data.privacy.auditor."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from data.privacy.auditor import Figure, list_figures, table_figures
from data.privacy.auditor import cell_keys as auditor_keys
from data.privacy.cube import DIMS, FINDING_DIMS, FindingsCube, findings_listing
from data.privacy.narrowing import ENGLAND

CHARTS = (
    (["theme"], {"theme": "All themes"}),
    (["group", "theme"], {"group": ENGLAND}),
    (["workflow_area", "severity"], {"severity": "All severities"}),
)
CELL = ("period", *DIMS)
MEASURES = ("findings", "respondents_raising")


def chart_figures(
    cube: FindingsCube, frame: pd.DataFrame, selection: Mapping[str, object]
) -> list[Figure]:
    """Every cell and total of the three Themes charts for ``selection``."""
    figs = []
    for by, totals in CHARTS:
        t = cube.table(by, selection, totals=totals)
        figs += table_figures(t, frame, CELL, by, selection, MEASURES, f"{by} {selection}",
                              totals=totals)  # fmt: skip
    return figs


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


SCORE_CELL = ("group", "role", "region", "la_type", "authority_id")
SCORE_MEASURES = ("n", "sum")
SCORE_FILTERS = ("role", "region", "la_type")


def _score_figure(view: str, keys: np.ndarray, mask, r) -> Figure | None:
    cells = frozenset(keys[np.asarray(mask, dtype=bool)])
    if not cells:
        return None
    shown = None if r.suppressed else {"n": float(r.n), "sum": float(r.mean) * float(r.n)}
    return Figure(view, cells, shown)


def compare_figures(
    rows: pd.DataFrame,
    rules,
    *,
    breakdown: tuple[str, object] | None = None,
    own: Collection[int] = frozenset(),
) -> list[Figure]:
    """Every score figure Compare shows for summary rows of one period and measure, as the
    auditor's figures over :data:`SCORE_CELL` (authority included, so sets of authorities
    such as bands are exact): the groups chart with England under every role, region and
    LA type filter combination, the spread bands, and (``breakdown`` = (column, value) of
    an NLAR representative's supplier) that group authority by authority."""
    from data.privacy.breakdown import breakdown_table
    from data.privacy.scores_cube import protected_scores, score_bands, spread_bands

    rows = rows.loc[rows["n"].to_numpy() > 0].reset_index(drop=True)
    keys = auditor_keys(rows, SCORE_CELL)
    text = {d: rows[d].astype(str).to_numpy() for d in ("group", *SCORE_FILTERS)}
    values = {d: [None, *sorted(set(text[d]))] for d in SCORE_FILTERS}
    figs: list[Figure] = []
    for combo in itertools.product(*values.values()):
        narrowing = {d: v for d, v in zip(SCORE_FILTERS, combo, strict=True) if v is not None}
        table = protected_scores(rows, ["group"], narrowing, rules, totals={"group": ENGLAND})
        base = np.ones(len(rows), dtype=bool)
        for d, v in narrowing.items():
            base &= text[d] == v
        for r in table.itertuples(index=False):
            mask = base if r.group == ENGLAND else base & (text["group"] == r.group)
            fig = _score_figure(f"groups {narrowing} [{r.group}]", keys, mask, r)
            figs += [fig] if fig else []
    band = score_bands(rows, rules).astype(str).to_numpy()
    for r in spread_bands(rows, rules).itertuples(index=False):
        if r.position < 0:
            continue
        mask = (text["group"] == r.group) & (band == r.band)
        fig = _score_figure(f"spread [{r.group}, {r.band}]", keys, mask, r)
        figs += [fig] if fig else []
    if breakdown is not None:
        column, value = breakdown
        table = breakdown_table(rows, column, value, rules, own)
        ids = rows["authority_id"].to_numpy()
        for r in table.itertuples(index=False):
            mask = ids == r.authority_id
            fig = _score_figure(f"breakdown [{r.authority_id}]", keys, mask, r)
            figs += [fig] if fig else []
    return figs
