"""Themes page counts through data.pages.themes, read from the protected source (no
database): published figures are true sums, small or unaligned cells are ``c``, a group
folded into "Other suppliers" cannot be selected on its own, and random data and
selections pass the auditor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.pages.themes import RESPONDENTS, counts, cube_of
from data.privacy.auditor import audit, contributions_of, table_figures
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND, fold_period
from data.queries.filters import THEMES as SPEC

RULES = DisclosureRules()
CELL = ("period", "group", "theme", "category", "workflow_area", "severity", "region",
        "la_type")  # fmt: skip
M = ("findings", RESPONDENTS)


def finding_rows(cells: list[tuple]) -> pd.DataFrame:
    """Rows from (authority, group, region, theme, severity, findings, respondents)."""
    rows = pd.DataFrame(
        [
            {
                "authority_id": a,
                "group": g,
                "period": "2010-Q1",
                "region": r,
                "la_type": "unitary",
                "theme": t,
                "category": "supplier",
                "workflow_area": "general",
                "severity": s,
                "findings": f,
                RESPONDENTS: n,
            }
            for a, g, r, t, s, f, n in cells
        ]
    )
    return fold_period(rows, RULES, respondents_col=RESPONDENTS)


# NAV and SPD from five authorities each, evenly; DUP from two
CELLS = [
    *[(a, "A" if a < 6 else "B", "London", "NAV", "high", 2, 6) for a in range(1, 6)],
    *[(a, "A" if a < 6 else "B", "North East", "SPD", "low", 2, 6) for a in range(6, 11)],
    (1, "A", "London", "DUP", "high", 1, 3),
    (2, "A", "London", "DUP", "high", 1, 2),
]


def test_published_counts_are_true_sums_and_small_cells_are_c():
    out = counts(
        finding_rows(CELLS), ["theme"], SPEC.select(), RULES, totals={"theme": "All themes"}
    ).set_index("theme")
    assert (out.loc["SPD", "findings"], out.loc["SPD", "n_las"]) == (10, 5)
    assert out.loc["SPD", RESPONDENTS] == 30
    assert out.loc["All themes", "findings"] == 22
    assert out.loc["DUP", "suppressed"] and pd.isna(out.loc["DUP", "findings"])
    # total - SPD - NAV would give DUP: NAV is pooled with it, so it is c too
    assert out.loc["NAV", "suppressed"]


def test_a_breakdown_ignores_its_own_filter():
    out = counts(finding_rows(CELLS), ["theme"], SPEC.select(theme="SPD"), RULES)
    assert set(out["theme"]) == {"NAV", "SPD", "DUP"}


def test_same_cell_same_answer_under_any_filter():
    rows = finding_rows(CELLS)
    cube = cube_of(rows, RULES)
    a = counts(cube, ["theme"], SPEC.select(region="North East"), RULES).set_index("theme")
    b = counts(cube, ["theme"], SPEC.select(), RULES).set_index("theme")
    # SPD lies wholly in the North East: the same cell, the same figure
    assert a.loc["SPD", "findings"] == b.loc["SPD", "findings"] == 10


def test_a_group_folded_into_other_suppliers_is_all_c():
    cells = [*CELLS, (11, "Tiny", "London", "NAV", "high", 3, 9)]
    rows = finding_rows(cells)
    out = counts(rows, ["theme"], SPEC.select(group="Tiny"), RULES, rows=rows)
    assert out["suppressed"].all() and out["findings"].isna().all()


THEMES, SEVERITIES, REGIONS = ["NAV", "SPD", "DUP"], ["low", "high"], ["R1", "R2"]


@st.composite
def findings(draw):
    n_las = draw(st.integers(2, 14))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cells = []
    for la in range(1, n_las + 1):
        group, region = draw(st.sampled_from(["G1", "G2", "G3"])), draw(st.sampled_from(REGIONS))
        for _ in range(draw(st.integers(0, 4))):
            cells.append(
                (la, group, region, str(rng.choice(THEMES)), str(rng.choice(SEVERITIES)),
                 int(rng.integers(1, 3)), int(rng.integers(0, 8)))
            )  # fmt: skip
    if not cells:
        cells.append((1, "G1", "R1", "NAV", "low", 1, 1))
    rows = finding_rows(cells)
    selections = draw(
        st.lists(
            st.builds(
                SPEC.select,
                theme=st.none() | st.sampled_from(THEMES),
                severity=st.none() | st.sampled_from(SEVERITIES),
                region=st.none() | st.sampled_from(REGIONS),
            ),
            min_size=1,
            max_size=4,
        )
    )
    viewer = draw(st.none() | st.sampled_from(sorted(set(rows["authority_id"]))))
    return rows, selections, frozenset() if viewer is None else frozenset({viewer})


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(findings())
def test_property_random_views_together_pass_the_auditor(view):
    rows, selections, own = view
    cube = cube_of(rows, RULES)
    raw = rows.assign(group=rows["group"].astype(str))
    figs = []
    for f in [SPEC.select(), *selections]:
        sel = {("la_type" if k == "type" else k): v for k, v in f.values}
        for by, totals in ((["theme"], {"theme": "All"}), (["group", "theme"], {"group": ENGLAND})):
            table = counts(cube, by, f, RULES, own, totals=totals, rows=rows)
            figs += table_figures(table, raw, CELL, by, sel, M, f"{by} {sel}", totals=totals)
    report = audit(figs, contributions_of(raw, CELL, M, respondents=RESPONDENTS), RULES, own=own)
    assert report.ok, report.summary()
