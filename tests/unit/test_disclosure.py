"""Disclosure control: thresholds, own-LA view, secondary suppression, folding, and properties
that must hold for any data and any filter (PRODUCT.md section 4)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.privacy import disclosure as dc
from data.privacy.disclosure import DisclosureRules
from data.scores.stats import pool

RULES = DisclosureRules()
SCORE_VALUES = ["n", "n_las", "mean", "sd", "ci_low", "ci_high"]


def rows_for(cells: list[tuple[int, str, int]], measure: str = "NAV", **context) -> pd.DataFrame:
    """Score rows from (authority_id, group, respondents); every respondent scores 50."""
    return pd.DataFrame(
        [
            {"authority_id": a, "group": g, "measure": measure, "n": n, "sum": 50.0 * n,
             "sumsq": 2500.0 * n, **context}
            for a, g, n in cells
        ]
    )  # fmt: skip


def spread(group: str, n_las: int, respondents: int, first_id: int) -> list[tuple]:
    """``n_las`` LAs in ``group`` sharing ``respondents`` as evenly as possible."""
    share = [respondents // n_las + (i < respondents % n_las) for i in range(n_las)]
    return [(first_id + i, group, k) for i, k in enumerate(share)]


def by_group(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("group")


@pytest.mark.parametrize(
    ("n_las", "respondents", "shown"),
    [(3, 10, True), (2, 10, False), (3, 9, False), (2, 50, False), (5, 9, False), (8, 80, True)],
)
def test_primary_thresholds(n_las: int, respondents: int, shown: bool) -> None:
    table = pool(rows_for(spread("A", n_las, respondents, 1)), ["group"], keep_las=True)
    out = dc.primary(table, RULES).iloc[0]
    assert out["suppressed"] == (not shown)
    if shown:
        assert out["n"] == respondents and out["n_las"] == n_las and out["mean"] == 50.0
        assert out["reason"] == ""
    else:
        assert all(pd.isna(out[c]) for c in [*SCORE_VALUES, "sum", "sumsq"])  # never zero
        assert out["reason"] == "fewer than 3 LAs or 10 respondents"
        assert "las" not in out.index and "n_by_la" not in out.index


def test_thresholds_are_configurable_and_rules_frozen() -> None:
    table = pool(rows_for(spread("A", 2, 6, 1)), ["group"])
    assert dc.primary(table, DisclosureRules(min_las=2, min_respondents=5))["mean"].iloc[0] == 50
    assert dc.primary(table, RULES)["suppressed"].iloc[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES.min_las = 1  # type: ignore[misc]
    assert "5 respondents" in DisclosureRules(min_respondents=5).footnote() != dc.FOOTNOTE


def test_own_la_is_never_suppressed_for_itself_only() -> None:
    table = pool(rows_for([(7, "A", 4), (8, "B", 40), (9, "B", 40), (10, "B", 40)]), ["group"],
                 keep_las=True)  # fmt: skip
    mine = by_group(dc.primary(table, RULES, own_authority_ids={7}))
    assert not mine.loc["A", "suppressed"] and mine.loc["A", "n"] == 4
    theirs = by_group(dc.primary(table, RULES, own_authority_ids={8}))
    assert theirs.loc["A", "suppressed"]
    assert by_group(dc.primary(table, RULES))["suppressed"].to_dict() == {"A": True, "B": False}


def test_a_contributor_cannot_see_the_pooled_result_of_two_others() -> None:
    # Group B has 3 LAs: fine for an outsider, but LA 8 could subtract itself and see 9 + 10.
    table = pool(rows_for([(8, "B", 40), (9, "B", 40), (10, "B", 40)]), ["group"], keep_las=True)
    assert not dc.primary(table, RULES, own_authority_ids={1})["suppressed"].iloc[0]
    inside = dc.primary(table, RULES, own_authority_ids={8}).iloc[0]
    assert inside["suppressed"] and "other LAs" in inside["reason"]
    relaxed = DisclosureRules(discount_own=False)
    assert not dc.primary(table, relaxed, own_authority_ids={8})["suppressed"].iloc[0]


def test_own_la_and_secondary_need_contributor_sets() -> None:
    table = pool(rows_for(spread("A", 3, 30, 1)), ["group"])  # no keep_las
    with pytest.raises(ValueError, match="las"):
        dc.primary(table, RULES, own_authority_ids={1})
    with pytest.raises(ValueError, match="las"):
        dc.mark_secondary(table, RULES, dims=["group"], totals={"group": "England"})


def three_groups() -> pd.DataFrame:  # A: 5 LAs, 50 respondents; B: 4 LAs, 40; C: 1 LA, 12
    return rows_for(spread("A", 5, 50, 1) + spread("B", 4, 40, 10) + [(20, "C", 12)])


def test_secondary_hides_next_smallest_group_when_one_is_small() -> None:
    out = dc.disclosed_table(three_groups(), ["measure", "group"], totals={"group": "England"},
                             fold_groups=False)  # fmt: skip
    g = by_group(out)
    assert g["suppressed"].to_dict() == {"A": False, "B": True, "C": True, "England": False}
    assert g.loc["B", "reason"] == dc.REASON_SECONDARY
    # England minus A gives only B + C together: 5 LAs and 52 respondents, itself safe.
    assert g.loc["England", "n"] - g.loc["A", "n"] == 52
    assert g.loc["England", "n_las"] - g.loc["A", "n_las"] == 5
    # Without the total on show there is nothing to subtract from.
    alone = by_group(dc.disclosed_table(three_groups(), ["group"], fold_groups=False))
    assert alone["suppressed"].to_dict() == {"A": False, "B": False, "C": True}


def test_secondary_hides_the_total_when_the_whole_line_fails() -> None:
    # The viewer's own LA is group X on its own (shown to it); Y is 2 LAs. England passes
    # (3 LAs, 30), but England minus X would show Y: so England goes too.
    rows = rows_for([(1, "X", 10), (2, "Y", 10), (3, "Y", 10)])
    out = by_group(
        dc.disclosed_table(rows, ["group"], DisclosureRules(discount_own=False),
                           totals={"group": "England"}, own_authority_ids={1}, fold_groups=False)
    )  # fmt: skip
    assert out["suppressed"].to_dict() == {"X": False, "Y": True, "England": True}
    assert out.loc["England", "reason"] == dc.REASON_SECONDARY
    assert pd.isna(out.loc["England", "mean"])


def pinned(table: pd.DataFrame, dims: list[str], totals: dict) -> list[int]:
    """Hidden rows an attacker can solve for exactly from the line equations (a rank test per
    hidden row, independent of the implementation). Needs two or more dims."""
    hidden = [int(p) for p in np.flatnonzero(table["suppressed"].to_numpy(bool))]
    eqs = []
    for dim, label in totals.items():
        for _, line in table.groupby([d for d in dims if d != dim], dropna=False):
            sign = {p: 1.0 if v == label else -1.0 for p, v in line[dim].items()}
            eqs.append([sign.get(p, 0.0) for p in hidden])
    a = np.array([e for e in eqs if any(e)] or [[0.0] * len(hidden)])
    if not hidden:
        return []
    rank, unit, rank_of = np.linalg.matrix_rank(a), np.eye(len(hidden)), np.linalg.matrix_rank
    return [p for j, p in enumerate(hidden) if rank_of(np.vstack([a, unit[j]])) == rank]


def test_two_way_totals_do_not_let_lines_be_combined() -> None:
    # 4 x 4 table with both margins. Hidden: two 2x2 blocks joined by one "bridge" cell (r2, c3).
    # Every line has at least two hidden cells, yet the bridge equals (rows r1+r2 hidden) minus
    # (columns c1+c2 hidden): the rank check must hide more.
    rs, cs = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    blocks = [(("r1", "r2"), ("c1", "c2")), (("r3", "r4"), ("c3", "c4"))]
    hide = {(r, c) for rows, cols in blocks for r in rows for c in cols} | {("r2", "c3")}
    records = [
        {"row": r, "col": c, "suppressed": (r, c) in hide}
        for r in [*rs, "All"]
        for c in [*cs, "All"]
    ]
    # 2 LAs and 12 respondents per inner cell, so any two hidden cells together pass.
    las = {(r, c): frozenset({10 * i + j, 10 * i + j + 100}) for i, r in enumerate(rs)
           for j, c in enumerate(cs)}  # fmt: skip
    for rec in records:
        members = [k for k in las if rec["row"] in (k[0], "All") and rec["col"] in (k[1], "All")]
        rec["las"] = frozenset().union(*(las[k] for k in members))
        rec["n"] = 12 * len(members)
    table = pd.DataFrame(records)
    totals = {"row": "All", "col": "All"}
    assert pinned(table, ["row", "col"], totals)  # the bridge is really exposed as given
    out = dc.mark_secondary(table, RULES, dims=["row", "col"], totals=totals)
    assert out["suppressed"].sum() > len(hide)
    assert pinned(out, ["row", "col"], totals) == []


def test_small_groups_fold_into_other_suppliers_until_it_passes() -> None:
    # C (1 LA) and D (1 LA) are too small; together still 2 LAs, so the next smallest (B) joins.
    rows = rows_for(spread("A", 5, 50, 1) + spread("B", 3, 30, 10) + [(20, "C", 12), (21, "D", 3)])
    folded = dc.fold_small_groups(rows, RULES)
    las = folded.groupby("group")["authority_id"].nunique().to_dict()
    assert las == {"A": 5, dc.OTHER_SUPPLIERS: 5}
    assert folded["n"].sum() == rows["n"].sum()  # nothing dropped
    out = by_group(dc.disclosed_table(rows, ["group"], totals={"group": "England"}))
    assert list(out.index) == ["A", dc.OTHER_SUPPLIERS, "England"]
    assert out.loc[dc.OTHER_SUPPLIERS, "n"] == 45 and not out["suppressed"].any()


def test_folding_leaves_big_groups_alone_counts_people_once_and_may_fold_all() -> None:
    big = rows_for(spread("A", 3, 30, 1) + spread("B", 3, 30, 10))
    assert dc.fold_small_groups(big, RULES)["group"].tolist() == big["group"].tolist()
    # C alone would be "Other suppliers" in name only, so the smaller of A and B joins it.
    one_small = rows_for(spread("A", 3, 30, 1) + spread("B", 3, 40, 10) + [(20, "C", 20)])
    folded = dc.fold_small_groups(one_small, RULES)
    assert folded["group"].value_counts().to_dict() == {"B": 3, dc.OTHER_SUPPLIERS: 4}
    tiny = rows_for([(1, "A", 5), (2, "B", 5)])
    assert set(dc.fold_small_groups(tiny, RULES)["group"]) == {dc.OTHER_SUPPLIERS}
    # 3 LAs, 9 respondents each answering two themes: 9 respondents (too few), not 18.
    rows = pd.concat([rows_for(spread("A", 3, 9, 1), m) for m in ("NAV", "SPD")])
    rows = pd.concat([rows, rows_for(spread("B", 3, 30, 10), "NAV")])
    assert set(dc.fold_small_groups(rows, RULES)["group"]) == {dc.OTHER_SUPPLIERS}


def test_counts_table_uses_the_same_rules() -> None:
    findings = pd.DataFrame(
        {"authority_id": [1, 2, 3, 4, 4, 5, 6, 7],
         "group": ["A", "A", "A", "B", "B", "B", "B", "C"],
         "theme": ["NAV"] * 8,
         "respondents_raising": [5, 4, 3, 2, 2, 3, 3, 9]}
    )  # fmt: skip
    out = by_group(dc.disclosed_counts(findings, ["theme", "group"], totals={"group": "England"},
                                       fold_groups=False))  # fmt: skip
    assert out.loc["A", "findings"] == 3 and out.loc["A", "respondents_raising"] == 12
    assert out.loc["England", "findings"] == 8 and out.loc["England", "n_las"] == 7
    assert out["suppressed"].to_dict() == {"A": False, "B": True, "C": True, "England": False}
    assert pd.isna(out.loc["C", "findings"]) and pd.isna(out.loc["B", "respondents_raising"])
    las_only = dc.disclosed_counts(findings, ["group"], respondents_col=None, fold_groups=False)
    assert by_group(las_only)["suppressed"].to_dict() == {"A": False, "B": False, "C": True}


def test_changes_are_hidden_when_either_period_is() -> None:
    q1 = three_groups().assign(period="2010-Q1")
    q2 = three_groups().assign(period="2010-Q2", sum=lambda d: d["n"] * 60.0,
                               sumsq=lambda d: d["n"] * 3700.0)  # fmt: skip
    shrunk = rows_for([(10, "B", 3), (11, "B", 3)], period="2010-Q2")  # B shrinks in Q2
    both = pd.concat([q1, q2.loc[q2["group"] != "B"], shrunk])
    england = {"group": "England"}
    out = by_group(dc.disclosed_changes(both, ["group"], "2010-Q1", "2010-Q2", totals=england,
                                        fold_groups=False))  # fmt: skip
    assert out["suppressed"].to_dict() == {"A": False, "B": True, "C": True, "England": False}
    assert out.loc["A", "change"] == pytest.approx(10.0) and out.loc["A", "significant"]
    assert pd.isna(out.loc["B", "change"]) and pd.isna(out.loc["B", "mean_before"])


@pytest.mark.parametrize(
    ("value", "hidden", "text"),
    [(0.0, True, "c"), (None, True, "c"), (62.456, False, "62.5"), (np.int64(12), False, "12"),
     (0, False, "0"), (float("nan"), False, "x"), (pd.NA, False, "x")],
)  # fmt: skip
def test_format_value(value: object, hidden: bool, text: str) -> None:
    assert dc.format_value(value, hidden) == text


GROUPS, REGIONS, TYPES = ["G1", "G2", "G3", "G4", "G5"], ["R1", "R2", "R3"], ["county", "unitary"]
PERIODS, ROLES = ["2010-Q1", "2010-Q2"], ["sw", "tm", "bs"]
THEMES = ["NAV", "SPD", "DUP", "ASM", "NAR", "OUT"]
LAYOUTS = [
    (["measure", "group"], {"group": "England"}),
    (["measure", "group", "period"], {"group": "England"}),
    (["measure", "region"], {"region": "All regions"}),
    (["measure", "group", "role"], {"group": "England", "role": "All roles"}),
    (["measure", "group"], {}),
]


@st.composite
def survey(draw: st.DrawFn) -> pd.DataFrame:
    """Score rows for random LAs in random groups, regions and types; two themes."""
    n_las = draw(st.integers(1, 14))
    ids = draw(st.lists(st.integers(1, 999), min_size=n_las, max_size=n_las, unique=True))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    records = []
    for la in ids:
        group, region, kind = draw(st.sampled_from(GROUPS)), rng.choice(REGIONS), rng.choice(TYPES)
        size = draw(st.integers(0, 8))  # most respondents this LA has in one role and theme
        for period in PERIODS:
            for role in ROLES:
                for theme in THEMES[:2]:
                    n = int(rng.integers(0, size + 1))
                    mean, sd = rng.uniform(1, 100), rng.uniform(0, 30)
                    records.append({
                        "authority_id": la, "group": group, "region": region, "la_type": kind,
                        "period": period, "role": role, "measure_type": "theme",
                        "measure": theme, "n": n, "sum": n * mean,
                        "sumsq": n * mean * mean + max(n - 1, 0) * sd * sd,
                    })  # fmt: skip
    return pd.DataFrame(records)


@st.composite
def findings(draw: st.DrawFn) -> pd.DataFrame:
    """One row per finding: random LAs raising random numbers of findings per theme."""
    n_las = draw(st.integers(1, 16))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    records = []
    for la in range(1, n_las + 1):
        group, region = draw(st.sampled_from(GROUPS)), rng.choice(REGIONS)
        for _ in range(draw(st.integers(0, 8))):
            records.append({"authority_id": la, "group": group, "region": region,
                            "theme": rng.choice(THEMES), "period": rng.choice(PERIODS),
                            "respondents_raising": int(rng.integers(0, 8))})  # fmt: skip
    columns = ["authority_id", "group", "region", "theme", "period", "respondents_raising"]
    return pd.DataFrame(records, columns=columns)


def subset(values: list[str]) -> st.SearchStrategy:
    return st.none() | st.sets(st.sampled_from(values), min_size=1)


def filtered(draw: st.DrawFn, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    options = {"region": REGIONS, "la_type": TYPES, "role": ROLES, "period": PERIODS}
    for col in columns:
        keep = draw(subset(options[col]))
        if keep is not None:
            rows = rows.loc[rows[col].isin(sorted(keep))]
    return rows


@st.composite
def viewers(draw: st.DrawFn, rows: pd.DataFrame) -> tuple[frozenset, DisclosureRules]:
    viewer = draw(st.none() | st.sampled_from(sorted(set(rows["authority_id"])) or [1]))
    own = frozenset() if viewer is None else frozenset({viewer})
    return own, DisclosureRules(discount_own=draw(st.booleans()))


def passes(rules: DisclosureRules, own: frozenset, las: set, n: int | None, by_la: dict) -> bool:
    """Thresholds on what the viewer does not already know (with the rules' own-LA policy)."""
    if rules.discount_own:
        las, n = las - own, None if n is None else n - sum(by_la.get(a, 0) for a in own)
    return len(las) >= 3 and (n is None or n >= 10)


def check(rows: pd.DataFrame, table: pd.DataFrame, by: list[str], totals: dict, own: frozenset,
          rules: DisclosureRules, resp: str | None, kind: str) -> None:  # fmt: skip
    """(a) no visible cell under the thresholds unless it is the viewer's own LA only; (b) in
    every line with a visible total the hidden cells together pass, and total minus visible
    cells is never one hidden cell; no hidden cell pinned by combining lines."""
    facts = []  # actual contributors behind each output row, computed naively from raw rows
    for _, out in table.iterrows():
        mask = pd.Series(True, index=rows.index)
        for dim in by:
            if totals.get(dim) != out[dim]:
                mask &= rows[dim] == out[dim]
        part = rows.loc[mask & (rows["n"] > 0 if kind == "scores" else True)]
        by_la = part.groupby("authority_id")[resp].sum().to_dict() if resp else {}
        n = int(part[resp].sum()) if resp else None
        value = float(part["sum"].sum()) if kind == "scores" else float(len(part))
        facts.append({"las": set(part["authority_id"]), "n": n, "value": value, "by_la": by_la})
        if out["suppressed"]:
            assert all(pd.isna(out[c]) for c in ["n_las", resp] if c)
        elif not (facts[-1]["las"] and facts[-1]["las"] <= own):
            assert len(facts[-1]["las"]) >= 3 and (n is None or n >= 10)  # (a)
            assert passes(rules, own, facts[-1]["las"], n, by_la)
            assert out["n_las"] == len(facts[-1]["las"]) and (n is None or out[resp] == n)
            assert shown(out, kind) == pytest.approx(facts[-1]["value"])
    for dim, label in totals.items():
        for _, line in table.groupby([d for d in by if d != dim], dropna=False):
            is_total = line[dim] == label
            if not is_total.any() or line.loc[is_total, "suppressed"].any():
                continue
            cells = line.loc[~is_total]
            hidden = [facts[i] for i in cells.index[cells["suppressed"]]]
            if not hidden:
                continue
            las = set().union(*(h["las"] for h in hidden))
            n = None if resp is None else sum(h["n"] for h in hidden)
            by_la = {a: sum(h["by_la"].get(a, 0) for h in hidden) for a in las}
            assert len(las) >= 3 and (n is None or n >= 10)  # (b)
            assert passes(rules, own, las, n, by_la)
            total, shown_cells = line.loc[is_total].iloc[0], cells.loc[~cells["suppressed"]]
            residual = shown(total, kind) - sum(shown(r, kind) for _, r in shown_cells.iterrows())
            assert residual == pytest.approx(sum(h["value"] for h in hidden))
            for h in hidden:  # the attacker gets the hidden union, never one hidden cell
                assert not math.isclose(residual, h["value"], rel_tol=1e-9, abs_tol=1e-6)
    if len(totals) > 1:
        assert pinned(table.reset_index(drop=True), by, totals) == []


def shown(out: pd.Series, kind: str) -> float:
    """The additive figure as an attacker reads it off the table (sum of scores, findings)."""
    return out["mean"] * out["n"] if kind == "scores" else out["findings"]


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_scores_no_small_cell_shown_and_none_recoverable(data: st.DataObject) -> None:
    rows = filtered(data.draw, data.draw(survey()), ["region", "la_type", "role", "period"])
    by, totals = data.draw(st.sampled_from(LAYOUTS))
    own, rules = data.draw(viewers(rows))
    fold = data.draw(st.booleans()) and "group" in by
    table = dc.disclosed_table(rows, by, rules, totals=totals, own_authority_ids=own,
                               fold_groups=fold)  # fmt: skip
    folded = dc.fold_small_groups(rows, rules) if fold else rows
    check(folded, table, by, totals, own, rules, "n", "scores")
    if fold:  # every group shown on its own passes; "Other suppliers" too unless it is all
        live = folded.loc[folded["n"] > 0]
        for group, part in live.groupby("group"):
            size = part.groupby(["authority_id", "period", "role"])["n"].max().sum()
            big = part["authority_id"].nunique() >= 3 and size >= 10
            assert big or set(live["group"]) == {dc.OTHER_SUPPLIERS}, group


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_counts_two_way_totals(data: st.DataObject) -> None:
    rows = filtered(data.draw, data.draw(findings()), ["region", "period"])
    own, rules = data.draw(viewers(rows))
    resp = data.draw(st.sampled_from(["respondents_raising", None]))
    by, totals = ["theme", "group"], {"theme": "All themes", "group": "England"}
    fold = data.draw(st.booleans())
    table = dc.disclosed_counts(rows, by, rules, totals=totals, own_authority_ids=own,
                                fold_groups=fold, respondents_col=resp)  # fmt: skip
    folded = dc.fold_small_groups(rows, rules, respondents_col=resp) if fold else rows
    check(folded, table, by, totals, own, rules, resp, "counts")
