"""Themes page counts and the listing rule through data.pages.themes (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.pages.themes import RESPONDENTS, counts, selection_listable
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND, fold_period
from data.queries.filters import THEMES as SPEC

RULES = DisclosureRules()


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


CELLS = [
    (1, "A", "London", "NAV", "high", 2, 6),
    (2, "A", "London", "NAV", "low", 1, 4),
    (3, "A", "North East", "NAV", "high", 3, 5),
    (4, "B", "North East", "SPD", "high", 1, 7),
    (5, "B", "North East", "SPD", "critical", 2, 3),
    (6, "B", "London", "NAV", "low", 1, 2),
    (7, "B", "London", "SPD", "low", 4, 9),
]


def test_counts_sum_findings_and_respondents_per_cell():
    out = counts(
        finding_rows(CELLS), ["theme"], SPEC.select(), RULES, totals={"theme": "All themes"}
    ).set_index("theme")
    # NAV: LAs 1, 2, 3, 6 -> 2 + 1 + 3 + 1 = 7 findings, 6 + 4 + 5 + 2 = 17 respondents
    assert (out.loc["NAV", "findings"], out.loc["NAV", "n_las"]) == (7, 4)
    assert out.loc["NAV", RESPONDENTS] == 17
    # SPD: LAs 4, 5, 7 -> 7 findings, 19 respondents
    assert (out.loc["SPD", "findings"], out.loc["SPD", RESPONDENTS]) == (7, 19)
    assert out.loc["All themes", "findings"] == 14 and not out["suppressed"].any()


def test_a_breakdown_ignores_its_own_filter_and_suppresses_small_cells():
    rows = finding_rows(CELLS)
    out = counts(rows, ["theme"], SPEC.select(theme="SPD", severity="high"), RULES)
    assert set(out["theme"]) == {"NAV", "SPD"}  # every theme, though the filter names one
    # high severity: NAV from LAs 1 and 3 only, SPD from LA 4 only: both too few
    assert out["suppressed"].all() and out["findings"].isna().all()


def test_listing_needs_the_whole_selection_to_pass():
    rows = finding_rows(CELLS)
    assert selection_listable(rows, SPEC.select(theme="NAV"), RULES)  # 4 LAs, 17 respondents
    assert not selection_listable(rows, SPEC.select(theme="NAV", severity="high"), RULES)
    # LA 1 looking: only LAs 2, 3 and 6 are others on NAV, with 11 respondents: still fine
    assert selection_listable(rows, SPEC.select(theme="NAV"), RULES, {1})
    # LA 1 looking at NAV in London: the others are LAs 2 and 6 only, so nothing is listed
    assert not selection_listable(rows, SPEC.select(theme="NAV", region="London"), RULES, {1})


def test_listing_refuses_a_selection_whose_remainder_would_be_small():
    # NAV in London: LAs 1, 2, 6 + 8, 9 pass on their own, but NAV outside London is LA 3
    # alone, so listing London would let "all regions minus London" be worked out.
    cells = [*CELLS, (8, "A", "London", "NAV", "low", 1, 5), (9, "B", "London", "NAV", "low", 1, 5)]
    rows = finding_rows(cells)
    assert selection_listable(rows, SPEC.select(theme="NAV"), RULES)
    assert not selection_listable(rows, SPEC.select(theme="NAV", region="London"), RULES)


THEMES, SEVERITIES, REGIONS = ["NAV", "SPD", "DUP"], ["low", "high"], ["R1", "R2"]


@st.composite
def findings(draw):
    n_las = draw(st.integers(2, 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cells = []
    for la in range(1, n_las + 1):
        group, region = draw(st.sampled_from(["G1", "G2", "G3"])), draw(st.sampled_from(REGIONS))
        for _ in range(draw(st.integers(0, 4))):
            cells.append(
                (
                    la,
                    group,
                    region,
                    str(rng.choice(THEMES)),
                    str(rng.choice(SEVERITIES)),
                    int(rng.integers(1, 3)),
                    int(rng.integers(0, 8)),
                )
            )
    if not cells:
        cells.append((1, "G1", "R1", "NAV", "low", 1, 1))
    rows = finding_rows(cells)
    f = SPEC.select(
        theme=draw(st.none() | st.sampled_from(THEMES)),
        severity=draw(st.none() | st.sampled_from(SEVERITIES)),
        region=draw(st.none() | st.sampled_from(REGIONS)),
    )
    viewer = draw(st.none() | st.sampled_from(sorted(set(rows["authority_id"]))))
    return rows, f, frozenset() if viewer is None else frozenset({viewer})


def behind(rows: pd.DataFrame, narrowing: dict, key: dict) -> dict:
    part = rows
    for col, value in {**narrowing, **key}.items():
        if value is not None:
            part = part.loc[part[col] == value]
    return part.groupby("authority_id")[RESPONDENTS].sum().to_dict()


def safe(by_la: dict, own: frozenset) -> bool:
    rest = {a: n for a, n in by_la.items() if a not in own}
    return not rest or (len(rest) >= 3 and sum(rest.values()) >= 10)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(findings())
def test_property_visible_counts_and_lists_rest_on_enough_authorities(view):
    rows, f, own = view
    table = counts(rows, ["group", "theme"], f, RULES, own, totals={"group": ENGLAND})
    narrowing = f.narrowing(without=["group", "theme", "supplier"])
    for _, cell in table.loc[~table["suppressed"].to_numpy(dtype=bool)].iterrows():
        key = {"theme": cell["theme"], "group": None if cell["group"] == ENGLAND else cell["group"]}
        by_la = behind(rows, narrowing, key)
        assert (bool(by_la) and set(by_la) <= own) or (len(by_la) >= 3 and safe(by_la, own))
    if selection_listable(rows, f, RULES, own):
        by_la = behind(rows, f.narrowing(), {})
        own_only = set(by_la) <= own  # only the viewer's own findings: always its to see
        assert own_only or (safe(by_la, own) and len(set(by_la) - own) >= 3)
        wider_views = [{k: v for k, v in f.narrowing().items() if k != d} for d in f.narrowing()]
        for wider in [] if own_only else wider_views:
            rest = {a: n - by_la.get(a, 0) for a, n in behind(rows, wider, {}).items()}
            assert safe({a: n for a, n in rest.items() if n > 0 or a not in by_la}, own)
