"""Compare page figures through data.privacy.narrowing / data.pages.compare: hand-computed
scores and
intervals, and properties over random data, filters and viewers (PRODUCT.md section 4):
no visible figure rests on fewer than 3 LAs or 10 respondents (besides the viewer's own),
and no hidden figure can be recovered by subtracting visible ones, within a view or between
a view and any wider or sibling view."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.pages.compare import may_see_la_breakdown
from data.privacy.access import Viewer
from data.privacy.disclosure import DisclosureRules
from data.privacy.narrowing import ENGLAND, REASON_NARROWING, fold_period, guarded_scores
from data.queries.filters import COMPARE
from data.reference.codes import sus_grade, sus_letter_bands

RULES = DisclosureRules()
KEYS = {f.column: f.key for f in COMPARE.filters}  # row column -> filter key


def narrowed(period: str, **by_column: str | None) -> dict[str, str]:
    """The narrowing of the Compare selection of ``period`` narrowed on these row columns."""
    keys = {KEYS[col]: value for col, value in by_column.items()}
    return COMPARE.select(period=period, **keys).narrowing()


VALUES = ["n", "n_las", "mean", "sd", "ci_low", "ci_high"]


def score_rows(cells: list[tuple], measure: str = "SUS") -> pd.DataFrame:
    """Rows from (authority, group, region, la_type, role, scores)."""
    out = []
    for a, g, region, kind, role, scores in cells:
        out.append(
            {
                "authority_id": a,
                "supplier_id": hash(g) % 97,
                "group": g,
                "region": region,
                "la_type": kind,
                "role": role,
                "period": "2010-Q1",
                "measure_type": "sus" if measure == "SUS" else "theme",
                "measure": measure,
                "n": len(scores),
                "sum": float(sum(scores)),
                "sumsq": float(sum(x * x for x in scores)),
            }
        )
    return pd.DataFrame(out)


# --- hand-computed figures -----------------------------------------------------------------

# Group A: three LAs, scores 50,75,100,25,50 / 60,60,60,60,60 / 40,80 (12 respondents)
#   n = 12, sum = 300 + 300 + 120 = 720, mean = 60
#   sumsq = 21250 + 18000 + 8000 = 47250; sumsq - sum^2/n = 47250 - 43200 = 4050
#   sd = sqrt(4050 / 11) = 19.188064; half = 1.96 * 19.188064 / 3.464102 = 10.856679
A = [
    (1, "A", "London", "london_borough", "sw", [50, 75, 100, 25, 50]),
    (2, "A", "London", "london_borough", "sw", [60] * 5),
    (3, "A", "North East", "unitary", "tm", [40, 80]),
]
B = [
    (4, "B", "London", "london_borough", "sw", [70] * 4),
    (5, "B", "North East", "unitary", "sw", [30, 50, 70, 90]),
    (6, "B", "North East", "unitary", "tm", [55] * 4),
]


def test_group_mean_and_interval_match_hand_computation():
    rows = fold_period(score_rows(A + B), RULES)
    out = guarded_scores(
        rows, ["group"], narrowed("2010-Q1"), RULES, totals={"group": ENGLAND}
    ).set_index("group")
    a = out.loc["A"]
    assert (a["n"], a["n_las"], a["suppressed"]) == (12, 3, False)
    assert a["mean"] == pytest.approx(60.0)
    assert a["sd"] == pytest.approx(19.18806, abs=1e-5)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((60 - 10.856679, 60 + 10.856679), abs=1e-5)
    # England pools respondents (not LA means): 720 + 280 + 240 + 220 = 1460 over 24
    assert out.loc[ENGLAND, "mean"] == pytest.approx(1460 / 24)


def test_sus_grades_follow_sauro_lewis():
    assert [sus_grade(x) for x in (90, 84.1, 81, 79, 77.5, 75, 73, 71.5, 66, 63, 52, 30)] == [
        "A+",
        "A+",
        "A",
        "A−",
        "B+",
        "B",
        "B−",
        "C+",
        "C",
        "C−",
        "D",
        "F",
    ]
    assert sus_grade(None) == "" and sus_grade(float("nan")) == ""


def test_chart_grade_bands_merge_the_scale_to_letters():
    assert sus_letter_bands() == (
        (0.0, 51.7, "F"),
        (51.7, 62.7, "D"),
        (62.7, 72.6, "C"),
        (72.6, 78.9, "B"),
        (78.9, 100.0, "A"),
    )


def test_narrowing_that_leaves_a_small_remainder_is_hidden():
    # Group A has 4 LAs in London and 1 elsewhere; "London" alone passes the thresholds but
    # All regions minus London would be that one LA: so A-in-London must read c.
    cells = [(i, "A", "London", "london_borough", "sw", [50] * 10) for i in range(1, 5)]
    cells += [(5, "A", "South East", "unitary", "sw", [90] * 10)]
    cells += [(i, "B", "South East", "unitary", "sw", [40] * 10) for i in range(6, 10)]
    rows = fold_period(score_rows(cells), RULES)
    wide = guarded_scores(rows, ["group"], narrowed("2010-Q1"), RULES).set_index("group")
    assert not wide.loc["A", "suppressed"]
    london = guarded_scores(rows, ["group"], narrowed("2010-Q1", region="London"), RULES)
    a = london.set_index("group").loc["A"]
    assert a["suppressed"] and a["reason"] == REASON_NARROWING and pd.isna(a["mean"])


def test_own_only_cell_is_shown_to_its_own_authority():
    cells = [(1, "A", "London", "london_borough", "sw", [50] * 4)]
    cells += [(i, "B", "South East", "unitary", "sw", [40] * 10) for i in range(2, 6)]
    rows = score_rows(cells)  # no folding: A is the viewer's own LA only
    own = guarded_scores(rows, ["group"], narrowed("2010-Q1", role="sw"), RULES, {1})
    assert not own.set_index("group").loc["A", "suppressed"]
    other = guarded_scores(rows, ["group"], narrowed("2010-Q1", role="sw"), RULES, {2})
    assert other.set_index("group").loc["A", "suppressed"]


def test_only_a_groups_own_nlar_rep_sees_it_by_authority():
    assert may_see_la_breakdown(Viewer(1, "nlar_rep", 3, 7), 7)
    assert not may_see_la_breakdown(Viewer(1, "nlar_rep", 3, 7), 8)
    for role in ("la_user", "coordinator", "admin"):
        assert not may_see_la_breakdown(Viewer(1, role, 3, 7), 7)


# --- properties over random data, filters and viewers --------------------------------------

GROUPS, REGIONS, TYPES, ROLES = ["G1", "G2", "G3"], ["R1", "R2", "R3"], ["T1", "T2"], ["sw", "tm"]
BY, TOTALS = ["measure", "group"], {"group": ENGLAND}
DIMS = {"role": ROLES, "region": REGIONS, "la_type": TYPES}


@st.composite
def surveys(draw) -> pd.DataFrame:
    n_las = draw(st.integers(3, 11))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    records = []
    for la in range(1, n_las + 1):
        group, region, kind = (draw(st.sampled_from(v)) for v in (GROUPS, REGIONS, TYPES))
        size = draw(st.integers(0, 9))
        for role in ROLES:
            for measure in ("NAV", "SPD"):
                n = int(rng.integers(0, size + 1))
                mean, sd = rng.uniform(5, 95), rng.uniform(0, 25)
                records.append(
                    {
                        "authority_id": la,
                        "supplier_id": GROUPS.index(group),
                        "group": group,
                        "region": region,
                        "la_type": kind,
                        "role": role,
                        "period": "2010-Q1",
                        "measure_type": "theme",
                        "measure": measure,
                        "n": n,
                        "sum": n * mean,
                        "sumsq": n * mean * mean + max(n - 1, 0) * sd * sd,
                    }
                )
    return pd.DataFrame(records)


@st.composite
def views(draw):
    rows = fold_period(draw(surveys()), RULES)
    picked = {d: draw(st.none() | st.sampled_from(v)) for d, v in DIMS.items()}
    viewer = draw(st.none() | st.sampled_from(sorted(set(rows["authority_id"]))))
    return rows, narrowed("2010-Q1", **picked), frozenset() if viewer is None else {viewer}


def facts(rows: pd.DataFrame, narrowing: dict, key: tuple) -> tuple[dict, float]:
    """Contributors (authority -> respondents) and sum behind one (measure, group) cell."""
    part = rows.loc[rows["n"] > 0]
    for col, value in narrowing.items():
        part = part.loc[part[col] == value]
    part = part.loc[part["measure"] == key[0]]
    if key[1] != ENGLAND:
        part = part.loc[part["group"] == key[1]]
    return part.groupby("authority_id")["n"].sum().to_dict(), float(part["sum"].sum())


def safe_set(by_la: dict, own: frozenset) -> bool:
    """Empty, or >= 3 LAs and >= 10 respondents once the viewer's own LA is taken out."""
    rest = {a: n for a, n in by_la.items() if a not in own and n > 0}
    return not rest or (len(rest) >= 3 and sum(rest.values()) >= 10)


