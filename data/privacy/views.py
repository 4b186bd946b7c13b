"""What the Themes page publishes for one selection, as the auditor's figures: its three
charts (with their totals) and its findings list, all read from the protected cube. Used by
the tests and the benchmark to hand every view of a viewer to data.privacy.auditor."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from data.privacy.auditor import Figure, list_figures, table_figures
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
