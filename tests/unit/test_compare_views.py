"""Compare's spread bands and NLAR breakdown on the protected scores cube, audited with the
groups chart under every filter combination, for a coordinator, an LA user and a group's
NLAR representative (data.privacy.views.compare_figures); the previous rules (bands of
three authorities with their respondents, a breakdown hiding only the small authority)
reproduced and caught by the same auditor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.privacy import breakdown
from data.privacy.auditor import Figure, audit, contributions_of
from data.privacy.breakdown import SECONDARY, breakdown_table, dominant_parts, protect_breakdown
from data.privacy.disclosure import DisclosureRules
from data.privacy.scores_cube import NO_BANDS, score_bands, spread_bands
from data.privacy.views import SCORE_CELL, SCORE_MEASURES, compare_figures
from data.scores.stats import pool

RULES = DisclosureRules()


def score_rows(spec: list[tuple]) -> pd.DataFrame:
    """(authority, group, region, la_type, role, n, mean) -> summary rows of one period."""
    out = []
    for a, g, r, t, role, n, mean in spec:
        out.append({"authority_id": a, "group": g, "supplier": g, "region": r, "la_type": t,
                    "role": role, "period": "2010-Q1", "measure": "SUS", "n": n,
                    "sum": n * mean, "sumsq": n * mean * mean + 4 * n})  # fmt: skip
    return pd.DataFrame(out)


REGIONS = ("NE", "SW")
SPEC = [
    # group A: 11 authorities; 5 has 6 respondents (below the threshold)
    *[
        (a, "A", REGIONS[a % 2], "unitary", "sw", 14 + a, 50 + 3 * a)
        for a in range(1, 12)
        if a != 5
    ],  # fmt: skip
    (5, "A", "SW", "unitary", "sw", 6, 62),
    *[(a, "A", REGIONS[a % 2], "unitary", "tm", 8, 55 + a) for a in range(1, 12) if a != 5],
    # group B: 6 authorities, too few for two bands of five
    *[(a, "B", "SW", "county", "sw", 12, 40 + 2 * a) for a in range(20, 26)],
    # group C: 10 authorities, one of them dominant in respondents
    *[(a, "C", REGIONS[a % 2], "county", "sw", 11, 60 + a / 2) for a in range(30, 39)],
    (39, "C", "NE", "county", "sw", 60, 80),
]
VIEWERS = {  # name -> (own authorities, breakdown (column, value), granted authorities)
    "coordinator": (frozenset(), None, frozenset()),
    "la user": (frozenset({3}), None, frozenset()),
    "nlar rep of A": (frozenset({2}), ("supplier", "A"), None),  # granted: A's authorities
}


def _audit(rows, viewer, figs=None):
    own, breakdown, granted = VIEWERS[viewer]
    if breakdown is not None:  # the whole supplier's authorities, whatever the fixture
        granted = frozenset(rows.loc[rows[breakdown[0]] == breakdown[1], "authority_id"])
    figs = figs if figs is not None else compare_figures(rows, RULES, breakdown=breakdown, own=own)
    contrib = contributions_of(rows, SCORE_CELL, SCORE_MEASURES, respondents="n")
    keys = pd.Series(list(rows[list(SCORE_CELL)].astype(str).itertuples(index=False, name=None)))
    targets = [Figure(f"authority {a}", frozenset(keys[(rows["authority_id"] == a).to_numpy()]))
               for a in sorted(rows["authority_id"].unique())]  # fmt: skip
    return figs, audit(figs, contrib, RULES, own=own, targets=targets, granted=granted)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_compare_view_with_bands_and_breakdown_passes_the_auditor(viewer):
    figs, report = _audit(score_rows(SPEC), viewer)
    assert report.ok, report.summary()
    assert any(f.shown and f.view.startswith("spread") for f in figs)
    assert report.checked > 0


def test_bands_are_halves_of_at_least_five_authorities_and_never_one_authority():
    rows = score_rows(SPEC)
    bands = spread_bands(rows, RULES)
    a = bands.loc[bands["group"] == "A"].set_index("band")
    assert list(a.index) == ["1 of 2", "2 of 2"]
    assert (a["n_las"] >= RULES.min_las + 2).all() and not a["suppressed"].any()
    c = bands.loc[bands["group"] == "C"]
    assert c["suppressed"].all()  # the upper half is one authority's, mostly
    # the lower half pools its authorities' respondents (not a mean of means, no minimum)
    per_la = pool(rows.loc[rows["group"] == "A"], ["authority_id"])
    lower = per_la.sort_values(["mean", "authority_id"]).head(6)  # ranks 0-5 of 11
    assert a.loc["1 of 2", "n"] == lower["n"].sum()
    assert a.loc["1 of 2", "mean"] == pytest.approx(lower["sum"].sum() / lower["n"].sum())
    assert not np.isin(bands["mean"].dropna().round(6), per_la["mean"].round(6)).any()
    b = bands.loc[bands["group"] == "B"]
    assert list(b["band"]) == [NO_BANDS] and b["mean"].isna().all()
    assert set(score_bands(rows.loc[rows["group"] == "B"], RULES)) == {NO_BANDS}


def test_breakdown_hides_a_second_authority_so_the_small_one_cannot_be_worked_out():
    rows = score_rows(SPEC)
    table = breakdown_table(rows, "supplier", "A", RULES, own={2}).set_index("authority_id")
    assert table.loc[5, "suppressed"] and pd.isna(table.loc[5, "mean"])
    hidden = table.index[table["suppressed"]].tolist()
    assert len(hidden) >= 2 and 2 not in hidden  # the viewer's own LA is always shown
    same_band = table.loc[hidden, "band"].tolist()
    assert same_band.count(table.loc[5, "band"]) >= 2


def test_previous_breakdown_rule_leaks_and_the_auditor_finds_it():
    """The previous rule hid only authorities below the threshold: the group's published
    figures minus the shown rows gave the hidden authority's respondents and score sum."""
    rows = score_rows(SPEC)
    figs = compare_figures(rows, RULES)  # groups and bands, no breakdown
    keys = pd.Series(list(rows[list(SCORE_CELL)].astype(str).itertuples(index=False, name=None)))
    a = pool(rows.loc[rows["group"] == "A"], ["authority_id"])
    for r in a.itertuples(index=False):
        cells = frozenset(keys[(rows["authority_id"] == r.authority_id).to_numpy()])
        shown = r.n >= RULES.min_respondents or r.authority_id == 2
        figs.append(Figure(f"old breakdown [{r.authority_id}]", cells,
                           {"n": float(r.n), "sum": float(r.sum)} if shown else None))  # fmt: skip
    _figs, report = _audit(rows, "nlar rep of A", figs)
    assert not report.ok and report.kinds() & {"interval", "derivable"}, report.summary()


