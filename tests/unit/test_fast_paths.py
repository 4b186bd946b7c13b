"""The national-scale fast paths give exactly what the straightforward code gave: contributor
sums, vectorised primary checks, collapsed rows, trends in one guarded pass, compact strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.privacy.disclosure import DisclosureRules, _Cells, mark_primary
from data.privacy.narrowing import (
    ENGLAND,
    _contributions,
    collapse,
    fold_period,
    guarded_cells,
    guarded_scores,
    score_builder,
)
from data.queries.filters import COMPARE
from data.store.memo import compact_strings

RULES = DisclosureRules()
GROUPS, REGIONS, ROLES = ("A", "B", "C", "D"), ("London", "North East"), ("sw", "tm", "bs")


def random_rows(seed: int, periods: tuple[str, ...] = ("2010-Q1", "2010-Q2")) -> pd.DataFrame:
    """Score rows (one per authority x role) for a few periods, some cells small."""
    rng = np.random.default_rng(seed)
    out = []
    for period in periods:
        for a in range(1, int(rng.integers(6, 16))):
            group, region = GROUPS[a % len(GROUPS)], REGIONS[int(rng.integers(0, 2))]
            for role in ROLES:
                n = int(rng.integers(0, 8))
                scores = rng.uniform(0, 100, n)
                out.append(
                    {"authority_id": a, "supplier_id": a % len(GROUPS), "group": group,
                     "period": period, "region": region, "la_type": "unitary", "role": role,
                     "measure_type": "sus", "measure": "SUS", "n": n,
                     "sum": float(scores.sum()), "sumsq": float((scores**2).sum())}
                )  # fmt: skip
    return pd.DataFrame(out)


def naive_contributions(codes, authority, values, k) -> list[dict]:
    per: list[dict] = [{} for _ in range(k)]
    for c, a, v in zip(codes.tolist(), authority.tolist(), values.tolist(), strict=True):
        per[c][a] = per[c].get(a, 0) + v
    return per


@pytest.mark.parametrize("seed", range(20))
def test_contributions_match_a_plain_loop(seed):
    rng = np.random.default_rng(seed)
    size, k = int(rng.integers(1, 300)), int(rng.integers(1, 20))
    codes = rng.integers(0, k, size)
    authority = rng.integers(1, 40, size) * (7 if seed % 2 else 1)  # dense and sparse ids
    values = rng.integers(0, 30, size)
    assert _contributions(codes, authority, values, k) == naive_contributions(
        codes, authority, values, k
    )
    floats = rng.uniform(0, 5, size)
    got = _contributions(codes, authority, floats, k)
    want = naive_contributions(codes, authority, floats, k)
    assert [d.keys() for d in got] == [d.keys() for d in want]
    assert all(np.isclose(got[c][a], want[c][a]) for c in range(k) for a in got[c])


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("own", [frozenset(), frozenset({2}), frozenset({2, 3})])
def test_vectorised_primary_checks_match_per_row_checks(seed, own):
    rng = np.random.default_rng(seed)
    las = [frozenset(rng.choice(8, int(rng.integers(0, 6)), replace=False).tolist())
           for _ in range(30)]  # fmt: skip
    n_by_la = [{a: int(rng.integers(0, 9)) for a in s} for s in las]
    table = pd.DataFrame(
        {"las": las, "n_by_la": n_by_la, "n": [sum(d.values()) for d in n_by_la],
         "n_las": [len(s) for s in las]}
    )  # fmt: skip
    for rules in (RULES, DisclosureRules(discount_own=False), DisclosureRules(2, 5)):
        cells = _Cells.of(table, rules, own, "n")
        raw_ok, ok, own_only = cells.single_cell_tests()
        rows = range(len(table))
        assert raw_ok.tolist() == [cells.safe([i], discount=False) for i in rows]
        assert ok.tolist() == [cells.safe([i]) for i in rows]
        assert own_only.tolist() == [cells.own_only(i) for i in rows]
        marked = mark_primary(table, rules, own)
        assert marked["suppressed"].tolist() == (~ok & ~own_only).tolist()


@pytest.mark.parametrize("seed", range(12))
def test_collapsed_rows_give_the_same_guarded_cells(seed):
    rows = fold_period(random_rows(seed).query("period == '2010-Q1'"), RULES)
    narrowing = {"role": "sw", "region": "London"}
    by = ["group"]
    build = score_builder()
    collapsed = collapse(rows, ["authority_id", *by, *narrowing], build)
    assert len(collapsed) <= len(rows)
    for n in ("n", "sum", "sumsq"):
        assert np.isclose(collapsed[n].sum(), rows[n].sum())
    own = frozenset({3})

    def uncollapsed(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return build(part, keys)  # the same cells, but without ``additive``: never collapsed

    kw = {"totals": {"group": ENGLAND}}
    a = guarded_cells(rows, by, narrowing, RULES, own, build=build, **kw)
    b = guarded_cells(rows, by, narrowing, RULES, own, build=uncollapsed, **kw)
    assert collapse(rows, ["authority_id", *by], uncollapsed) is rows
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(  # the fast tier checks three seeds, the whole suite all fifteen
    "seed", [s if s < 3 else pytest.param(s, marks=pytest.mark.slow) for s in range(15)]
)
@pytest.mark.parametrize(
    "filters",
    [COMPARE.select(), COMPARE.select(role="sw"), COMPARE.select(role="tm", region="London")],
)
def test_one_pass_trend_equals_a_table_per_period(seed, filters):
    periods = ("2010-Q1", "2010-Q2", "2010-Q3")
    rows = fold_period(random_rows(seed, periods), RULES)
    own = frozenset({seed % 5 + 1})
    totals = {"group": ENGLAND}
    narrowing = filters.narrowing()
    together = guarded_scores(rows, ["period", "group"], narrowing, RULES, own, totals=totals)
    apart = pd.concat(
        [
            guarded_scores(rows.loc[rows["period"] == p], ["group"], narrowing, RULES, own,
                           totals=totals).assign(period=p)
            for p in periods
        ],
        ignore_index=True,
    )  # fmt: skip
    key = ["period", "group"]
    together = together.sort_values(key).reset_index(drop=True)
    apart = apart[together.columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(together, apart, check_dtype=False)


def test_compact_strings_keeps_values_and_shares_one_object_per_value():
    frame = pd.DataFrame(
        {"group": ["".join(["A", "b"]) for _ in range(50)] + [None] * 2,
         "n": range(52), "role": pd.array(["sw", "tm"] * 26, dtype="str")}
    )  # fmt: skip
    out = compact_strings(frame)
    pd.testing.assert_frame_equal(out, frame)
    values = out["group"].to_numpy()
    assert len({id(v) for v in values[:50]}) == 1


def random_keys(seed: int) -> pd.DataFrame:
    """Key columns as the memo holds them and as plain text, with missing values."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 400))
    text = np.array(["b", "a", "Zed", "c c", "é"], dtype=object)[rng.integers(0, 5, size)]
    text = np.where(rng.random(size) < 0.1, None, text)
    return pd.DataFrame(
        {"authority_id": rng.integers(1, 30, size), "text": pd.array(text, dtype="str"),
         "cat": pd.Categorical(text), "role": pd.array(text[::-1], dtype="str"),
         "v": rng.integers(0, 9, size)}
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize(
    "by", [["text"], ["cat"], ["authority_id", "cat"], ["cat", "role", "authority_id"], []]
)
def test_group_codes_number_cells_as_a_sorted_groupby_does(seed, by):
    from data.privacy.narrowing import group_codes

    rows = random_keys(seed)
    cell, first = group_codes(rows, by)
    if not by:
        assert (cell == 0).all() and first.tolist() == [0]
        return
    want = rows.groupby(by, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    assert cell.tolist() == want.tolist()
    assert first.tolist() == [int(np.flatnonzero(want == c)[0]) for c in range(want.max() + 1)]


@pytest.mark.parametrize("seed", range(10))
def test_categorical_rows_give_the_same_guarded_cells_as_text_rows(seed):
    from data.store.memo import categorical_text

    rows = fold_period(random_rows(seed).query("period == '2010-Q1'"), RULES)
    own, kw = frozenset({2}), {"totals": {"group": ENGLAND}, "build": score_builder()}
    for narrowing in ({}, {"role": "sw"}, {"role": "tm", "region": "London"}):
        plain = guarded_cells(rows, ["group"], narrowing, RULES, own, **kw)
        coded = guarded_cells(categorical_text(rows), ["group"], narrowing, RULES, own, **kw)
        pd.testing.assert_frame_equal(plain, coded)
