"""The disclosure auditor (data.privacy.auditor) on small adversarial fixtures: each leak
class must be found, and a protected fixture must come out clean."""

from __future__ import annotations

import pandas as pd
import pytest

from data.privacy.auditor import Figure, audit, contributions_of, table_figures
from data.privacy.disclosure import DisclosureRules

RULES = DisclosureRules()
DIMS = ("group", "region", "theme")
M = ("findings", "respondents_raising")


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(authority, group, region, theme, findings, respondents)."""
    cols = ["authority_id", "group", "region", "theme", *M]
    return pd.DataFrame(rows, columns=cols)


def fig(rows: pd.DataFrame, view: str, shown: bool = True, **fixed) -> Figure:
    mask = pd.Series(True, index=rows.index)
    for k, v in fixed.items():
        mask &= rows[k] == v
    part = rows.loc[mask]
    cells = frozenset(part[list(DIMS)].astype(str).itertuples(index=False, name=None))
    values = {m: float(part[m].sum()) for m in M} if shown else None
    return Figure(view, cells, values)


def run(rows, figures, **kw):
    return audit(figures, contributions_of(rows, DIMS, M, respondents=M[1]), RULES, **kw)


# region NE: group A has one LA; group B three
ONE_LA = frame(
    [(1, "A", "NE", "T1", 4, 12)]
    + [(a, "B", "NE", "T1", 5, 20) for a in (2, 3, 4)]
    + [(a, "B", "SW", "T1", 5, 20) for a in (5, 6, 7)]
)


def test_group_with_one_la_in_a_region_is_pinned_by_the_region_total():
    figures = [
        fig(ONE_LA, "region NE", region="NE"),
        fig(ONE_LA, "NE x B", region="NE", group="B"),
        fig(ONE_LA, "NE x A", False, region="NE", group="A"),
    ]
    report = run(ONE_LA, figures)
    assert {"interval", "difference"} <= report.kinds(), report.summary()
    pinned = [e for e in report.exposures if e.kind == "interval"]
    assert pinned[0].low == pinned[0].high == 4.0


def test_shown_sensitive_figure_is_reported():
    report = run(ONE_LA, [fig(ONE_LA, "NE x A", region="NE", group="A")])
    assert "shown" in report.kinds()


# group G: theme X from one LA, theme Y from one other, theme Z from many
TWO_HIDDEN = frame(
    [(1, "G", "NE", "X", 4, 12), (2, "G", "NE", "Y", 3, 11)]
    + [(a, "G", "NE", "Z", 6, 30) for a in (3, 4, 5, 6)]
    + [(a, "H", "NE", "Y", 6, 30) for a in (7, 8, 9, 10)]
)


def test_two_suppressed_cells_in_one_row_leak_their_sum_through_the_total():
    g = dict(group="G")
    figures = [
        fig(TWO_HIDDEN, "G total", **g),
        fig(TWO_HIDDEN, "G x Z", theme="Z", **g),
        fig(TWO_HIDDEN, "G x X", False, theme="X", **g),
        fig(TWO_HIDDEN, "G x Y", False, theme="Y", **g),
    ]
    report = run(TWO_HIDDEN, figures, exhaustive=True)
    derivable = [e for e in report.exposures if e.kind == "derivable"]
    assert derivable, report.summary()
    assert any(len(e.cells) == 2 for e in derivable)  # X + Y, two LAs


def test_cell_hidden_in_one_view_and_shown_in_another_is_recovered():
    g = dict(group="G")
    figures = [
        fig(TWO_HIDDEN, "themes, group G: total", **g),
        fig(TWO_HIDDEN, "themes, group G: Z", theme="Z", **g),
        fig(TWO_HIDDEN, "themes, group G: X", False, theme="X", **g),
        fig(TWO_HIDDEN, "themes, group G: Y", False, theme="Y", **g),
        fig(TWO_HIDDEN, "heatmap: G x Y", theme="Y", **g),  # the other view shows it
    ]
    report = run(TWO_HIDDEN, figures)
    assert "inconsistent" in report.kinds()
    pinned = [e for e in report.exposures if e.kind == "interval"]
    assert pinned and pinned[0].low == pinned[0].high == 4.0  # X exactly, for findings


def test_protected_row_is_clean():
    rows = frame(
        [(1, "G", "NE", "X", 2, 10)]
        + [(a, "G", "NE", "Y", 3, 10) for a in (2, 3, 4)]
        + [(a, "G", "NE", "Z", 6, 30) for a in (5, 6, 7, 8)]
    )
    g = dict(group="G")
    figures = [
        fig(rows, "G total", **g),
        fig(rows, "G x Z", theme="Z", **g),
        fig(rows, "G x X", False, theme="X", **g),
        fig(rows, "G x Y", False, theme="Y", **g),  # hidden with X: X + Y rests on 4 LAs
    ]
    report = run(rows, figures, exhaustive=True)
    assert report.ok, report.summary()
    assert report.checked == 1  # X is the one sensitive figure


def test_viewer_own_contribution_is_subtracted():
    """An LA that is one of three contributors learns the sum of the other two."""
    rows = frame([(a, "G", "NE", "X", 3, 12) for a in (1, 2, 3)] + [(4, "H", "NE", "X", 9, 30)])
    figures = [fig(rows, "G", group="G")]
    assert run(rows, figures).ok
    assert "shown" in run(rows, figures, own={1}).kinds()


def test_wrong_published_value_is_inconsistent():
    bad = Figure("tampered", fig(ONE_LA, "x", region="SW").cells, {"findings": 1, M[1]: 60})
    assert "inconsistent" in run(ONE_LA, [bad]).kinds()


def test_table_figures_names_cells_of_each_row():
    table = pd.DataFrame(
        {"theme": ["T1", "All"], "findings": [4, 4], M[1]: [12, 12], "suppressed": [False, False]}
    )
    figs = table_figures(
        table, ONE_LA, DIMS, ["theme"], {"group": "A"}, M, "v", totals={"theme": "All"}
    )
    assert [len(f.cells) for f in figs] == [1, 1]
    assert figs[0].cells == figs[1].cells


def test_contributions_need_their_columns():
    with pytest.raises(ValueError, match="lack columns"):
        contributions_of(ONE_LA.drop(columns="findings"), DIMS, M)