def test_previous_bands_of_three_leak_and_the_auditor_finds_it():
    """The previous bands: contiguous runs of three authorities, each shown with its
    respondents. Group C's upper band holds the dominant authority, so its respondents are
    bounded well within +-50%; and a band is a set no other view's cells line up with."""
    rows = score_rows(SPEC)
    figs = compare_figures(rows, RULES)
    keys = pd.Series(list(rows[list(SCORE_CELL)].astype(str).itertuples(index=False, name=None)))
    for group, part in rows.groupby("group"):
        per_la = pool(part, ["authority_id"]).sort_values(["mean", "authority_id"])
        k = min(5, len(per_la) // RULES.min_las)
        if k < 2:
            continue
        bounds = np.linspace(0, len(per_la), k + 1).round().astype(int)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            band = per_la.iloc[lo:hi]
            mask = rows["authority_id"].isin(band["authority_id"]).to_numpy()
            figs.append(Figure(f"old band [{group} {lo}]", frozenset(keys[mask]),
                               {"n": float(band["n"].sum()),
                                "sum": float(band["sum"].sum())}))  # fmt: skip
    _figs, report = _audit(rows, "coordinator", figs)
    assert not report.ok, report.summary()


def test_protect_breakdown_keeps_hidden_sets_safe_in_every_band():
    per_la = pd.DataFrame(
        {"authority_id": [1, 2, 3, 4, 5, 6], "n": [4, 30, 12, 11, 25, 40],
         "sum": [200, 1500, 600, 550, 1250, 2000], "band": ["1 of 2"] * 3 + ["2 of 2"] * 3}
    )  # fmt: skip
    hidden, reason = protect_breakdown(per_la, RULES, own={2})
    assert hidden.tolist() == [True, False, True, False, False, False]
    assert reason[0].startswith("fewer than") and reason[2] and not reason[1]


@st.composite
def group_rows(draw, most: int, regions: list, types: list, roles: list, respondents):
    """Authorities 1 to 10-``most`` (1-10 in group A, the rest in A or B), each in a region
    and LA type drawn from ``regions`` and ``types`` (repeat a value to weight it), answering
    as one or more of ``roles``, each with ``respondents`` (a strategy) and a random mean."""
    spec = []
    for a in range(1, draw(st.integers(10, most)) + 1):
        g = "A" if a <= 10 or draw(st.booleans()) else "B"
        r, t = draw(st.sampled_from(regions)), draw(st.sampled_from(types))
        for role in draw(st.sets(st.sampled_from(roles), min_size=1)):
            spec.append((a, g, r, t, role, draw(respondents), draw(st.integers(20, 90))))
    return score_rows(spec)


# One group large enough for bands and a small second group, some authorities below the
# respondent threshold, one or two roles each.
BANDED = group_rows(14, list(REGIONS), ["unitary", "county"], ["sw", "tm"], st.integers(1, 25))
# Lopsided: a third region and role, most authorities in one region (so the others hold one
# or two of a group), often few respondents: where one authority's role is a cell alone.
LOPSIDED = group_rows(
    13, ["NE"] * 6 + ["SW"] * 2 + ["LON"], ["unitary"] * 4 + ["county"], ["sw", "tm", "mg"],
    st.one_of(st.integers(1, 12), st.integers(1, 30)),
)  # fmt: skip


# derandomize: CI explores the same examples every run (reproducible); a random run on
# 2026-12-07 found the dominant-role leak pinned by the regression test below (fixed since).
@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)  # fmt: skip
@given(st.sampled_from([BANDED, LOPSIDED]).flatmap(lambda rows: rows),
       st.sampled_from(list(VIEWERS)))  # fmt: skip
