"""What the Themes page publishes for one selection, as the auditor's figures: its three
charts (with their totals) and its findings list, all read from the protected cube. Used by
the tests and the benchmark to hand every view of a viewer to data.privacy.auditor."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from data.privacy.auditor import Figure, cell_keys, list_figures, table_figures
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
