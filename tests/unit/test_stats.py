"""Pooled statistics against hand-computed figures (SCORING.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from data.scores import stats
from data.scores.stats import Summary, pool, pool_mean_of_las, welch_change, welch_changes


def sums(scores: list[float]) -> tuple[int, float, float]:
    return len(scores), float(sum(scores)), float(sum(x * x for x in scores))


def row(authority_id: int, scores: list[float], **context: str) -> dict:
    n, total, sumsq = sums(scores)
    return {"authority_id": authority_id, "n": n, "sum": total, "sumsq": sumsq, **context}


# Scores 50, 75, 100, 25, 50:
#   n = 5, sum = 300, sumsq = 2500 + 5625 + 10000 + 625 + 2500 = 21250
#   mean = 300 / 5 = 60
#   sumsq - sum^2/n = 21250 - 90000/5 = 3250; variance = 3250 / 4 = 812.5
#   sd = sqrt(812.5) = 28.504386
#   half-width = 1.96 * 28.504386 / sqrt(5) = 1.96 * 12.747549 = 24.985196
#   interval = 60 -/+ 24.985196 = [35.014804, 84.985196]
HAND = {"mean": 60.0, "sd": 28.504386, "ci_low": 35.014804, "ci_high": 84.985196}


def test_summary_matches_hand_computation() -> None:
    s = Summary.from_sums(5, 300.0, 21250.0)
    assert s.n == 5
    for key, expected in HAND.items():
        assert getattr(s, key) == pytest.approx(expected, abs=1e-6)


def test_pooling_adds_sums_across_las_and_roles() -> None:
    rows = pd.DataFrame(
        [
            row(1, [50, 75], role="social_worker", group="A"),
            row(2, [100], role="social_worker", group="A"),
            row(2, [25, 50], role="team_manager", group="A"),
        ]
    )
    out = pool(rows, ["group"])
    assert len(out) == 1
    got = out.iloc[0]
    assert (got["n"], got["n_las"], got["sum"], got["sumsq"]) == (5, 2, 300.0, 21250.0)
    for key, expected in HAND.items():
        assert got[key] == pytest.approx(expected, abs=1e-6)


def test_no_interval_below_five_respondents() -> None:
    four = Summary.from_sums(*sums([50, 75, 100, 25]))
    assert four.mean == pytest.approx(62.5)
    assert four.sd is not None
    assert four.ci_low is None and four.ci_high is None
    five = Summary.from_sums(*sums([50, 75, 100, 25, 50]))
    assert five.ci_low is not None and five.ci_high is not None
    table = pool(pd.DataFrame([row(1, [50, 75, 100, 25], group="A")]), ["group"])
    assert table["ci_low"].isna().all() and table["ci_high"].isna().all()


def test_single_respondent_has_mean_but_no_sd() -> None:
    one = Summary.from_sums(1, 75.0, 5625.0)
    assert one.mean == 75.0
    assert one.sd is None and one.ci_low is None


def test_no_respondents_gives_no_figures_not_zero() -> None:
    none = Summary.from_sums(0, 0.0, 0.0)
    assert none.mean is None and none.sd is None


def test_rounding_below_zero_is_clamped_to_zero_spread() -> None:
    n, total, sumsq = sums([41.666666666666664] * 3)  # three identical theme scores of 5/12
    assert sumsq - total**2 / n < 0  # the raw formula really does go negative here
    s = Summary.from_sums(n, total, sumsq)
    assert s.sd == 0.0
    assert s.mean == pytest.approx(41.666666666666664)


def test_pool_groups_counts_distinct_las_and_keeps_contributors() -> None:
    rows = pd.DataFrame(
        [
            row(1, [50, 50], group="A", role="sw"),
            row(1, [100], group="A", role="tm"),
            row(2, [0, 100], group="A", role="sw"),
            row(3, [75], group="B", role="sw"),
            row(4, [], group="B", role="sw"),  # no respondents: not a contributor
        ]
    )
    out = pool(rows, ["group"], keep_las=True).set_index("group")
    assert out.loc["A", "n"] == 5 and out.loc["A", "n_las"] == 2
    assert out.loc["B", "n"] == 1 and out.loc["B", "n_las"] == 1
    assert out.loc["A", "las"] == frozenset({1, 2})
    assert out.loc["A", "n_by_la"] == {1: 3, 2: 2}
    assert out.loc["B", "las"] == frozenset({3})
    everything = pool(rows, [])
    assert len(everything) == 1 and everything.iloc[0]["n"] == 6


def test_mean_of_las_weights_each_la_equally() -> None:
    # LA 1: 10 respondents all scoring 80; LA 2: 30 respondents all scoring 40.
    # Pooled: (10*80 + 30*40) / 40 = 2000 / 40 = 50.  Mean of LAs: (80 + 40) / 2 = 60.
    rows = pd.DataFrame([row(1, [80] * 10, group="A"), row(2, [40] * 30, group="A")])
    pooled = pool(rows, ["group"]).iloc[0]
    by_la = pool_mean_of_las(rows, ["group"]).iloc[0]
    assert pooled["mean"] == pytest.approx(50.0)
    assert by_la["mean"] == pytest.approx(60.0)
    assert by_la["n"] == 40 and by_la["n_las"] == 2
    # Spread is between the two LA means: sd(80, 40) = sqrt(((20)^2 + (20)^2) / 1) = 28.28
    assert by_la["sd"] == pytest.approx(math.sqrt(800))
    assert math.isnan(by_la["ci_low"])  # fewer than 5 LAs: no interval


# Welch, hand-computed.  Before: n=10, mean 50, sd 10 -> sum 500, sumsq = 9*100 + 500^2/10 = 25900.
# After: n=12, mean 60, sd 15 -> sum 720, sumsq = 11*225 + 720^2/12 = 45675.
#   va/na = 100/10 = 10; vb/nb = 225/12 = 18.75; se = sqrt(28.75) = 5.361903
#   df = 28.75^2 / (10^2/9 + 18.75^2/11) = 826.5625 / (11.111111 + 31.960227) = 19.190546
#   t(0.975, 19.19) = 2.091618; half = 2.091618 * 5.361903 = 11.215054
#   change = 10, interval [-1.215054, 21.215054]: includes zero, so not significant.
BEFORE = Summary.from_sums(10, 500.0, 25900.0)
AFTER = Summary.from_sums(12, 720.0, 45675.0)


def test_welch_change_hand_computed() -> None:
    assert stats.USES_T_DISTRIBUTION  # scipy is a project dependency
    ch = welch_change(BEFORE, AFTER)
    assert ch.change == pytest.approx(10.0)
    assert ch.df == pytest.approx(19.190546, abs=1e-5)
    assert ch.ci_low == pytest.approx(-1.215054, abs=1e-5)
    assert ch.ci_high == pytest.approx(21.215054, abs=1e-5)
    assert not ch.significant
    # Same verdict as scipy's own Welch test.
    p = sps.ttest_ind_from_stats(50, 10, 10, 60, 15, 12, equal_var=False).pvalue
    assert p > 0.05


def test_welch_change_significant_when_interval_excludes_zero() -> None:
    # n=20 each, sd 10, means 50 -> 60: se = sqrt(5 + 5) = 3.162278, df = 100 / (25/19 * 2) = 38,
    # t(0.975, 38) = 2.024394, half = 6.401696: interval [3.598304, 16.401696], excludes zero.
    a = Summary(20, 50.0, 10.0, None, None)
    b = Summary(20, 60.0, 10.0, None, None)
    ch = welch_change(a, b)
    assert ch.df == pytest.approx(38.0)
    assert ch.ci_low == pytest.approx(3.598304, abs=1e-5)
    assert ch.significant
    assert not welch_change(b, b).significant


def test_welch_change_needs_five_each_side() -> None:
    small = Summary.from_sums(*sums([0, 0, 0, 0]))
    ch = welch_change(small, AFTER)
    assert ch.change == pytest.approx(60.0)
    assert ch.ci_low is None and ch.df is None and not ch.significant


def test_welch_change_with_no_spread_collapses_to_a_point() -> None:
    a = Summary.from_sums(*sums([50] * 6))
    b = Summary.from_sums(*sums([75] * 6))
    ch = welch_change(a, b)
    assert (ch.ci_low, ch.ci_high, ch.significant) == (25.0, 25.0, True)


def test_welch_changes_per_group_matches_scalar() -> None:
    rng = np.random.default_rng(7)
    records = []
    for la, group in [(1, "A"), (2, "A"), (3, "B"), (4, "B"), (5, "C")]:
        for period in ("2010-Q1", "2010-Q2"):
            scores = rng.integers(0, 5, size=rng.integers(3, 9)) * 25.0
            records.append(row(la, list(scores), group=group, period=period))
    records.append(row(6, [100.0] * 7, group="D", period="2010-Q1"))  # no second period
    rows = pd.DataFrame(records)
    out = welch_changes(rows, ["group"], "2010-Q1", "2010-Q2").set_index("group")
    assert sorted(out.index) == ["A", "B", "C"]
    pooled = pool(rows, ["group", "period"]).set_index(["group", "period"])
    for g in out.index:
        a, b = (
            Summary.from_sums(*pooled.loc[(g, p), ["n", "sum", "sumsq"]])
            for p in ("2010-Q1", "2010-Q2")
        )
        ch = welch_change(a, b)
        assert out.loc[g, "change"] == pytest.approx(ch.change)
        assert out.loc[g, "significant"] == ch.significant
        if ch.ci_low is None:
            assert math.isnan(out.loc[g, "ci_low"])
        else:
            assert out.loc[g, "ci_low"] == pytest.approx(ch.ci_low)
    total = welch_changes(rows, [], "2010-Q1", "2010-Q2")
    assert len(total) == 1 and "group" not in total


def test_welch_changes_mean_of_las_uses_la_count() -> None:
    rows = pd.DataFrame(
        [row(la, [40.0 + la] * 3, period="P1") for la in range(1, 7)]
        + [row(la, [60.0 + la] * 3, period="P2") for la in range(1, 7)]
    )
    out = welch_changes(rows, [], "P1", "P2", weighting="las").iloc[0]
    # Six LA means each side, 20 points apart with identical spread: sd = sd(41..46) = 1.870829,
    # se = sqrt(2 * 1.870829^2 / 6) = 1.080123, df = 10, t = 2.228139: half = 2.406665.
    assert out["change"] == pytest.approx(20.0)
    assert out["df"] == pytest.approx(10.0)
    assert out["ci_high"] - out["change"] == pytest.approx(2.406665, abs=1e-5)
    assert out["n_las_before"] == 6 and out["n_before"] == 18