def minus(a: dict, b: dict) -> dict:
    return {k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0) > 0}


def visible(table: pd.DataFrame) -> dict[tuple, pd.Series]:
    shown = table.loc[~table["suppressed"].to_numpy(dtype=bool)]
    return {(r["measure"], r["group"]): r for _, r in shown.iterrows()}


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views())
def test_property_compare_views_are_safe_alone_and_against_wider_views(view):
    rows, narrowing, own = view
    table = guarded_scores(rows, BY, narrowing, RULES, own, totals=TOTALS)
    shown = visible(table)
    for key, out in shown.items():
        by_la, total = facts(rows, narrowing, key)
        own_only = bool(by_la) and set(by_la) <= own
        # (a) every visible figure rests on >= 3 LAs and >= 10 respondents besides the viewer's
        assert own_only or (len(by_la) >= 3 and sum(by_la.values()) >= 10 and safe_set(by_la, own))
        assert out["n"] == sum(by_la.values()) and out["mean"] == pytest.approx(total / out["n"])
    # (b) within the view: England minus the visible groups is safe
    for measure in set(table["measure"]):
        line = table.loc[table["measure"] == measure]
        if (measure, ENGLAND) not in shown:
            continue
        hidden = [g for g in line["group"] if g != ENGLAND and (measure, g) not in shown]
        union = {}
        for g in hidden:
            for a, n in facts(rows, narrowing, (measure, g))[0].items():
                union[a] = union.get(a, 0) + n
        assert safe_set(union, own)
    # (c) against every wider view (one filter reset, or all): the difference is safe
    wider_views = [{k: v for k, v in narrowing.items() if k != d} for d in narrowing] + [{}]
    for wider in wider_views:
        other = visible(
            guarded_scores(rows, BY, narrowed("2010-Q1", **wider), RULES, own, totals=TOTALS)
        )
        for key in shown.keys() & other.keys():
            rest = minus(facts(rows, wider, key)[0], facts(rows, narrowing, key)[0])
            assert safe_set(rest, own), (key, wider, rest)
    # (d) against its siblings: the wider view minus every visible sibling is safe
    for dim in narrowing:
        others = {k: v for k, v in narrowing.items() if k != dim}
        total = visible(
            guarded_scores(rows, BY, narrowed("2010-Q1", **others), RULES, own, totals=TOTALS)
        )
        sibling_views = {
            v: visible(
                guarded_scores(
                    rows,
                    BY,
                    narrowed("2010-Q1", **{**others, dim: v}),
                    RULES,
                    own,
                    totals=TOTALS,
                )
            )
            for v in DIMS[dim]
        }
        for key in total:
            residual = facts(rows, others, key)[0]
            for v, seen in sibling_views.items():
                if key in seen:
                    residual = minus(residual, facts(rows, {**others, dim: v}, key)[0])
            assert safe_set(residual, own), (key, dim, residual)
    assert not math.isnan(float(len(table)))