def test_property_random_compare_views_with_bands_pass_the_auditor(rows, viewer):
    _figs, report = _audit(rows, viewer)
    assert report.ok, report.summary()


# A random run of the property test above found this group: authority 8 is the group's only
# one in region SW and answers as two roles, 9 and 1 respondents. Compare's {role sw, region
# SW} cell of group A is that role of authority 8 alone (``c``), and the NLAR breakdown showed
# authority 8's total of 10, pinning the cell to n in [0, 10] and its sum to [0, 497].
DOMINANT_ROLE = [
    (1, "A", "NE", "unitary", "tm", 12, 82), (2, "A", "NE", "unitary", "sw", 23, 70),
    (2, "A", "NE", "unitary", "tm", 21, 41), (3, "A", "NE", "unitary", "sw", 25, 45),
    (4, "A", "NE", "unitary", "tm", 15, 54), (4, "A", "NE", "unitary", "sw", 22, 90),
    (5, "A", "NE", "unitary", "sw", 14, 27), (5, "A", "NE", "unitary", "tm", 16, 66),
    (6, "A", "NE", "unitary", "tm", 14, 64), (6, "A", "NE", "unitary", "sw", 1, 88),
    (7, "A", "NE", "county", "sw", 21, 42), (7, "A", "NE", "county", "tm", 18, 43),
    (8, "A", "SW", "unitary", "sw", 9, 52), (8, "A", "SW", "unitary", "tm", 1, 29),
    (9, "A", "NE", "unitary", "tm", 1, 55), (10, "A", "NE", "unitary", "sw", 12, 57),
    (10, "A", "NE", "unitary", "tm", 3, 41),
]  # fmt: skip


def test_breakdown_hides_an_authority_whose_small_role_makes_up_most_of_it():
    rows = score_rows(DOMINANT_ROLE)
    table = breakdown_table(rows, "supplier", "A", RULES, own={2}).set_index("authority_id")
    # hidden, with the reason any secondary suppression gives: a reason of its own would say
    # its total is 10 to 14 respondents
    assert table.loc[8, "suppressed"] and table.loc[8, "reason"] == SECONDARY
    assert pd.isna(table.loc[8, "n"])
    assert table.loc[table["suppressed"]].shape[0] >= 3  # 6 and 9 are small; 8 is protected too
    _figs, report = _audit(rows, "nlar rep of A")
    assert report.ok, report.summary()


def test_without_the_dominant_role_rule_the_auditor_finds_the_leak(monkeypatch):
    monkeypatch.setattr(breakdown, "dominant_parts", lambda parts, rules: set())
    _figs, report = _audit(score_rows(DOMINANT_ROLE), "nlar rep of A")
    assert not report.ok
    assert any(e.kind == "interval" and e.measure == "n" and e.high == 10
               for e in report.exposures), report.summary()  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(1, "sw", 9, 468), (1, "tm", 1, 29)], {1}),  # 9 of 10 respondents
        ([(1, "sw", 6, 300), (1, "tm", 6, 300)], set()),  # 6 of 12: bounded loosely enough
        ([(1, "sw", 5, 450), (1, "tm", 7, 70)], {1}),  # few respondents, most of the sum
        ([(1, "sw", 12, 600), (1, "tm", 2, 100)], set()),  # the big part is not sensitive
        ([(1, "sw", 9, 450)], set()),  # one role: the part is the whole authority
    ],
)
def test_dominant_parts(parts, expected):
    frame = pd.DataFrame(parts, columns=["authority_id", "role", "n", "sum"])
    assert dominant_parts(frame, RULES) == expected
